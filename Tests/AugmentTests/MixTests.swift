import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// Runs `transform` with explicit per-sample parameters on the CPU reference.
private func replay<T: Transform>(
    _ transform: T, _ parameters: [T.Parameters], on batch: AugmentBatch
) throws -> AugmentBatch {
    let sampled = SampledPipeline(
        pipeline: try Pipeline([transform]), count: batch.count,
        inputGeometry: batch.images.geometry, ops: [SampledOp(transform, parameters: parameters)])
    return try CPUBackend().run(sampled.plan(for: batch.images), on: batch)
}

/// The parameters `transform` draws for a batch of `count` images of `geometry`.
private func draw<T: Transform>(
    _ transform: T, count: Int, geometry: ImageGeometry, seed: UInt64,
    firstSampleIndex: UInt64 = 0
) throws -> [T.Parameters] {
    let sampled = try Pipeline([transform]).sample(
        count: count, geometry: geometry, seed: seed,
        firstSampleIndex: firstSampleIndex)
    return try #require(sampled.ops[0].parameters as? [T.Parameters])
}

/// A float32 NCHW batch where every value says where it came from: sample n holds
/// n * 10000 + (its index within the sample).
private func labelledPixels(count: Int, geometry: ImageGeometry) throws -> ImageBatch {
    let per = geometry.elementCount
    let values = (0..<(count * per)).map { Float(($0 / per) * 10000 + $0 % per) }
    return try ImageBatch(
        float32NCHW: values, count: count, channels: geometry.channels,
        height: geometry.height, width: geometry.width)
}

/// The Beta / Gamma / normal samplers: moments and whole distributions on many draws (fixed
/// seeds, so the checks are deterministic; tolerances are 5 standard errors, or the 1% KS bound).
@Suite struct BetaSamplerTests {
    static let draws = 20000

    private func sample(_ body: (inout RandomStream) -> Double) -> [Double] {
        (0..<Self.draws).map { i in
            var random = RandomStream(RandomKey(seed: 42, sampleIndex: UInt64(i), opIndex: 3))
            return body(&random)
        }
    }

    private func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance)
    }

    @Test(arguments: [0.2, 0.5, 1.0, 2.0, 8.0])
    func betaMeanAndVarianceMatchBetaAlphaAlpha(alpha: Double) {
        let values = sample { $0.beta(alpha, alpha) }
        #expect(values.allSatisfy { (0...1).contains($0) })
        let (mean, variance) = moments(values)
        let expectedVariance = 1 / (4 * (2 * alpha + 1))
        // Beta(a, a): excess kurtosis -6 / (2a + 3), so Var(sample variance) ~ var^2 (2 - 6/(2a+3)) / n.
        let meanError = (expectedVariance / Double(Self.draws)).squareRoot()
        let varianceError = expectedVariance * ((2 - 6 / (2 * alpha + 3)) / Double(Self.draws)).squareRoot()
        #expect(abs(mean - 0.5) < 5 * meanError, "mean \(mean)")
        #expect(abs(variance - expectedVariance) < 5 * varianceError, "variance \(variance) vs \(expectedVariance)")
    }

    /// Kolmogorov–Smirnov against closed-form CDFs: Beta(1/2, 1/2) is the arcsine law (the
    /// alpha < 1 boost path), Beta(1, 1) uniform, Beta(2, 2) has CDF 3x^2 - 2x^3.
    @Test(arguments: [0.5, 1.0, 2.0])
    func betaDistributionPassesKolmogorovSmirnov(alpha: Double) {
        let cdf: (Double) -> Double
        switch alpha {
        case 0.5: cdf = { 2 / Double.pi * asin($0.squareRoot()) }
        case 1: cdf = { $0 }
        default: cdf = { 3 * $0 * $0 - 2 * $0 * $0 * $0 }
        }
        let sorted = sample { $0.beta(alpha, alpha) }.sorted()
        let n = Double(sorted.count)
        var distance = 0.0
        for (i, x) in sorted.enumerated() {
            distance = max(distance, abs(cdf(x) - Double(i) / n), abs(cdf(x) - Double(i + 1) / n))
        }
        #expect(distance < 1.63 / n.squareRoot(), "KS distance \(distance)")
    }

    @Test(arguments: [0.3, 1.0, 5.0])
    func gammaHasMeanAndVarianceEqualToItsShape(shape: Double) {
        let (mean, variance) = moments(sample { exp($0.logGamma(shape: shape)) })
        #expect(abs(mean - shape) < 5 * (shape / Double(Self.draws)).squareRoot(), "mean \(mean)")
        #expect(abs(variance - shape) / shape < 0.06, "variance \(variance)")
    }

    @Test func normalIsStandard() {
        let (mean, variance) = moments(sample { $0.normal() })
        #expect(abs(mean) < 5 / Double(Self.draws).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(Self.draws)).squareRoot())
    }

    @Test func tinyAlphaStaysFiniteAndNearTheEnds() {
        let values = sample { $0.beta(0.001, 0.001) }
        #expect(values.allSatisfy { $0.isFinite && (0...1).contains($0) })
        #expect(values.filter { $0 < 1e-6 || $0 > 1 - 1e-6 }.count > Self.draws * 9 / 10)
    }
}

/// MixUp / CutMix: sampling, pixels, labels, errors (CPU reference; parity is in MixParityTests).
@Suite struct MixTests {
    static let geometry = ImageGeometry(height: 9, width: 13, channels: 3)

    // MARK: Sampling

    @Test func perSampleLambdaMatchesBeta() throws {
        let alpha = 0.4
        let parameters = try draw(
            MixUp(alpha: alpha, mode: .elem, partner: .reversed), count: 20000,
            geometry: Self.geometry, seed: 3)
        let lambdas = parameters.map(\.lambda)
        let mean = lambdas.reduce(0, +) / Double(lambdas.count)
        let variance = lambdas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(lambdas.count)
        let expected = 1 / (4 * (2 * alpha + 1))
        #expect(abs(mean - 0.5) < 5 * (expected / 20000).squareRoot())
        #expect(abs(variance - expected) < 0.01)
        #expect(Set(lambdas).count > 19000, "every sample draws its own lambda")
    }

    @Test func batchModeDrawsOneLambdaPerBatchWithBetaMean() throws {
        var lambdas: [Double] = []
        for batch in 0..<3000 {
            let parameters = try draw(
                MixUp(alpha: 1), count: 4, geometry: Self.geometry, seed: 8,
                firstSampleIndex: UInt64(batch * 4))
            #expect(Set(parameters.map(\.lambda)).count == 1)
            lambdas.append(parameters[0].lambda)
        }
        let mean = lambdas.reduce(0, +) / Double(lambdas.count)
        #expect(abs(mean - 0.5) < 5 * (1.0 / 12 / 3000).squareRoot())
    }

    @Test func partnerRules() throws {
        let reversed = try draw(MixUp(mode: .elem, partner: .reversed), count: 6, geometry: Self.geometry, seed: 1)
        #expect(reversed.map(\.partner) == [5, 4, 3, 2, 1, 0])
        let rolled = try draw(MixUp(), count: 5, geometry: Self.geometry, seed: 1)
        #expect(rolled.map(\.partner) == [4, 0, 1, 2, 3], "torchvision: batch.roll(1, 0)")
        let odd = try draw(MixUp(mode: .elem, partner: .reversed), count: 5, geometry: Self.geometry, seed: 1)
        #expect(odd[2] == .unmixed(2), "the middle of an odd batch pairs with itself: unmixed")
        for seed in 1...20 as ClosedRange<UInt64> {
            let shuffled = try draw(
                CutMix(mode: .elem, partner: .permutation), count: 8, geometry: Self.geometry, seed: seed)
            let mixed = shuffled.filter { $0.method != .none }
            #expect(Set(mixed.map(\.partner)).count == mixed.count, "a permutation hits every partner once")
            for (i, p) in shuffled.enumerated() where p.method == .none { #expect(p.partner == i) }
        }
        let permutations = Set(
            try (1...30 as ClosedRange<UInt64>).map {
                try draw(MixUp(mode: .batch, partner: .permutation), count: 6, geometry: Self.geometry, seed: $0).map(
                    \.partner)
            })
        #expect(permutations.count > 20, "the permutation changes with the seed")
    }

    @Test func pairModeGivesMutualPartnersTheSameDraw() throws {
        for partner in [MixPartner.reversed, .permutation] {
            let parameters = try draw(
                MixUpCutMix(mixupAlpha: 1, cutmixAlpha: 1, mode: .pair, partner: partner),
                count: 9, geometry: Self.geometry, seed: 12)
            var unpaired = 0
            for (i, p) in parameters.enumerated() {
                if p.partner == i { unpaired += 1; continue }
                let q = parameters[p.partner]
                #expect(q.partner == i)
                #expect(q.lambda == p.lambda && q.box == p.box && q.method == p.method)
            }
            #expect(unpaired == 1, "an odd batch leaves one sample alone")
        }
        #expect(
            throws: AugmentError.invalidArgument(
                op: "mixup", argument: "partner", value: "rolled",
                allowed: "reversed or permutation when mode is pair (pairs must be mutual)")
        ) {
            try MixUp(mode: .pair, partner: .rolled)
        }
    }

    @Test func cutMixLambdaIsTheKeptAreaAndBoxesStayInside() throws {
        for seed in 1...200 as ClosedRange<UInt64> {
            for p in try draw(
                CutMix(mode: .elem, partner: .reversed, boxRule: .timm), count: 4,
                geometry: Self.geometry, seed: seed)
            {
                let box = try #require(p.box)
                #expect(box.top >= 0 && box.bottom <= 9 && box.left >= 0 && box.right <= 13)
                #expect(p.lambda == 1 - Double(box.area) / Double(9 * 13))
            }
        }
    }

    @Test func boxRulesCutAsTimmAndTorchvision() {
        let g = ImageGeometry(height: 10, width: 10, channels: 1)
        // sqrt(1 - 0.75) = 0.5: timm cut 5 -> [c - 2, c + 3); torchvision half 2 -> [c - 2, c + 2).
        #expect(
            CutMixBoxRule.timm.box(lambda: 0.75, centerRow: 5, centerColumn: 5, in: g)
                == MixBox(top: 3, left: 3, bottom: 8, right: 8))
        #expect(
            CutMixBoxRule.torchvision.box(lambda: 0.75, centerRow: 5, centerColumn: 5, in: g)
                == MixBox(top: 3, left: 3, bottom: 7, right: 7))
        // Clipped at the border, and the kept fraction follows the clipped box.
        let clipped = CutMixBoxRule.timm.box(lambda: 0.36, centerRow: 0, centerColumn: 9, in: g)
        #expect(clipped == MixBox(top: 0, left: 5, bottom: 4, right: 10))
        #expect(clipped.keptFraction(of: g) == 0.8)
        #expect(CutMixBoxRule.timm.box(lambda: 1, centerRow: 4, centerColumn: 4, in: g).area == 0)
    }

    // MARK: Pixels and labels

    @Test func cutMixTakesEveryPixelFromTheSampleOrItsPartnerInTheLambdaShare() throws {
        let images = try labelledPixels(count: 8, geometry: Self.geometry)
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: Array(0..<8), classCount: 8))
        let op = try CutMix(alpha: 1, mode: .elem, partner: .permutation)
        for seed in 1...10 as ClosedRange<UInt64> {
            let parameters = try draw(op, count: 8, geometry: Self.geometry, seed: seed)
            let out = try replay(op, parameters, on: batch)
            for (n, p) in parameters.enumerated() {
                var fromPartner = 0
                for y in 0..<9 {
                    for x in 0..<13 {
                        let source = Int(out.images.value(sample: n, channel: 0, y: y, x: x)) / 10000
                        #expect(source == n || source == p.partner)
                        for c in 1..<3 {
                            #expect(Int(out.images.value(sample: n, channel: c, y: y, x: x)) / 10000 == source)
                            #expect(
                                Int(out.images.value(sample: n, channel: c, y: y, x: x)) % 10000
                                    == images.index(sample: 0, channel: c, y: y, x: x))
                        }
                        if source != n { fromPartner += 1 }
                    }
                }
                #expect(p.lambda == 1 - Double(fromPartner) / Double(9 * 13), "the partner share is 1 - lambda")
                let row = try #require(out.labels?.row(n))
                #expect(abs(Double(row[row.startIndex + n]) - (p.partner == n ? 1 : p.lambda)) < 1e-7)
            }
        }
    }

    @Test func mixUpBlendsWithOneFusedMultiplyAdd() throws {
        let images = try ImageBatch.random(
            count: 3, geometry: Self.geometry, pixelType: .float32, layout: .nchw, seed: 5)
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1, 2], classCount: 3))
        let lambda = 0.3125
        let parameters = (0..<3).map { MixParameters(method: .mixup, partner: ($0 + 2) % 3, lambda: lambda) }
        let out = try replay(MixUp(), parameters, on: batch)
        let a = try #require(images.float32Values), b = try #require(out.images.float32Values)
        let per = Self.geometry.elementCount
        for i in a.indices {
            let partner = ((i / per) + 2) % 3 * per + i % per
            #expect(b[i] == (a[partner] * Float(1 - lambda)).addingProduct(a[i], Float(lambda)))
            #expect(abs(Double(b[i]) - (lambda * Double(a[i]) + (1 - lambda) * Double(a[partner]))) < 1e-6)
        }
        #expect(out.labels?.values == [0.3125, 0, 0.6875, 0.6875, 0.3125, 0, 0, 0.6875, 0.3125])
    }

    @Test func lambdaOneGivesTheInputBack() throws {
        let images = try ImageBatch.random(
            count: 4, geometry: Self.geometry, pixelType: .float32, layout: .nchw, seed: 6)
        let labels = try LabelBatch(classIDs: [1, 0, 1, 1], classCount: 2)
        let batch = try AugmentBatch(images: images, labels: labels)
        let blend = (0..<4).map { MixParameters(method: .mixup, partner: 3 - $0, lambda: 1) }
        let out = try replay(MixUp(), blend, on: batch)
        #expect(out.images == images)
        #expect(out.labels == labels)
        let box = MixBox(top: 2, left: 2, bottom: 2, right: 9)
        let paste = (0..<4).map { MixParameters(method: .cutmix, partner: 3 - $0, lambda: 1, box: box) }
        #expect(try replay(CutMix(), paste, on: batch).images == images)
        // prob 0: nothing mixes; the labels are only smoothed (eps/K off, 1 - eps + eps/K on).
        let never = try CPUBackend().apply(Pipeline([MixUpCutMix(prob: 0, labelSmoothing: 0.2)]), to: batch, seed: 1)
        #expect(never.images == images)
        #expect(never.labels?.values.map { ($0 * 1e6).rounded() / 1e6 } == [0.1, 0.9, 0.9, 0.1, 0.1, 0.9, 0.1, 0.9])
    }

    @Test func labelsAreTimmsSmoothedMixAndRowsSumToOne() throws {
        let count = 9, classes = 7
        let images = try ImageBatch.random(
            count: count, geometry: Self.geometry, pixelType: .uint8, layout: .nhwc, seed: 2)
        let ids = [3, 1, 6, 0, 0, 2, 5, 4, 3]
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: ids, classCount: classes))
        let op = try MixUpCutMix(
            mixupAlpha: 0.8, cutmixAlpha: 1, prob: 0.9, mode: .elem, labelSmoothing: 0.1,
            numClasses: classes, partner: .permutation)
        for seed in 1...20 as ClosedRange<UInt64> {
            let parameters = try draw(op, count: count, geometry: Self.geometry, seed: seed)
            let out = try #require(try replay(op, parameters, on: batch).labels)
            for (n, p) in parameters.enumerated() {
                let row = Array(out.row(n))
                #expect(abs(row.reduce(0, +) - 1) < 1e-6)
                for k in 0..<classes {
                    let own = (k == ids[n] ? 0.9 : 0) + 0.1 / 7
                    let other = (k == ids[p.partner] ? 0.9 : 0) + 0.1 / 7
                    #expect(row[k] == Float(p.lambda * own + (1 - p.lambda) * other))
                }
            }
        }
    }

    @Test func mixedSamplesReadTheOriginalBatch() throws {
        // Sample 0 takes from 1 and 1 from 0: with in-place mixing the second would see mixed pixels.
        let images = try labelledPixels(count: 2, geometry: ImageGeometry(height: 1, width: 2, channels: 1))
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1], classCount: 2))
        let parameters = [
            MixParameters(method: .mixup, partner: 1, lambda: 0.25),
            MixParameters(method: .mixup, partner: 0, lambda: 0.25),
        ]
        let out = try replay(MixUp(), parameters, on: batch)
        #expect(out.images.float32Values == [7500, 7501, 2500, 2501])
    }

    // MARK: Errors

    @Test func missingOrMismatchedLabelsAreClearErrors() throws {
        let images = try ImageBatch.random(count: 2, geometry: Self.geometry, pixelType: .uint8, layout: .nhwc, seed: 1)
        #expect(
            throws: AugmentError.incompatible(
                "mixup mixes labels along with the images, but the batch has none: pass an AugmentBatch with labels (LabelBatch(classIDs:classCount:) or soft labels)"
            )
        ) {
            try CPUBackend().apply(Pipeline([MixUp()]), to: images, seed: 1)
        }
        let labels = try LabelBatch(classIDs: [0, 1], classCount: 3)
        #expect(throws: AugmentError.incompatible("cutmix: num_classes is 10 but the labels have 3 classes")) {
            try CPUBackend().apply(
                Pipeline([CutMix(numClasses: 10)]), to: AugmentBatch(images: images, labels: labels), seed: 1)
        }
    }

    @Test func badArgumentsThrow() {
        #expect(throws: AugmentError.self) { try MixUp(alpha: 0) }
        #expect(throws: AugmentError.self) { try MixUp(alpha: .nan) }
        #expect(throws: AugmentError.self) { try CutMix(alpha: -1) }
        #expect(throws: AugmentError.self) { try CutMix(alpha: .infinity) }
        #expect(throws: AugmentError.self) { try MixUp(numClasses: 0) }
        #expect(throws: AugmentError.self) { try MixUpCutMix(mixupAlpha: 0, cutmixAlpha: 0) }
        #expect(throws: AugmentError.self) { try MixUpCutMix(prob: 1.5) }
        #expect(throws: AugmentError.self) { try MixUpCutMix(switchProb: .nan) }
        #expect(throws: AugmentError.self) { try MixUpCutMix(labelSmoothing: 1) }
        #expect(
            throws: AugmentError.invalidArgument(
                op: "mixup_cutmix", argument: "cutmix_alpha", value: "-0.5",
                allowed: "0 (off) or a number in [0.001, 10000]")
        ) {
            try MixUpCutMix(cutmixAlpha: -0.5)
        }
    }

    @Test func replayedParametersThatDoNotFitThrow() throws {
        let images = try ImageBatch.random(count: 2, geometry: Self.geometry, pixelType: .uint8, layout: .nhwc, seed: 1)
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1], classCount: 2))
        let box = MixBox(top: 0, left: 0, bottom: 3, right: 3)
        let cases: [[MixParameters]] = [
            [MixParameters(method: .mixup, partner: 2, lambda: 0.5), .unmixed(1)],  // partner outside
            [MixParameters(method: .cutmix, partner: 1, lambda: 0.5, box: box), .unmixed(1)],  // lambda != kept area
            [
                MixParameters(
                    method: .cutmix, partner: 1, lambda: 1, box: MixBox(top: 0, left: 0, bottom: 10, right: 3)),
                .unmixed(1),
            ],
            [MixParameters(method: .mixup, partner: 1, lambda: 1.5), .unmixed(1)],
            [MixParameters(method: .none, partner: 1, lambda: 0.5), .unmixed(1)],
            [.unmixed(0)],  // count
        ]
        for parameters in cases {
            #expect(throws: AugmentError.self) { try replay(CutMix(), parameters, on: batch) }
        }
        let good = [MixParameters(method: .cutmix, partner: 1, lambda: 1 - 9.0 / 117, box: box), .unmixed(1)]
        #expect(try replay(CutMix(), good, on: batch).labels?.row(0).first == Float(1 - 9.0 / 117))
    }

    // MARK: Pipeline files

    @Test func decodesPeerArgumentNamesWithDefaults() throws {
        let decoder = JSONDecoder()
        let mixup = try decoder.decode(MixUp.self, from: Data(#"{"alpha": 0.4, "num_classes": 10}"#.utf8))
        #expect(mixup.alpha == 0.4 && mixup.numClasses == 10 && mixup.mode == .batch && mixup.partner == .rolled)
        let cutmix = try decoder.decode(CutMix.self, from: Data(#"{"box_rule": "timm", "mode": "elem"}"#.utf8))
        #expect(cutmix.alpha == 1 && cutmix.boxRule == .timm && cutmix.mode == .elem)
        let timm = try decoder.decode(
            MixUpCutMix.self,
            from: Data(
                #"""
                {"mixup_alpha": 0.8, "cutmix_alpha": 1.0, "prob": 1.0, "switch_prob": 0.5, "mode": "batch",
                 "label_smoothing": 0.1, "num_classes": 1000}
                """#.utf8))
        #expect(
            timm.mixupAlpha == 0.8 && timm.cutmixAlpha == 1 && timm.switchProb == 0.5 && timm.numClasses == 1000
                && timm.partner == .reversed && timm.labelSmoothing == 0.1)
        #expect(try decoder.decode(MixUpCutMix.self, from: Data("{}".utf8)).labelSmoothing == 0.1)
        #expect(throws: (any Error).self) {
            try decoder.decode(MixUp.self, from: Data(#"{"mode": "pair", "partner": "rolled"}"#.utf8))
        }
        let encoded = try JSONEncoder().encode(timm)
        let again = try decoder.decode(MixUpCutMix.self, from: encoded)
        #expect(again.mixupAlpha == timm.mixupAlpha && again.numClasses == timm.numClasses && again.mode == timm.mode)
        let parameters = MixParameters(
            method: .cutmix, partner: 3, lambda: 0.75, box: MixBox(top: 1, left: 2, bottom: 3, right: 4))
        #expect(try decoder.decode(MixParameters.self, from: JSONEncoder().encode(parameters)) == parameters)
    }

    @Test func opsAreRegistered() {
        for name in ["mixup", "cutmix", "mixup_cutmix"] {
            #expect(OpRegistry.type(named: name) != nil)
            #expect(TransformCatalog.entry(named: name)?.labelClasses != nil)
        }
    }
}

/// Agreement with timm and torchvision on the values they drew (Tests/Fixtures/mix.json, made by
/// Tests/Fixtures/generate_mix.py): boxes and corrected lambdas exactly; pixels within 1e-6
/// (they multiply and add in two roundings where this library uses one fma); labels within 1e-6
/// (timm rounds its per-sample lambda to float32 in elem and pair modes).
@Suite struct MixFixtureTests {
    private struct BoxCase: Decodable {
        var height: Int, width: Int, lam: Double
        var center_row: Int, center_column: Int
        var box: [Int]
        var lam_corrected: Double
    }

    private struct Sample: Decodable {
        var method: String, partner: Int, lam: Double
        var box: [Int]?
    }

    private struct MixCase: Decodable {
        var name: String
        var samples: [Sample]
        var expected_images: [Float]
        var expected_labels: [Float]
    }

    private struct MixSet: Decodable {
        var count: Int, channels: Int, height: Int, width: Int, classes: Int
        var label_smoothing: Double
        var images: [Float]
        var class_ids: [Int]
        var cases: [MixCase]
    }

    private struct File: Decodable {
        var timm_boxes: [BoxCase]
        var torchvision_boxes: [BoxCase]
        var timm_mixup: MixSet
        var torchvision_mix: MixSet
    }

    private static func load() throws -> File {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/mix.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    private func check(_ cases: [BoxCase], rule: CutMixBoxRule) {
        for c in cases {
            let geometry = ImageGeometry(height: c.height, width: c.width, channels: 1)
            let box = rule.box(lambda: c.lam, centerRow: c.center_row, centerColumn: c.center_column, in: geometry)
            #expect(
                [box.top, box.left, box.bottom, box.right] == c.box, "\(rule) \(c.height)x\(c.width) lambda \(c.lam)")
            #expect(box.keptFraction(of: geometry) == c.lam_corrected)
        }
    }

    @Test func cutMixBoxesMatchTimm() throws {
        let file = try Self.load()
        #expect(file.timm_boxes.count >= 50)
        check(file.timm_boxes, rule: .timm)
    }

    @Test func cutMixBoxesMatchTorchvision() throws {
        let file = try Self.load()
        #expect(file.torchvision_boxes.count >= 50)
        check(file.torchvision_boxes, rule: .torchvision)
    }

    private func replayCases(_ set: MixSet, transform: MixUpCutMix) throws {
        let images = try ImageBatch(
            float32NCHW: set.images, count: set.count, channels: set.channels,
            height: set.height, width: set.width)
        let batch = try AugmentBatch(
            images: images, labels: LabelBatch(classIDs: set.class_ids, classCount: set.classes))
        for c in set.cases {
            let parameters = try c.samples.map { s in
                MixParameters(
                    method: try #require(MixMethod(rawValue: s.method)), partner: s.partner, lambda: s.lam,
                    box: s.box.map { MixBox(top: $0[0], left: $0[1], bottom: $0[2], right: $0[3]) })
            }
            let out = try replay(transform, parameters, on: batch)
            let pixels = try #require(out.images.float32Values)
            let labels = try #require(out.labels?.values)
            #expect(pixels.count == c.expected_images.count && labels.count == c.expected_labels.count)
            let pixelError = zip(pixels, c.expected_images).map { abs($0 - $1) }.max() ?? .infinity
            let labelError = zip(labels, c.expected_labels).map { abs($0 - $1) }.max() ?? .infinity
            #expect(pixelError <= 1e-6, "\(c.name): pixels differ by \(pixelError)")
            #expect(labelError <= 1e-6, "\(c.name): labels differ by \(labelError)")
        }
    }

    @Test func timmMixupMatchesInEveryMode() throws {
        let set = try Self.load().timm_mixup
        #expect(set.cases.map(\.name) == ["batch_mixup", "batch_cutmix", "batch_unmixed", "elem", "pair"])
        try replayCases(
            set,
            transform: MixUpCutMix(
                mixupAlpha: 1, cutmixAlpha: 1, labelSmoothing: set.label_smoothing,
                numClasses: set.classes))
    }

    @Test func torchvisionMixUpAndCutMixMatch() throws {
        let set = try Self.load().torchvision_mix
        #expect(set.cases.map(\.name) == ["mixup", "cutmix"])
        try replayCases(
            set,
            transform: MixUpCutMix(
                mixupAlpha: 1, cutmixAlpha: 1, labelSmoothing: 0,
                numClasses: set.classes))
    }
}
