import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the dropout family (Kernels/dropout.cl vs CPU/Dropout.swift): poisoned
/// outputs, bit-identical results (integer comparisons, copies).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct DropoutParityTests {
    @Test func randomDropoutIsBitExact() throws {
        var seed: UInt64 = 1500
        let ops = [
            try RandomDropout(mode: .pixels, p: 0.2),
            try RandomDropout(mode: .pixels, p: 0.9, value: 3.5),
            try RandomDropout(mode: .patches, numPatches: [0, 5], patchSize: [1, 30], value: 0.5),
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
                        try expectBitExact(pipeline, on: input, seed: seed, "random_dropout \(op.mode) C=\(c)")
                    }
                }
            }
        }
    }
}
