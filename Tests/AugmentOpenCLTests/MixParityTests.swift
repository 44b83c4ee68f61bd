import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// CPU vs OpenCL parity of the mix family (Kernels/mix.cl vs CPU/Mix.swift), labels included.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct MixParityTests {
    static let shapes: [(count: Int, geometry: ImageGeometry)] = [
        (1, ImageGeometry(height: 1, width: 1, channels: 1)),
        (2, ImageGeometry(height: 5, width: 3, channels: 1)),
        (5, ImageGeometry(height: 33, width: 47, channels: 3)),
        (8, ImageGeometry(height: 20, width: 67, channels: 4)),
        (3, ImageGeometry(height: 9, width: 11, channels: 16)),
    ]

    private func batch(
        _ shape: (count: Int, geometry: ImageGeometry), pixelType: PixelType, seed: UInt64,
        classes: Int = 6
    ) throws -> AugmentBatch {
        let layout: ImageLayout = pixelType == .uint8 ? .nhwc : .nchw
        let images = try ImageBatch.random(
            count: shape.count, geometry: shape.geometry, pixelType: pixelType,
            layout: layout, seed: seed)
        let ids = (0..<shape.count).map { ($0 * 7 + Int(seed)) % classes }
        return try AugmentBatch(images: images, labels: LabelBatch(classIDs: ids, classCount: classes))
    }

    /// Every mode, partner rule and method, with labels compared element by element (pixels and
    /// labels within 1e-5; CutMix, which only moves pixels, exactly).
    @Test(arguments: MixMode.allCases)
    func everyModeAndPartnerMatches(mode: MixMode) throws {
        var seed: UInt64 = 300
        for shape in Self.shapes {
            for partner in MixPartner.allCases where !(mode == .pair && partner == .rolled) {
                for pixelType in [PixelType.uint8, .float32] {  // the input types (float16 is output only)
                    seed += 1
                    let input = try batch(shape, pixelType: pixelType, seed: seed)
                    let ops: [any Transform] = [
                        try MixUp(alpha: 0.7, mode: mode, partner: partner),
                        try MixUpCutMix(mixupAlpha: 1, cutmixAlpha: 1, prob: 0.8, mode: mode, partner: partner),
                    ]
                    for op in ops {
                        try expectParity(Pipeline([op]), on: input, seed: seed, "\(op.opName) \(mode) \(partner)")
                    }
                    let cut = try Pipeline([CutMix(alpha: 0.5, mode: mode, partner: partner)])
                    let (result, reference, candidate) = try Parity.check(
                        cut, on: input, seed: seed, reference: CPUBackend(),
                        candidate: Shared.backend(), tolerance: 0)
                    #expect(result.passed, "cutmix \(mode) \(partner) \(shape): \(result)")
                    #expect(reference.labels == candidate.labels)
                }
            }
        }
    }

    @Test func mixRunsBetweenOtherStagesOnTheDevice() throws {
        let input = try batch((6, ImageGeometry(height: 40, width: 52, channels: 3)), pixelType: .uint8, seed: 9)
        let pipeline = try Pipeline([
            RandomCrop(height: 32, width: 48), RandomHorizontalFlip(),
            MixUpCutMix(mixupAlpha: 0.8, cutmixAlpha: 1, mode: .elem, labelSmoothing: 0.1, numClasses: 6),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
        try expectParity(pipeline, on: input, seed: 4)
        let plan = try pipeline.sample(count: 6, geometry: input.images.geometry, seed: 4).plan(for: input.images)
        #expect(plan.stages.map(\.family) == ["warp", "mix", "warp"])
        let (output, timing) = try Shared.backend().runProfiled(plan, on: input)
        // Three passes; the first remap launches each flip direction separately (3 or 4 launches).
        #expect((3...4).contains(timing.launches))
        let rows = try #require(output.labels)
        for n in 0..<6 { #expect(abs(rows.row(n).reduce(0, +) - 1) < 1e-6) }
    }

    @Test func missingLabelsFailTheSameWayOnTheDevice() throws {
        let images = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 4, width: 4, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        #expect(throws: AugmentError.self) { try Shared.backend().apply(Pipeline([CutMix()]), to: images, seed: 1) }
    }

    /// The harness must catch a mix kernel that leaves pixels unwritten.
    @Test func poisonExposesAMixKernelThatSkipsPixels() throws {
        let broken = try KernelLibrary.embedded.source(family: "mix")
            .replacingOccurrences(
                of: "if (x >= width || y >= height) {", with: "if (x == 0 || x >= width || y >= height) {")
        let warp = try KernelLibrary.embedded.source(family: "warp")  // the plan starts with a remap
        let tampered = KernelLibrary(files: ["common.cl": "", "warp.cl": warp, "mix.cl": broken])
        let backend = try OpenCLBackend(device: Shared.backend().device, kernels: tampered)
        let input = try batch((3, ImageGeometry(height: 5, width: 6, channels: 2)), pixelType: .float32, seed: 2)
        let (result, _, _) = try Parity.check(
            Pipeline([MixUp()]), on: input, seed: 1, reference: CPUBackend(),
            candidate: backend)
        #expect(!result.passed)
        #expect(result.nonFiniteMismatches == 3 * 5 * 2)
    }
}
