import Foundation
import Testing
@testable import Augment

/// saliency_mix on the CPU reference (Sources/Augment/CPU/Saliency.swift + MixStage): the saliency
/// peak, the box centred on it and clipped, pixels pasted from the partner, labels weighted by the
/// exact pasted area, draws, replay and errors.
@Suite struct SaliencyTests {
    /// N float32 NCHW images of `g`, all `background`, with `spots[n]` = (y, x, value) set in every channel.
    func images(
        _ count: Int, _ g: ImageGeometry, background: Float = 0.2, spots: [Int: (Int, Int, Float)]
    ) throws -> ImageBatch {
        let plane = g.height * g.width
        var values = [Float](repeating: background, count: count * g.channels * plane)
        for (n, spot) in spots {
            for c in 0..<g.channels { values[(n * g.channels + c) * plane + spot.0 * g.width + spot.1] = spot.2 }
        }
        return try ImageBatch(float32NCHW: values, count: count, channels: g.channels, height: g.height, width: g.width)
    }

    /// The saliency formula of the docs in Double (blurred minus mean, L1 over channels), argmax with
    /// the lowest index on ties: an independent statement of what CPUSaliency.peak must find.
    func referencePeak(_ values: [Float], sample n: Int, _ g: ImageGeometry) -> Int {
        let plane = g.pixelCount
        func q(_ c: Int, _ y: Int, _ x: Int) -> Double {
            let v = values[
                (n * g.channels + c) * plane + min(max(y, 0), g.height - 1) * g.width + min(max(x, 0), g.width - 1)]
            return Double((v.isNaN ? 0 : min(max(v, 0), 1) * 255).rounded(.toNearestOrEven))
        }
        let w: [Double] = [1, 4, 6, 4, 1]
        let means = (0..<g.channels).map { c in
            (0..<plane).reduce(0.0) { $0 + q(c, $1 / g.width, $1 % g.width) } / Double(plane)
        }
        var best = -1.0, index = 0
        for p in 0..<plane {
            let (y, x) = (p / g.width, p % g.width)
            var s = 0.0
            for c in 0..<g.channels {
                var b = 0.0
                for i in -2...2 { for j in -2...2 { b += w[i + 2] * w[j + 2] * q(c, y + i, x + j) } }
                s += abs(b / 256 - means[c])
            }
            if s > best + 1e-9 { best = s; index = p }
        }
        return index
    }

    @Test func peakIsTheDocumentedFrequencyTunedSaliencyMaximum() throws {
        for (k, g) in [
            ImageGeometry(height: 9, width: 13, channels: 3), ImageGeometry(height: 1, width: 7, channels: 1),
            ImageGeometry(height: 16, width: 5, channels: 4),
        ].enumerated() {
            let batch = try ImageBatch.random(
                count: 3, geometry: g, pixelType: .float32, layout: .nchw, seed: UInt64(40 + k))
            let values = try #require(batch.float32Values)
            for n in 0..<3 {
                let ours = values.withUnsafeBufferPointer { CPUSaliency.peak($0, sample: n, geometry: g) }
                #expect(ours == referencePeak(values, sample: n, g), "\(g) sample \(n)")
            }
        }
        // A bright spot is the peak; a flat image ties everywhere and gives index 0; NaN counts as 0.
        let g = ImageGeometry(height: 12, width: 10, channels: 3)
        let spot = try images(2, g, spots: [0: (7, 3, 1), 1: (2, 2, .nan)])
        let values = try #require(spot.float32Values)
        #expect(values.withUnsafeBufferPointer { CPUSaliency.peak($0, sample: 0, geometry: g) } == 7 * 10 + 3)
        #expect(values.withUnsafeBufferPointer { CPUSaliency.peak($0, sample: 1, geometry: g) } == 2 * 10 + 2)
        let flat = try images(1, g, spots: [:])
        #expect(
            try #require(flat.float32Values).withUnsafeBufferPointer { CPUSaliency.peak($0, sample: 0, geometry: g) }
                == 0)
    }

    /// Runs explicit parameters through the CPU backend with one-hot labels of `classes` classes.
    func run(_ parameters: [SaliencyMixParameters], on images: ImageBatch, classes: Int = 4) throws -> AugmentBatch {
        let op = try SaliencyMix(numClasses: classes)
        for p in parameters { try op.validate(p, for: images.geometry) }
        let sampled = SampledPipeline(
            pipeline: try Pipeline([op]), count: images.count, inputGeometry: images.geometry,
            ops: [SampledOp(op, parameters: parameters)])
        let batch = try AugmentBatch(
            images: images, labels: LabelBatch(classIDs: (0..<images.count).map { $0 % classes }, classCount: classes))
        return try CPUBackend().run(sampled.plan(for: images), on: batch)
    }

    @Test func boxIsCentredOnThePartnersPeakClippedAndLabelsFollowThePastedArea() throws {
        let g = ImageGeometry(height: 20, width: 24, channels: 3)
        // Sample 1's peak is at (10, 12): a 6x8 cut fits; sample 0's at (1, 22): an 8x10 cut is clipped.
        let input = try images(2, g, spots: [0: (1, 22, 0.9), 1: (10, 12, 1)])
        let parameters = [
            SaliencyMixParameters(partner: 1, lambda: 0.9, cutHeight: 6, cutWidth: 8),
            SaliencyMixParameters(partner: 0, lambda: 0.8, cutHeight: 8, cutWidth: 10),
        ]
        let output = try run(parameters, on: input)
        let result = try #require(output.images.float32Values)
        let source = try #require(input.float32Values)
        let plane = g.pixelCount
        // Expected boxes: sample 0 pastes rows [7, 13) x cols [8, 16) of sample 1; sample 1 pastes
        // rows [max(1-4, 0), 1+4) = [0, 5) x cols [17, min(27, 24)) = [17, 24) of sample 0.
        let boxes = [MixBox(top: 7, left: 8, bottom: 13, right: 16), MixBox(top: 0, left: 17, bottom: 5, right: 24)]
        for n in 0..<2 {
            let partner = 1 - n
            for c in 0..<3 {
                for y in 0..<g.height {
                    for x in 0..<g.width {
                        let inside =
                            y >= boxes[n].top && y < boxes[n].bottom && x >= boxes[n].left && x < boxes[n].right
                        let from = inside ? partner : n
                        #expect(
                            result[(n * 3 + c) * plane + y * g.width + x]
                                == source[(from * 3 + c) * plane + y * g.width + x])
                    }
                }
            }
        }
        let labels = try #require(output.labels)
        // Pasted areas 6 * 8 = 48 and 5 * 7 = 35 of 480 pixels.
        let row0: [Float] = [Float(1 - 48.0 / 480), Float(48.0 / 480), 0, 0]
        let row1: [Float] = [Float(35.0 / 480), Float(1 - 35.0 / 480), 0, 0]
        #expect(Array(labels.row(0)) == row0)
        #expect(Array(labels.row(1)) == row1)
        // The resolved stage records the same boxes and lambdas.
        let plan = try Pipeline([try SaliencyMix()]).sample(count: 2, geometry: g, seed: 1).plan(for: input)
        guard let stage = plan.stages[0].as(MixStage.self) else { Issue.record("no mix stage"); return }
        #expect(stage.saliencyCuts != nil)
        let resolved = try CPUSaliency.resolve(
            MixStage(
                op: "saliency_mix", count: 2, geometry: g,
                samples: [
                    MixParameters(method: .none, partner: 1, lambda: 1),
                    MixParameters(method: .none, partner: 0, lambda: 1),
                ],
                labelSmoothing: 0, classCount: nil,
                saliencyCuts: [
                    SaliencyCut(cutHeight: 6, cutWidth: 8),
                    SaliencyCut(cutHeight: 8, cutWidth: 10),
                ]), images: input)
        #expect(resolved.samples.map(\.box) == boxes)
        let lambdas: [Double] = [1 - 48.0 / 480, 1 - 35.0 / 480]
        #expect(resolved.samples.map(\.lambda) == lambdas)
    }

    @Test func drawsFollowCutMixsAreaDistributionAndReplayIsExact() throws {
        let g = ImageGeometry(height: 30, width: 40, channels: 3)
        let op = try SaliencyMix(alpha: 1, mode: .elem, partner: .reversed)
        let sampled = try Pipeline([op]).sample(count: 4000, geometry: g, seed: 3)
        let drawn = try #require(sampled.ops[0].parameters as? [SaliencyMixParameters])
        var lambdaSum = 0.0
        for (n, p) in drawn.enumerated() {
            #expect(p.partner == 3999 - n)
            let ratio: Double = (1 - p.lambda).squareRoot()
            let height = Int(30 * ratio), width = Int(40 * ratio)
            #expect(p.cutHeight == height)
            #expect(p.cutWidth == width)
            lambdaSum += p.lambda
        }
        #expect(abs(lambdaSum / 4000 - 0.5) < 0.02)  // Beta(1, 1) has mean 1/2
        // Replay: the same parameters on the same images give the same pixels and labels.
        let input = try ImageBatch.random(count: 6, geometry: g, pixelType: .float32, layout: .nchw, seed: 8)
        let pipeline = try Pipeline([try SaliencyMix(numClasses: 4)])
        let first = try pipeline.sample(for: input, seed: 5)
        let record = try ParameterRecord.encode(first, seed: 5, epoch: 0, firstSampleIndex: 0)
        let replayed = try ParameterRecord.decode(record, for: pipeline, name: "test")
        let batch = try AugmentBatch(images: input, labels: LabelBatch(classIDs: [0, 1, 2, 3, 0, 1], classCount: 4))
        let a = try CPUBackend().run(first.plan(for: input), on: batch)
        let b = try CPUBackend().run(replayed.plan(for: input), on: batch)
        #expect(a.images.float32Values == b.images.float32Values && a.labels == b.labels)
        #expect(a.images.float32Values != input.float32Values)
    }

    @Test func badArgumentsAndMissingLabelsAreErrors() throws {
        for (json, argument) in [
            (#"{"op": "saliency_mix", "alpha": -1}"#, "alpha"), (#"{"op": "saliency_mix", "prob": 1.5}"#, "prob"),
            (#"{"op": "saliency_mix", "mode": "pair", "partner": "rolled"}"#, "partner"),
            (#"{"op": "saliency_mix", "num_classes": 0}"#, "num_classes"),
        ] {
            #expect {
                try PipelineFile.parse(Data(#"{"ops": [\#(json)]}"#.utf8))
            } throws: { "\($0)".contains("saliency_mix") && "\($0)".contains(argument) }
        }
        let input = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 8, width: 8, channels: 3), pixelType: .uint8,
            layout: .nhwc, seed: 2)
        let plan = try Pipeline([try SaliencyMix()]).sample(for: input, seed: 1).plan(for: input)
        #expect { try CPUBackend().run(plan, on: AugmentBatch(images: input)) } throws: { "\($0)".contains("labels") }
        let op = try SaliencyMix()
        #expect(throws: AugmentError.self) {
            try op.validate(
                SaliencyMixParameters(partner: 0, lambda: .nan, cutHeight: 1, cutWidth: 1), for: input.geometry)
        }
        #expect(throws: AugmentError.self) {
            try op.validate(
                SaliencyMixParameters(partner: 0, lambda: 0.5, cutHeight: 9, cutWidth: 1), for: input.geometry)
        }
    }

    /// Clips and views: frame j of clip n pastes from frame j of the partner clip; saliency_mix is
    /// refused as a per-sample child and as a per-frame op.
    @Test func clipsPairWholeClipsAndPerSampleChoicesAreRefused() throws {
        let a = SaliencyMixParameters(partner: 1, lambda: 0.5, cutHeight: 2, cutWidth: 3)
        let b = SaliencyMixParameters(partner: 0, lambda: 0.5, cutHeight: 2, cutWidth: 3)
        let frames = MultiCopySampling.interleave([[a, b], [a, b], [a, b]])
        #expect(frames.map(\.partner) == [3, 4, 5, 0, 1, 2])
        #expect(MultiCopySampling.isMixing(try SaliencyMix()))
        #expect(throws: AugmentError.self) { try RandomApply([try SaliencyMix()], p: 0.5) }
        #expect {
            try PipelineFile.parse(Data(#"{"ops": [{"op": "saliency_mix", "per_frame": true}]}"#.utf8))
        } throws: { "\($0)".contains("saliency_mix") && "\($0)".contains("per_frame") }
    }
}
