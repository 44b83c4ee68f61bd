import Foundation
import Testing
@testable import Augment

/// A pipeline from pipeline-file JSON.
func pipelineFromJSON(_ json: String) throws -> PipelineFile {
    try PipelineFile.parse(Data(json.utf8), name: "test.json")
}

/// A clip batch whose clip n holds `frameCount` copies of image n of `images` (dense).
func clipsOfIdenticalFrames(_ images: ImageBatch, frameCount: Int) throws -> ClipBatch {
    let frames = try images.repeatingEachSample(frameCount)
    return try ClipBatch(frames: frames, frameCount: frameCount)
}

/// The float32 values of frame/sample `i` of a dense float32 batch.
func sampleValues(_ batch: ImageBatch, _ i: Int) -> [Float] {
    let per = batch.geometry.elementCount
    return Array(batch.float32Values![(i * per)..<((i + 1) * per)])
}

let clipPipelineJSON = """
    {"ops": [
      {"op": "random_resized_crop", "size": 20, "scale": [0.3, 1.0]},
      {"op": "random_horizontal_flip"},
      {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
      {"op": "gaussian_blur", "kernel_size": 5, "sigma": [0.1, 2.0]},
      {"op": "normalize", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}
    ]}
    """

@Suite struct ClipTests {
    @Test(arguments: [ImageLayout.nhwc, .nchw])
    func identicalFramesGiveIdenticalFramesEqualToTheImageResult(_ layout: ImageLayout) throws {
        let pipeline = try pipelineFromJSON(clipPipelineJSON).pipeline
        let images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 27, width: 31, channels: 3),
            pixelType: layout == .nhwc ? .uint8 : .float32, layout: layout, seed: 11)
        let clips = try clipsOfIdenticalFrames(images, frameCount: 4)
        let out = try CPUBackend().apply(pipeline, to: clips, seed: 5, firstClipIndex: 10)
        let reference = try CPUBackend().apply(pipeline, to: images, seed: 5, firstSampleIndex: 10)
        #expect(out.count == 3 && out.frameCount == 4)
        #expect(out.frames.geometry == ImageGeometry(height: 20, width: 20, channels: 3))
        for n in 0..<3 {
            let expected = sampleValues(reference, n)
            for t in 0..<4 {
                #expect(sampleValues(out.frames, out.frameIndex(clip: n, frame: t)) == expected, "clip \(n) frame \(t)")
            }
        }
        // Different clips get different parameters.
        #expect(sampleValues(out.frames, 0) != sampleValues(out.frames, 4))
    }

    @Test func perFrameOpsDrawPerFrameAndReproduce() throws {
        let file = try pipelineFromJSON(
            """
            {"ops": [{"op": "random_rotation", "degrees": 40, "per_frame": true},
                     {"op": "adjust_brightness", "brightness_factor": 1.1}]}
            """)
        #expect(file.pipeline.perFrameOpIndices == [0])
        let images = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 16, width: 16, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 3)
        let clips = try clipsOfIdenticalFrames(images, frameCount: 3)
        let sampled = try file.pipeline.sample(for: clips, seed: 9)
        let angles = try #require(sampled.ops[0].parameters as? [RandomRotation.Parameters])
        #expect(angles.count == 6)
        #expect(Set(angles.map { "\($0)" }).count == 6, "every frame draws its own angle: \(angles)")
        let again = try file.pipeline.sample(for: clips, seed: 9)
        #expect((again.ops[0].parameters as? [RandomRotation.Parameters]) == angles)
        // Clip-level ops still share: without per_frame every frame of a clip gets one angle.
        var shared = file.pipeline
        shared.perFrameOpIndices = []
        let sharedAngles = try #require(
            try shared.sample(for: clips, seed: 9).ops[0].parameters as? [RandomRotation.Parameters])
        #expect(
            sharedAngles[0] == sharedAngles[1] && sharedAngles[1] == sharedAngles[2]
                && sharedAngles[0] != sharedAngles[3])
    }

    @Test func mixingPairsWholeClips() throws {
        let pipeline = try pipelineFromJSON(
            """
            {"ops": [{"op": "mixup_cutmix", "mixup_alpha": 0.8, "cutmix_alpha": 1.0, "mode": "elem", "num_classes": 4}]}
            """
        ).pipeline
        let images = try ImageBatch.random(
            count: 4, geometry: ImageGeometry(height: 8, width: 8, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 2)
        var clips = try ClipBatch(
            frames: ImageBatch.random(
                count: 12, geometry: images.geometry, pixelType: .float32,
                layout: .nchw, seed: 4), frameCount: 3)
        clips.labels = try LabelBatch(classIDs: [0, 1, 2, 3], classCount: 4)
        let sampled = try pipeline.sample(for: clips, seed: 21)
        let mix = try #require(sampled.ops[0].parameters as? [MixParameters])
        #expect(mix.count == 12)
        for n in 0..<4 {
            for t in 0..<3 {
                let p = mix[n * 3 + t]
                #expect(p.partner % 3 == t, "frame \(t) of clip \(n) mixes with frame \(t) of its partner")
                #expect(
                    p.partner / 3 == mix[n * 3].partner / 3 && p.lambda == mix[n * 3].lambda && p.box == mix[n * 3].box)
            }
        }
        #expect(mix.contains { $0.method != .none && $0.partner / 3 != 0 })
        let out = try CPUBackend().apply(pipeline, to: clips, seed: 21)
        let labels = try #require(out.labels)
        #expect(labels.count == 4)
        for n in 0..<4 {
            let lambda = Float(mix[n * 3].lambda)
            let partner = mix[n * 3].partner / 3
            // timm's smoothing (0.1 default) around the mixed one-hot rows.
            let total: Float = labels.row(n).reduce(0, +)
            #expect(abs(total - 1) < 1e-5)
            let row = Array(labels.row(n))
            if partner != n, lambda > 0.5 { #expect(row[n] > row[partner]) }
        }
    }

    @Test func raggedClipsRunInOnePlan() throws {
        let sizes = [
            ImageGeometry(height: 20, width: 30, channels: 3), ImageGeometry(height: 25, width: 18, channels: 3),
        ]
        let total: Int = 2 * 20 * 30 * 3 + 2 * 25 * 18 * 3
        let values: [UInt8] = (0..<total).map { UInt8($0 % 251) }
        let clips = try ClipBatch(ragged: .uint8(values), frameCount: 2, geometries: sizes, layout: .nhwc)
        #expect(clips.isRagged && clips.clipGeometries == sizes)
        let pipeline = try pipelineFromJSON(
            """
            {"ops": [{"op": "random_resized_crop", "size": 12}, {"op": "random_horizontal_flip"}]}
            """
        ).pipeline
        let sampled = try pipeline.sample(for: clips, seed: 1)
        let plan = try sampled.plan(for: clips.frames)
        #expect(plan.stages.count == 1)
        let out = try CPUBackend().run(plan, on: clips)
        #expect(out.frames.count == 4 && out.frames.geometry == ImageGeometry(height: 12, width: 12, channels: 3))
    }

    @Test func badClipsAreClearErrors() throws {
        let frames = try ImageBatch.random(
            count: 6, geometry: ImageGeometry(height: 4, width: 4, channels: 1),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        #expect(throws: AugmentError.self) { try ClipBatch(frames: frames, frameCount: 0) }
        #expect(throws: AugmentError.self) { try ClipBatch(frames: frames, frameCount: 4) }
        #expect(throws: AugmentError.self) {
            try ClipBatch(uint8NTHWC: [], count: 0, frameCount: 2, height: 4, width: 4, channels: 1)
        }
        #expect(throws: AugmentError.self) {
            try ClipBatch(uint8NTHWC: [1, 2, 3], count: 1, frameCount: 2, height: 4, width: 4, channels: 1)
        }
        #expect(throws: AugmentError.self) {
            try ClipBatch(frames: frames, frameCount: 3, labels: LabelBatch(classIDs: [0, 1, 2], classCount: 3))
        }
        #expect(throws: AugmentError.self) {
            try ClipBatch(uint8NTHWC: [], count: Int.max / 2, frameCount: 4, height: 4, width: 4, channels: 1)
        }
        #expect(throws: AugmentError.self) {
            try pipelineFromJSON(#"{"ops": [{"op": "mixup", "alpha": 1.0, "num_classes": 3, "per_frame": true}]}"#)
        }
        #expect(throws: AugmentError.self) {
            try pipelineFromJSON(#"{"ops": [{"op": "hflip", "per_frame": "yes"}]}"#)
        }
    }
}

let viewsJSON = """
    {"seed": 3, "views": [
      {"name": "global", "count": 2, "ops": [{"op": "random_resized_crop", "size": 16, "scale": [0.4, 1.0]},
                                             {"op": "random_horizontal_flip"},
                                             {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.2, "hue": 0.1}]},
      {"name": "local", "count": 3, "ops": [{"op": "random_resized_crop", "size": 8, "scale": [0.05, 0.4]}],
       "output": {"dtype": "uint8", "layout": "nhwc"}}
    ]}
    """

@Suite struct ViewTests {
    @Test func viewsDifferPairwiseAndReproduce() throws {
        let file = try pipelineFromJSON(viewsJSON)
        let views = try #require(file.views)
        #expect(views.groups.map(\.name) == ["global", "local"] && views.groups.map(\.count) == [2, 3])
        let images = try ImageBatch.random(
            count: 4, geometry: ImageGeometry(height: 24, width: 28, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 8)
        let out = try CPUBackend().apply(views, to: images, seed: 3, firstSampleIndex: 100)
        #expect(out.count == 2)
        #expect(
            out[0].batch.images.count == 8
                && out[0].batch.images.geometry == ImageGeometry(height: 16, width: 16, channels: 3))
        #expect(
            out[1].batch.images.count == 12 && out[1].batch.images.pixelType == .uint8
                && out[1].batch.images.layout == .nhwc)
        let global = out[0].batch.images
        let all = (0..<global.count).map { sampleValues(global, $0) }
        for i in all.indices { for j in all.indices where j > i { #expect(all[i] != all[j], "views \(i) and \(j)") } }
        let local = out[1].batch.images.uint8Values!
        let per = 8 * 8 * 3
        let locals = (0..<12).map { Array(local[($0 * per)..<(($0 + 1) * per)]) }
        for i in locals.indices { for j in locals.indices where j > i { #expect(locals[i] != locals[j]) } }
        // Reproducible, and independent of the batch: samples 102, 103 alone get the same views.
        let again = try CPUBackend().apply(views, to: images, seed: 3, firstSampleIndex: 100)
        #expect(again[0].batch.images == global)
        let tail = try images.slice(2..<4)
        let split = try CPUBackend().apply(views, to: tail, seed: 3, firstSampleIndex: 102)
        #expect(sampleValues(split[0].batch.images, 0) == all[4] && sampleValues(split[0].batch.images, 3) == all[7])
        // A different seed changes them.
        let other = try CPUBackend().apply(views, to: images, seed: 4, firstSampleIndex: 100)
        #expect(other[0].batch.images != global)
    }

    @Test func aGroupTakesThePassesOfItsPipeline() throws {
        let views = try #require(try pipelineFromJSON(viewsJSON).views)
        let images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 24, width: 28, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 8)
        for g in views.groups.indices {
            let sampled = try views.sample(group: g, for: images, seed: 1, sampleIndices: [0, 1, 2])
            let viewPlan = try sampled.plan(for: views.replicatedInput(images, group: g))
            let single = try views.groups[g].pipeline.sample(for: images, seed: 1).plan(for: images)
            #expect(viewPlan.stages.count == single.stages.count && viewPlan.count == 3 * views.groups[g].count)
        }
    }

    @Test func badViewFilesAreClearErrors() throws {
        let ops = #"[{"op": "hflip"}]"#
        for json in [
            #"{"views": []}"#,
            #"{"views": [{"name": "a", "count": 0, "ops": \#(ops)}]}"#,
            #"{"views": [{"name": "a", "count": 100000000, "ops": \#(ops)}]}"#,
            #"{"views": [{"name": "a", "count": 1.5, "ops": \#(ops)}]}"#,
            #"{"views": [{"name": "a", "ops": \#(ops)}, {"name": "a", "ops": \#(ops)}]}"#,
            #"{"views": [{"name": "a", "cout": 2, "ops": \#(ops)}]}"#,
            #"{"views": [{"count": 2, "ops": \#(ops)}]}"#,
            #"{"ops": \#(ops), "views": [{"name": "a", "ops": \#(ops)}]}"#,
        ] {
            #expect(throws: AugmentError.self, "\(json)") { try pipelineFromJSON(json) }
        }
        #expect(throws: AugmentError.self) { try MultiViewPipeline([]) }
    }
}

@Suite struct TestTimeAugmentationTests {
    /// Runs the TTA set on a float32 NCHW batch and returns the views and the image values.
    private func roundTrip(_ specs: [TestTimeViewSpec], geometry: ImageGeometry) throws -> (TestTimeBatch, ImageBatch) {
        let images = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 5)
        let tta = try TestTimeAugmentation(specs)
        return (try tta.apply(to: images, on: CPUBackend()), images)
    }

    @Test(arguments: [
        [TestTimeViewSpec.identity, .hflip, .vflip, .rot90(k: 1), .rot90(k: 2), .rot90(k: 3), .rot90(k: -1)],
        [.fiveCrop(height: 5, width: 7)],
        [.tenCrop(height: 6, width: 6, verticalFlip: false)],
        [.tenCrop(height: 9, width: 4, verticalFlip: true)],
    ])
    func inverseOfApplyIsTheInputWhereTheViewSawIt(_ specs: [TestTimeViewSpec]) throws {
        let geometry = ImageGeometry(height: 12, width: 12, channels: 3)
        let (views, images) = try roundTrip(specs, geometry: geometry)
        let predictions = try #require(views.images.float32Values)
        let x = try #require(images.float32Values)
        var seenSomewhere = [Bool](repeating: false, count: 2 * 12 * 12)
        for k in views.views.indices {
            let back = try views.inverseMap(predictions, channels: 3, view: k)
            var covered = 0
            for n in 0..<2 {
                for c in 0..<3 {
                    for p in 0..<144 where back.coverage[n * 144 + p] == 1 {
                        #expect(
                            back.values[(n * 3 + c) * 144 + p] == x[(n * 3 + c) * 144 + p],
                            "view \(views.views[k].name)")
                        covered += 1
                        seenSomewhere[n * 144 + p] = true
                    }
                }
            }
            let area = views.views[k].output.pixelCount
            #expect(covered == 2 * 3 * area, "view \(views.views[k].name) covers exactly its \(area) pixels")
        }
        let merged = try views.mergeMaps(predictions, channels: 3, reduction: .mean)
        let maxed = try views.mergeMaps(predictions, channels: 3, reduction: .max)
        for n in 0..<2 {
            for p in 0..<144 {
                #expect((merged.coverage[n * 144 + p] > 0) == seenSomewhere[n * 144 + p])
                for c in 0..<3 where merged.coverage[n * 144 + p] > 0 {
                    let i = (n * 3 + c) * 144 + p
                    #expect(abs(merged.values[i] - x[i]) <= 1e-6 && maxed.values[i] == x[i])
                }
            }
        }
    }

    @Test func fiveAndTenCropFollowTorchvisionsOrder() throws {
        // A 4x4 one-channel image holding its pixel index; 2x2 crops.
        let images = try ImageBatch(float32NCHW: (0..<16).map(Float.init), count: 1, channels: 1, height: 4, width: 4)
        let tta = try TestTimeAugmentation([.tenCrop(height: 2, width: 2, verticalFlip: false)])
        let out = try tta.apply(to: images, on: CPUBackend())
        let v = try #require(out.images.float32Values)
        let crops = (0..<10).map { Array(v[($0 * 4)..<(($0 + 1) * 4)]) }
        #expect(crops[0] == [0, 1, 4, 5] && crops[1] == [2, 3, 6, 7] && crops[2] == [8, 9, 12, 13])
        #expect(crops[3] == [10, 11, 14, 15] && crops[4] == [5, 6, 9, 10])
        // torchvision: five_crop of hflip(image): its top-left is the mirrored top-right corner.
        #expect(crops[5] == [3, 2, 7, 6] && crops[6] == [1, 0, 5, 4] && crops[9] == [6, 5, 10, 9])
        #expect(
            out.views.map(\.name) == [
                "ten_crop:tl", "ten_crop:tr", "ten_crop:bl", "ten_crop:br", "ten_crop:center",
                "ten_crop:tl+hflip", "ten_crop:tr+hflip", "ten_crop:bl+hflip", "ten_crop:br+hflip",
                "ten_crop:center+hflip",
            ])
    }

    @Test func boxesAndKeypointsMapBack() throws {
        let geometry = ImageGeometry(height: 20, width: 30, channels: 1)
        let images = try ImageBatch.random(count: 1, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1)
        let out = try TestTimeAugmentation([.identity, .hflip, .vflip, .rot90(k: 2), .scales([0.5, 1.25, 2])])
            .apply(to: images, on: CPUBackend())
        let box = BoundingBox(x0: 12, y0: 8, x1: 17, y1: 11)
        let point = Keypoint(x: 13.5, y: 9.25)
        var perViewBoxes: [[BoundingBox]] = []
        var perViewPoints: [[Keypoint]] = []
        for view in out.views {
            let corners = [(box.x0, box.y0), (box.x1, box.y1)].map { view.toView(x: Double($0.0), y: Double($0.1)) }
            perViewBoxes.append([
                BoundingBox(
                    x0: Float(min(corners[0].x, corners[1].x)), y0: Float(min(corners[0].y, corners[1].y)),
                    x1: Float(max(corners[0].x, corners[1].x)), y1: Float(max(corners[0].y, corners[1].y)))
            ])
            let q = view.toView(x: Double(point.x), y: Double(point.y))
            perViewPoints.append([Keypoint(x: Float(q.x), y: Float(q.y))])
        }
        let boxes = try out.mergeBoxes(perViewBoxes)
        let back = boxes[0][0]
        #expect(
            abs(back.x0 - box.x0) < 1e-4 && abs(back.y0 - box.y0) < 1e-4 && abs(back.x1 - box.x1) < 1e-4
                && abs(back.y1 - box.y1) < 1e-4)
        let points = try out.mergeKeypoints(perViewPoints)
        #expect(abs(points[0][0].x - point.x) < 1e-4 && abs(points[0][0].y - point.y) < 1e-4 && points[0][0].visible)
        // hflip maps x to W - x.
        #expect(out.views[1].toView(x: 3, y: 4) == (x: 27, y: 4))
        #expect(throws: AugmentError.self) { try out.mergeBoxes([[box]]) }
    }

    @Test func badSetsAreClearErrors() throws {
        let wide = try ImageBatch.random(
            count: 1, geometry: ImageGeometry(height: 6, width: 8, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        #expect(throws: AugmentError.self) {
            try TestTimeAugmentation([.identity, .rot90(k: 1)]).apply(to: wide, on: CPUBackend())
        }
        #expect(throws: AugmentError.self) {
            try TestTimeAugmentation([.fiveCrop(height: 7, width: 2)]).apply(to: wide, on: CPUBackend())
        }
        #expect(throws: AugmentError.self) { try TestTimeAugmentation([]) }
        #expect(throws: AugmentError.self) { try TestTimeAugmentation([.scales([0])]) }
        #expect(throws: AugmentError.self) { try TestTimeAugmentation([.fiveCrop(height: 0, width: 2)]) }
        #expect(throws: AugmentError.self) { try TestTimeViewSpec.parseList("identity,rot90:x") }
        #expect(
            try TestTimeViewSpec.parseList("identity, hflip,rot90:3,five_crop:4x5,ten_crop:3:vflip,scales:0.5/2")
                == [
                    .identity, .hflip, .rot90(k: 3), .fiveCrop(height: 4, width: 5),
                    .tenCrop(height: 3, width: 3, verticalFlip: true), .scales([0.5, 2]),
                ])
        let out = try TestTimeAugmentation([.identity, .hflip]).apply(to: wide, on: CPUBackend())
        #expect(throws: AugmentError.self) { try out.mergeMaps([1, 2, 3], channels: 2) }
        #expect(throws: AugmentError.self) { try out.mergeMaps([], channels: 0) }
    }
}
