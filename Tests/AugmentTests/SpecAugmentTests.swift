import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// Runs `transform` with explicit per-sample parameters on the CPU reference.
private func replay<T: Transform>(
    _ transform: T, _ parameters: [T.Parameters], on images: ImageBatch
) throws -> ImageBatch {
    let sampled = SampledPipeline(
        pipeline: try Pipeline([transform]), count: images.count,
        inputGeometry: images.geometry, ops: [SampledOp(transform, parameters: parameters)])
    return try CPUBackend().run(sampled.plan(for: images), on: images)
}

/// The parameters `transform` draws for a batch of `count` images of `geometry`.
private func draw<T: Transform>(
    _ transform: T, count: Int, geometry: ImageGeometry, seed: UInt64
) throws -> [T.Parameters] {
    let sampled = try Pipeline([transform]).sample(count: count, geometry: geometry, seed: seed)
    return try #require(sampled.ops[0].parameters as? [T.Parameters])
}

/// Random float32 spectrogram-like images (H = bins, W = frames) in [0, 1).
private func spectrograms(count: Int, geometry: ImageGeometry, seed: UInt64) throws -> ImageBatch {
    try ImageBatch.random(count: count, geometry: geometry, pixelType: .float32, layout: .nchw, seed: seed)
}

/// SpecAugment masking and time warp on the CPU reference (parity is in SpecAugmentParityTests).
@Suite struct SpecAugmentTests {
    static let geometry = ImageGeometry(height: 20, width: 50, channels: 2)

    /// The indices along `axis` that are masked with `fill` across the whole other axis, for (n, c),
    /// after checking that every other element is the input's.
    private func maskedIndices(
        _ out: ImageBatch, _ input: ImageBatch, n: Int, c: Int, axis: SpectrogramAxis,
        fill: Float
    ) -> [Int] {
        let g = out.geometry
        let length = axis == .frequency ? g.height : g.width
        let across = axis == .frequency ? g.width : g.height
        var masked: [Int] = []
        for i in 0..<length {
            let values = (0..<across).map { j in
                axis == .frequency
                    ? out.value(sample: n, channel: c, y: i, x: j) : out.value(sample: n, channel: c, y: j, x: i)
            }
            if values.allSatisfy({ $0 == fill }) {
                masked.append(i)
            } else {
                for j in 0..<across {
                    let (y, x) = axis == .frequency ? (i, j) : (j, i)
                    #expect(
                        out.value(sample: n, channel: c, y: y, x: x) == input.value(sample: n, channel: c, y: y, x: x))
                }
            }
        }
        return masked
    }

    @Test(arguments: SpectrogramAxis.allCases)
    func bandsAreContiguousFullAndNoWiderThanAllowed(axis: SpectrogramAxis) throws {
        let input = try spectrograms(count: 3, geometry: Self.geometry, seed: 4)
        let maskParam = 12
        let op: any Transform =
            axis == .frequency
            ? try FrequencyMasking(freqMaskParam: maskParam, maskValue: .constant(-3))
            : try TimeMasking(timeMaskParam: maskParam, maskValue: .constant(-3))
        var widths = Set<Int>()
        for seed in 1...40 as ClosedRange<UInt64> {
            let out = try CPUBackend().apply(Pipeline([op]), to: input, seed: seed)
            let parameters = try #require(
                try Pipeline([op]).sample(count: 3, geometry: Self.geometry, seed: seed)
                    .ops[0].parameters as? [SpectrogramMaskParameters])
            for n in 0..<3 {
                for c in 0..<2 {
                    let masked = maskedIndices(out, input, n: n, c: c, axis: axis, fill: -3)
                    let band = parameters[n].channelBands[c][0]
                    #expect(
                        masked == Array(band.start..<(band.start + band.width)), "contiguous, and the recorded band")
                    #expect(masked.count < maskParam)
                    widths.insert(masked.count)
                }
            }
        }
        #expect(widths.contains(0) && widths.contains(maskParam - 1), "widths reach both ends: \(widths.sorted())")
    }

    @Test func iidMasksDifferPerChannelAndSharedMasksDoNot() throws {
        let geometry = ImageGeometry(height: 30, width: 40, channels: 3)
        let iid = try draw(TimeMasking(timeMaskParam: 20), count: 50, geometry: geometry, seed: 2)
        #expect(iid.allSatisfy { $0.channelBands.count == 3 })
        #expect(iid.filter { Set($0.channelBands.map { $0[0].start }).count > 1 }.count > 40)
        let shared = try draw(TimeMasking(timeMaskParam: 20, iidMasks: false), count: 50, geometry: geometry, seed: 2)
        #expect(shared.allSatisfy { $0.channelBands.count == 1 })
        let input = try spectrograms(count: 50, geometry: geometry, seed: 1)
        let out = try replay(
            TimeMasking(timeMaskParam: 20, iidMasks: false, maskValue: .constant(9)), shared, on: input)
        for n in 0..<50 {
            let perChannel = (0..<3).map { maskedIndices(out, input, n: n, c: $0, axis: .time, fill: 9) }
            #expect(perChannel[0] == perChannel[1] && perChannel[1] == perChannel[2])
        }
    }

    /// widths = floor(U * max_width) are uniform on 0 ... max_width - 1 (chi-square, 9 degrees of
    /// freedom, below the 0.1% critical value 27.88 on 20000 fixed-seed draws), and the bands reach
    /// both ends of the axis but its last index.
    @Test func maskWidthsAreUniform() throws {
        let length = 80
        let parameters = try draw(
            FrequencyMasking(freqMaskParam: 10, iidMasks: false, numMasks: 4), count: 5000,
            geometry: ImageGeometry(height: length, width: 3, channels: 1), seed: 17)
        let bands = parameters.flatMap { $0.channelBands[0] }
        #expect(bands.count == 20000)
        var histogram = [Int](repeating: 0, count: 10)
        for band in bands { histogram[band.width] += 1 }
        let expected = Double(bands.count) / 10
        let chiSquare = histogram.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chiSquare < 27.88, "histogram \(histogram)")
        #expect(bands.map(\.start).min() == 0)
        // start = trunc(u2 (L - v)) < L - v, so start + floor(v) < L: like torchaudio, a mask no wider
        // than the axis never reaches its last index.
        #expect(bands.map { $0.start + $0.width }.max() == length - 1)
        #expect(bands.allSatisfy { $0.start + $0.width <= length })
    }

    @Test func pCapsTheWidthAsTorchaudio() throws {
        let geometry = ImageGeometry(height: 4, width: 50, channels: 1)
        let capped = try draw(TimeMasking(timeMaskParam: 100, p: 0.2), count: 3000, geometry: geometry, seed: 3)
        let widths = capped.map { $0.channelBands[0][0].width }
        #expect(widths.max() == 9, "max_width = min(100, int(50 * 0.2)) = 10, widths below it")
        let none = try draw(TimeMasking(timeMaskParam: 100, p: 0.01), count: 20, geometry: geometry, seed: 3)
        #expect(none.allSatisfy { $0.channelBands.joined().isEmpty }, "int(50 * 0.01) = 0: no mask")
        let oversized = try draw(
            FrequencyMasking(freqMaskParam: 150), count: 2000,
            geometry: ImageGeometry(height: 8, width: 5, channels: 1), seed: 4)
        let bands = oversized.flatMap { $0.channelBands.joined() }
        #expect(bands.allSatisfy { $0.start >= 0 && $0.start + $0.width <= 8 })
        #expect(bands.contains { $0.width == 8 }, "a mask wider than the axis is cut to it")
    }

    @Test func meanFillIsTheExampleMean() throws {
        let geometry = ImageGeometry(height: 7, width: 33, channels: 3)
        var input = try spectrograms(count: 4, geometry: geometry, seed: 8)
        input = try ImageBatch(
            float32NCHW: (input.float32Values ?? []).enumerated().map {
                $0.element * 4 + Float($0.offset / geometry.elementCount)
            },
            count: 4, channels: 3, height: 7, width: 33)
        let parameters = (0..<4).map { _ in SpectrogramMaskParameters(channelBands: [[MaskBand(start: 2, width: 3)]]) }
        let out = try replay(FrequencyMasking(freqMaskParam: 5, maskValue: .mean), parameters, on: input)
        let values = try #require(input.float32Values)
        for n in 0..<4 {
            let slice = values[(n * geometry.elementCount)..<((n + 1) * geometry.elementCount)]
            let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(slice.count)
            for c in 0..<3 {
                #expect(abs(Double(out.value(sample: n, channel: c, y: 3, x: 10)) - mean) < 1e-5 * abs(mean))
                #expect(
                    out.value(sample: n, channel: c, y: 1, x: 10) == input.value(sample: n, channel: c, y: 1, x: 10))
            }
        }
    }

    // MARK: Time warp

    @Test func zeroWarpIsTheIdentity() throws {
        let input = try spectrograms(count: 3, geometry: Self.geometry, seed: 5)
        for mode in TimeWarpInterpolation.allCases {
            #expect(try CPUBackend().apply(Pipeline([TimeWarp(window: 0, mode: mode)]), to: input, seed: 1) == input)
            #expect(
                try CPUBackend().apply(Pipeline([TimeWarp(window: 25, mode: mode)]), to: input, seed: 1) == input,
                "T - W <= W: ESPnet leaves the input alone")
            let same = (0..<3).map { TimeWarpParameters(center: 7 + $0, warpedCenter: 7 + $0) }
            #expect(try replay(TimeWarp(mode: mode), same, on: input) == input)
        }
        #expect(
            try draw(TimeWarp(window: 25), count: 4, geometry: Self.geometry, seed: 1).allSatisfy { $0 == .identity })
    }

    @Test func centresAreDrawnAsESPnet() throws {
        let window = 5
        let parameters = try draw(
            TimeWarp(window: window), count: 5000, geometry: ImageGeometry(height: 2, width: 30, channels: 1), seed: 9)
        let centers = Set(parameters.map(\.center))
        #expect(centers == Set(window...(30 - window - 1)), "c ~ randint(W, T - W)")
        for p in parameters {
            #expect(
                p.warpedCenter >= p.center - window + 1 && p.warpedCenter <= p.center + window,
                "w ~ randint(c - W, c + W) + 1")
        }
        let offsets = Set(parameters.map { $0.warpedCenter - $0.center })
        #expect(offsets == Set((1 - window)...window))
    }

    /// Linear warping of a ramp keeps it a non-decreasing ramp, puts the source positions PyTorch's
    /// interpolate computes at the start of each half, and treats every bin and channel of a sample
    /// the same.
    @Test func linearWarpOfARampMovesTheCentre() throws {
        let frames = 24
        let geometry = ImageGeometry(height: 3, width: frames, channels: 2)
        let ramp = (0..<(2 * geometry.elementCount)).map { Float($0 % frames) }
        let input = try ImageBatch(float32NCHW: ramp, count: 2, channels: 2, height: 3, width: frames)
        let parameters = [
            TimeWarpParameters(center: 8, warpedCenter: 14), TimeWarpParameters(center: 15, warpedCenter: 6),
        ]
        let out = try replay(TimeWarp(mode: .linear), parameters, on: input)
        for (n, p) in parameters.enumerated() {
            let row = (0..<frames).map { out.value(sample: n, channel: 0, y: 0, x: $0) }
            let leftScale = Float(p.center) / Float(p.warpedCenter)
            #expect(row.first == max(0, leftScale * 0.5 - 0.5))
            #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 })
            // Output frame w is the first of the right half: s = scale * 0.5 - 0.5 past input frame c.
            let scale = Float(frames - p.center) / Float(frames - p.warpedCenter)
            #expect(row[p.warpedCenter] == Float(p.center) + max(0, scale * 0.5 - 0.5))
            for c in 0..<2 {
                for y in 0..<3 {
                    #expect((0..<frames).map { out.value(sample: n, channel: c, y: y, x: $0) } == row)
                }
            }
        }
    }

    // MARK: Policies and spectrogram batches

    @Test func policiesAreTable1OfThePaper() throws {
        let expected: [SpecAugmentPolicy: [Double]] = [
            .libriSpeechBasic: [80, 27, 1, 100, 1.0, 1], .libriSpeechDouble: [80, 27, 2, 100, 1.0, 2],
            .switchboardMild: [40, 15, 2, 70, 0.2, 2], .switchboardStrong: [40, 27, 2, 70, 0.2, 2],
        ]
        for policy in SpecAugmentPolicy.allCases {
            let ops = try policy.transforms()
            let warp = try #require(ops[0] as? TimeWarp)
            let frequency = try #require(ops[1] as? FrequencyMasking)
            let time = try #require(ops[2] as? TimeMasking)
            let values = [
                Double(warp.window), Double(frequency.freqMaskParam), Double(frequency.numMasks),
                Double(time.timeMaskParam), time.p, Double(time.numMasks),
            ]
            #expect(values == expected[policy], "\(policy)")
            #expect(frequency.p == 1, "p bounds time masks only")
            #expect(frequency.maskValue == .constant(0) && warp.mode == .bicubic)
        }
        #expect(SpecAugmentPolicy(rawValue: "SS") == .switchboardStrong)
    }

    @Test func spectrogramBatchesKeepTheirShapeAndMaskAlongTime() throws {
        let frequencyBins = 4, frames = 30
        let values = (0..<(2 * frequencyBins * frames)).map { Float($0) + 1 }
        let batch = try SpectrogramBatch(values: values, count: 2, frequencyBins: frequencyBins, timeFrames: frames)
        let pipeline = try Pipeline([TimeMasking(timeMaskParam: 25, maskValue: .constant(0))])
        let sampled = try pipeline.sample(
            count: 2, geometry: ImageGeometry(height: frequencyBins, width: frames, channels: 1), seed: 6)
        let parameters = try #require(sampled.ops[0].parameters as? [SpectrogramMaskParameters])
        let out = try CPUBackend().apply(pipeline, to: batch, seed: 6)
        #expect(out.shape == [2, frequencyBins, frames] && !out.hasChannelAxis)
        for n in 0..<2 {
            let band = parameters[n].channelBands[0][0]
            for f in 0..<frequencyBins {
                for t in 0..<frames {
                    let i = (n * frequencyBins + f) * frames + t
                    let masked = t >= band.start && t < band.start + band.width
                    #expect(out.values[i] == (masked ? 0 : values[i]))
                }
            }
        }
        #expect(parameters.contains { $0.channelBands[0][0].width > 0 })
        let labels = try LabelBatch(classIDs: [0, 1], classCount: 2)
        let mixed = try CPUBackend().apply(Pipeline([MixUp(mode: .elem)]), to: batch, labels: labels, seed: 2)
        #expect(mixed.spectrograms.shape == [2, frequencyBins, frames])
        #expect(mixed.labels?.values != labels.values)
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(Pipeline([], output: .uint8NHWC), to: batch, seed: 1)
        }
    }

    /// A float32 NCHW batch (what spectrograms are) goes straight into the first SpecAugment stage:
    /// no copy pass before it or after the last one.
    @Test func spectrogramPipelinesRunOnePassPerOp() throws {
        let input = try spectrograms(count: 2, geometry: Self.geometry, seed: 1)
        let pipeline = try SpecAugmentPolicy.libriSpeechDouble.pipeline()
        let plan = try pipeline.sample(count: 2, geometry: Self.geometry, seed: 1).plan(for: input)
        #expect(plan.stages.map(\.family) == ["specaugment", "specaugment", "specaugment"])
        let uint8 = try ImageBatch.random(count: 2, geometry: Self.geometry, pixelType: .uint8, layout: .nhwc, seed: 1)
        let converted = try Pipeline([TimeMasking(timeMaskParam: 3)]).sample(count: 2, geometry: Self.geometry, seed: 1)
            .plan(for: uint8)
        #expect(converted.stages.map(\.family) == ["warp", "specaugment"], "uint8 NHWC is converted first")
    }

    // MARK: Errors and pipeline files

    @Test func badArgumentsAndParametersThrow() throws {
        #expect(throws: AugmentError.self) { try FrequencyMasking(freqMaskParam: -1) }
        #expect(throws: AugmentError.self) { try TimeMasking(timeMaskParam: 10, p: .nan) }
        #expect(throws: AugmentError.self) { try TimeMasking(timeMaskParam: 10, p: 1.5) }
        #expect(throws: AugmentError.self) { try TimeMasking(timeMaskParam: 10, numMasks: 300) }
        #expect(
            throws: AugmentError.invalidArgument(
                op: "frequency_masking", argument: "mask_value", value: "nan",
                allowed: "a finite float32 number or \"mean\"")
        ) {
            try FrequencyMasking(freqMaskParam: 3, maskValue: .constant(.nan))
        }
        #expect(
            throws: AugmentError.invalidArgument(
                op: "time_warp", argument: "window", value: "-1",
                allowed: "an integer in [0, 2147483647]")
        ) {
            try TimeWarp(window: -1)
        }
        let input = try spectrograms(count: 1, geometry: Self.geometry, seed: 1)
        let op = try TimeMasking(timeMaskParam: 10)
        for bad in [
            [[MaskBand(start: 45, width: 6)]], [[MaskBand(start: -1, width: 2)]],
            [[MaskBand(start: 0, width: 1)], [], []],
        ] {
            #expect(throws: AugmentError.self) {
                try replay(op, [SpectrogramMaskParameters(channelBands: bad)], on: input)
            }
        }
        for bad in [TimeWarpParameters(center: 0, warpedCenter: 5), TimeWarpParameters(center: 10, warpedCenter: 50)] {
            #expect(throws: AugmentError.self) { try replay(TimeWarp(), [bad], on: input) }
        }
    }

    @Test func decodesTorchaudioAndESPnetNames() throws {
        let decoder = JSONDecoder()
        let frequency = try decoder.decode(
            FrequencyMasking.self,
            from: Data(
                #"""
                {"freq_mask_param": 27, "iid_masks": false, "p": 0.5, "num_masks": 2, "mask_value": "mean"}
                """#.utf8))
        #expect(
            frequency.freqMaskParam == 27 && !frequency.iidMasks && frequency.p == 0.5 && frequency.numMasks == 2
                && frequency.maskValue == .mean)
        let time = try decoder.decode(
            TimeMasking.self, from: Data(#"{"time_mask_param": 100, "mask_value": -1.5}"#.utf8))
        #expect(
            time.timeMaskParam == 100 && time.iidMasks && time.p == 1 && time.numMasks == 1
                && time.maskValue == .constant(-1.5))
        let warp = try decoder.decode(TimeWarp.self, from: Data(#"{"window": 40, "mode": "linear"}"#.utf8))
        #expect(warp.window == 40 && warp.mode == .linear)
        #expect(try decoder.decode(TimeWarp.self, from: Data("{}".utf8)).window == 80)
        #expect(throws: (any Error).self) {
            try decoder.decode(TimeMasking.self, from: Data(#"{"time_mask_param": 10, "mask_value": "median"}"#.utf8))
        }
        #expect(throws: (any Error).self) { try decoder.decode(FrequencyMasking.self, from: Data("{}".utf8)) }
        let again = try decoder.decode(FrequencyMasking.self, from: JSONEncoder().encode(frequency))
        #expect(again.maskValue == .mean && again.freqMaskParam == 27 && again.numMasks == 2)
        for name in ["frequency_masking", "time_masking", "time_warp"] {
            #expect(OpRegistry.type(named: name) != nil)
            #expect(TransformCatalog.entry(named: name)?.pixelTypes == [.float32])
        }
    }
}

/// Agreement with torchaudio and PyTorch's interpolate on the values they drew
/// (Tests/Fixtures/specaugment.json, made by Tests/Fixtures/generate_specaugment.py).
@Suite struct SpecAugmentFixtureTests {
    private struct BandCase: Decodable {
        var axis: String, length: Int, mask_param: Int, p: Double, max_width: Int
        var u1: Double?, u2: Double?
        var band: [Int]
    }

    private struct MaskCase: Decodable {
        var name: String, axis: String, shape: [Int]
        var fill_value: Double
        var input: [Float]
        var bands: [[[[Int]]]]
        var expected: [Float]
    }

    private struct WarpCase: Decodable {
        var center: Int, warped: Int, mode: String
        var expected: [Float]
    }

    private struct WarpSet: Decodable {
        var shape: [Int]
        var input: [Float]
        var cases: [WarpCase]
    }

    private struct File: Decodable {
        var bands: [BandCase]
        var masking: [MaskCase]
        var time_warp: WarpSet
    }

    private static func load() throws -> File {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/specaugment.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    /// Given torchaudio's uniforms, the band rule gives torchaudio's band (widths, truncation of a
    /// negative start, clipping when mask_param exceeds the axis, the p cap).
    @Test func bandsMatchTorchaudio() throws {
        let cases = try Self.load().bands
        #expect(cases.count >= 100)
        for c in cases {
            let masking = AxisMasking(
                op: "fixture", axis: c.axis == "time" ? .time : .frequency, maskParam: c.mask_param,
                iidMasks: true, p: c.p, numMasks: 1, maskValue: .constant(0))
            #expect(masking.maxWidth(length: c.length) == c.max_width)
            guard let u1 = c.u1, let u2 = c.u2 else {
                #expect(c.max_width < 1 && c.band == [0, 0])
                continue
            }
            let band = AxisMasking.band(u1: u1, u2: u2, length: c.length, maxWidth: c.max_width)
            let expected = c.band[1] > c.band[0] ? c.band : [band.start, band.start]  // torchaudio shows no start for an empty band
            #expect([band.start, band.start + band.width] == expected, "L \(c.length) param \(c.mask_param) p \(c.p)")
        }
    }

    @Test func maskedBatchesMatchTorchaudio() throws {
        for c in try Self.load().masking {
            let (n, channels, height, width) = (c.shape[0], c.shape[1], c.shape[2], c.shape[3])
            let input = try ImageBatch(float32NCHW: c.input, count: n, channels: channels, height: height, width: width)
            let parameters = c.bands.map { perSample in
                SpectrogramMaskParameters(
                    channelBands: perSample.map { $0.map { MaskBand(start: $0[0], width: $0[1] - $0[0]) } })
            }
            let isMean = c.name.contains("mean")
            let fill: MaskValue = isMean ? .mean : .constant(Float(c.fill_value))
            let out: ImageBatch =
                c.axis == "time"
                ? try replay(TimeMasking(timeMaskParam: 1, maskValue: fill), parameters, on: input)
                : try replay(FrequencyMasking(freqMaskParam: 1, maskValue: fill), parameters, on: input)
            let values = try #require(out.float32Values)
            if isMean {
                let error = zip(values, c.expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(error <= 1e-6, "\(c.name): the mean fill differs by \(error)")
            } else {
                #expect(values == c.expected, "\(c.name)")
            }
        }
    }

    /// ESPnet's warp of the two halves (PyTorch interpolate, align_corners=False), bicubic and
    /// linear, within 1e-6 (this library evaluates the weights with fmas).
    @Test func timeWarpMatchesPyTorchInterpolate() throws {
        let set = try Self.load().time_warp
        let input = try ImageBatch(
            float32NCHW: set.input, count: set.shape[0], channels: set.shape[1],
            height: set.shape[2], width: set.shape[3])
        #expect(set.cases.count == 14)
        for c in set.cases {
            let mode = try #require(TimeWarpInterpolation(rawValue: c.mode))
            let out = try replay(
                TimeWarp(mode: mode), [TimeWarpParameters(center: c.center, warpedCenter: c.warped)], on: input)
            let values = try #require(out.float32Values)
            let error = zip(values, c.expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(values.count == c.expected.count && error <= 1e-6, "\(c.mode) \(c.center) -> \(c.warped): \(error)")
        }
    }
}
