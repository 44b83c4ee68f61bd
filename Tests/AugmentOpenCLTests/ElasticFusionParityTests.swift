import Testing
import Augment
@testable import AugmentOpenCL

/// elastic_transform fused into warp groups (Kernels/warp.cl -DDISPLACEMENT, the field from
/// Kernels/elastic.cl) vs the CPU twin: bit-identical outputs, masks, boxes and keypoints, and the
/// device-made field bit-identical to ElasticField.pixels.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ElasticFusionParityTests {
    @Test func fusedChainsAreBitExact() throws {
        try sweep(
            [
                (
                    "affine + elastic",
                    try Pipeline([
                        RandomAffine(
                            degrees: [20], translate: [0.1, 0.1], scale: [0.8, 1.2], interpolation: .bilinear,
                            fill: [0.3]),
                        ElasticTransform(alpha: [60], sigma: [3], fill: [0.7]),
                    ])
                ),
                (
                    "elastic + flips",
                    try Pipeline([
                        ElasticTransform(alpha: [40, 90], sigma: [2, 4], interpolation: .nearest, fill: [0.2]),
                        RandomHorizontalFlip(), RandomVerticalFlip(),
                    ])
                ),
                (
                    "resized crop + elastic + resize",
                    try Pipeline([
                        RandomResizedCrop(size: [9, 11]), ElasticTransform(alpha: [30], sigma: [1.5]),
                        Resize(size: [14, 6], interpolation: .bilinear),
                    ])
                ),
                (
                    "crop + elastic + colour",
                    try Pipeline([
                        CenterCrop(height: 1, width: 1), ElasticTransform(alpha: [500], sigma: [0]),
                        AdjustGamma(gamma: 0.7),
                    ])
                ),
                (
                    "elastic + rotate (not fused)",
                    try Pipeline([
                        ElasticTransform(alpha: [50], sigma: [2], interpolation: .nearest),
                        Rotate(angleDegrees: 30, interpolation: .nearest),
                    ])
                ),
            ], channels: [1, 3, 4], seed: 1700)
    }

    @Test func fusedChainWithNormalizeIsBitExact() throws {
        var pipeline = try Pipeline([
            RandomAffine(degrees: [15], translate: [0.1, 0.1], interpolation: .bilinear),
            ElasticTransform(alpha: [50], sigma: [5]),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
        pipeline.output = .float32NCHW
        for (n, h, w) in [(1, 17, 23), (4, 32, 32)] {
            let input = try ImageBatch.random(
                count: n, geometry: ImageGeometry(height: h, width: w, channels: 3),
                pixelType: .uint8, layout: .nhwc, seed: UInt64(h))
            try expectBitExact(pipeline, on: input, seed: 77, "affine + elastic + normalize")
        }
    }

    /// Masks (uint8, int32), boxes and keypoints through a fused chain agree on both backends.
    @Test func targetsThroughAFusedChainAgree() throws {
        let geometry = ImageGeometry(height: 23, width: 19, channels: 3)
        let images = try ImageBatch.random(count: 3, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 5)
        let plane = geometry.height * geometry.width
        let pipeline = try Pipeline([
            RandomCrop(height: 20, width: 17), ElasticTransform(alpha: [70], sigma: [3], fill: [0.5]),
            // antialias false: an antialiased resize (the default) samples through tap tables and
            // starts a pass of its own after an elastic step.
            RandomHorizontalFlip(p: 1), Resize(size: [25, 21], interpolation: .bilinear, antialias: false),
        ])
        let plan = try pipeline.sample(count: 3, geometry: geometry, seed: 31).plan(for: images)
        #expect(plan.passes == 1)
        for int32 in [false, true] {
            var batch = try AugmentBatch(images: images)
            let ids = (0..<(3 * plane)).map { ($0 * 7) % 11 }
            batch.masks = try MaskBatch(
                values: int32 ? .int32(ids.map(Int32.init)) : .uint8(ids.map(UInt8.init)), count: 3,
                height: geometry.height, width: geometry.width)
            batch.keypoints = try KeypointBatch(
                points: (0..<3).map { n in [Keypoint(x: 3.5 + Float(n), y: 4), Keypoint(x: 15.2, y: 18.9)] })
            batch.boxes = try BoxBatch(
                boxes: (0..<3).map { n in [BoundingBox(x0: 2, y0: 3, x1: 10 + Float(n), y1: 15)] },
                labels: [[0], [1], [2]])
            let cpu = try CPUBackend().run(plan, on: batch, options: RunOptions(poisonOutputs: true))
            let device = try Shared.backend().run(plan, on: batch, options: RunOptions(poisonOutputs: true))
            #expect(cpu.images == device.images)
            #expect(cpu.masks == device.masks && cpu.masks?.values != batch.masks?.values)
            #expect(cpu.boxes == device.boxes && cpu.keypoints == device.keypoints && cpu.keypoints != batch.keypoints)
        }
    }

    /// The device's field (elastic_field_noise, _rows, _columns) against ElasticField.pixels: the
    /// same bits, odd sizes, kernels longer than the field (folded reflection), one plane unblurred.
    @Test func deviceFieldIsBitIdentical() throws {
        let backend = try OpenCLBackend()  // its own, so the run buffers below are nobody else's
        let cases: [(ElasticTransform, Int, Int, Int)] = [
            (try ElasticTransform(alpha: [50], sigma: [5]), 3, 24, 31),
            (try ElasticTransform(alpha: [80, 20], sigma: [3, 0]), 2, 7, 5),
            (try ElasticTransform(alpha: [10], sigma: [0]), 1, 1, 1),
            (try ElasticTransform(alpha: [300], sigma: [1.2, 2.6]), 1, 13, 2),
            (try ElasticTransform(alpha: [60, 40], sigma: [3, 2]), 2, 64, 70),  // windows inside and at the edges
        ]
        for (index, (op, count, height, width)) in cases.enumerated() {
            let keys = (0..<count).map {
                NoiseKey(RandomKey(seed: UInt64(40 + index), sampleIndex: UInt64($0), opIndex: 1))
            }
            let field = op.field(keys: keys, height: height, width: width)
            var timing = OpenCLTiming()
            let buffer = try OpenCLElastic.field(field, backend: backend, timing: &timing)
            let device = try buffer.download(Float.self, count: count * height * width * 2, on: backend.context).values
            #expect(device == field.allPixels(), "case \(index): device and host fields differ")
            #expect(Set(device).count > 1 || height * width == 1)
        }
    }
}
