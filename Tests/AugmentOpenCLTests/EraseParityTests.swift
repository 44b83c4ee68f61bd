import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the erase family (Kernels/erase.cl vs CPU/Erase.swift).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct EraseParityTests {
    @Test func erasingIsBitExactForEveryFill() throws {
        var seed: UInt64 = 500
        let pipelines: [Pipeline] = [
            try Pipeline([Erase(top: 1, left: 2, height: 30, width: 4, value: [0.3])]),
            try Pipeline([RandomErasing(p: 0.8, scale: ValueRange(0.05, 0.5), value: .random)]),
            try Pipeline([RandomErasing(p: 0.8, value: .constant([0.7]))]),
        ]
        for pipeline in pipelines {
            for c in [1, 3, 5] {
                for shape in colorShapes {
                    for (pixelType, layout, output) in colorFormats {
                        seed &+= 1
                        var p = pipeline
                        p.output = output
                        let input = try ImageBatch.random(
                            count: shape.count,
                            geometry: ImageGeometry(height: shape.height, width: shape.width, channels: c),
                            pixelType: pixelType, layout: layout, seed: seed)
                        try expectBitExact(p, on: input, seed: seed, "erase C=\(c)")
                    }
                }
            }
        }
        let perChannel = try Pipeline([RandomErasing(p: 1, value: .constant([0.1, 0.2, 0.3]))])
        try expectBitExact(
            perChannel,
            on: ImageBatch.random(
                count: 7, geometry: ImageGeometry(height: 33, width: 29, channels: 3),
                pixelType: .uint8, layout: .nhwc, seed: 3), seed: 9)
    }
}
