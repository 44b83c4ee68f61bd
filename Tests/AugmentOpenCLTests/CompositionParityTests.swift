import Foundation
import Testing
@testable import Augment
import AugmentOpenCL
import AugmentTestSupport
import _AugmentScaffolding

/// Composition ops and the policies on OpenCL: parity with the CPU reference at larger batches,
/// replay, launches, and float16 outputs. (The catalog sweep in WarpParityTests covers every entry
/// on the usual shapes and formats.)
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct CompositionParityTests {
    func pipelines() throws -> [(String, Pipeline)] {
        [
            ("rand_augment", try Pipeline([try RandAugment()])),
            (
                "rand_augment exact_order bilinear fill",
                try Pipeline([
                    try RandAugment(
                        numOps: 3, magnitude: 15, interpolation: .bilinear,
                        fill: [0.1, 0.5, 0.9], exactOrder: true)
                ])
            ),
            ("trivial_augment_wide", try Pipeline([try TrivialAugmentWide()])),
            ("aug_mix", try Pipeline([try AugMix()])),
            (
                "aug_mix exact_order",
                try Pipeline([try AugMix(severity: 6, mixtureWidth: 2, chainDepth: 3, exactOrder: true)])
            ),
            (
                "imagenet with one_of",
                try Pipeline([
                    try RandomResizedCrop(size: [40, 40]), try RandomHorizontalFlip(),
                    try OneOf(
                        [
                            try ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
                            try RandomGrayscale(p: 1),
                            try GaussianBlur(kernelSize: [5], sigma: [0.1, 2]),
                            try RandomSolarize(threshold: 0.5, p: 1),
                        ], p: [4, 1, 1, 1]),
                    try RandomApply([try RandomAffine(degrees: [15], interpolation: .bilinear)], p: 0.3),
                    try Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
                ])
            ),
        ]
    }

    @Test func largerBatchesMatchTheCPUReferenceExactly() throws {
        let input = try SyntheticScenes.batch(count: 24, height: 48, width: 56, seed: 3)
        for (name, pipeline) in try pipelines() {
            for output in [OutputFormat.float32NCHW, .float16NCHW] {
                var p = pipeline
                p.output = output
                let (result, _, _) = try Parity.check(
                    p, on: input, seed: 17, reference: CPUBackend(), candidate: Shared.backend())
                #expect(result.passed && result.maxAbsDifference == 0, "\(name) -> \(output): \(result)")
            }
        }
    }

    @Test func replayedParametersReproduceTheOutputBitForBit() throws {
        let backend = try Shared.backend()
        let input = try SyntheticScenes.batch(count: 12, height: 32, width: 32, seed: 9)
        for (name, pipeline) in try pipelines() {
            let sampled = try pipeline.sample(for: input, seed: 44, epoch: 3, firstSampleIndex: 1000)
            let record = try ParameterRecord.encode(sampled, seed: 44, epoch: 3, firstSampleIndex: 1000)
            let replayed = try ParameterRecord.decode(record, for: pipeline)
            let first = try backend.run(sampled.plan(for: input), on: input)
            let again = try backend.run(replayed.plan(for: input), on: input)
            #expect(first == again, "\(name): replay on OpenCL is bit-identical")
            #expect(
                try CPUBackend().run(replayed.plan(for: input), on: input) == first, "\(name): and equals the CPU run")
        }
    }

    @Test func planAndApplyFromTheCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "augment-compose-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("p.json").path
        try
            #"{"output": {"dtype": "float16"}, "ops": [{"op": "one_of", "ops": [{"op": "hflip"}, {"op": "random_rotation", "degrees": 20}]}, {"op": "rand_augment"}, {"op": "aug_mix", "mixture_width": 2}]}"#
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let plan = try runAugmentCLI(["plan", "--pipeline", pipeline, "--batch", "64", "--size", "32x32"])
        #expect(plan.status == 0, "\(plan.output)")
        #expect(
            plan.output.contains("replicate x3") && plan.output.contains("weighted sum")
                && plan.output.contains("float16"), "\(plan.output)")
        // Record on OpenCL, replay on the CPU: the same float16 bytes.
        let images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 16, width: 16, channels: 3), pixelType: .uint8,
            layout: .nhwc, seed: 2)
        var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 16, 16, 3), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        npy.append(contentsOf: Array(header.utf8))
        npy.append(contentsOf: try #require(images.uint8Values))
        let input = folder.appendingPathComponent("in.npy").path
        try npy.write(to: URL(fileURLWithPath: input))
        let record = folder.appendingPathComponent("params.json").path
        let (a, b) = (folder.appendingPathComponent("a.npy").path, folder.appendingPathComponent("b.npy").path)
        let first = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output", a, "--record", record,
            "--backend", "opencl", "--seed", "5",
        ])
        #expect(first.status == 0, "\(first.output)")
        let second = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output", b, "--replay", record,
            "--backend", "cpu",
        ])
        #expect(second.status == 0, "\(second.output)")
        let (x, y) = (try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(x == y && x.count == 128 + 3 * 3 * 16 * 16 * 2)
    }

    @Test func launchesFollowThePlan() throws {
        let backend = try Shared.backend()
        let input = try SyntheticScenes.batch(count: 64, height: 32, width: 32, seed: 2)
        let plan = try Pipeline([try RandAugment()]).sample(for: input, seed: 5).plan(for: input)
        let (_, timing) = try backend.runProfiled(plan, on: input)
        // Launches per stage: a colour stage 1, plus 2 for its statistics (color_stats_rows,
        // color_stats_finish); a blur openCLLaunches (one pass: blur_strip and blur_strip_edges;
        // wide kernels: one per pass); a warp carrying colour 1, plus 1 for the warp_color_stats
        // pre-pass, except on CPU devices, which split it into the warp, [the colour statistics,]
        // color_apply (with the epilogue) and, for any output but float32 NCHW, a remap
        // (Backend/Warp.swift, docs/architecture.md); any other stage 1. A warp with tap tables
        // launches warp_general once per pair of sample tap counts.
        let splitsWarpColour =
            backend.device.kind == .cpu && ProcessInfo.processInfo.environment["AUGMENT_FUSED_WARP_COLOR"] != "1"
        func warpLaunches(_ warp: WarpStage) -> Int { warp.tapCountLaunches }
        let expected = plan.stages.map { stage -> Int in
            if let colour = stage.as(ColorStage.self) { return colour.needsStatistics ? 3 : 1 }
            if let blur = stage.as(GaussianBlurStage.self) { return blur.openCLLaunches }
            if let warp = stage.as(WarpStage.self), let programs = warp.colorPrograms {
                let statistics = programs.contains { $0.contains { $0.op.needsStatistic } }
                guard splitsWarpColour else { return warpLaunches(warp) + (statistics ? 1 : 0) }
                return warpLaunches(warp) + 1 + (warp.outputFormat == .float32NCHW ? 0 : 1) + (statistics ? 2 : 0)
            }
            if let warp = stage.as(WarpStage.self) { return warpLaunches(warp) }
            return 1
        }.reduce(0, +)
        #expect(timing.launches == expected, "\(plan.summary)")
        #expect(plan.stages.filter { $0.family == "warp" }.count == 1)
    }
}
