import Foundation
import Testing
@testable import Augment

/// elastic_transform against torchvision (Tests/Fixtures/generate_elastic.py): the field from
/// recorded uniforms within 1e-5 (normalized units), F.elastic's output for the same field within
/// 1e-4 (bilinear; float32 rounding of the grid differs), nearest exact except within 1e-3 of a tie.
@Suite struct ElasticTests {
    static func fixture() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("elastic.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func floats(_ value: Any?) throws -> [Float] {
        try #require(value as? [NSNumber]).map { $0.floatValue }
    }

    @Test func fieldAndOutputMatchTorchvision() throws {
        let f = try Self.fixture()
        let shape = try #require(f["shape"] as? [Int])
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let image = try ImageBatch(float32NCHW: Self.floats(f["image"]), count: 1, channels: c, height: h, width: w)
        let cases = try #require(f["cases"] as? [[String: Any]])
        #expect(cases.count == 3)
        for (index, item) in cases.enumerated() {
            let alpha = try #require(item["alpha"] as? [Double])
            let sigma = try #require(item["sigma"] as? [Double])
            let uniforms = try #require(item["uniforms"] as? [NSNumber]).map { $0.doubleValue }
            let displacement = try Self.floats(item["displacement"])
            // The field: pixels back to torchvision's normalized units (x: 2 / W, y: 2 / H).
            let op = try ElasticTransform(alpha: alpha, sigma: sigma)
            let pixels = op.displacementPixels(uniforms: uniforms, height: h, width: w)
            let normalized = pixels.enumerated().map { $0.element * 2 / Float($0.offset % 2 == 0 ? w : h) }
            let fieldError = zip(normalized, displacement).map { abs($0 - $1) }.max() ?? .infinity
            #expect(fieldError <= 1e-5, "case \(index): field max |diff| \(fieldError)")
            // The sampling, from torchvision's own field.
            for output in try #require(item["outputs"] as? [[String: Any]]) {
                let modeName = try #require(output["interpolation"] as? String)
                let mode = try #require(Interpolation(rawValue: modeName))
                let fill = try #require(output["fill"] as? [Double])
                let transform = try ElasticTransform(alpha: alpha, sigma: sigma, interpolation: mode, fill: fill)
                let sampled = SampledPipeline(
                    pipeline: try Pipeline([transform]), count: 1, inputGeometry: image.geometry,
                    ops: [try transform.sampled(displacement: displacement, count: 1, geometry: image.geometry)])
                let got = try #require(
                    try CPUBackend().run(sampled.plan(for: image), on: AugmentBatch(images: image)).images.float32Values
                )
                let want = try Self.floats(output["expected"])
                var worst: Float = 0
                var ties = 0
                for i in 0..<want.count {
                    let pixel = i % (h * w)
                    let (x, y) = (Float(pixel % w), Float(pixel / w))
                    let u = x + displacement[2 * pixel] * Float(w) / 2
                    let v = y + displacement[2 * pixel + 1] * Float(h) / 2
                    let nearTie = abs(u - u.rounded(.down) - 0.5) < 1e-3 || abs(v - v.rounded(.down) - 0.5) < 1e-3
                    if mode == .nearest && nearTie { ties += 1; continue }
                    worst = max(worst, abs(got[i] - want[i]))
                }
                #expect(worst <= 1e-4, "case \(index) \(mode) fill \(fill): max |diff| \(worst) (\(ties) ties skipped)")
                #expect(ties < want.count / 10)
            }
        }
    }

    @Test func drawnFieldsAreSmoothAndReplayExactly() throws {
        let input = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 24, width: 30, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 4)
        let pipeline = try Pipeline([ElasticTransform(alpha: [40], sigma: [4])])
        let sampled = try pipeline.sample(count: 3, geometry: input.geometry, seed: 8, epoch: 2)
        let record = try ParameterRecord.encode(sampled, seed: 8, epoch: 2, firstSampleIndex: 0)
        let replayed = try ParameterRecord.decode(record, for: pipeline)
        let a = try CPUBackend().run(sampled.plan(for: input), on: AugmentBatch(images: input)).images
        let b = try CPUBackend().run(replayed.plan(for: input), on: AugmentBatch(images: input)).images
        #expect(a == b && a != input)
        // A blurred field: neighbouring displacements differ far less than the field's spread.
        let op = try ElasticTransform(alpha: [40], sigma: [4])
        let field = op.displacementPixels(
            noise: NoiseKey(RandomKey(seed: 1, sampleIndex: 0, opIndex: 0)), height: 24, width: 30)
        let xs = stride(from: 0, to: field.count, by: 2).map { field[$0] }
        let spread = (xs.max() ?? 0) - (xs.min() ?? 0)
        var step: Float = 0  // largest step between horizontal neighbours
        for i in 0..<(xs.count - 1) where i % 30 != 29 {
            step = max(step, abs(xs[i] - xs[i + 1]))
        }
        #expect(spread > 0.1 && step < spread / 3, "spread \(spread), largest neighbour step \(step)")
        // No blur: a uniform field scaled by alpha / 2 pixels.
        let raw = try ElasticTransform(alpha: [10, 6], sigma: [0]).displacementPixels(
            uniforms: [0.5, -1, 0.25, 1], height: 1, width: 2)
        #expect(raw == [2.5, 0.75, -5, 3])
    }

    @Test func badArgumentsAndTargetsAreErrors() throws {
        #expect(throws: AugmentError.self) { try ElasticTransform(alpha: [-1]) }
        #expect(throws: AugmentError.self) { try ElasticTransform(sigma: [.nan]) }
        #expect(throws: AugmentError.self) { try ElasticTransform(alpha: [1, 2, 3]) }
        let file =
            #"{"ops": [{"op": "elastic_transform", "alpha": [30, 20], "sigma": 3, "interpolation": "nearest", "fill": [0.5]}]}"#
        let op = try #require(try PipelineFile.parse(Data(file.utf8)).pipeline.transforms.first as? ElasticTransform)
        #expect(op.alpha == [30, 20] && op.sigma == [3, 3] && op.interpolation == .nearest)
        #expect(throws: AugmentError.self) {
            try PipelineFile.parse(Data(#"{"ops": [{"op": "elastic_transform", "interpolation": "cubic"}]}"#.utf8))
        }
        let geometry = ImageGeometry(height: 4, width: 5, channels: 1)
        #expect(throws: AugmentError.self) { try op.sampled(displacement: [0, 0], count: 1, geometry: geometry) }
    }

    /// Boxes and keypoints against torchvision's elastic_bounding_boxes / elastic_keypoints for the
    /// same field (within 1e-4 pixels); masks take exactly the class ids the nearest image path takes.
    @Test func targetsFollowTheField() throws {
        let f = try Self.fixture()
        let shape = try #require(f["shape"] as? [Int])
        let (h, w) = (shape[1], shape[2])
        let targets = try #require(f["targets"] as? [String: Any])
        let item = try #require((f["cases"] as? [[String: Any]])?.first)
        let displacement = try Self.floats(item["displacement"])
        let geometry = ImageGeometry(height: h, width: w, channels: 1)
        let op = try ElasticTransform(interpolation: .nearest, fill: [255])
        let ids = (0..<(h * w)).map { UInt8(($0 * 7) % 11) }
        let images = try ImageBatch(float32NCHW: ids.map(Float.init), count: 1, channels: 1, height: h, width: w)
        var batch = try AugmentBatch(images: images)
        batch.masks = try MaskBatch(values: .uint8(ids), count: 1, height: h, width: w)
        let points = try Self.floats(targets["keypoints"])
        batch.keypoints = try KeypointBatch(points: [
            stride(from: 0, to: points.count, by: 2).map { Keypoint(x: points[$0], y: points[$0 + 1]) }
        ])
        let boxes = try Self.floats(targets["boxes"])
        batch.boxes = try BoxBatch(
            boxes: [
                stride(from: 0, to: boxes.count, by: 4).map {
                    BoundingBox(x0: boxes[$0], y0: boxes[$0 + 1], x1: boxes[$0 + 2], y1: boxes[$0 + 3])
                }
            ], labels: [[1, 2, 3]])
        let sampled = SampledPipeline(
            pipeline: try Pipeline([op]), count: 1, inputGeometry: geometry,
            ops: [try op.sampled(displacement: displacement, count: 1, geometry: geometry)])
        let out = try CPUBackend().run(sampled.plan(for: images), on: batch)
        let movedPoints = try Self.floats(targets["moved_keypoints"])
        let gotPoints = try #require(out.keypoints?.points.first)
        for (i, p) in gotPoints.enumerated() {
            #expect(
                abs(p.x - movedPoints[2 * i]) <= 1e-4 && abs(p.y - movedPoints[2 * i + 1]) <= 1e-4,
                "keypoint \(i): \(p) vs \(movedPoints[2 * i]), \(movedPoints[2 * i + 1])")
            #expect(p.visible == (p.x >= 0 && p.x < Float(w) && p.y >= 0 && p.y < Float(h)))
        }
        let movedBoxes = try Self.floats(targets["moved_boxes"])
        let gotBoxes = try #require(out.boxes?.boxes.first)
        #expect(gotBoxes.count == 3 && out.boxes?.labels.first == [1, 2, 3])
        for (i, b) in gotBoxes.enumerated() {
            let want = Array(movedBoxes[(4 * i)..<(4 * i + 4)])
            let got = [b.x0, b.y0, b.x1, b.y1]
            #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-4 }, "box \(i): \(got) vs \(want)")
        }
        guard case .uint8(let masks)? = out.masks?.values else {
            Issue.record("masks did not come back as uint8")
            return
        }
        let image = try #require(out.images.float32Values)
        #expect(masks.map(Float.init) == image, "masks take the class ids of the nearest image path (255 outside)")
        #expect(masks.contains(255) && masks != ids)
    }

    /// The float32 field (device bits) against the Double reference blur of the same uniforms.
    @Test func floatFieldMatchesTheDoubleReference() throws {
        for (op, h, w) in [
            (try ElasticTransform(alpha: [50], sigma: [5]), 30, 41),
            (try ElasticTransform(alpha: [200, 30], sigma: [2, 0.7]), 9, 64),
        ] {
            let key = NoiseKey(RandomKey(seed: 3, sampleIndex: 2, opIndex: 1))
            let field = op.field(keys: [key], height: h, width: w)
            let uniforms = (0..<(2 * h * w)).map { Double(ElasticField.uniform(key, $0)) }
            let reference = op.displacementPixels(uniforms: uniforms, height: h, width: w)
            let worst = zip(field.pixels(sample: 0), reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-6 * Float(op.alpha.max() ?? 1), "max |diff| \(worst) px")  // float32 rounding of alpha / 2 scaled sums
        }
    }

    /// The planner folds elastic_transform into the warp group of the ops around it.
    @Test func elasticFusesIntoTheWarpGroup() throws {
        let geometry = ImageGeometry(height: 40, width: 48, channels: 3)
        func stages(_ transforms: [any Transform], output: OutputFormat = .float32NCHW) throws -> [Stage] {
            var pipeline = try Pipeline(transforms)
            pipeline.output = output
            let input = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 1)
            return try pipeline.sample(count: 2, geometry: geometry, seed: 3).plan(for: input).stages
        }
        func displacement(_ stage: Stage?) -> WarpDisplacement? {
            if let w = stage?.as(WarpStage.self) { return w.displacement }
            return nil
        }
        let elastic = try ElasticTransform(alpha: [50], sigma: [5])
        let normalize = try Normalize(mean: [0.5], std: [0.25])
        // affine + elastic + normalize: one pass, the affine's border kept, the field drawn on the device.
        let a = try stages([RandomAffine(degrees: [15], interpolation: .bilinear, fill: [0.2]), elastic, normalize])
        #expect(a.count == 1)
        if let w = a.first?.as(WarpStage.self) {
            #expect(w.epilogue != nil && w.border.fill == [0.2] && w.displacement?.field.isDrawn == true)
            #expect(w.displacement?.post.allSatisfy { $0 == .identity } == true)
        }
        // crop + elastic + flip: one pass, zeros padding around the crop window, whole-pixel post.
        let b = try stages([CenterCrop(height: 30, width: 20), elastic, HorizontalFlip()])
        #expect(b.count == 1 && displacement(b.first)?.postIsInteger == true && displacement(b.first)?.grid.width == 20)
        if let w = b.first?.as(WarpStage.self) {
            #expect(w.border.mode == .constant && w.border.fill == nil && w.regions[0].x1 - w.regions[0].x0 == 20)
        }
        // resized crop + elastic + resize without antialiasing: one pass, the field read bilinearly.
        let c = try stages([
            RandomResizedCrop(size: [32, 32], antialias: false), elastic, Resize(size: [16, 24], antialias: false),
        ])
        #expect(
            c.count == 1 && displacement(c.first)?.postIsInteger == false && displacement(c.first)?.grid.height == 32)
        // Antialiased (torchvision v2's default): the resampling samples through per-axis tap tables,
        // which a displacement cannot follow, so each antialiased resize is a pass of its own.
        let d = try stages([RandomResizedCrop(size: [32, 32]), elastic, Resize(size: [16, 24])])
        #expect(d.count == 3)
        if d.count == 3, let first = d[0].as(WarpStage.self), let second = d[1].as(WarpStage.self),
            let third = d[2].as(WarpStage.self)
        {
            #expect(first.antialias && first.isSeparable && first.displacement == nil)
            #expect(!second.antialias && second.displacement != nil && !second.isSeparable)
            #expect(third.antialias && third.displacement == nil)
        }
        // normalize before elastic, a rotation after it, a second elastic: new passes.
        #expect(try stages([normalize, elastic]).count == 2)
        #expect(try stages([elastic, Rotate(angleDegrees: 10)]).count == 2)
        #expect(try stages([elastic, elastic]).count == 2)
        // Interpolations that differ do not share a pass.
        #expect(try stages([RandomAffine(degrees: [15], interpolation: .nearest), elastic]).count == 2)
    }

    /// Whole-pixel chains fused are the chain run op by op (crop, elastic from an explicit field,
    /// flip), within float32 rounding of the shifted sampling point.
    @Test func fusedChainEqualsTheOpsOneByOne() throws {
        let geometry = ImageGeometry(height: 19, width: 23, channels: 3)
        let input = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 9)
        let crop = try CenterCrop(height: 15, width: 16)
        let cropped = ImageGeometry(height: 15, width: 16, channels: 3)
        var random = RandomStream(RandomKey(seed: 5, sampleIndex: 0, opIndex: 0))
        let field = (0..<(2 * 15 * 16 * 2)).map { _ in Float(random.uniform(-0.3, 0.3)) }
        for mode in [Interpolation.bilinear, .nearest] {
            let elastic = try ElasticTransform(interpolation: mode, fill: [0.25, 0.5, 0.75])
            let pipeline = try Pipeline([crop, elastic, HorizontalFlip()])
            let drawn = try pipeline.sample(count: 2, geometry: geometry, seed: 1)
            let ops = [
                drawn.ops[0], try elastic.sampled(displacement: field, count: 2, geometry: cropped), drawn.ops[2],
            ]
            let fused = try SampledPipeline(pipeline: pipeline, count: 2, inputGeometry: geometry, ops: ops).plan(
                for: input)
            #expect(fused.passes == 1)
            let got = try #require(try CPUBackend().run(fused, on: AugmentBatch(images: input)).images.float32Values)
            var step = input
            for (transforms, op, g) in [
                ([crop] as [any Transform], ops[0], geometry), ([elastic], ops[1], cropped),
                ([HorizontalFlip()], ops[2], cropped),
            ] {
                let plan = try SampledPipeline(
                    pipeline: try Pipeline(transforms), count: 2, inputGeometry: g, ops: [op]
                ).plan(for: step)
                step = try CPUBackend().run(plan, on: AugmentBatch(images: step)).images
            }
            let want = try #require(step.float32Values)
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(got.count == want.count && worst <= 1e-5, "\(mode): max |diff| \(worst)")
        }
    }
}
