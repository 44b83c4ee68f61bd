import Foundation
import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// Every stage type has an implementation on both backends (its `CPUStageRunner` and
/// `OpenCLStageRunner` conformances) and every stage family its files, found without a list: the
/// stage types are the ones the whole catalog's plans use (what `augment verify` runs), and the
/// sources are read to check that no type conforming to `PlanStage` is missing from those plans.
/// A new stage family adds nothing here.
struct StageCompletenessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One plan per catalog entry, with the entry's name, on a 9x12 batch of 4 samples (RGB when the
    /// entry takes it, else one channel).
    static func catalogPlans() throws -> [(entry: String, plan: Plan)] {
        let shape = ImageGeometry(height: 9, width: 12, channels: 3)
        return try TransformCatalog.entries.map { entry in
            let geometry = entry.inputGeometry(
                for: entry.supports(shape) ? shape : ImageGeometry(height: 9, width: 12, channels: 1))
            var random = RandomStream(RandomKey(seed: 7, sampleIndex: 0, opIndex: 0))
            let pipeline = try entry.makePipeline(geometry, &random)
            let batch = try entry.makeBatch(count: 4, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 3)
            return (entry.name, try pipeline.sample(for: batch, seed: 11).plan(for: batch.images))
        }
    }

    /// The stage types the catalog's plans use, by type name.
    static func catalogStageTypes() throws -> [String: any PlanStage.Type] {
        var types: [String: any PlanStage.Type] = [:]
        for (_, plan) in try catalogPlans() {
            for stage in plan.stages { types["\(type(of: stage.body))"] = type(of: stage.body) }
        }
        return types
    }

    /// The file in `folder` (relative to the package root) whose name is `stem` + `suffix`, compared
    /// without case (family `specaugment` has `SpecAugment.swift`), or nil.
    static func file(in folder: String, stem: String, suffix: String) throws -> String? {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
            .first { $0.lowercased() == (stem + suffix).lowercased() }.map { "\(folder)/\($0)" }
    }

    @Test func everyStageTypeRunsOnBothBackends() throws {
        let types = try Self.catalogStageTypes()
        #expect(types.count >= 15)
        for (name, type) in types {
            #expect(
                CPUBackend.implements(type),
                "\(name) (family \(type.family)) has no CPUStageRunner conformance in Sources/Augment/CPU/")
            #expect(
                OpenCLBackend.implements(type),
                "\(name) (family \(type.family)) has no OpenCLStageRunner conformance in Sources/AugmentOpenCL/Backend/"
            )
        }
    }

    /// Every stage family the catalog's plans use has its kernel file, its CPU twin, its OpenCL host
    /// side and its parity suite, all named by the family's stem.
    @Test func everyStageFamilyHasItsKernelTwinHostSideAndParitySuite() throws {
        let families = Set(try Self.catalogStageTypes().values.map { $0.family })
        for family in families.sorted() {
            #expect(
                FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("Kernels/\(family).cl").path),
                "stage family \(family) has no Kernels/\(family).cl")
            for (folder, suffix) in [
                ("Sources/Augment/CPU", ".swift"), ("Sources/AugmentOpenCL/Backend", ".swift"),
                ("Tests/AugmentOpenCLTests", "ParityTests.swift"),
            ] {
                #expect(
                    try Self.file(in: folder, stem: family, suffix: suffix) != nil,
                    "stage family \(family) has no \(folder)/<\(family)>\(suffix)")
            }
        }
    }

    /// Every type that conforms to `PlanStage` in `Sources/Augment/Plan/` occurs in some catalog
    /// plan (so `augment verify` and the tests above check it), and each stage answers for itself:
    /// its body wraps back into an equal stage, and a stage of another type is never equal to it.
    @Test func catalogPlansUseEveryStageType() throws {
        let planFolder = Self.root.appendingPathComponent("Sources/Augment/Plan")
        // `extension WarpStage: PlanStage {`, or a declaration that conforms directly.
        let conformance = try Regex(#"^(?:public )?(?:extension|struct|enum|final class) (\w+)[^{]*\bPlanStage\b"#)
        var declared: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: planFolder.path) where name.hasSuffix(".swift")
        {
            let text = try String(contentsOf: planFolder.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let match = line.firstMatch(of: conformance), let type = match.output[1].substring {
                    declared.insert(String(type))
                }
            }
        }
        #expect(declared.count >= 15, "\(declared.sorted())")
        var seen: [String: Stage] = [:]
        for (entry, plan) in try Self.catalogPlans() {
            for stage in plan.stages {
                #expect(stage.body.stage == stage, "\(entry): \(stage.family)")
                seen["\(type(of: stage.body))"] = stage
            }
        }
        #expect(
            Set(seen.keys) == declared,
            "PlanStage types no catalog entry plans: \(declared.subtracting(seen.keys).sorted()); planned but not found in Plan/: \(Set(seen.keys).subtracting(declared).sorted())"
        )
        let stages = Array(seen.values)
        for (i, a) in stages.enumerated() {
            for (j, b) in stages.enumerated() { #expect((a == b) == (i == j)) }
        }
    }
}
