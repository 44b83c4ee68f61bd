import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the elastic family (Kernels/elastic.cl vs CPU/Elastic.swift): outputs
/// poisoned first, then required bit-identical (explicit fma, the field made once on the host).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ElasticParityTests {
    @Test func elasticIsBitExact() throws {
        var seed: UInt64 = 1300
        let ops: [ElasticTransform] = [
            try ElasticTransform(),
            try ElasticTransform(alpha: [300, 120], sigma: [2, 0.5], fill: [0.25]),
            try ElasticTransform(alpha: [80], sigma: [3], interpolation: .nearest, fill: [0.9]),
            try ElasticTransform(alpha: [1e4], sigma: [0]),  // far outside the image: fill
        ]
        for op in ops {
            for c in [1, 3, 4] {
                for shape in colorShapes {
                    for (pixelType, layout, output) in colorFormats {
                        seed &+= 1
                        var pipeline = try Pipeline([op])
                        pipeline.output = output
                        let input = try ImageBatch.random(count: shape.count,
                                                          geometry: ImageGeometry(height: shape.height, width: shape.width, channels: c),
                                                          pixelType: pixelType, layout: layout, seed: seed)
                        try expectBitExact(pipeline, on: input, seed: seed, "elastic \(op.alpha) \(op.sigma) \(op.interpolation) C=\(c)")
                    }
                }
            }
        }
    }
}
