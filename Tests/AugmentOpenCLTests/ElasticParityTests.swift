import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the elastic family (Kernels/elastic.cl's field and the -DDISPLACEMENT warp vs
/// ElasticField and CPU/Elastic.swift): outputs poisoned first, then required bit-identical
/// (explicit fma, the same field bits on both sides).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ElasticParityTests {
    @Test func elasticIsBitExact() throws {
        let seed: UInt64 = 1300
        let ops: [ElasticTransform] = [
            try ElasticTransform(),
            try ElasticTransform(alpha: [300, 120], sigma: [2, 0.5], fill: [0.25]),
            try ElasticTransform(alpha: [80], sigma: [3], interpolation: .nearest, fill: [0.9]),
            try ElasticTransform(alpha: [1e4], sigma: [0]),  // far outside the image: fill
        ]
        try sweep(
            try ops.map { op in ("elastic \(op.alpha) \(op.sigma) \(op.interpolation)", try Pipeline([op])) },
            channels: [1, 3, 4], seed: seed)
    }

    /// Masks (uint8 and int32), boxes and keypoints through the field: the same on both backends.
    @Test func targetsAgree() throws {
        let geometry = ImageGeometry(height: 21, width: 26, channels: 3)
        let images = try ImageBatch.random(count: 3, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 3)
        let plane = geometry.height * geometry.width
        for int32 in [false, true] {
            var batch = try AugmentBatch(images: images)
            let ids = (0..<(3 * plane)).map { ($0 * 5) % 9 }
            batch.masks = try MaskBatch(
                values: int32 ? .int32(ids.map(Int32.init)) : .uint8(ids.map(UInt8.init)), count: 3,
                height: geometry.height, width: geometry.width)
            batch.keypoints = try KeypointBatch(
                points: (0..<3).map { n in [Keypoint(x: 3.5 + Float(n), y: 4), Keypoint(x: 25.9, y: 20.9)] })
            batch.boxes = try BoxBatch(
                boxes: (0..<3).map { n in [BoundingBox(x0: 2, y0: 3, x1: 10 + Float(n), y1: 15)] },
                labels: [[0], [1], [2]])
            let pipeline = try Pipeline([ElasticTransform(alpha: [90], sigma: [3], fill: [0.5])])
            let plan = try pipeline.sample(count: 3, geometry: geometry, seed: 12).plan(for: images)
            let cpu = try CPUBackend().run(plan, on: batch, options: RunOptions(poisonOutputs: true))
            let device = try Shared.backend().run(plan, on: batch, options: RunOptions(poisonOutputs: true))
            #expect(cpu.images == device.images)
            #expect(cpu.masks == device.masks && cpu.masks != batch.masks)
            #expect(cpu.boxes == device.boxes && cpu.keypoints == device.keypoints && cpu.keypoints != batch.keypoints)
        }
    }
}
