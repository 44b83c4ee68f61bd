import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// CPU vs OpenCL parity of the specaugment family (Kernels/specaugment.cl vs
/// CPU/SpecAugment.swift): masks exactly (the mean fill included), time warps within 1e-5.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct SpecAugmentParityTests {
    static let shapes: [(count: Int, geometry: ImageGeometry)] = [
        (1, ImageGeometry(height: 1, width: 1, channels: 1)),
        (2, ImageGeometry(height: 1, width: 37, channels: 1)),
        (3, ImageGeometry(height: 17, width: 5, channels: 2)),
        (4, ImageGeometry(height: 80, width: 123, channels: 1)),
        (2, ImageGeometry(height: 13, width: 29, channels: 16)),
    ]

    private func spectrograms(_ shape: (count: Int, geometry: ImageGeometry), seed: UInt64) throws -> ImageBatch {
        let images = try ImageBatch.random(
            count: shape.count, geometry: shape.geometry, pixelType: .float32,
            layout: .nchw, seed: seed)
        // Log-mel-like values: negative, with a large mean, so the mean fill exercises the reduction.
        return try ImageBatch(
            float32NCHW: (images.float32Values ?? []).map { $0 * 12 - 9 }, count: shape.count,
            channels: shape.geometry.channels, height: shape.geometry.height, width: shape.geometry.width)
    }

    private func expectExact(_ pipeline: Pipeline, on input: ImageBatch, seed: UInt64, _ label: String) throws {
        let (result, _, _) = try Parity.check(
            pipeline, on: input, seed: seed, reference: CPUBackend(),
            candidate: Shared.backend(), tolerance: 0)
        #expect(result.passed, "\(label) \(input.shapeDescription): \(result)")
    }

    @Test(arguments: SpectrogramAxis.allCases)
    func masksMatchExactly(axis: SpectrogramAxis) throws {
        var seed: UInt64 = 500
        for shape in Self.shapes {
            let length = axis == .frequency ? shape.geometry.height : shape.geometry.width
            for fill in [MaskValue.constant(0), .constant(-2.5), .mean] {
                for iid in [true, false] {
                    seed += 1
                    let input = try spectrograms(shape, seed: seed)
                    let op: any Transform =
                        axis == .frequency
                        ? try FrequencyMasking(
                            freqMaskParam: length / 2 + 1, iidMasks: iid, numMasks: 2, maskValue: fill)
                        : try TimeMasking(
                            timeMaskParam: length / 2 + 1, iidMasks: iid, p: 0.9, numMasks: 3, maskValue: fill)
                    try expectExact(Pipeline([op]), on: input, seed: seed, "\(op.opName) \(fill) iid \(iid)")
                }
            }
        }
    }

    @Test(arguments: TimeWarpInterpolation.allCases)
    func timeWarpMatches(mode: TimeWarpInterpolation) throws {
        var seed: UInt64 = 700
        for shape in Self.shapes {
            for window in [1, 3, shape.geometry.width / 3, 80] {
                seed += 1
                let input = try spectrograms(shape, seed: seed)
                try expectParity(
                    Pipeline([TimeWarp(window: window, mode: mode)]), on: input, seed: seed, "\(mode) W \(window)")
            }
        }
    }

    /// The paper's policies on a log-mel-sized batch, on SpectrogramBatch through both backends.
    @Test(arguments: SpecAugmentPolicy.allCases)
    func policiesMatchOnSpectrogramBatches(policy: SpecAugmentPolicy) throws {
        let (count, channels, bins, frames) = (3, 2, 80, 301)
        let images = try spectrograms((count, ImageGeometry(height: bins, width: frames, channels: channels)), seed: 42)
        let batch = try SpectrogramBatch(
            values: images.float32Values ?? [], count: count, channels: channels,
            frequencyBins: bins, timeFrames: frames)
        for maskValue in [MaskValue.constant(0), .mean] {
            let pipeline = try policy.pipeline(maskValue: maskValue)
            let cpu = try CPUBackend().apply(pipeline, to: batch, seed: 11)
            let gpu = try Shared.backend().apply(pipeline, to: batch, seed: 11)
            #expect(cpu.shape == [count, channels, bins, frames] && gpu.shape == cpu.shape)
            let difference = zip(cpu.values, gpu.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= 1e-5, "\(policy) \(maskValue): \(difference)")
            #expect(cpu.values != batch.values, "the policy changed something")
        }
    }

    /// The harness must catch a masking kernel that leaves pixels unwritten.
    @Test func poisonExposesAMaskKernelThatSkipsPixels() throws {
        let source = try KernelLibrary.embedded.source(family: "specaugment")
        let broken = source.replacingOccurrences(
            of: "const int index = axis_is_time ? x : y;",
            with: "if (x == 0) { return; }\n    const int index = axis_is_time ? x : y;")
        #expect(broken != source)
        let warp = try KernelLibrary.embedded.source(family: "warp")  // the plan starts with a remap
        let tampered = KernelLibrary(files: ["common.cl": "", "warp.cl": warp, "specaugment.cl": broken])
        let backend = try OpenCLBackend(device: Shared.backend().device, kernels: tampered)
        let input = try spectrograms((2, ImageGeometry(height: 4, width: 9, channels: 3)), seed: 3)
        let (result, _, _) = try Parity.check(
            Pipeline([TimeMasking(timeMaskParam: 4)]), on: input, seed: 1,
            reference: CPUBackend(), candidate: backend)
        #expect(result.nonFiniteMismatches == 2 * 4 * 3)
    }
}
