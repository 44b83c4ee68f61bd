import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the noise family (Kernels/noise.cl vs CPU/Noise.swift): the device draws the
/// very noise the CPU backend draws.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct NoiseParityTests {
    @Test func gaussianNoiseIsBitExact() throws {
        var seed: UInt64 = 600
        for pipeline in [
            try Pipeline([GaussianNoise(mean: 0.02, sigma: 0.15)]),
            try Pipeline([GaussianNoise(sigma: 1, clip: false)]),
        ] {
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
                        try expectBitExact(p, on: input, seed: seed, "noise C=\(c)")
                    }
                }
            }
        }
    }

    /// Device noise is keyed by the global sample index: two half-batches on the device, with the
    /// right first indices, draw exactly the noise of the whole batch; each value is the stream's.
    @Test func deviceNoiseIsKeyedBySampleNotBatch() throws {
        let geometry = ImageGeometry(height: 16, width: 20, channels: 3)
        let zeros = [Float](repeating: 0, count: 6 * geometry.elementCount)
        let input = try ImageBatch(float32NCHW: zeros, count: 6, channels: 3, height: 16, width: 20)
        let pipeline = try Pipeline([GaussianNoise(mean: 0, sigma: 1, clip: false)])
        let backend = try Shared.backend()
        let whole = try #require(
            try backend.apply(pipeline, to: input, seed: 17, epoch: 2, firstSampleIndex: 1000).float32Values)
        let per = geometry.elementCount
        let head = try ImageBatch(
            float32NCHW: Array(zeros[0..<(2 * per)]), count: 2, channels: 3, height: 16, width: 20)
        let tail = try ImageBatch(float32NCHW: Array(zeros[(2 * per)...]), count: 4, channels: 3, height: 16, width: 20)
        let a = try #require(
            try backend.apply(pipeline, to: head, seed: 17, epoch: 2, firstSampleIndex: 1000).float32Values)
        let b = try #require(
            try backend.apply(pipeline, to: tail, seed: 17, epoch: 2, firstSampleIndex: 1002).float32Values)
        #expect(a + b == whole)
        for n in 0..<6 {
            let key = NoiseKey(RandomKey(seed: 17, epoch: 2, sampleIndex: UInt64(1000 + n), opIndex: 0))
            for e in stride(from: 0, to: per, by: 13) { #expect(whole[n * per + e] == 0 + key.normal(e)) }
        }
    }
}
