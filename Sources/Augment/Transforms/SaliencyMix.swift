import Foundation

/// One sample's SaliencyMix draw. The box's place is not drawn: it is centred on the saliency peak
/// of the partner's image, found when the plan runs (``MixStage/resolved(peaks:)``), so replaying
/// these parameters on the same images gives the same box and label weights.
public struct SaliencyMixParameters: Codable, Sendable, Equatable {
    /// Index, in the batch, of the sample whose patch is pasted (the sample's own index: unmixed).
    public var partner: Int
    /// The drawn lambda ~ Beta(alpha, alpha) (1 when unmixed). The labels are mixed with the kept
    /// fraction of the clipped box, not with this value.
    public var lambda: Double
    /// Box height and width in pixels before clipping: int(H sqrt(1 - lambda)), int(W sqrt(1 - lambda)).
    public var cutHeight: Int
    public var cutWidth: Int

    public init(partner: Int, lambda: Double, cutHeight: Int, cutWidth: Int) {
        self.partner = partner
        self.lambda = lambda
        self.cutHeight = cutHeight
        self.cutWidth = cutWidth
    }

    /// A sample left unchanged.
    public static func unmixed(_ index: Int) -> SaliencyMixParameters {
        SaliencyMixParameters(partner: index, lambda: 1, cutHeight: 0, cutWidth: 0)
    }

    private enum CodingKeys: String, CodingKey {
        case partner, lambda
        case cutHeight = "cut_height"
        case cutWidth = "cut_width"
    }
}

/// `saliency_mix`: SaliencyMix (Uddin et al. 2021, "SaliencyMix: A Saliency Guided Data Augmentation
/// Strategy for Better Regularization"): CutMix whose box is centred on the most salient pixel of
/// the partner's image, so the pasted patch carries the object rather than background. Per pair:
/// lambda ~ Beta(alpha, alpha), cut = sqrt(1 - lambda), a box of int(H cut) x int(W cut) pixels
/// centred on the partner's saliency peak (rows [cy - h/2, cy + h/2), columns likewise, clipped to
/// the image, as the reference code's `saliency_bbox`), the partner's pixels pasted into the same
/// box of the sample, and the labels mixed with the exact kept fraction `1 - pasted area / (H W)`.
///
/// Saliency: the frequency-tuned saliency of Achanta et al. 2009 computed exactly in integers (see
/// `Sources/Augment/CPU/Saliency.swift`), on the device for the OpenCL backend. The paper uses
/// OpenCV's spectral residual saliency, which needs an FFT and does not round alike on every device.
///
/// Arguments: `alpha` (1, in [0.001, 10000]), `prob` (1: the probability that a draw mixes),
/// `num_classes` (none), `mode` (`batch`: one draw per batch as the reference code; `elem`: per
/// sample; `pair`: per pair of mutual partners), `partner` (`permutation`, as the reference code's
/// `torch.randperm`; or `reversed`, `rolled`). Draws: the partner permutation from the batch stream,
/// then per draw u < prob, lambda. The batch must carry labels.
public struct SaliencyMix: Transform {
    public static let opName = "saliency_mix"
    public let alpha: Double
    public let prob: Double
    public let numClasses: Int?
    public let mode: MixMode
    public let partner: MixPartner

    public init(
        alpha: Double = MixArguments.alpha.defaultValue!, prob: Double = MixArguments.prob.defaultValue!,
        numClasses: Int? = nil, mode: MixMode = MixArguments.mode.defaultValue!,
        partner: MixPartner = partnerArgument.defaultValue!
    ) throws {
        try checkAlpha(alpha, op: Self.opName, argument: "alpha", allowZero: false)
        try MixArguments.prob.check(prob, op: Self.opName)
        try checkClassCount(numClasses, op: Self.opName)
        try checkPairing(mode: mode, partner: partner, op: Self.opName)
        self.alpha = alpha
        self.prob = prob
        self.numClasses = numClasses
        self.mode = mode
        self.partner = partner
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    /// A sample alone has no partner: unmixed. Batches draw through ``sampleBatchParameters(_:)``.
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> SaliencyMixParameters {
        .unmixed(0)
    }

    /// One draw: nil when it does not mix, else lambda and the cut size for `g`.
    func draw(_ random: inout RandomStream, geometry g: ImageGeometry) -> (lambda: Double, height: Int, width: Int)? {
        guard random.bernoulli(prob) else { return nil }
        let lambda = random.beta(alpha, alpha)
        let ratio = (1 - lambda).squareRoot()
        return (lambda, Int(Double(g.height) * ratio), Int(Double(g.width) * ratio))
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [SaliencyMixParameters] {
        let count = context.count
        var batchRandom = context.batchStream()
        let sampler = MixSampler(
            op: Self.opName, mixupAlpha: 0, cutmixAlpha: alpha, prob: prob, switchProb: 1, mode: mode,
            partner: partner, boxRule: .timm)
        let partners = sampler.partnerIndices(count: count, random: &batchRandom)
        var result = (0..<count).map { SaliencyMixParameters.unmixed($0) }
        func set(_ i: Int, _ drawn: (lambda: Double, height: Int, width: Int)?) {
            guard let drawn, partners[i] != i else { return }
            result[i] = SaliencyMixParameters(
                partner: partners[i], lambda: drawn.lambda, cutHeight: drawn.height, cutWidth: drawn.width)
        }
        switch mode {
        case .batch:
            let drawn = draw(&batchRandom, geometry: context.geometry)
            for i in 0..<count { set(i, drawn) }
        case .elem:
            for i in 0..<count where partners[i] != i {
                var random = context.stream(sample: i)
                set(i, draw(&random, geometry: context.geometry))
            }
        case .pair:
            for i in 0..<count where i < partners[i] {
                var random = context.stream(sample: i)
                let drawn = draw(&random, geometry: context.geometry)
                set(i, drawn)
                set(partners[i], drawn)
            }
        }
        return result
    }

    public func validate(_ parameters: SaliencyMixParameters, for input: ImageGeometry) throws {
        guard parameters.lambda.isFinite, (0...1).contains(parameters.lambda) else {
            throw AugmentError.parameterMismatch("saliency_mix: lambda \(parameters.lambda) is outside [0, 1]")
        }
        guard parameters.partner >= 0, (0...input.height).contains(parameters.cutHeight),
            (0...input.width).contains(parameters.cutWidth)
        else {
            throw AugmentError.parameterMismatch(
                "saliency_mix: partner \(parameters.partner) and cut \(parameters.cutHeight)x\(parameters.cutWidth) do not fit a \(input.height)x\(input.width) image"
            )
        }
    }

    public func lower(_ parameters: [SaliencyMixParameters], into plan: inout PlanBuilder) throws {
        let count = plan.count
        let cuts = parameters.enumerated().map { n, p -> SaliencyCut? in
            p.partner == n || p.cutHeight == 0 || p.cutWidth == 0
                ? nil : SaliencyCut(cutHeight: p.cutHeight, cutWidth: p.cutWidth)
        }
        let samples = parameters.enumerated().map { n, p in
            MixParameters(method: .none, partner: cuts[n] == nil ? n : p.partner, lambda: 1)
        }
        let stage = MixStage(
            op: Self.opName, count: count, geometry: plan.geometry, samples: samples, labelSmoothing: 0,
            classCount: numClasses, saliencyCuts: cuts)
        try stage.checkInput(count: count, geometry: plan.geometry)
        try plan.append(Stage(stage))
    }

    private enum CodingKeys: String, CodingKey {
        case alpha, prob, numClasses = "num_classes", mode, partner
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            alpha: read(MixArguments.alpha), prob: read(MixArguments.prob), numClasses: read(MixArguments.numClasses),
            mode: read(MixArguments.mode), partner: read(Self.partnerArgument))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(prob, forKey: .prob)
        try c.encodeIfPresent(numClasses, forKey: .numClasses)
        try c.encode(mode, forKey: .mode)
        try c.encode(partner, forKey: .partner)
    }
}

extension SaliencyMix {
    /// The saliency peak (row, column) of sample `n` of float32 NCHW `images`: the pixel whose box
    /// centre saliency_mix uses when `n` is the partner, exactly as both backends find it (see
    /// `Sources/Augment/CPU/Saliency.swift` for the formula). For pictures and tests.
    public static func saliencyPeak(of images: ImageBatch, sample n: Int) throws -> (row: Int, column: Int) {
        let values = try CPUMix.floatNCHWValues(images, stage: opName)
        guard (0..<images.count).contains(n) else {
            throw AugmentError.invalidArgument(
                op: opName, argument: "sample", value: "\(n)", allowed: "0..<\(images.count)")
        }
        let peak = values.withUnsafeBufferPointer { CPUSaliency.peak($0, sample: n, geometry: images.geometry) }
        return (peak / images.geometry.width, peak % images.geometry.width)
    }
}

extension SaliencyMix: DescribedArguments {
    /// `partner` (default: a random permutation, as the SaliencyMix paper's code).
    public static let partnerArgument = OpArgument<MixPartner>(
        "partner", default: .permutation, doc: "which sample each sample mixes with (default: a random permutation)")
    public static let arguments = [
        MixArguments.alpha.info, MixArguments.prob.info, MixArguments.numClasses.info, MixArguments.mode.info,
        partnerArgument.info,
    ]
    public static let summary =
        "Pastes the partner's most salient box, labels mixed by the kept area (SaliencyMix, Uddin et al. 2021)."
}
