import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the blur family (Kernels/blur.cl vs CPU/Blur.swift).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct BlurParityTests {
    @Test func gaussianBlurIsBitExact() throws {
        var seed: UInt64 = 300
        let pipelines: [Pipeline] = [
            try Pipeline([GaussianBlur(kernelSize: [3], sigma: [0.8])]),
            try Pipeline([GaussianBlur(kernelSize: [9, 5], sigma: [0.1, 2.0])]),  // per-sample sigma
            try Pipeline([GaussianBlur(kernelSize: [21], sigma: [4, 6], p: 0.7)]),  // wider than small images
            try Pipeline([GaussianBlur(kernelSize: [1, 7])]),  // one pass only
        ]
        for pipeline in pipelines {
            for c in [1, 3, 4] {
                for shape in colorShapes {
                    for (pixelType, layout, output) in colorFormats {
                        seed &+= 1
                        var p = pipeline
                        p.output = output
                        let input = try ImageBatch.random(
                            count: shape.count,
                            geometry: ImageGeometry(height: shape.height, width: shape.width, channels: c),
                            pixelType: pixelType, layout: layout, seed: seed)
                        try expectBitExact(p, on: input, seed: seed, "blur C=\(c)")
                    }
                }
            }
        }
    }

    /// Samples with different kernel sizes share the launches of one pass (`blur_strip` and
    /// `blur_strip_edges`).
    @Test func mixedKernelSizesAreOneLaunchPerPass() throws {
        let geometry = ImageGeometry(height: 30, width: 41, channels: 3)
        let input = try ImageBatch.random(count: 4, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 2)
        let blur = try GaussianBlur(kernelSizeX: 15, kernelSizeY: 9, sigma: nil)
        let parameters = [
            GaussianBlurParameters(sigmaX: 0.5, sigmaY: 3), GaussianBlurParameters(sigmaX: nil, sigmaY: nil),
            GaussianBlurParameters(sigmaX: 4, sigmaY: 0.3), GaussianBlurParameters(sigmaX: 1e-6, sigmaY: 2),
        ]
        let pipeline = try Pipeline([blur])
        let sampled = SampledPipeline(
            pipeline: pipeline, count: 4, inputGeometry: geometry,
            ops: [SampledOp(blur, parameters: parameters)])
        let plan = try sampled.plan(for: input)
        guard let stage = plan.stages.last?.as(GaussianBlurStage.self) else {
            Issue.record("no blur stage")
            return
        }
        // Samples 1 and 3 (x) keep one tap: the padded arrays hold several kernel sizes.
        #expect(stage.kernelsX.map(\.count) == [15, 1, 15, 1])
        let (output, timing) = try Shared.backend().runProfiled(
            plan, on: input, options: RunOptions(poisonOutputs: true))
        #expect(plan.stages.count == 1)  // the blur reads the float32 NCHW input directly
        #expect(stage.isSinglePass)
        // Both passes in each launch, whatever the per-sample kernel sizes; 41 columns less 2 x 7 of
        // reflected border leave no whole group of 32 interior lanes: blur_strip_edges alone.
        #expect(stage.openCLLaunches == 1)
        #expect(timing.launches == 1)
        #expect(output == (try CPUBackend().run(plan, on: input)))
    }

    /// The blur reads uint8 / uint16 / float32 NHWC or NCHW input itself (no conversion pass), on
    /// the one-pass path (interior and edge launches, or the edges alone on narrow images) and on the
    /// two-launch path of kernels wider than it takes.
    @Test func blurReadsTheInputFormatOnBothPaths() throws {
        var seed: UInt64 = 900
        for size in [7, 2 * GaussianBlurStage.maxTileRadius + 3] {
            for pixelType in [PixelType.uint8, .uint16, .float32] {
                for layout in [ImageLayout.nhwc, .nchw] {
                    for geometry in [
                        ImageGeometry(height: 37, width: 53, channels: 3),
                        ImageGeometry(height: 5, width: 70, channels: 1),
                        ImageGeometry(height: 33, width: 9, channels: 4),
                    ] {
                        seed &+= 1
                        let input = try ImageBatch.random(
                            count: 3, geometry: geometry, pixelType: pixelType, layout: layout, seed: seed)
                        let pipeline = try Pipeline([GaussianBlur(kernelSize: [size], sigma: [0.5, 9])])
                        let plan = try pipeline.sample(for: input, seed: seed).plan(for: input)
                        #expect(plan.stages.count == 1, "\(pixelType) \(layout): no conversion pass before the blur")
                        let (output, timing) = try Shared.backend().runProfiled(
                            plan, on: input, options: RunOptions(poisonOutputs: true))
                        guard let stage = plan.stages.last?.as(GaussianBlurStage.self) else {
                            Issue.record("no blur stage")
                            return
                        }
                        #expect(stage.isSinglePass == (size == 7))
                        #expect(timing.launches == stage.openCLLaunches)
                        #expect(timing.launches == (size == 7 ? (geometry.width == 9 ? 1 : 2) : 2))
                        #expect(
                            output == (try CPUBackend().run(plan, on: input)),
                            "blur \(size) \(pixelType) \(layout) \(geometry)")
                    }
                }
            }
        }
    }

    /// A skipped tap is skipped, not multiplied by zero: an infinite pixel in a sample whose kernel
    /// is narrower than the batch's widest (or one tap) reaches only its own kernel's footprint.
    @Test func infinitePixelsStayInsideTheirSamplesKernel() throws {
        let geometry = ImageGeometry(height: 12, width: 20, channels: 1)
        var values = [Float](repeating: 0.25, count: 3 * geometry.elementCount)
        for n in 0..<3 { values[n * geometry.elementCount + 5 * 20 + 9] = .infinity }
        let input = try ImageBatch(pixels: .float32(values), count: 3, geometry: geometry, layout: .nchw)
        let blur = try GaussianBlur(kernelSizeX: 9, kernelSizeY: 9, sigma: nil)
        let parameters = [
            GaussianBlurParameters(sigmaX: 2, sigmaY: 2), GaussianBlurParameters(sigmaX: nil, sigmaY: nil),
            GaussianBlurParameters(sigmaX: 1e-6, sigmaY: 1.5),  // one tap along x (underflowed)
        ]
        let sampled = SampledPipeline(
            pipeline: try Pipeline([blur]), count: 3, inputGeometry: geometry,
            ops: [SampledOp(blur, parameters: parameters)])
        let plan = try sampled.plan(for: input)
        let output = try Shared.backend().run(plan, on: input, options: RunOptions(poisonOutputs: true))
        #expect(output == (try CPUBackend().run(plan, on: input)))
        let out = output.float32Values ?? []
        // Sample 1 (one tap both ways) is unchanged: the infinity did not spread.
        #expect(
            Array(out[geometry.elementCount..<(2 * geometry.elementCount)])
                == Array(values[geometry.elementCount..<(2 * geometry.elementCount)]))
    }

    @Test func sharpnessIsBitExact() throws {
        var seed: UInt64 = 400
        for pipeline in [
            try Pipeline([AdjustSharpness(sharpnessFactor: 2.5)]),
            try Pipeline([RandomAdjustSharpness(sharpnessFactor: 0.2, p: 0.5)]),
        ] {
            for c in [1, 3] {
                for shape in colorShapes + [(2, 2, 9), (1, 3, 3)] {
                    for (pixelType, layout, output) in colorFormats {
                        seed &+= 1
                        var p = pipeline
                        p.output = output
                        let input = try ImageBatch.random(
                            count: shape.count,
                            geometry: ImageGeometry(height: shape.height, width: shape.width, channels: c),
                            pixelType: pixelType, layout: layout, seed: seed)
                        try expectBitExact(p, on: input, seed: seed, "sharpness C=\(c)")
                    }
                }
            }
        }
    }
}
