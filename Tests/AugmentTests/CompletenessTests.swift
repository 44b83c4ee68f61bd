import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// Every op the pipeline files know is covered where a contributor could forget it: `augment verify`
/// and the OpenCL parity sweep run every catalog entry on both backends.
struct CompletenessTests {
    @Test func everyRegisteredOpHasACatalogEntry() {
        let entries = TransformCatalog.entries.map(\.name)
        // An entry is named after its op, possibly with a variant ("affine (edge, reflect)",
        // "time_shift_roll"); signal ops that share an image op's name carry a "signal_" prefix.
        let missing = OpRegistry.opNames.filter { op in
            !entries.contains { TransformCatalog.entry($0, isNamedAfter: op) }
        }
        #expect(missing.isEmpty, "ops without a TransformCatalog entry (augment verify would skip them): \(missing)")
    }

    /// Every registered op declares its arguments (``DescribedArguments``): docs/reference.md lists
    /// them all, and ops whose arguments all have catalog draws get derived catalog entries.
    @Test func everyRegisteredOpDeclaresItsArguments() {
        let described = OpReference.describedTypes.map { ObjectIdentifier($0) }
        let undeclared = (OpRegistry.types + OpRegistry.signalTypes).filter {
            !described.contains(ObjectIdentifier($0))
        }
        #expect(undeclared.isEmpty, "ops without argument declarations: \(undeclared.map { $0.opName })")
    }

    /// A derived entry's draws decode through the registry into a pipeline, every time.
    @Test func derivedCatalogEntriesDecodeTheirDraws() throws {
        let signalOnly = Set(OpRegistry.signalTypes.map { ObjectIdentifier($0) })
            .subtracting(OpRegistry.types.map { ObjectIdentifier($0) })
        var derived = 0
        for type in OpReference.describedTypes {
            let input: PipelineInput = signalOnly.contains(ObjectIdentifier(type)) ? .signal : .image
            guard let entry = TransformCatalog.derivedEntry(for: type, input: input) else { continue }
            derived += 1
            var random = RandomStream(RandomKey(seed: 5, sampleIndex: 0, opIndex: 0))
            for _ in 0..<20 {
                _ = try entry.makePipeline(ImageGeometry(height: 9, width: 11, channels: 3), &random)
            }
        }
        #expect(derived >= 30)
    }

    /// One stem per family: Kernels/<stem>.cl has its CPU twin Sources/Augment/CPU/<Stem>.swift, its
    /// OpenCL host side Sources/AugmentOpenCL/Backend/<Stem>.swift and a parity suite
    /// Tests/AugmentOpenCLTests/<Stem>ParityTests.swift. (common.cl is shared math, mirrored by
    /// PortableMath.swift; random.cl exposes the generator that RuntimeTests checks.)
    @Test func everyKernelFamilyHasItsTwinHostSideAndParitySuite() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let kernels = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Kernels").path)
            .filter { $0.hasSuffix(".cl") }.map { String($0.dropLast(3)) }
        #expect(kernels.count >= 9)
        // The files are named by the stem, compared without case (specaugment.cl: SpecAugment.swift).
        func exists(_ folder: String, _ name: String) throws -> Bool {
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
                .contains { $0.lowercased() == name.lowercased() }
        }
        for stem in kernels where stem != "common" && stem != "random" {
            for (folder, name) in [
                ("Sources/Augment/CPU", "\(stem).swift"), ("Sources/AugmentOpenCL/Backend", "\(stem).swift"),
                ("Tests/AugmentOpenCLTests", "\(stem)ParityTests.swift"),
            ] {
                #expect(try exists(folder, name), "Kernels/\(stem).cl has no \(folder)/\(name)")
            }
        }
        #expect(
            FileManager.default.fileExists(
                atPath: root.appendingPathComponent("Sources/Augment/CPU/PortableMath.swift").path))
    }
}
