import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// CPU vs OpenCL parity of saliency_mix (Kernels/saliency.cl's saliency_peak, then mix.cl's paste,
/// vs CPU/Saliency.swift + CPU/Mix.swift). The peak is integer arithmetic and the paste a copy, so
/// pixels and labels must agree exactly (tolerance 0), on poisoned outputs.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct SaliencyParityTests {
    static let shapes: [(count: Int, geometry: ImageGeometry)] = [
        (1, ImageGeometry(height: 1, width: 1, channels: 1)),
        (2, ImageGeometry(height: 5, width: 3, channels: 1)),
        (5, ImageGeometry(height: 33, width: 47, channels: 3)),
        (4, ImageGeometry(height: 20, width: 67, channels: 4)),
        (3, ImageGeometry(height: 9, width: 11, channels: 16)),
        (6, ImageGeometry(height: 70, width: 90, channels: 3)),
    ]

    @Test(arguments: MixMode.allCases)
    func everyModeAndPartnerMatchesExactly(mode: MixMode) throws {
        var seed: UInt64 = 700
        for shape in Self.shapes {
            for partner in MixPartner.allCases where !(mode == .pair && partner == .rolled) {
                for pixelType in [PixelType.uint8, .float32] {
                    seed += 1
                    let layout: ImageLayout = pixelType == .uint8 ? .nhwc : .nchw
                    let images = try ImageBatch.random(
                        count: shape.count, geometry: shape.geometry, pixelType: pixelType,
                        layout: layout, seed: seed)
                    let input = try AugmentBatch(
                        images: images, labels: LabelBatch(classIDs: (0..<shape.count).map { $0 % 5 }, classCount: 5))
                    let pipeline = try Pipeline([SaliencyMix(alpha: 0.6, prob: 0.9, mode: mode, partner: partner)])
                    let (result, reference, candidate) = try Parity.check(
                        pipeline, on: input, seed: seed, reference: CPUBackend(),
                        candidate: Shared.backend(), tolerance: 0)
                    #expect(result.passed, "saliency_mix \(mode) \(partner) \(shape) \(pixelType): \(result)")
                    #expect(reference.labels == candidate.labels)
                }
            }
        }
    }

    /// Flat images tie everywhere (peak index 0 on every device); a spot is found on the device; the
    /// saliency kernel really runs (one launch more than the paste).
    @Test func tiesAndSpotsResolveAlikeAndTheKernelRuns() throws {
        let g = ImageGeometry(height: 40, width: 56, channels: 3)
        var values = [Float](repeating: 0.5, count: 4 * 3 * g.pixelCount)
        values[(2 * 3 + 1) * g.pixelCount + 31 * 56 + 50] = 1  // sample 2, channel 1, (31, 50)
        let images = try ImageBatch(float32NCHW: values, count: 4, channels: 3, height: g.height, width: g.width)
        let input = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1, 2, 3], classCount: 4))
        let pipeline = try Pipeline([SaliencyMix(alpha: 1, partner: .reversed)])
        let (result, reference, candidate) = try Parity.check(
            pipeline, on: input, seed: 12, reference: CPUBackend(),
            candidate: Shared.backend(), tolerance: 0)
        #expect(result.passed, "\(result)")
        #expect(reference.labels == candidate.labels)
        // Sample 1 pastes from sample 2: its box is centred on (31, 50).
        let out = try #require(candidate.images.float32Values)
        #expect(out[(1 * 3 + 1) * g.pixelCount + 31 * 56 + 50] == 1)
        let plan = try pipeline.sample(for: images, seed: 12).plan(for: images)
        let (_, timing) = try Shared.backend().runProfiled(plan, on: input)
        #expect(timing.launches == 2)  // saliency_peak, then mix_apply (float32 NCHW input needs no conversion)
    }
}
