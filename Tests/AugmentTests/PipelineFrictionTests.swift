import Foundation
import Testing
@testable import Augment

/// What a user translating a torchvision v2 Compose meets, and the fuzzer's crashes, as regression tests.
@Suite struct PipelineFrictionTests {
    private func parse(_ json: String) throws -> PipelineFile {
        try PipelineFile.parse(Data(json.utf8), name: "p.json")
    }

    private func message(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "(parsed)"
        } catch {
            return "\(error)"
        }
    }

    @Test func torchvisionSpellingsParseOrGetSuggestions() throws {
        let applied = try parse(#"{"ops": [{"op": "random_apply", "p": 0.8, "transforms": [{"op": "hflip"}]}]}"#)
        let randomApply = try #require(applied.pipeline.transforms.first as? RandomApply)
        #expect(randomApply.p == 0.8 && randomApply.ops.map(\.opName) == ["hflip"])
        #expect(
            message(#"{"ops": [{"op": "RandomResizedCrop", "size": 224}]}"#).contains(
                "(did you mean 'random_resized_crop'?)"))
        #expect(message(#"{"ops": [{"op": "RandomChoice", "transforms": []}]}"#).contains("(did you mean 'one_of'?)"))
        #expect(message(#"{"ops": [{"op": "ToTensor"}]}"#).contains("conversions are the pipeline's \"output\" format"))
        let crop = try #require(
            try parse(#"{"ops": [{"op": "center_crop", "size": 224}]}"#).pipeline.transforms.first as? CenterCrop)
        #expect(crop.height == 224 && crop.width == 224)
        let box = try #require(
            try parse(#"{"ops": [{"op": "center_crop", "size": [100, 50]}]}"#).pipeline.transforms.first as? CenterCrop)
        #expect(box.height == 100 && box.width == 50)
        #expect(
            message(#"{"ops": [{"op": "random_apply", "p": 0.5}]}"#).contains(
                "torchvision's \"transforms\" is read as \"ops\""))
    }

    @Test func messagesStateScalesAndRangesAsPeopleWriteThem() {
        let solarize = message(#"{"ops": [{"op": "solarize", "threshold": 128}]}"#)
        #expect(
            solarize.contains("'threshold' = 128 ") && solarize.contains("pixel values are on [0, 1]")
                && solarize.contains("128 -> 0.502"), "\(solarize)")
        #expect(
            message(#"{"ops": [{"op": "adjust_brightness", "brightness_factor": -1}]}"#)
                .hasSuffix("argument 'brightness_factor' = -1 is out of range; allowed: a number >= 0"))
        #expect(!message(#"{"ops": [{"op": "adjust_brightness", "brightness_factor": -1}]}"#).contains("e+38"))
        #expect(
            message(#"{"ops": [{"op": "rand_augment", "num_ops": 2.5}]}"#)
                == "rand_augment (ops[0]): argument 'num_ops' has the wrong type; expected a whole number (got 2.5)")
    }

    @Test func nullForAnOptionalArgumentIsTheDefault() throws {
        let blur = try #require(
            try parse(#"{"ops": [{"op": "gaussian_blur", "kernel_size": 5, "sigma": null}]}"#).pipeline.transforms.first
                as? GaussianBlur)
        #expect(blur.sigma == nil && blur.sigmaXY == nil)
        #expect(message(#"{"ops": [{"op": "hflip", "flavour": null}]}"#).contains("unknown argument 'flavour'"))
    }

    @Test func gaussianBlurSaysWhichTorchvisionMeaningItUses() throws {
        let functional = try #require(
            try parse(#"{"ops": [{"op": "gaussian_blur", "kernel_size": 5, "sigma_xy": [0.5, 2]}]}"#)
                .pipeline.transforms.first as? GaussianBlur)
        var random = RandomStream(RandomKey(seed: 1, sampleIndex: 0, opIndex: 0))
        #expect(
            functional.sampleParameters(for: ImageGeometry(height: 8, width: 8, channels: 3), random: &random)
                == GaussianBlurParameters(sigmaX: 0.5, sigmaY: 2))
        let range = try #require(
            try parse(#"{"ops": [{"op": "gaussian_blur", "kernel_size": 5, "sigma": [0.1, 2.0]}]}"#)
                .pipeline.transforms.first as? GaussianBlur)
        let drawn = range.sampleParameters(for: ImageGeometry(height: 8, width: 8, channels: 3), random: &random)
        #expect(drawn.sigmaX == drawn.sigmaY && (0.1...2.0).contains(drawn.sigmaX ?? -1))
        #expect(
            message(#"{"ops": [{"op": "gaussian_blur", "kernel_size": 5, "sigma": 1, "sigma_xy": [1, 2]}]}"#).contains(
                "not both"))
        // The record round-trips sigma_xy.
        let encoded = try JSONEncoder().encode(functional)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"sigma_xy\":[0.5,2]"))
    }

    @Test func theLargestSeedIsAccepted() throws {
        #expect(try parse(#"{"seed": 18446744073709551615, "ops": []}"#).seed == UInt64.max)
        #expect(message(#"{"seed": 18446744073709551616, "ops": []}"#).contains("2^64 - 1"))
        #expect(message(#"{"seed": -1, "ops": []}"#).contains("a whole number from 0 to 18446744073709551615"))
    }

    @Test func nestingAndSizeLimitsHaveTheirOwnMessages() throws {
        func nested(_ depth: Int) -> String {
            var op = #"{"op": "hflip"}"#
            for _ in 0..<depth { op = #"{"op": "compose", "ops": [\#(op)]}"# }
            return #"{"ops": [\#(op)]}"#
        }
        _ = try parse(nested(PipelineFile.maxNestingDepth))
        for depth in [PipelineFile.maxNestingDepth + 1, 300] {
            let text = message(nested(depth))
            #expect(
                text.contains("ops nest deeper than the limit of 32 levels") && !text.contains("not valid JSON"),
                "\(text)")
        }
        let many = #"{"ops": ["# + Array(repeating: #"{"op": "hflip"}"#, count: 257).joined(separator: ",") + "]}"
        #expect(message(many).contains("the pipeline has 257 ops (nested ones included), more than the limit of 256"))
        // Wide and deep at once: every op is read once, so this 30-level file with 300 ops parses.
        var op = #"{"op": "hflip"}"#
        for _ in 0..<30 {
            op =
                #"{"op": "compose", "ops": [\#(op), {"op": "vflip"}, {"op": "invert"}, {"op": "hflip"}, {"op": "equalize"}, {"op": "vflip"}, {"op": "invert"}, {"op": "hflip"}]}"#
        }
        #expect(PipelineFile.countOps([try JSONSerialization.jsonObject(with: Data(op.utf8))]) == 241)
        #expect(try parse(#"{"ops": [\#(op)]}"#).pipeline.transforms.count == 1)
    }

    @Test func policyBinsHaveAnUpperBound() {
        for name in ["rand_augment", "trivial_augment_wide"] {
            let text = message(#"{"ops": [{"op": "\#(name)", "num_magnitude_bins": 9007199254740993}]}"#)
            #expect(text.contains("allowed: an integer in [2, 1024]"), "\(text)")
            #expect(message(#"{"ops": [{"op": "\#(name)", "num_magnitude_bins": 2147483647}]}"#).contains("[2, 1024]"))
        }
    }

    @Test func theCPUBackendRefusesOutputsOpenCLWouldRefuse() throws {
        let small = try ImageBatch(
            uint8NHWC: [UInt8](repeating: 7, count: 12), count: 1, height: 2, width: 2, channels: 3)
        let resize = try parse(#"{"ops": [{"op": "resize", "size": [100000, 100000]}]}"#).pipeline
        let plan = try resize.sample(for: small, seed: 0).plan(for: small)
        do {
            _ = try CPUBackend().run(plan, on: AugmentBatch(images: small))
            Issue.record("a 100000x100000 float output must be refused")
        } catch let error as AugmentError {
            #expect("\(error)".contains("would allocate 120000000000 bytes"), "\(error)")
        }
        let line = try ImageBatch(
            uint8NHWC: [UInt8](repeating: 7, count: 100_000), count: 1, height: 1, width: 100_000, channels: 1)
        let rotate = try parse(#"{"ops": [{"op": "rotate", "angle": 45, "expand": true}]}"#).pipeline
        let rotated = try rotate.sample(for: line, seed: 0).plan(for: line)
        #expect(throws: AugmentError.self) { try CPUBackend().run(rotated, on: AugmentBatch(images: line)) }
        // The limit is a parameter: a 2x2 output of 48 bytes passes 48 and fails 47.
        let copy = try Pipeline([]).sample(for: small, seed: 0).plan(for: small)
        #expect(try CPUBackend(maxBufferBytes: 48).run(copy, on: AugmentBatch(images: small)).images.count == 1)
        #expect(throws: AugmentError.self) {
            try CPUBackend(maxBufferBytes: 47).run(copy, on: AugmentBatch(images: small))
        }
        // Sizes beyond 2^20 are refused when parsed.
        #expect(message(#"{"ops": [{"op": "resize", "size": [2000000, 10]}]}"#).contains("integers in [1, 1048576]"))
    }
}

@Suite struct PipelineWarningTests {
    @Test func colourAfterNormalizeIsReported() throws {
        let pipeline = try PipelineFile.parse(
            Data(
                #"{"ops": [{"op": "normalize", "mean": [0.5], "std": [0.2]}, {"op": "hflip"}, {"op": "adjust_brightness", "brightness_factor": 1.2}]}"#
                    .utf8)
        ).pipeline
        #expect(pipeline.warnings.count == 1)
        #expect(pipeline.warnings.first?.hasPrefix("ops[2] (adjust_brightness) comes after normalize (ops[0])") == true)
        let fine = try PipelineFile.parse(
            Data(
                #"{"ops": [{"op": "adjust_brightness", "brightness_factor": 1.2}, {"op": "normalize", "mean": [0.5], "std": [0.2]}]}"#
                    .utf8)
        ).pipeline
        #expect(fine.warnings.isEmpty)
    }
}

@Suite struct PlanLimitTests {
    @Test func aPlanOfMoreThan128PassesIsRefusedWithItsOwnMessage() throws {
        let pair = #"{"op": "gaussian_blur", "kernel_size": 3, "sigma": 1}, {"op": "equalize"}"#
        let images = try ImageBatch(
            uint8NHWC: [UInt8](repeating: 9, count: 8 * 8 * 3), count: 1, height: 8, width: 8, channels: 3)
        let short = try PipelineFile.parse(
            Data((#"{"ops": ["# + Array(repeating: pair, count: 10).joined(separator: ",") + "]}").utf8)
        ).pipeline
        #expect(try short.sample(for: images, seed: 0).plan(for: images).stages.count >= 20)
        let long = try PipelineFile.parse(
            Data((#"{"ops": ["# + Array(repeating: pair, count: 100).joined(separator: ",") + "]}").utf8)
        ).pipeline
        do {
            _ = try long.sample(for: images, seed: 0).plan(for: images)
            Issue.record("200 passes must be refused")
        } catch let error as AugmentError {
            #expect("\(error)".contains("more than the limit of 128"), "\(error)")
        }
    }
}
