import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// compose, random_apply, one_of and some_of on the CPU reference: masked lowering against direct
/// lowering, statistics of the per-sample choices, pass counts, replay and errors.
@Suite struct CompositionTests {
    let cpu = CPUBackend()
    let geometry = ImageGeometry(height: 13, width: 11, channels: 3)

    func run(_ sampled: SampledPipeline, _ images: ImageBatch) throws -> ImageBatch {
        try cpu.run(sampled.plan(for: images), on: images)
    }

    /// A sampled one-op pipeline with explicit parameters (the child's values, as its own type).
    func direct<T: Transform>(
        _ transform: T, _ values: [ChildParameters], images: ImageBatch, output: OutputFormat
    ) throws -> ImageBatch {
        let typed = try values.map { try $0.value(as: T.Parameters.self) }
        let pipeline = try Pipeline([transform], output: output)
        let sampled = SampledPipeline(
            pipeline: pipeline, inputGeometries: images.sampleGeometries, ragged: false,
            ops: [SampledOp(transform, parameters: typed)])
        return try run(sampled, images)
    }

    /// Applies `op` through random_apply with p = 0.5 and p = 1 and checks every sample against the
    /// op applied directly with the same parameters (or the untouched input). Returns false when the
    /// op is refused as a per-sample child (the error must say so); throws when the op does not
    /// apply to this input at all.
    func checkMasking(_ op: any Transform, geometry: ImageGeometry, pixelType: PixelType, label: String) throws -> Bool
    {
        let images = try ImageBatch.random(count: 6, geometry: geometry, pixelType: pixelType, layout: .nhwc, seed: 5)
        let output = OutputFormat.float32NCHW
        let all = try RandomApply([op], p: 1).sampleBatchParameters(
            SamplingContext(count: 6, geometry: geometry, seed: 3, epoch: 0, firstSampleIndex: 0, opIndex: 0))
        let values = try all.map { try #require($0.children[0]) }
        let expected = try direct(op, values, images: images, output: output)
        let identity = try cpu.apply(Pipeline([], output: output), to: images, seed: 0)
        let sampled = try Pipeline([try RandomApply([op], p: 0.5)], output: output).sample(for: images, seed: 3)
        let drawn = try #require(sampled.ops[0].parameters as? [CompositeParameters])
        let result: ImageBatch
        do {
            result = try run(sampled, images)
        } catch let error as AugmentError {
            #expect(error.description.contains("cannot be applied to some samples only"), "\(label): \(error)")
            return false
        }
        let per = geometry.elementCount
        let (got, want, same) = try (
            #require(result.float32Values), #require(expected.float32Values), #require(identity.float32Values)
        )
        #expect(Set(drawn.map { $0.children[0] == nil }).count == 2, "\(label): both outcomes occur")
        for n in 0..<6 {
            let reference = drawn[n].children[0] == nil ? same : want
            let difference = (n * per..<(n + 1) * per).map { abs(got[$0] - reference[$0]) }.max() ?? 0
            #expect(
                difference <= 1e-6,
                "\(label) \(geometry) sample \(n) applied=\(drawn[n].children[0] != nil): \(difference)")
        }
        // p = 1: the whole batch equals the direct lowering.
        let always = try Pipeline([RandomApply([op], p: 1)], output: output).sample(for: images, seed: 3)
        let full = try #require(run(always, images).float32Values)
        #expect(zip(full, want).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(label): p = 1")
        return true
    }

    /// Every single-op catalog entry that keeps the image size, applied to some samples only.
    @Test func maskedLoweringMatchesDirectLoweringForEveryCatalogOp() throws {
        var checked: [String] = []
        var refused: [String] = []
        for entry in TransformCatalog.entries where entry.labelClasses == nil && !entry.isSignal {
            for geometry in [geometry, ImageGeometry(height: 9, width: 9, channels: 1)] where entry.supports(geometry) {
                var random = RandomStream(RandomKey(seed: 11, sampleIndex: 0, opIndex: 2))
                let pipeline = try entry.makePipeline(geometry, &random)
                guard pipeline.transforms.count == 1, let op = pipeline.transforms.first,
                    !(op is Normalize || op is AugMix), (try? op.outputGeometry(for: geometry)) == geometry
                else { continue }
                let pixelType = entry.pixelTypes.contains(.uint8) ? PixelType.uint8 : .float32
                do {
                    if try checkMasking(op, geometry: geometry, pixelType: pixelType, label: entry.name) {
                        checked.append(entry.name)
                    } else {
                        refused.append(entry.name)
                    }
                } catch let error as AugmentError where entry.pixelTypes == [.float32] {
                    _ = error  // a spectrogram op that does not apply to this image
                }
            }
        }
        // color_channels with a selection other than the default channels cannot be re-emitted per
        // sample (the masked effects carry programs, not channels): refused with a reason.
        #expect(
            Set(refused) == ["frequency_masking", "time_masking", "time_warp", "elastic_transform", "color_channels"],
            "refused: \(refused)")
        #expect(Set(checked).count >= 36, "checked \(Set(checked).count): \(Set(checked).sorted())")
    }

    /// Size-keeping forms of the ops whose catalog entries change the size.
    @Test func maskedLoweringOfSizeKeepingCropsResizesAndRotations() throws {
        let g = geometry
        let ops: [any Transform] = [
            try Rotate(angleDegrees: 33, interpolation: .bilinear, fill: [0.2, 0.5, 0.9]),
            try Rotate(angleDegrees: 90),
            try RandomResizedCrop(size: [g.height, g.width], scale: [0.3, 1]),
            try ResizedCrop(top: 2, left: 1, height: 7, width: 9, size: [g.height, g.width], interpolation: .nearest),
            try RandomCrop(height: g.height, width: g.width, padding: [2], fill: [0.7], paddingMode: .constant),
            try RandomCrop(height: g.height, width: g.width, padding: [1, 3], paddingMode: .reflect),
            try Resize(size: [g.height, g.width]),
            try CenterCrop(height: g.height, width: g.width),
            try Pad(padding: [0]),
        ]
        for op in ops {
            #expect(
                try checkMasking(op, geometry: g, pixelType: .uint8, label: op.opName),
                "\(op.opName) applies per sample")
        }
    }

    @Test func composeIsTheSequenceWithTheChildrensParameters() throws {
        let ops: [any Transform] = [
            try RandomCrop(height: 9, width: 8), try RandomHorizontalFlip(), try AdjustGamma(gamma: 0.7),
            try Resize(size: [6, 5]),
        ]
        let compose = Compose(ops)
        let images = try ImageBatch.random(count: 4, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 2)
        let sampled = try Pipeline([compose]).sample(for: images, seed: 8)
        let parameters = try #require(sampled.ops[0].parameters as? [CompositeParameters])
        #expect(try compose.outputGeometry(for: geometry) == ImageGeometry(height: 6, width: 5, channels: 3))
        // The same ops as a flat pipeline, replayed with the children's parameters.
        func typed<T: Transform>(_ t: T, _ i: Int) throws -> SampledOp {
            SampledOp(t, parameters: try parameters.map { try #require($0.children[i]).value(as: T.Parameters.self) })
        }
        let flat = SampledPipeline(
            pipeline: try Pipeline(ops), count: 4, inputGeometry: geometry,
            ops: try ops.indices.map { try typed(ops[$0], $0) })
        #expect(try run(sampled, images) == run(flat, images))
        #expect(try sampled.plan(for: images).stages.count == flat.plan(for: images).stages.count)
    }

    @Test func oneOfChoosesWithTheNormalizedWeightsPerSample() throws {
        let oneOf = try OneOf([Invert(), try Solarize(threshold: 0.5), Equalize()], p: [1, 2, 1])
        #expect(oneOf.probabilities == [0.25, 0.5, 0.25])
        let count = 20_000
        let parameters = oneOf.sampleBatchParameters(
            SamplingContext(count: count, geometry: geometry, seed: 1, epoch: 0, firstSampleIndex: 0, opIndex: 4))
        var counts = [0, 0, 0]
        for p in parameters {
            #expect(p.applied.count == 1)
            counts[p.applied[0]] += 1
        }
        // Binomial standard deviations: sqrt(20000 * 0.25 * 0.75) = 61, sqrt(20000 * 0.25) = 71.
        #expect(abs(counts[0] - 5000) < 300 && abs(counts[1] - 10000) < 360 && abs(counts[2] - 5000) < 300, "\(counts)")
        // Per sample: not all the same in a batch of 64.
        let batch = Set(parameters.prefix(64).map { $0.applied[0] })
        #expect(batch.count == 3)
        // A zero weight is never chosen.
        let never = try OneOf([Invert(), Equalize()], p: [0, 1])
        #expect(
            never.sampleBatchParameters(
                SamplingContext(count: 500, geometry: geometry, seed: 2, epoch: 0, firstSampleIndex: 0, opIndex: 0)
            )
            .allSatisfy { $0.applied == [1] })
        #expect(never.choice(0) == 1 && never.choice(0.999_999_999_999) == 1)
    }

    @Test func randomApplyAndSomeOfDrawPerSample() throws {
        let count = 20_000
        let context = SamplingContext(
            count: count, geometry: geometry, seed: 5, epoch: 0, firstSampleIndex: 0, opIndex: 1)
        let apply = try RandomApply([Invert(), Equalize()], p: 0.3)
        let applied = apply.sampleBatchParameters(context).filter { $0.applied.count == 2 }.count
        #expect(abs(applied - 6000) < 330, "\(applied)")  // sd = sqrt(20000 * 0.21) = 65
        let ops: [any Transform] = [Invert(), Equalize(), try Posterize(bits: 3), try Solarize(threshold: 0.4)]
        let someOf = try SomeOf(ops, n: [1, 3])
        var sizes = [0, 0, 0, 0]
        var perOp = [0, 0, 0, 0]
        for p in someOf.sampleBatchParameters(context) {
            sizes[p.applied.count] += 1
            for i in p.applied { perOp[i] += 1 }
        }
        // n uniform in {1, 2, 3}; each op chosen with probability E[n] / 4 = 0.5.
        #expect(sizes[0] == 0 && sizes[1...].allSatisfy { abs($0 - count / 3) < 400 }, "\(sizes)")
        #expect(perOp.allSatisfy { abs($0 - count / 2) < 400 }, "\(perOp)")
        // p < 1: some samples get none.
        let sometimes = try SomeOf(ops, n: [2], p: 0.25)
        let none = sometimes.sampleBatchParameters(context).filter { $0.applied.isEmpty }.count
        #expect(abs(none - 15000) < 330, "\(none)")
    }

    @Test func choicesMergeIntoTheFewestPasses() throws {
        let images = try ImageBatch.random(count: 32, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 1)
        let oneOf = try OneOf([
            try Rotate(angleDegrees: 20), try RandomAffine(degrees: [10], fill: nil), HorizontalFlip(), try Rot90(k: 2),
            try AdjustBrightness(brightnessFactor: 1.4), Equalize(), try RandomInvert(p: 0.5),
            try AdjustSharpness(sharpnessFactor: 2), try RandomAdjustSharpness(sharpnessFactor: 0.5, p: 1),
            try GaussianBlur(kernelSize: [3], sigma: [0.5, 1.5]),
        ])
        let plan = try Pipeline([oneOf]).sample(for: images, seed: 4).plan(for: images)
        // Equalize's histogram is taken by the warp's statistics pre-pass: no colour pass of its own.
        #expect(plan.stages.map(\.family) == ["warp", "blur", "blur"], "\(plan.summary)")
        // Two border rules cannot share a warp: rotate (fill none) and an edge-padded affine.
        let twoBorders = try OneOf([try Rotate(angleDegrees: 20), try Affine(angleDegrees: 5, paddingMode: .edge)])
        let plan2 = try Pipeline([twoBorders]).sample(for: images, seed: 4).plan(for: images)
        #expect(plan2.stages.map(\.family) == ["warp", "warp"])
        // random_apply of per-pixel ops: they ride in the conversion pass (one pass in all).
        let apply = try RandomApply(
            [try AdjustBrightness(brightnessFactor: 0.5), try Solarize(threshold: 0.3), Invert()], p: 0.5)
        let plan3 = try Pipeline([apply]).sample(for: images, seed: 4).plan(for: images)
        #expect(plan3.stages.map(\.family) == ["warp"])
    }

    @Test func nestedCompositesApplyPerSample() throws {
        let inner = Compose([HorizontalFlip(), Invert()])
        let oneOf = try OneOf([inner, try RandomApply([try Rotate(angleDegrees: 90)], p: 1), Equalize()])
        let images = try ImageBatch.random(
            count: 12, geometry: ImageGeometry(height: 8, width: 8, channels: 1),
            pixelType: .float32, layout: .nchw, seed: 3)
        let sampled = try Pipeline([oneOf]).sample(for: images, seed: 6)
        let parameters = try #require(sampled.ops[0].parameters as? [CompositeParameters])
        let out = try run(sampled, images)
        let flipInvert = try cpu.apply(Pipeline([HorizontalFlip(), Invert()]), to: images, seed: 0)
        let rotated = try cpu.apply(Pipeline([Rot90(k: 1)]), to: images, seed: 0)
        let equalized = try cpu.apply(Pipeline([Equalize()]), to: images, seed: 0)
        var seen = Set<Int>()
        for n in 0..<12 {
            let choice = try #require(parameters[n].applied.first)
            seen.insert(choice)
            let reference = [flipInvert, rotated, equalized][choice]
            for y in 0..<8 {
                for x in 0..<8 {
                    #expect(
                        abs(
                            out.value(sample: n, channel: 0, y: y, x: x)
                                - reference.value(sample: n, channel: 0, y: y, x: x)) < 1e-6)
                }
            }
        }
        #expect(seen.count == 3)
    }

    /// Alternatives that cannot share a pass (a nearest rotation, a bilinear resized crop whose crop
    /// leaves the samples at different sizes for a moment) still give each sample its own op.
    @Test func incompatibleAlternativesGetPassesOfTheirOwn() throws {
        let rotate = try Rotate(angleDegrees: 30)
        let crop = try RandomResizedCrop(size: [geometry.height, geometry.width], scale: [0.3, 0.6])
        let oneOf = try OneOf([rotate, crop, try AdjustGamma(gamma: 2)])
        let images = try ImageBatch.random(count: 10, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 8)
        let sampled = try Pipeline([oneOf]).sample(for: images, seed: 2)
        let parameters = try #require(sampled.ops[0].parameters as? [CompositeParameters])
        let plan = try sampled.plan(for: images)
        // The gamma alternative rides in the second warp's epilogue.
        #expect(plan.stages.map(\.family) == ["warp", "warp"], "\(plan.summary)")
        let out = try run(sampled, images)
        let rotated = try cpu.apply(Pipeline([rotate]), to: images, seed: 0)
        let gamma = try cpu.apply(Pipeline([try AdjustGamma(gamma: 2)]), to: images, seed: 0)
        let boxes = try (0..<10).map { n in try parameters[n].children[1].map { try $0.value(as: CropBox.self) } }
        let cropped = try direct(
            crop,
            (0..<10).map { n in
                parameters[n].children[1] ?? ChildParameters(CropBox(top: 0, left: 0, height: 3, width: 3))
            },
            images: images, output: .float32NCHW)
        var seen = Set<Int>()
        for n in 0..<10 {
            let choice = try #require(parameters[n].applied.first)
            seen.insert(choice)
            let reference = [rotated, cropped, gamma][choice]
            #expect(choice != 1 || boxes[n] != nil)
            for c in 0..<3 {
                for y in 0..<geometry.height {
                    for x in 0..<geometry.width {
                        #expect(
                            abs(
                                out.value(sample: n, channel: c, y: y, x: x)
                                    - reference.value(sample: n, channel: c, y: y, x: x)) < 1e-6)
                    }
                }
            }
        }
        #expect(seen.count == 3)
    }

    @Test func parametersRecordAndReplayBitIdentically() throws {
        let pipeline = try Pipeline([
            try RandomResizedCrop(size: [10, 10]),
            try OneOf([
                try RandomAffine(degrees: [20], translate: [0.1, 0.1], interpolation: .bilinear),
                try ColorJitter(brightness: 0.4, contrast: 0.4), try GaussianNoise(sigma: 0.1),
                try RandomResizedCrop(size: [10, 10], scale: [0.5, 1]),
            ]),
            try SomeOf(
                [
                    Invert(), try RandomErasing(p: 1, value: .random),
                    try GaussianBlur(kernelSize: [3], sigma: [0.3, 1]),
                ], n: [0, 2]),
            try RandomApply([Compose([try RandomRotation(degrees: [30]), try Posterize(bits: 4)])], p: 0.5),
        ])
        let images = try ImageBatch.random(count: 8, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 4)
        let sampled = try pipeline.sample(for: images, seed: 77, epoch: 2, firstSampleIndex: 30)
        let data = try ParameterRecord.encode(sampled, seed: 77, epoch: 2, firstSampleIndex: 30)
        let replayed = try ParameterRecord.decode(data, for: pipeline)
        for (a, b) in zip(sampled.ops, replayed.ops) {
            guard let x = a.parameters as? [CompositeParameters] else { continue }
            let y = try #require(b.parameters as? [CompositeParameters])
            #expect(x == y, "\(a.opName): sampled and recorded parameters compare equal")
            #expect(x.map(\.applied) == y.map(\.applied))
        }
        #expect(try sampled.plan(for: images) == replayed.plan(for: images))
        #expect(try run(sampled, images) == run(replayed, images))
        // The record is plain JSON: the chosen children hold their own parameters, the others null.
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"children\"") && text.contains("null"))
        // Tampered structure is caught when planning.
        let tampered = text.replacingOccurrences(
            of: "\"children\" : [\n          null,", with: "\"children\" : [\n          null, null,")
        if tampered != text {
            let decoded = try ParameterRecord.decode(Data(tampered.utf8), for: pipeline)
            #expect(throws: AugmentError.self) { try decoded.plan(for: images) }
        }
    }

    @Test func errorsNameTheCompositeAndTheChild() throws {
        func parse(_ json: String) throws -> PipelineFile { try PipelineFile.parse(Data(json.utf8), name: "p.json") }
        let cases: [(String, String)] = [
            (
                #"{"ops": [{"op": "hflip"}, {"op": "hflip"}, {"op": "one_of", "ops": [{"op": "rotate", "angle": 3}, {"op": "rotatte"}]}]}"#,
                "one_of (ops[2]).ops[1]: unknown op 'rotatte' (did you mean 'rotate'?)"
            ),
            (
                #"{"ops": [{"op": "random_apply", "ops": [{"op": "solarize", "treshold": 0.5}]}]}"#,
                "solarize (random_apply (ops[0]).ops[0]): unknown argument 'treshold' (did you mean 'threshold'?)"
            ),
            (
                #"{"ops": [{"op": "some_of", "ops": [{"op": "invert"}], "n": 2}]}"#,
                "some_of (ops[0]): argument 'n' = [2] is out of range"
            ),
            (
                #"{"ops": [{"op": "one_of", "ops": [{"op": "invert"}], "p": [1, 2]}]}"#,
                "one_of (ops[0]): argument 'p' = [1.0, 2.0] is out of range"
            ),
            (
                #"{"ops": [{"op": "one_of", "ops": [{"op": "normalize", "mean": [0.5], "std": [0.5]}]}]}"#,
                "one_of (ops[0]): argument 'ops[0]' = normalize is out of range"
            ),
            (
                #"{"ops": [{"op": "random_apply", "ops": [{"op": "invert"}], "p": 1.5}]}"#,
                "random_apply (ops[0]): argument 'p' = 1.5"
            ),
            (#"{"ops": [{"op": "compose"}]}"#, "compose (ops[0]): argument 'ops' is missing"),
            (
                #"{"ops": [{"op": "one_of", "ops": [{"op": "invert"}], "q": 1}]}"#,
                "one_of (ops[0]): unknown argument 'q'"
            ),
        ]
        for (json, expected) in cases {
            do {
                _ = try parse(json)
                Issue.record("\(json) must fail")
            } catch let error as AugmentError {
                #expect(error.description.contains(expected), "\(error.description) should contain \(expected)")
            }
        }
        // A size-changing child is refused when the pipeline meets its input, naming the child.
        let file = try parse(
            #"{"ops": [{"op": "one_of", "ops": [{"op": "invert"}, {"op": "center_crop", "height": 4, "width": 4}]}]}"#)
        do {
            _ = try file.pipeline.sample(count: 2, geometry: geometry, seed: 1)
            Issue.record("a size-changing child must be refused")
        } catch let error as AugmentError {
            #expect(
                error.description.contains("one_of: ops[1] (center_crop) changes the image size from 13x11x3 to 4x4x3"))
        }
        // A child that has no per-sample identity is refused when planned, naming it.
        let spectrogram = try Pipeline([try RandomApply([try TimeWarp(window: 2)], p: 1)])
        let images = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1)
        do {
            _ = try spectrogram.sample(for: images, seed: 1).plan(for: images)
            Issue.record("time_warp has no per-sample identity")
        } catch let error as AugmentError {
            #expect(
                error.description.contains("random_apply: ops[0] (time_warp) cannot be applied to some samples only"))
        }
    }

    @Test func pipelineFilesRoundTripThroughEncoding() throws {
        let json =
            #"{"ops": [{"op": "one_of", "p": [1, 3], "ops": [{"op": "random_apply", "p": 0.2, "ops": [{"op": "hflip"}]}, {"op": "some_of", "n": [0, 1], "ops": [{"op": "invert"}, {"op": "compose", "ops": [{"op": "equalize"}]}]}]}]}"#
        let file = try PipelineFile.parse(Data(json.utf8), name: "nested.json")
        let op = try #require(file.pipeline.transforms.first as? OneOf)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = try encoder.encode(op)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let again = try PipelineFile.parseOp(object.merging(["op": "one_of"]) { $1 }, position: 0)
        #expect(try encoder.encode(try #require(again as? OneOf)) == encoded)
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""op":"random_apply""#))
        #expect((again as? OneOf)?.probabilities == [0.25, 0.75])
    }
}
