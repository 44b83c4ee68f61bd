import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// float16 outputs on OpenCL (`vstore_half_rte` in warp.cl's store) against Swift's `Float16(x)`
/// and against the CPU reference.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct HalfPrecisionParityTests {
    /// Every float32 of the upper half of three binades (2^22 values each): [1.5, 2) (ties between
    /// normal halves), [1.5 * 2^-24, 2^-23) (subnormal halves) and [1.5 * 2^15, 2^16) (the largest
    /// halves and the overflow to infinity), through the remap kernel and the general warp kernel.
    @Test(arguments: [Float(1.5), 0x1.8p-24, 0x1.8p15])
    func everyFloatOfARangeRoundsLikeSwiftFloat16(_ start: Float) throws {
        let backend = try Shared.backend()
        let count = 1 << 22
        let base = start.bitPattern
        let values = (0..<UInt32(count)).map { Float(bitPattern: base + $0) } + [-start, .nan, .infinity, -0.0]
        let width = 1024
        let padded = values + Array(repeating: 0, count: (width - values.count % width) % width)
        let images = try ImageBatch(
            float32NCHW: padded, count: 1, channels: 1, height: padded.count / width, width: width)
        let expected = padded.map { Float16($0).bitPattern }
        // A remap (integer window) and a general warp (nearest; a quarter turn there and back is exact).
        let chains: [[any Transform]] = [[], [try Rot90(k: 1), try Rot90(k: -1), try Affine(angleDegrees: 0)]]
        for transforms in chains {
            let pipeline = try Pipeline(transforms, output: .float16NCHW)
            let plan = try pipeline.sample(for: images, seed: 1).plan(for: images)
            let out = try backend.run(plan, on: images, options: RunOptions(poisonOutputs: true))
            let bits = try #require(out.float16Values).map(\.bitPattern)
            var mismatches = 0
            for i in bits.indices
            where bits[i] != expected[i] && !(Float16(bitPattern: bits[i]).isNaN && padded[i].isNaN) {
                mismatches += 1
            }
            #expect(plan.stages.count == 1 && plan.stages[0].detail.hasPrefix(transforms.isEmpty ? "remap" : "warp"))
            #expect(
                mismatches == 0,
                "\(mismatches) values of the range starting at \(start) round differently (\(plan.stages.map(\.detail)))"
            )
        }
    }

    /// Bit-identical float16 outputs on both backends for pipelines that end in each kind of pass.
    @Test func float16OutputsMatchTheCPUReferenceExactly() throws {
        let backend = try Shared.backend()
        let pipelines: [[any Transform]] = [
            [],
            [
                try RandomCrop(height: 9, width: 7), try RandomHorizontalFlip(),
                try Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
            ],
            [
                try RandomAffine(
                    degrees: [30], translate: [0.1, 0.1], scale: [0.8, 1.2], interpolation: .bilinear, fill: [0.3])
            ],
            [try RandomPerspective(distortionScale: 0.4, p: 1), try Resize(size: [8, 6])],
            [
                try ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
                try Normalize(mean: [0.5], std: [0.2]),
            ],
        ]
        for (index, transforms) in pipelines.enumerated() {
            for (pixelType, layout) in [(PixelType.uint8, ImageLayout.nhwc), (.float32, .nchw)] {
                for output in [OutputFormat.float16NCHW, OutputFormat(pixelType: .float16, layout: .nhwc)] {
                    let input = try ImageBatch.random(
                        count: 3, geometry: ImageGeometry(height: 13, width: 11, channels: 3),
                        pixelType: pixelType, layout: layout, seed: UInt64(index))
                    let pipeline = try Pipeline(transforms, output: output)
                    let (result, reference, candidate) = try Parity.check(
                        pipeline, on: input, seed: 4, reference: CPUBackend(),
                        candidate: backend)
                    #expect(result.passed, "pipeline \(index) \(pixelType) -> \(output): \(result)")
                    #expect(
                        try #require(reference.float16Values).map(\.bitPattern)
                            == (try #require(candidate.float16Values)).map(\.bitPattern),
                        "pipeline \(index): bit-identical on PoCL")
                    #expect(!(try #require(reference.float16Values)).contains { $0.isNaN }, "every element written")
                }
            }
        }
    }

    @Test func float16InputsAreRejected() throws {
        let half = try ImageBatch.random(
            count: 1, geometry: ImageGeometry(height: 2, width: 2, channels: 1), pixelType: .float16,
            layout: .nchw, seed: 1)
        #expect(throws: AugmentError.self) { try Shared.backend().apply(Pipeline([]), to: half, seed: 1) }
    }
}
