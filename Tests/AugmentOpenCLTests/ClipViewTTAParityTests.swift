import Foundation
import Testing
@testable import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// Clips, views and test-time augmentation on OpenCL against the CPU reference: the same sampled
/// parameters, outputs poisoned before each run (NaN / 0xCD), float32 within Parity.floatTolerance
/// (1e-5) and uint8 exactly, labels within 1e-5; every plan runs in exactly its stage count of
/// launches.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ClipViewTTAParityTests {
    private func pipeline(_ json: String) throws -> Pipeline {
        try PipelineFile.parse(Data(json.utf8), name: "parity.json").pipeline
    }

    /// Runs `plan` on both backends with poisoned outputs and compares; returns the OpenCL launches.
    @discardableResult
    private func expectSame(_ plan: Plan, _ input: AugmentBatch, _ label: String) throws -> Int {
        let options = RunOptions(poisonOutputs: true)
        let reference = try CPUBackend().run(plan, on: input, options: options)
        let (candidate, timing) = try Shared.backend().runProfiled(plan, on: input, options: options)
        let result = Parity.compare(reference.images, candidate.images)
        #expect(result.passed, "\(label): \(result)")
        if case .float32(let values) = reference.images.pixels {
            #expect(!values.contains { $0.isNaN }, "\(label): CPU output still holds poison")
        }
        #expect(
            timing.launches >= plan.stages.count,
            "\(label): \(timing.launches) launches for \(plan.stages.count) stages")
        #expect((reference.labels == nil) == (candidate.labels == nil))
        if let a = reference.labels, let b = candidate.labels {
            let difference = zip(a.values, b.values).map { Double(abs($0 - $1)) }.max() ?? 0
            #expect(difference <= Parity.floatTolerance, "\(label) labels: \(difference)")
        }
        return timing.launches
    }

    @Test(arguments: [(PixelType.uint8, ImageLayout.nhwc), (.float32, .nhwc), (.float32, .nchw)])
    func clipsMatchTheCPUReference(_ format: (PixelType, ImageLayout)) throws {
        let p = try pipeline(
            """
            {"ops": [{"op": "random_resized_crop", "size": 14, "scale": [0.3, 1.0]},
                     {"op": "random_horizontal_flip"},
                     {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1, "per_frame": true},
                     {"op": "gaussian_blur", "kernel_size": 5, "sigma": [0.1, 2.0]},
                     {"op": "cutmix", "alpha": 1.0, "num_classes": 3},
                     {"op": "normalize", "mean": [0.5], "std": [0.25]}]}
            """)
        let frames = try ImageBatch.random(
            count: 3 * 4, geometry: ImageGeometry(height: 19, width: 23, channels: 3),
            pixelType: format.0, layout: format.1, seed: 17)
        let clips = try ClipBatch(
            frames: frames, frameCount: 4, labels: LabelBatch(classIDs: [0, 1, 2], classCount: 3))
        let plan = try p.sample(for: clips, seed: 8, firstClipIndex: 5).plan(for: clips.frames)
        let labels = try clips.labels!.gather((0..<12).map { $0 / 4 })
        let launches = try expectSame(plan, AugmentBatch(images: clips.frames, labels: labels), "clips \(format)")
        // As many launches as the same pipeline on the N x T frames as an image batch, but for the
        // antialiased warp's launches per pair of tap counts, which follow the sampled crops.
        let imagePlan = try p.sample(for: clips.frames, seed: 8).plan(for: clips.frames)
        let (_, imageTiming) = try Shared.backend().runProfiled(
            imagePlan, on: AugmentBatch(images: clips.frames, labels: labels))
        func tapGroupLaunches(_ plan: Plan) -> Int {
            plan.stages.compactMap { $0.as(WarpStage.self)?.tapCountLaunches }.reduce(0) { $0 + $1 - 1 }
        }
        #expect(
            launches - tapGroupLaunches(plan) == imageTiming.launches - tapGroupLaunches(imagePlan)
                && plan.stages.count == imagePlan.stages.count)
        // And through the clip API on both backends.
        let cpu = try CPUBackend().apply(p, to: clips, seed: 8, firstClipIndex: 5)
        let gpu = try Shared.backend().apply(p, to: clips, seed: 8, firstClipIndex: 5)
        #expect(Parity.compare(cpu.frames, gpu.frames).passed && cpu.labels?.count == 3)
    }

    @Test func raggedClipsMatchTheCPUReference() throws {
        let sizes = [
            ImageGeometry(height: 21, width: 30, channels: 3), ImageGeometry(height: 26, width: 17, channels: 3),
        ]
        let count: Int = 3 * (21 * 30 * 3 + 26 * 17 * 3)
        let values: [UInt8] = (0..<count).map { UInt8(($0 * 37) % 256) }
        let clips = try ClipBatch(ragged: .uint8(values), frameCount: 3, geometries: sizes, layout: .nhwc)
        let p = try pipeline(
            #"{"ops": [{"op": "random_resized_crop", "size": 12}, {"op": "random_rotation", "degrees": 20, "per_frame": true}]}"#
        )
        let plan = try p.sample(for: clips, seed: 2).plan(for: clips.frames)
        try expectSame(plan, AugmentBatch(images: clips.frames), "ragged clips")
    }

    @Test func viewsMatchTheCPUReference() throws {
        let file = try PipelineFile.parse(
            Data(
                """
                {"views": [
                  {"name": "global", "count": 2, "ops": [{"op": "random_resized_crop", "size": 16, "scale": [0.4, 1.0]},
                                                         {"op": "random_horizontal_flip"},
                                                         {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.2, "hue": 0.1},
                                                         {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]},
                  {"name": "local", "count": 5, "ops": [{"op": "random_resized_crop", "size": 8, "scale": [0.05, 0.4]},
                                                        {"op": "gaussian_blur", "kernel_size": 3}],
                   "output": {"dtype": "uint8", "layout": "nhwc"}}]}
                """.utf8), name: "views.json")
        let views = try #require(file.views)
        let images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 24, width: 29, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 4)
        for g in views.groups.indices {
            let plan = try views.sample(group: g, for: images, seed: 6, sampleIndices: [7, 8, 9])
                .plan(for: views.replicatedInput(images, group: g))
            try expectSame(
                plan, AugmentBatch(images: views.replicatedInput(images, group: g)), "views \(views.groups[g].name)")
        }
        let cpu = try CPUBackend().apply(views, to: images, seed: 6, firstSampleIndex: 7)
        let gpu = try Shared.backend().apply(views, to: images, seed: 6, firstSampleIndex: 7)
        #expect(zip(cpu, gpu).allSatisfy { Parity.compare($0.batch.images, $1.batch.images).passed })
    }

    @Test(arguments: [
        "identity,hflip,vflip,rot90:1,rot90:2,rot90:3",
        "ten_crop:9x7",
        "five_crop:6x6,five_crop:6",
        "identity,scales:0.6/1.3/2",
    ])
    func testTimeViewsMatchTheCPUReference(_ list: String) throws {
        let tta = try TestTimeAugmentation(
            TestTimeViewSpec.parseList(list), output: .float32NCHW,
            normalize: Normalize(mean: [0.4], std: [0.3]))
        for pixelType in [PixelType.uint8, .float32] {
            let images = try ImageBatch.random(
                count: 2, geometry: ImageGeometry(height: 15, width: 15, channels: 3),
                pixelType: pixelType, layout: pixelType == .uint8 ? .nhwc : .nchw, seed: 3)
            let (plan, input, _) = try tta.plan(for: images)
            #expect(plan.stages.count == 1, "\(list): one warp pass")
            let launches = try expectSame(plan, AugmentBatch(images: input), "tta \(list) \(pixelType)")
            // One pass: one launch, or two when a pixel-moving set mirrors some views left-right
            // (warp_remap launches once per column direction).
            #expect(
                launches == 1
                    || (launches == 2
                        && plan.stages.allSatisfy { $0.is(RemapStage.self) })
            )
        }
    }
}
