import Foundation
import Testing
@testable import Augment

/// random_dropout on the CPU backend: which pixels drop (the noise word rule, exact), patch boxes,
/// depth maps (float32 metres), arguments and errors.
@Suite struct DropoutTests {
    static let geometry = ImageGeometry(height: 40, width: 50, channels: 2)

    @Test func pixelModeDropsTheWordsBelowTheThreshold() throws {
        let input = try ImageBatch.random(
            count: 3, geometry: Self.geometry, pixelType: .float32, layout: .nchw, seed: 6)
        let values = try #require(input.float32Values)
        let op = try RandomDropout(mode: .pixels, p: 0.3, value: -1)
        let out = try #require(
            try CPUBackend().apply(Pipeline([op]), to: input, seed: 11, epoch: 2, firstSampleIndex: 7).float32Values)
        let plane = 40 * 50
        let threshold = UInt32((0.3 * 0x1p24).rounded(.up))
        var dropped = 0
        for n in 0..<3 {
            let key = NoiseKey(RandomKey(seed: 11, epoch: 2, sampleIndex: UInt64(7 + n), opIndex: 0))
            for pixel in 0..<plane {
                let drop = CPUDropout.dropped(key, threshold: threshold, pixel: pixel)
                dropped += drop ? 1 : 0
                for c in 0..<2 {
                    let i = (n * 2 + c) * plane + pixel
                    #expect(out[i] == (drop ? -1 : values[i]))
                }
            }
        }
        let fraction = Double(dropped) / Double(3 * plane)
        #expect(abs(fraction - 0.3) < 0.02, "dropped \(fraction)")
        #expect(try CPUBackend().apply(Pipeline([RandomDropout(p: 0)]), to: input, seed: 1) == input)
        let all = try #require(
            try CPUBackend().apply(Pipeline([RandomDropout(p: 1, value: 0.25)]), to: input, seed: 1).float32Values)
        #expect(all.allSatisfy { $0 == 0.25 })
    }

    @Test func patchModeFillsTheRecordedBoxes() throws {
        let depth = try ImageBatch(
            float32NCHW: (0..<(2 * 30 * 20)).map { 0.5 + Float($0 % 97) * 0.05 }, count: 2, channels: 1,
            height: 30, width: 20)  // metres
        let op = try RandomDropout(mode: .patches, numPatches: [2, 3], patchSize: [3, 9])
        let sampled = try Pipeline([op]).sample(count: 2, geometry: depth.geometry, seed: 5)
        let params = try #require(sampled.ops[0].parameters as? [RandomDropoutParameters])
        let out = try #require(
            try CPUBackend().run(sampled.plan(for: depth), on: AugmentBatch(images: depth)).images.float32Values)
        let values = try #require(depth.float32Values)
        for n in 0..<2 {
            #expect((2...3).contains(params[n].patches.count))
            for y in 0..<30 {
                for x in 0..<20 {
                    let inside = params[n].patches.contains { x >= $0[0] && y >= $0[1] && x < $0[2] && y < $0[3] }
                    let i = n * 600 + y * 20 + x
                    #expect(out[i] == (inside ? 0 : values[i]))
                }
            }
            for box in params[n].patches {
                #expect((1...9).contains(box[2] - box[0]) && (1...9).contains(box[3] - box[1]))
            }
        }
    }

    @Test func argumentsAndErrors() throws {
        let file =
            #"{"ops": [{"op": "random_dropout", "mode": "patches", "num_patches": [1, 2], "patch_size": 5, "value": 0}]}"#
        let op = try #require(try PipelineFile.parse(Data(file.utf8)).pipeline.transforms.first as? RandomDropout)
        #expect(op.mode == .patches && op.numPatches == [1, 2] && op.patchSize == [5, 5])
        #expect(throws: AugmentError.self) { try RandomDropout(p: 1.5) }
        #expect(throws: AugmentError.self) { try RandomDropout(numPatches: [3, 1]) }
        #expect(throws: AugmentError.self) { try RandomDropout(patchSize: [0]) }
        #expect(throws: AugmentError.self) { try RandomDropout(value: .nan) }
        #expect(throws: AugmentError.self) {
            try PipelineFile.parse(Data(#"{"ops": [{"op": "random_dropout", "mode": "holes"}]}"#.utf8))
        }
        #expect(throws: AugmentError.self) {
            try op.validate(
                RandomDropoutParameters(noise: nil, patches: [[0, 0, 99, 1]]),
                for: ImageGeometry(height: 4, width: 4, channels: 1))
        }
    }
}

/// Depth maps (`"input": "depth"`): colour ops are refused by name, also nested; geometric ops,
/// noise and random_dropout are accepted.
@Suite struct DepthInputTests {
    @Test func colourOpsAreRefusedOnDepth() throws {
        let accepted =
            #"{"input": "depth", "ops": [{"op": "random_resized_crop", "size": 16}, {"op": "gaussian_noise", "sigma": 0.01, "clip": false}, {"op": "random_dropout", "mode": "patches"}]}"#
        #expect(try PipelineFile.parse(Data(accepted.utf8)).pipeline.transforms.count == 3)
        for op in [
            "{\"op\": \"color_jitter\", \"brightness\": 0.4}", "{\"op\": \"adjust_gamma\", \"gamma\": 2}",
            "{\"op\": \"random_apply\", \"ops\": [{\"op\": \"equalize\"}]}",
        ] {
            do {
                _ = try PipelineFile.parse(Data("{\"input\": \"depth\", \"ops\": [\(op)]}".utf8))
                Issue.record("accepted on depth: \(op)")
            } catch {
                #expect("\(error)".contains("depth") && "\(error)".contains("colour"), "\(error)")
            }
        }
        // The same op is fine on images.
        #expect(
            try PipelineFile.parse(Data(#"{"ops": [{"op": "color_jitter", "brightness": 0.4}]}"#.utf8)).pipeline
                .transforms.count == 1)
    }
}
