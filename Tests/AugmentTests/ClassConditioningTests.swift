import Foundation
import Testing
@testable import Augment

/// Class-conditioned probabilities and magnitudes: per-class values hit, class_balanced's formula,
/// missing labels, bad input, and exact replay.
@Suite struct ClassConditioningTests {
    func parse(_ json: String) throws -> Pipeline {
        try PipelineFile.parse(Data(json.utf8)).pipeline
    }

    func batch(_ ids: [Int], classes: Int, size: Int = 6) throws -> AugmentBatch {
        let images = try ImageBatch.random(
            count: ids.count, geometry: ImageGeometry(height: size, width: size, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 3)
        return try AugmentBatch(images: images, labels: LabelBatch(classIDs: ids, classCount: classes))
    }

    @Test func anyOpsProbabilityIsLookedUpPerClass() throws {
        // Class 0 never flips, class 1 always, class 2 half the time.
        let pipeline = try parse(#"{"ops": [{"op": "random_horizontal_flip", "p": {"by_class": [0, 1, 0.5]}}]}"#)
        let wrapper = try #require(pipeline.transforms.first as? ClassConditionedApply)
        #expect(wrapper.ops.first is RandomHorizontalFlip && wrapper.p == .byClass([0, 1, 0.5]))
        let ids = (0..<3000).map { $0 % 3 }
        let input = try batch(ids, classes: 3, size: 2)
        let sampled = try pipeline.sample(for: input, seed: 9)
        let drawn = try #require(sampled.ops[0].parameters as? [ClassConditionedParameters])
        var applied = [0, 0, 0]
        for (n, p) in drawn.enumerated() {
            #expect(p.classID == ids[n] && p.p == [0, 1, 0.5][ids[n]])
            if p.applied { applied[ids[n]] += 1 }
        }
        #expect(applied[0] == 0 && applied[1] == 1000 && abs(applied[2] - 500) < 60)
        // The pixels: class 1 samples are mirrored, class 0 samples untouched.
        let out = try CPUBackend().run(sampled.plan(for: input.images), on: input)
        let a = try #require(input.images.float32Values), b = try #require(out.images.float32Values)
        #expect(Array(b[0..<12]) == Array(a[0..<12]))  // sample 0 (class 0)
        #expect(b[12] == a[13] && b[13] == a[12])  // sample 1 (class 1), first row swapped
    }

    @Test func softLabelsUseTheirArgmaxAndNestedOpsSeeTheClass() throws {
        let labels = try LabelBatch(softLabels: [0.2, 0.7, 0.1, 0.6, 0.2, 0.2], count: 2, classCount: 3)
        #expect(labels.classIDs == [1, 0])
        let pipeline = try parse(
            #"{"ops": [{"op": "random_apply", "p": 1, "ops": [{"op": "random_invert", "p": {"by_class": [0, 1, 0]}}]}]}"#
        )
        let images = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 3, width: 3, channels: 3), pixelType: .float32,
            layout: .nchw, seed: 1)
        let input = try AugmentBatch(images: images, labels: labels)
        let out = try CPUBackend().run(pipeline.sample(for: input, seed: 2).plan(for: images), on: input)
        let a = try #require(images.float32Values), b = try #require(out.images.float32Values)
        #expect(b[0] == 1 - a[0] && b[27] == a[27])  // sample 0 is class 1 (inverted), sample 1 class 0
    }

    @Test func classBalancedIsLinearInLogInverseFrequency() throws {
        let value = ClassValue.classBalanced(counts: [1000, 100, 10], min: 0.1, max: 0.9)
        let v = value.perClass
        #expect(v[0] == 0.1 && abs(v[1] - 0.5) < 1e-12 && abs(v[2] - 0.9) < 1e-12)
        #expect(ClassValue.classBalanced(counts: [5, 5], min: 0.2, max: 0.8).perClass == [0.2, 0.2])
        let parsed = try ClassValue.parse(
            ["class_balanced": ["counts": [50, 5], "min": 0, "max": 1]], op: "t", argument: "p", range: 0...1)
        #expect(parsed.perClass == [0, 1])
    }

    @Test func randAugmentMagnitudePerClassIsRecordedAndReplayedExactly() throws {
        let pipeline = try parse(
            #"{"ops": [{"op": "rand_augment", "num_ops": 2, "magnitude": {"class_balanced": {"counts": [900, 30, 1], "min": 2, "max": 28}}}]}"#
        )
        let op = try #require(pipeline.transforms.first as? RandAugment)
        let bins = try #require(op.magnitudeByClass).perClass.map(RandAugment.bin)
        #expect(bins == [2, 15, 28])  // 2 + 26 * ln(30)/ln(900) = 15.0
        let ids = [0, 1, 2, 2, 1, 0, 2, 1]
        let input = try batch(ids, classes: 3, size: 12)
        let sampled = try pipeline.sample(for: input, seed: 4)
        let drawn = try #require(sampled.ops[0].parameters as? [PolicyParameters])
        let space = AugmentationSpace.randAugment
        for (n, p) in drawn.enumerated() {
            #expect(p.classID == ids[n] && p.magnitudeBin == bins[ids[n]])
            for o in p.ops {
                if let table = space.magnitudes(o.op, bins: 31, height: 12, width: 12).values {
                    #expect(abs(o.magnitude) == table[bins[ids[n]]], "\(o)")
                }
            }
        }
        let record = try ParameterRecord.encode(sampled, seed: 4, epoch: 0, firstSampleIndex: 0)
        #expect(String(decoding: record, as: UTF8.self).contains("\"magnitude_bin\""))
        let replayed = try ParameterRecord.decode(record, for: pipeline)
        let a = try CPUBackend().run(sampled.plan(for: input.images), on: input)
        let b = try CPUBackend().run(replayed.plan(for: input.images), on: input)
        #expect(a.images.float32Values == b.images.float32Values)
        // A record whose bin does not match the class is refused.
        var tampered = drawn
        tampered[0].magnitudeBin = 3
        let bad = SampledPipeline(
            pipeline: pipeline, count: ids.count, inputGeometry: input.images.geometry,
            ops: [SampledOp(op, parameters: tampered)])
        #expect { try bad.plan(for: input.images) } throws: { "\($0)".contains("magnitude bin") }
    }

    @Test func replayOfClassConditionedProbabilityIsExact() throws {
        let pipeline = try parse(
            #"{"ops": [{"op": "random_grayscale", "p": {"class_balanced": {"counts": [100, 3], "min": 0.1, "max": 0.9}}}]}"#
        )
        let input = try batch([0, 1, 1, 0, 1], classes: 2)
        let sampled = try pipeline.sample(for: input, seed: 6)
        let record = try ParameterRecord.encode(sampled, seed: 6, epoch: 0, firstSampleIndex: 0)
        let replayed = try ParameterRecord.decode(record, for: pipeline)
        let drawn = try #require(replayed.ops[0].parameters as? [ClassConditionedParameters])
        #expect(drawn.map(\.p) == [0.1, 0.9, 0.9, 0.1, 0.9])
        let a = try CPUBackend().run(sampled.plan(for: input.images), on: input)
        let b = try CPUBackend().run(replayed.plan(for: input.images), on: input)
        #expect(a.images.float32Values == b.images.float32Values)
    }

    @Test func missingLabelsAreAnErrorThatSaysSo() throws {
        for json in [
            #"{"ops": [{"op": "random_vertical_flip", "p": {"by_class": [0.5, 0.5]}}]}"#,
            #"{"ops": [{"op": "rand_augment", "magnitude": {"by_class": [1, 2]}}]}"#,
        ] {
            let pipeline = try parse(json)
            let images = try ImageBatch.random(
                count: 2, geometry: ImageGeometry(height: 4, width: 4, channels: 3), pixelType: .uint8,
                layout: .nhwc, seed: 1)
            #expect {
                try pipeline.sample(for: images, seed: 1).plan(for: images)
            } throws: { "\($0)".contains("no labels") && "\($0)".contains("per class") }
            // A class without a value is an error too.
            let input = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 4], classCount: 5))
            #expect { try pipeline.sample(for: input, seed: 1).plan(for: images) } throws: {
                "\($0)".contains("class 4")
            }
        }
    }

    @Test func badClassValuesNameTheOpAndArgument() throws {
        let cases: [(String, String)] = [
            (#"{"op": "random_invert", "p": {"by_class": [0.5, 1.5]}}"#, "class 1"),
            (#"{"op": "random_invert", "p": {"by_class": []}}"#, "by_class"),
            (#"{"op": "random_invert", "p": {"by_class": [0.5, "x"]}}"#, "not a number"),
            (
                #"{"op": "random_invert", "p": {"class_balanced": {"counts": [10, 0], "min": 0, "max": 1}}}"#,
                "counts[1]"
            ),
            (
                #"{"op": "random_invert", "p": {"class_balanced": {"counts": [10, -3], "min": 0, "max": 1}}}"#,
                "counts[1]"
            ),
            (#"{"op": "random_invert", "p": {"class_balanced": {"counts": [10, 3], "min": 0, "max": 2}}}"#, "max 2"),
            (#"{"op": "random_invert", "p": {"class_balanced": {"counts": [10, 3], "min": 0}}}"#, "max"),
            (#"{"op": "random_invert", "p": {"per_class": [0.5]}}"#, "per_class"),
            (#"{"op": "rand_augment", "magnitude": {"by_class": [3, 31]}}"#, "magnitude"),
            (#"{"op": "hflip", "p": {"by_class": [0.5]}}"#, "p"),
        ]
        for (json, fragment) in cases {
            #expect {
                try parse(#"{"ops": [\#(json)]}"#)
            } throws: { error in
                let message = "\(error)"
                let op =
                    json.contains("rand_augment")
                    ? "rand_augment" : (json.contains("hflip") ? "hflip" : "random_invert")
                return message.contains(op) && message.contains(fragment)
            }
        }
        // NaN cannot be written in JSON; through the library it is refused as well.
        #expect(throws: AugmentError.self) { try ClassConditionedApply([try RandomInvert(p: 1)], p: .byClass([.nan])) }
    }
}
