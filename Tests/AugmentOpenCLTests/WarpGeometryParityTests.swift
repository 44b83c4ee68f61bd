import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// CPU vs OpenCL for the general warp beyond the catalog sweep: fused chains (one launch), ragged
/// input batches, and the targets (masks exactly, boxes and keypoints identical).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct WarpGeometryParityTests {
    @Test func resizedCropAffineFlipIsOneLaunch() throws {
        let input = try ImageBatch.random(
            count: 9, geometry: ImageGeometry(height: 41, width: 57, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 12)
        let pipeline = try Pipeline([
            RandomResizedCrop(size: [24, 32], antialias: false),
            RandomAffine(
                degrees: [25], translate: [0.1, 0.1], scale: [0.8, 1.2], shear: [8], interpolation: .bilinear,
                fill: [0.1, 0.2, 0.3]),
            RandomHorizontalFlip(),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
        try expectParity(pipeline, on: input, seed: 8)
        let plan = try pipeline.sample(for: input, seed: 8).plan(for: input)
        #expect(plan.stages.count == 1)
        let (_, timing) = try Shared.backend().runProfiled(plan, on: input)
        #expect(timing.launches == 1)
    }

    @Test func raggedBatchesWarpInOnePass() throws {
        let sizes = [(31, 45), (60, 23), (17, 17), (9, 70), (40, 40)]
        for (pixelType, layout) in [(PixelType.uint8, ImageLayout.nhwc), (.float32, .nchw)] {
            var random = RandomStream(RandomKey(seed: 21, sampleIndex: 0, opIndex: 3))
            let geometries = sizes.map { ImageGeometry(height: $0.0, width: $0.1, channels: 3) }
            let total = geometries.reduce(0) { $0 + $1.elementCount }
            let pixels: PixelBuffer =
                pixelType == .uint8
                ? .uint8((0..<total).map { _ in UInt8(random.integer(in: 0...255)) })
                : .float32((0..<total).map { _ in Float(random.uniform()) })
            let ragged = try ImageBatch(ragged: pixels, geometries: geometries, layout: layout)
            for pipeline in [
                try Pipeline([
                    RandomResizedCrop(size: [16, 20]), RandomHorizontalFlip(), Normalize(mean: [0.5], std: [0.3]),
                ]),
                try Pipeline(
                    [
                        Resize(size: [12], antialias: false), CenterCrop(height: 12, width: 12),
                        RandomRotation(degrees: [20], interpolation: .bilinear),
                    ],
                    output: .uint8NHWC),
            ] {
                try expectParity(pipeline, on: ragged, seed: 4, "ragged \(pixelType)")
                let plan = try pipeline.sample(for: ragged, seed: 4).plan(for: ragged)
                let (out, timing) = try Shared.backend().runProfiled(plan, on: ragged)
                // One pass: one launch, or one per pair of tap counts for antialiased crops.
                let launches = plan.stages.compactMap { $0.as(WarpStage.self)?.tapCountLaunches }
                #expect(plan.stages.count == 1 && launches.count == 1)
                #expect(timing.launches == launches.first && out.count == 5 && !out.isRagged)
            }
        }
    }

    @Test func masksBoxesAndKeypointsMatchOnBothBackends() throws {
        let count = 4, h = 23, w = 31
        let images = try ImageBatch.random(
            count: count, geometry: ImageGeometry(height: h, width: w, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 5)
        var random = RandomStream(RandomKey(seed: 5, sampleIndex: 0, opIndex: 9))
        let ids = (0..<(count * h * w)).map { _ in Int32(random.integer(in: 0...20)) }
        let boxes = (0..<count).map { _ in
            (0..<5).map { _ -> BoundingBox in
                let x = Float(random.uniform(0, 20)), y = Float(random.uniform(0, 15))
                return BoundingBox(
                    x0: x, y0: y, x1: x + Float(random.uniform(1, 10)), y1: y + Float(random.uniform(1, 8)))
            }
        }
        let points = (0..<count).map { _ in
            (0..<6).map { _ in Keypoint(x: Float(random.uniform(0, 31)), y: Float(random.uniform(0, 23))) }
        }
        let pipelines = [
            try Pipeline([
                RandomResizedCrop(size: [19, 17]), RandomAffine(degrees: [30], interpolation: .bilinear),
                RandomVerticalFlip(),
            ]),
            try Pipeline([
                RandomPerspective(distortionScale: 0.5, p: 1),
                RandomCrop(height: 20, width: 20, padding: [2], paddingMode: .reflect),
            ]),
            try Pipeline([RandomCrop(height: 15, width: 15), RandomHorizontalFlip(p: 1)]),
        ]
        for (k, pipeline) in pipelines.enumerated() {
            for masks in [
                try MaskBatch(values: .int32(ids), count: count, height: h, width: w, ignoreIndex: -1),
                try MaskBatch(values: .uint8(ids.map { UInt8($0) }), count: count, height: h, width: w),
            ] {
                let batch = try AugmentBatch(
                    images: images, masks: masks,
                    boxes: BoxBatch(boxes: boxes, labels: boxes.map { Array(0..<$0.count) }),
                    keypoints: KeypointBatch(points: points))
                let (result, cpu, gpu) = try Parity.check(
                    pipeline, on: batch, seed: UInt64(k), reference: CPUBackend(),
                    candidate: Shared.backend())
                #expect(result.passed, "pipeline \(k): \(result)")
                #expect(cpu.masks == gpu.masks, "pipeline \(k): masks")
                #expect(
                    cpu.masks?.geometries.first
                        == cpu.images.sampleGeometries.first.map {
                            ImageGeometry(height: $0.height, width: $0.width, channels: 1)
                        })
                #expect(cpu.boxes == gpu.boxes && cpu.keypoints == gpu.keypoints)
                #expect((cpu.boxes?.boxes.joined().count ?? 0) > 0)
            }
        }
    }
}
