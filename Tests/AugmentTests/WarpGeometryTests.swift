import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// Properties of the general warp on the CPU reference: identities, composition, fusion, targets
/// (masks, boxes, keypoints), ragged batches, sampling algorithms and argument errors.
@Suite struct WarpGeometryTests {
    func floatImages(
        count: Int = 2, height: Int = 9, width: Int = 13, channels: Int = 3, seed: UInt64 = 3
    ) throws -> ImageBatch {
        try ImageBatch.random(
            count: count, geometry: ImageGeometry(height: height, width: width, channels: channels),
            pixelType: .float32, layout: .nchw, seed: seed)
    }

    func run(_ transforms: [any Transform], _ batch: AugmentBatch, seed: UInt64 = 1) throws -> AugmentBatch {
        try CPUBackend().apply(Pipeline(transforms), to: batch, seed: seed)
    }

    @Test func identityParametersGiveTheInputBack() throws {
        let images = try floatImages()
        let g = images.geometry
        let start: [[Double]] = [[0, 0], [12, 0], [12, 8], [0, 8]]
        let identities: [[any Transform]] = try [
            [Affine(interpolation: .bilinear)], [Affine(interpolation: .nearest)], [Rotate(angleDegrees: 0)],
            [Rotate(angleDegrees: 360, interpolation: .bilinear)],
            [Perspective(startpoints: start, endpoints: start, interpolation: .nearest)],
            [Resize(size: [g.height, g.width])], [Pad(padding: [0])], [Rot90(k: 4)], [Rot90(k: 1), Rot90(k: -1)],
            [ResizedCrop(top: 0, left: 0, height: g.height, width: g.width, size: [g.height, g.width])],
            [RandomAffine(degrees: [0])],
            [RandomResizedCrop(size: [g.height, g.width], scale: [1, 1], ratio: [13.0 / 9, 13.0 / 9])],
        ]
        for transforms in identities {
            let out = try run(transforms, AugmentBatch(images: images)).images
            #expect(out == images, "\(transforms.map(\.opName))")
        }
        // With a fill the blend fma(mask, v - fill, fill) at mask 1 may round: within 1 ulp.
        let filled = try run([Affine(interpolation: .bilinear, fill: [0.3])], AugmentBatch(images: images)).images
        #expect(Parity.compare(filled, images, tolerance: 1e-7).passed)
    }

    @Test func quarterTurnsAndFlipsCompose() throws {
        let images = try floatImages(count: 1, height: 5, width: 7, channels: 2)
        let r1 = try run([Rot90(k: 1)], AugmentBatch(images: images)).images
        #expect(r1.geometry == ImageGeometry(height: 7, width: 5, channels: 2))
        // torch.rot90(k=1): out[i][j] = in[j][W-1-i]
        for i in 0..<7 {
            for j in 0..<5 {
                for c in 0..<2 {
                    #expect(
                        r1.value(sample: 0, channel: c, y: i, x: j)
                            == images.value(sample: 0, channel: c, y: j, x: 6 - i))
                }
            }
        }
        #expect(
            try run([Rot90(k: 2)], AugmentBatch(images: images)).images
                == run([HorizontalFlip(), VerticalFlip()], AugmentBatch(images: images)).images)
        #expect(try run([HorizontalFlip(), HorizontalFlip()], AugmentBatch(images: images)).images == images)
        // rotate by 90 on a square image is rot90 (torchvision's fast path), to float rounding
        let square = try floatImages(count: 1, height: 6, width: 6, channels: 1)
        let a = try run([Rotate(angleDegrees: 90, interpolation: .bilinear)], AugmentBatch(images: square)).images
        let b = try run([Rot90(k: 1)], AugmentBatch(images: square)).images
        #expect(Parity.compare(a, b, tolerance: 1e-6).passed)
    }

    @Test func chainsFuseIntoOneStageAndSplitWhenTheyMust() throws {
        let images = try floatImages(count: 4, height: 20, width: 24)
        func stages(_ transforms: [any Transform]) throws -> [Stage] {
            try Pipeline(transforms).sample(for: images, seed: 2).plan(for: images).stages
        }
        let chain = try stages([
            RandomResizedCrop(size: [16, 16], antialias: false),
            RandomAffine(degrees: [30], translate: [0.1, 0.1], interpolation: .bilinear),
            RandomHorizontalFlip(), Normalize(mean: [0.5], std: [0.2]),
        ])
        #expect(chain.count == 1)
        // An antialiased resampling holds only axis-aligned maps: a rotation after it splits, flips
        // and normalize ride along.
        #expect(
            try stages([RandomResizedCrop(size: [16, 16]), RandomAffine(degrees: [30], interpolation: .bilinear)]).count
                == 2)
        let aa = try stages([
            RandomResizedCrop(size: [16, 16]), RandomHorizontalFlip(), RandomVerticalFlip(),
            Normalize(mean: [0.5], std: [0.2]),
        ])
        #expect(aa.count == 1)
        if let warp = aa.first?.as(WarpStage.self) {
            #expect(warp.antialias && warp.isSeparable)
        } else {
            Issue.record("expected a warp")
        }
        #expect(try stages([Resize(size: [10, 10]), Resize(size: [8, 8], antialias: false)]).count == 2)
        if let warp = chain.first?.as(WarpStage.self) {
            #expect(warp.interpolation == .bilinear && warp.epilogue != nil)
        } else {
            Issue.record("expected a general warp")
        }
        // Integer-only chains keep the fast remap; pad and quarter turns need the general kernel.
        #expect(
            try stages([RandomCrop(height: 8, width: 8), HorizontalFlip()]).first?.is(RemapStage.self) == true,
            "fast path")
        #expect(try stages([Rot90(k: 1)]).first?.is(WarpStage.self) == true, "rot90 is general")
        // Two border-setting ops, or two interpolations, or a constant border after normalize: split.
        #expect(try stages([RandomAffine(degrees: [10]), RandomRotation(degrees: [10])]).count == 2)
        #expect(
            try stages([
                Resize(size: [10, 10], interpolation: .bilinear), Affine(angleDegrees: 5, interpolation: .nearest),
            ]).count == 2)
        #expect(try stages([Normalize(mean: [0.5], std: [0.5]), Affine(angleDegrees: 5)]).count == 2)
        #expect(
            try stages([Normalize(mean: [0.5], std: [0.5]), Affine(angleDegrees: 5, paddingMode: .edge)]).count == 1)
    }

    @Test func splitChainsEqualTheOpsRunOneAfterAnother() throws {
        // A chain that must split gives exactly what two separate runs give.
        let images = try floatImages()
        let pipeline = try Pipeline([
            Affine(angleDegrees: 20, interpolation: .bilinear, fill: [0.1]),
            Rotate(angleDegrees: -35, interpolation: .bilinear),
        ])
        let whole = try CPUBackend().apply(pipeline, to: images, seed: 0)
        let first = try CPUBackend().apply(
            Pipeline([Affine(angleDegrees: 20, interpolation: .bilinear, fill: [0.1])]), to: images, seed: 0)
        let second = try CPUBackend().apply(
            Pipeline([Rotate(angleDegrees: -35, interpolation: .bilinear)]), to: first, seed: 0)
        #expect(whole == second)
    }

    @Test func fillBlendsLikeTorchvisionAndNoneIsZeroPadding() throws {
        // One pixel of value v shifted by half a pixel: torchvision's bilinear fill rule gives
        // mask * (img - fill) + fill with img the zero-padded sample (mask 0.5 at the border column).
        let images = try ImageBatch(float32NCHW: [0.8, 0.8], count: 1, channels: 1, height: 1, width: 2)
        let shifted = try run(
            [Affine(translatePixels: [0.5, 0], interpolation: .bilinear, fill: [0.2])], AugmentBatch(images: images))
        let v = try #require(shifted.images.float32Values)
        // column 0 samples x = -0.5: only the right tap (weight 0.5) is inside: img = 0.4, mask = 0.5
        #expect(abs(v[0] - (0.5 * (0.4 - 0.2) + 0.2)) < 1e-7)
        let none = try run([Affine(translatePixels: [0.5, 0], interpolation: .bilinear)], AugmentBatch(images: images))
        #expect(abs((none.images.float32Values ?? [])[0] - 0.4) < 1e-7)
    }

    @Test func bordersExtendTheImage() throws {
        let images = try ImageBatch(float32NCHW: [1, 2, 3, 4], count: 1, channels: 1, height: 1, width: 4)
        let edge = try run([Pad(padding: [2, 0, 1, 0], paddingMode: .edge)], AugmentBatch(images: images)).images
        #expect(edge.float32Values == [1, 1, 1, 2, 3, 4, 4])
        let reflect = try run([Pad(padding: [3, 0, 2, 0], paddingMode: .reflect)], AugmentBatch(images: images)).images
        #expect(reflect.float32Values == [4, 3, 2, 1, 2, 3, 4, 3, 2])
        let constant = try run([Pad(padding: [1, 0, 1, 0], fill: [9])], AugmentBatch(images: images)).images
        #expect(constant.float32Values == [9, 1, 2, 3, 4, 9])
        // A crop then a pad pads the crop, not the image around it.
        let cropped = try run(
            [Crop(top: 0, left: 1, height: 1, width: 2), Pad(padding: [1, 0, 1, 0], paddingMode: .edge)],
            AugmentBatch(images: images)
        ).images
        #expect(cropped.float32Values == [2, 2, 3, 3])
    }

    // MARK: targets

    /// A one-sample batch with a box drawn as a filled mask and keypoints at pixel centres.
    func targetBatch(height: Int, width: Int, box: (Int, Int, Int, Int), points: [(Int, Int)]) throws -> AugmentBatch {
        let images = try floatImages(count: 1, height: height, width: width, channels: 1)
        var mask = [UInt8](repeating: 0, count: height * width)
        for y in box.1..<box.3 { for x in box.0..<box.2 { mask[y * width + x] = 1 } }
        for (i, p) in points.enumerated() { mask[p.1 * width + p.0] = UInt8(2 + i) }
        return try AugmentBatch(
            images: images, masks: MaskBatch(values: .uint8(mask), count: 1, height: height, width: width),
            boxes: BoxBatch(
                boxes: [[BoundingBox(x0: Float(box.0), y0: Float(box.1), x1: Float(box.2), y1: Float(box.3))]],
                labels: [[7]]),
            keypoints: KeypointBatch(points: [points.map { Keypoint(x: Float($0.0) + 0.5, y: Float($0.1) + 0.5) }]))
    }

    @Test func aBoxDrawnAsAMaskStaysInsideTheWarpedBox() throws {
        let pipelines: [[any Transform]] = try [
            [RandomAffine(degrees: [40], translate: [0.1, 0.1], scale: [0.7, 1.4], shear: [10])],
            [RandomPerspective(distortionScale: 0.6, p: 1)],
            // one fused warp (bilinear for the image, nearest for the mask): the property is exact
            [
                RandomResizedCrop(size: [17, 23], scale: [0.3, 1], antialias: false),
                RandomRotation(degrees: [30], interpolation: .bilinear),
            ],
            [RandomCrop(height: 20, width: 20, padding: [3], paddingMode: .reflect), Rot90(k: 1), HorizontalFlip()],
        ]
        var checked = 0
        for (k, transforms) in pipelines.enumerated() {
            let probe = try targetBatch(height: 21, width: 25, box: (6, 5, 15, 13), points: []).images
            #expect(try Pipeline(transforms).sample(for: probe, seed: 0).plan(for: probe).stages.count == 1)
            for seed in 0..<6 {
                let batch = try targetBatch(height: 21, width: 25, box: (6, 5, 15, 13), points: [])
                let out = try run(transforms, batch, seed: UInt64(seed * 10 + k))
                let masks = try #require(out.masks), boxes = try #require(out.boxes)
                let g = masks.geometries[0]
                var inside = 0
                for y in 0..<g.height {
                    for x in 0..<g.width where masks.value(sample: 0, y: y, x: x) == 1 {
                        inside += 1
                        let box = try #require(boxes.boxes[0].first, "a box with mask pixels left must be kept")
                        let cx = Float(x) + 0.5, cy = Float(y) + 0.5
                        #expect(
                            cx >= box.x0 - 1e-3 && cx <= box.x1 + 1e-3 && cy >= box.y0 - 1e-3 && cy <= box.y1 + 1e-3,
                            "\(transforms.map(\.opName)) seed \(seed): mask pixel (\(x), \(y)) outside \(box)")
                    }
                }
                if inside > 0 { #expect(boxes.labels[0] == [7]) }
                checked += inside
            }
        }
        #expect(checked > 500)
    }

    @Test func keypointsLandOnThePixelsTheirMarkedPixelMovedTo() throws {
        let points = [(3, 4), (10, 2), (0, 0), (16, 11)]
        // Integer maps move each marked pixel to exactly one pixel, whose centre is the keypoint.
        let exact: [[any Transform]] = try [
            [HorizontalFlip()], [VerticalFlip(), Rot90(k: 1)], [Rot90(k: 3)],
            [Pad(padding: [2, 1, 0, 3]), Crop(top: 1, left: 2, height: 12, width: 15)],
            [RandomCrop(height: 10, width: 10, padding: [4], padIfNeeded: true)],
        ]
        for transforms in exact {
            let out = try run(
                transforms, targetBatch(height: 12, width: 17, box: (0, 0, 1, 1), points: points), seed: 4)
            let masks = try #require(out.masks), keypoints = try #require(out.keypoints).points[0]
            for (i, kp) in keypoints.enumerated() {
                let g = masks.geometries[0]
                var found: (Int, Int)?
                for y in 0..<g.height {
                    for x in 0..<g.width where masks.value(sample: 0, y: y, x: x) == Int32(2 + i) { found = (x, y) }
                }
                if let (x, y) = found {
                    #expect(
                        kp.visible && kp.x == Float(x) + 0.5 && kp.y == Float(y) + 0.5,
                        "\(transforms.map(\.opName)) point \(i)")
                } else {
                    #expect(!kp.visible, "\(transforms.map(\.opName)) point \(i) left the image")
                }
            }
        }
        // A 2x zoom with rotation: the output pixel containing the keypoint shows its marked pixel.
        for angle in stride(from: -170.0, through: 170, by: 37) {
            let transform = try Affine(angleDegrees: angle, scale: 2, interpolation: .nearest)
            let out = try run(
                [transform], targetBatch(height: 12, width: 17, box: (0, 0, 1, 1), points: [(7, 5), (9, 6)]))
            let masks = try #require(out.masks)
            for (i, kp) in try #require(out.keypoints).points[0].enumerated() where kp.visible {
                #expect(masks.value(sample: 0, y: Int(kp.y), x: Int(kp.x)) == Int32(2 + i), "angle \(angle) point \(i)")
            }
        }
    }

    @Test func boxesAreClippedAndDroppedWithTheirLabels() throws {
        let images = try floatImages(count: 1, height: 10, width: 10, channels: 1)
        let boxes = try BoxBatch(
            boxes: [
                [
                    BoundingBox(x0: 0, y0: 0, x1: 4, y1: 4), BoundingBox(x0: 6, y0: 6, x1: 10, y1: 10),
                    BoundingBox(x0: 2, y0: 5, x1: 8, y1: 9),
                ]
            ], labels: [[1, 2, 3]], minVisibility: 0.3)
        let batch = try AugmentBatch(images: images, masks: nil, boxes: boxes)
        let out = try run([Crop(top: 0, left: 0, height: 7, width: 7)], batch)
        let result = try #require(out.boxes)
        // box 1 stays whole; box 2 keeps 1x1 of 4x4 (6% < 30%): dropped; box 3 keeps 5x2 of 6x4 (42%).
        #expect(result.labels[0] == [1, 3])
        #expect(result.boxes[0] == [BoundingBox(x0: 0, y0: 0, x1: 4, y1: 4), BoundingBox(x0: 2, y0: 5, x1: 7, y1: 7)])
        let flipped = try run([HorizontalFlip()], batch)
        #expect(flipped.boxes?.boxes[0].first == BoundingBox(x0: 6, y0: 0, x1: 10, y1: 4))
    }

    @Test func int32MasksUseTheIgnoreIndex() throws {
        let images = try floatImages(count: 1, height: 4, width: 4, channels: 1)
        let masks = try MaskBatch(
            values: .int32((0..<16).map { Int32($0) }), count: 1, height: 4, width: 4, ignoreIndex: -1)
        let out = try run([Pad(padding: [1, 0, 0, 0])], AugmentBatch(images: images, masks: masks))
        let m = try #require(out.masks)
        #expect(m.value(sample: 0, y: 0, x: 0) == -1)
        #expect(m.value(sample: 0, y: 2, x: 3) == 10)
    }

    // MARK: ragged

    func raggedBatch() throws -> ImageBatch {
        let sizes = [(13, 17), (20, 9), (7, 30)]
        var random = RandomStream(RandomKey(seed: 9, sampleIndex: 0, opIndex: 1))
        let images = sizes.map { s in (0..<(s.0 * s.1 * 3)).map { _ in UInt8(random.integer(in: 0...255)) } }
        return try ImageBatch(uint8HWC: images, sizes: sizes.map { (height: $0.0, width: $0.1) }, channels: 3)
    }

    @Test func raggedBatchesDrawFromEachSampleAndMatchSamplesRunAlone() throws {
        let ragged = try raggedBatch()
        #expect(ragged.isRagged && ragged.sampleGeometries.map(\.width) == [17, 9, 30])
        let pipeline = try Pipeline([
            RandomResizedCrop(size: [8, 10]), RandomHorizontalFlip(), Normalize(mean: [0.5], std: [0.25]),
        ])
        let sampled = try pipeline.sample(for: ragged, seed: 5)
        let boxes = try #require(sampled.ops[0].parameters as? [CropBox])
        for (box, g) in zip(boxes, ragged.sampleGeometries) {
            #expect(box.top + box.height <= g.height && box.left + box.width <= g.width)
        }
        let plan = try sampled.plan(for: ragged)
        #expect(plan.stages.count == 1)
        let out = try CPUBackend().run(plan, on: ragged)
        #expect(out.geometry == ImageGeometry(height: 8, width: 10, channels: 3) && out.count == 3 && !out.isRagged)
        // Each sample alone, with its recorded parameters, gives the same pixels.
        let values = try #require(ragged.uint8Values)
        var offset = 0
        for n in 0..<3 {
            let g = ragged.sampleGeometries[n]
            let alone = try ImageBatch(
                uint8NHWC: Array(values[offset..<(offset + g.elementCount)]), count: 1, height: g.height,
                width: g.width, channels: 3)
            offset += g.elementCount
            let replay = SampledPipeline(
                pipeline: pipeline, count: 1, inputGeometry: g,
                ops: [
                    SampledOp(pipeline.transforms[0] as! RandomResizedCrop, parameters: [boxes[n]]),
                    SampledOp(
                        pipeline.transforms[1] as! RandomHorizontalFlip,
                        parameters: [(sampled.ops[1].parameters as? [FlipParameters] ?? [])[n]]),
                    SampledOp(pipeline.transforms[2] as! Normalize, parameters: [NoParameters()]),
                ])
            let single = try CPUBackend().run(replay.plan(for: alone), on: alone)
            let per = 8 * 10 * 3
            #expect(Array((out.float32Values ?? [])[(n * per)..<((n + 1) * per)]) == single.float32Values)
        }
    }

    @Test func raggedBatchesMustReachOneSize() throws {
        let ragged = try raggedBatch()
        #expect(throws: AugmentError.self) { try CPUBackend().apply(Pipeline([HorizontalFlip()]), to: ragged, seed: 1) }
        // resize of the smaller edge keeps them ragged; a centre crop then gives one size.
        let out = try CPUBackend().apply(
            Pipeline([Resize(size: [8]), CenterCrop(height: 8, width: 8)]), to: ragged, seed: 1)
        #expect(out.geometry == ImageGeometry(height: 8, width: 8, channels: 3) && out.count == 3)
        #expect(throws: AugmentError.self) {
            try ImageBatch(
                ragged: .uint8([1, 2, 3]), geometries: [ImageGeometry(height: 1, width: 2, channels: 1)], layout: .nhwc)
        }
    }

    // MARK: sampling

    @Test func randomResizedCropFollowsTorchvisionsAlgorithm() throws {
        let g = ImageGeometry(height: 40, width: 60, channels: 3)
        let crop = try RandomResizedCrop(size: [8, 8])
        let sampled = try Pipeline([crop]).sample(count: 3000, geometry: g, seed: 1)
        let boxes = try #require(sampled.ops[0].parameters as? [CropBox])
        for box in boxes {
            let area = Double(box.width * box.height) / 2400
            #expect(area >= 0.07 && area <= 1.0)
            try box.check(in: g, op: "test")
        }
        let ratios = boxes.map { Double($0.width) / Double($0.height) }
        #expect(ratios.allSatisfy { $0 > 0.6 && $0 < 1.6 })
        // Impossible constraints fall back to the centre crop clamped to the ratio range.
        let wide = try RandomResizedCrop(size: [4, 4], scale: [5, 6], ratio: [3, 4])
        var stream = RandomStream(RandomKey(seed: 1, sampleIndex: 0, opIndex: 0))
        #expect(wide.sampleParameters(for: g, random: &stream) == CropBox(top: 10, left: 0, height: 20, width: 60))
    }

    @Test func sameOnBatchDrawsOnce() throws {
        let g = ImageGeometry(height: 30, width: 30, channels: 1)
        let pipeline = try Pipeline([
            RandomAffine(degrees: [45], sameOnBatch: true), RandomResizedCrop(size: [8, 8], sameOnBatch: true),
            RandomHorizontalFlip(sameOnBatch: true), RandomAffine(degrees: [45]),
        ])
        let sampled = try pipeline.sample(count: 6, geometry: g, seed: 3)
        #expect(Set((sampled.ops[0].parameters as? [AffineParameters] ?? []).map(\.angleDegrees)).count == 1)
        #expect(
            Set((sampled.ops[1].parameters as? [CropBox] ?? []).map { [$0.top, $0.left, $0.height, $0.width] }).count
                == 1)
        #expect(Set((sampled.ops[2].parameters as? [FlipParameters] ?? []).map(\.flipped)).count == 1)
        #expect(Set((sampled.ops[3].parameters as? [AffineParameters] ?? []).map(\.angleDegrees)).count == 6)
    }

    @Test func badArgumentsThrow() throws {
        #expect(throws: AugmentError.self) { try Affine(angleDegrees: .nan) }
        #expect(throws: AugmentError.self) { try Affine(scale: 0) }
        #expect(throws: AugmentError.self) { try Affine(shearDegrees: [90, 0]) }
        #expect(throws: AugmentError.self) { try Affine(fill: [.infinity]) }
        #expect(throws: AugmentError.self) { try Resize(size: [0, 4]) }
        #expect(throws: AugmentError.self) {
            try Perspective(
                startpoints: [[0, 0], [1, 0], [1, 1], [0, 1]], endpoints: [[0, 0], [0, 0], [0, 0], [0, 0]])
        }
        #expect(throws: AugmentError.self) { try Pad(padding: [1, 2, 3]) }
        #expect(throws: AugmentError.self) { try RandomResizedCrop(size: [8, 8], scale: [0.5, 0.1]) }
        #expect(throws: AugmentError.self) { try RandomAffine(degrees: [-5]) }
        #expect(throws: AugmentError.self) { try RandomPerspective(distortionScale: 1.5) }
        #expect(throws: AugmentError.self) {
            try JSONDecoder().decode(RandomRotation.self, from: Data(#"{"degrees": 10, "expand": true}"#.utf8))
        }
        #expect(throws: AugmentError.self) {
            try JSONDecoder().decode(Affine.self, from: Data(#"{"angle": 10, "interpolation": "bicubic"}"#.utf8))
        }
        let images = try floatImages()
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(Pipeline([Affine(fill: [0.1, 0.2])]), to: images, seed: 1)
        }
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(Pipeline([RandomCrop(height: 20, width: 4)]), to: images, seed: 1)
        }
        let decoded = try JSONDecoder().decode(
            RandomAffine.self, from: Data(#"{"degrees": 10, "shear": [1, 2, 3, 4], "fill": null}"#.utf8))
        #expect(decoded.degrees == [-10, 10] && decoded.shear == [1, 2, 3, 4] && decoded.fill == nil)
        let rrc = try JSONDecoder().decode(RandomResizedCrop.self, from: Data(#"{"size": 224}"#.utf8))
        #expect(rrc.size == [224, 224] && rrc.scale == [0.08, 1])
    }
}
