/// How a MixUp / CutMix op spreads its draws over a batch (timm's `mode`).
public enum MixMode: String, Codable, Sendable, CaseIterable {
    /// One draw (apply or not, MixUp or CutMix, lambda, box) for the whole batch, from the batch
    /// stream: timm's `batch` and torchvision's only behaviour.
    case batch
    /// One draw per pair of mutual partners, from the stream of the pair's lower index; both get
    /// the same lambda and box (timm's `pair`). Needs mutual partners: `reversed` or `permutation`.
    case pair
    /// One draw per sample, from the sample's own stream (timm's `elem`).
    case elem
}

/// Which sample each sample is mixed with.
public enum MixPartner: String, Codable, Sendable, CaseIterable {
    /// Sample i with sample N-1-i, the batch flipped (timm `x.flip(0)`).
    case reversed
    /// Sample i with sample i-1, sample 0 with sample N-1 (torchvision `x.roll(1, 0)`).
    case rolled
    /// A uniformly random permutation of the batch, drawn per batch from the batch stream
    /// (Fisher–Yates). A sample the permutation maps to itself is left unmixed. In `pair` mode the
    /// shuffled batch is cut into consecutive pairs (a random perfect matching; with an odd batch
    /// one sample stays unmixed).
    case permutation
}

/// How the CutMix box is cut from lambda, for an H x W image and a centre (cy, cx) drawn
/// uniformly from [0, H) x [0, W).
public enum CutMixBoxRule: String, Codable, Sendable, CaseIterable {
    /// timm `rand_bbox`: cut = int(H sqrt(1 - lambda)), rows [cy - cut//2, cy + (cut+1)//2)
    /// clipped to the image (the same for columns with W).
    case timm
    /// torchvision `CutMix`: half = int(0.5 sqrt(1 - lambda) H), rows [cy - half, cy + half)
    /// clipped to the image (the same for columns with W). Differs from timm only when the cut is
    /// odd: timm's box is then one pixel taller (wider) before clipping.
    case torchvision

    /// The box for `lambda` around (centerRow, centerColumn), clipped to `geometry`.
    public func box(lambda: Double, centerRow: Int, centerColumn: Int, in geometry: ImageGeometry) -> MixBox {
        let ratio = (1 - lambda).squareRoot()
        func span(_ center: Int, _ size: Int) -> (Int, Int) {
            switch self {
            case .timm:
                let cut = Int(Double(size) * ratio)
                return (min(max(center - cut / 2, 0), size), min(max(center + (cut + 1) / 2, 0), size))
            case .torchvision:
                let half = Int(0.5 * ratio * Double(size))
                return (max(center - half, 0), min(center + half, size))
            }
        }
        let (top, bottom) = span(centerRow, geometry.height)
        let (left, right) = span(centerColumn, geometry.width)
        return MixBox(top: top, left: left, bottom: bottom, right: right)
    }
}

/// The sampling recipe shared by `mixup`, `cutmix` and `mixup_cutmix`.
///
/// One draw, from whichever stream the mode names, reads in this order: a uniform u0, and the
/// draw mixes when u0 < prob; if both alphas are positive, a uniform u1 and CutMix is used when
/// u1 < switch_prob (else the only enabled method is used); lambda ~ Beta(alpha, alpha) of that
/// method; for CutMix, the box centre row cy = integer(0...H-1) then column cx = integer(0...W-1),
/// the box by ``CutMixBoxRule`` and lambda replaced by the box's kept fraction 1 - area/(H W).
struct MixSampler: Sendable {
    var op: String
    var mixupAlpha: Double
    var cutmixAlpha: Double
    var prob: Double
    var switchProb: Double
    var mode: MixMode
    var partner: MixPartner
    var boxRule: CutMixBoxRule

    func sample(_ context: SamplingContext) -> [MixParameters] {
        let count = context.count
        var batchRandom = context.batchStream()
        let partners = partnerIndices(count: count, random: &batchRandom)
        var result = (0..<count).map { MixParameters.unmixed($0) }
        switch mode {
        case .batch:
            let drawn = draw(&batchRandom, geometry: context.geometry)
            for i in 0..<count where partners[i] != i {
                result[i] = MixParameters(
                    method: drawn.method, partner: partners[i], lambda: drawn.lambda, box: drawn.box)
            }
        case .elem:
            for i in 0..<count where partners[i] != i {
                var random = context.stream(sample: i)
                let drawn = draw(&random, geometry: context.geometry)
                result[i] = MixParameters(
                    method: drawn.method, partner: partners[i], lambda: drawn.lambda, box: drawn.box)
            }
        case .pair:
            for i in 0..<count where i < partners[i] {
                let j = partners[i]
                var random = context.stream(sample: i)
                let drawn = draw(&random, geometry: context.geometry)
                result[i] = MixParameters(method: drawn.method, partner: j, lambda: drawn.lambda, box: drawn.box)
                result[j] = MixParameters(method: drawn.method, partner: i, lambda: drawn.lambda, box: drawn.box)
            }
        }
        // A draw that did not mix keeps its own index as partner.
        for i in 0..<count where result[i].method == .none {
            result[i] = .unmixed(i)
        }
        return result
    }

    /// Partner of every index; `random` is the batch stream (read only for `permutation`).
    func partnerIndices(count: Int, random: inout RandomStream) -> [Int] {
        switch partner {
        case .reversed:
            return (0..<count).map { count - 1 - $0 }
        case .rolled:
            return (0..<count).map { ($0 + count - 1) % count }
        case .permutation:
            var order = Array(0..<count)
            if count > 1 {
                for i in stride(from: count - 1, to: 0, by: -1) {
                    order.swapAt(i, random.integer(in: 0...i))
                }
            }
            if mode == .pair {
                var partners = Array(0..<count)
                for k in stride(from: 0, to: count - 1, by: 2) {
                    partners[order[k]] = order[k + 1]
                    partners[order[k + 1]] = order[k]
                }
                return partners
            }
            return order
        }
    }

    /// One draw: whether and how to mix, with which lambda and box.
    func draw(
        _ random: inout RandomStream, geometry: ImageGeometry
    ) -> (method: MixMethod, lambda: Double, box: MixBox?) {
        guard random.bernoulli(prob) else { return (.none, 1, nil) }
        let useCutMix = mixupAlpha > 0 && cutmixAlpha > 0 ? random.bernoulli(switchProb) : cutmixAlpha > 0
        let alpha = useCutMix ? cutmixAlpha : mixupAlpha
        let lambda = random.beta(alpha, alpha)
        guard useCutMix else { return (.mixup, lambda, nil) }
        let row = random.integer(in: 0...(geometry.height - 1))
        let column = random.integer(in: 0...(geometry.width - 1))
        let box = boxRule.box(lambda: lambda, centerRow: row, centerColumn: column, in: geometry)
        return (.cutmix, box.keptFraction(of: geometry), box)
    }

    /// Adds the mix stage for `parameters` (checked against the batch) to `plan`.
    func lower(
        _ parameters: [MixParameters], labelSmoothing: Double, classCount: Int?,
        into plan: inout PlanBuilder
    ) throws {
        let stage = MixStage(
            op: op, count: plan.count, geometry: plan.geometry, samples: parameters,
            labelSmoothing: labelSmoothing, classCount: classCount)
        try stage.checkInput(count: plan.count, geometry: plan.geometry)
        try plan.append(Stage(stage))
    }
}

/// Allowed Beta concentrations: below 1e-3 the draw is numerically a coin flip between 0 and 1,
/// above 1e4 it is numerically 0.5.
let alphaRange = 1e-3...1e4

func checkAlpha(_ alpha: Double, op: String, argument: String, allowZero: Bool) throws {
    if allowZero, alpha == 0 { return }
    guard alpha.isFinite, alphaRange.contains(alpha) else {
        throw AugmentError.invalidArgument(
            op: op, argument: argument, value: "\(alpha)",
            allowed: (allowZero ? "0 (off) or " : "") + AugmentError.describeRange(alphaRange))
    }
}

func checkClassCount(_ classCount: Int?, op: String) throws {
    if let classCount {
        try AugmentError.check(classCount, in: 1...Int(Int32.max), op: op, argument: "num_classes")
    }
}

func checkPairing(mode: MixMode, partner: MixPartner, op: String) throws {
    if mode == .pair, partner == .rolled {
        throw AugmentError.invalidArgument(
            op: op, argument: "partner", value: "rolled",
            allowed: "reversed or permutation when mode is pair (pairs must be mutual)")
    }
}

/// `mixup`: every sample becomes `lambda * itself + (1 - lambda) * partner`, and so do its labels
/// (torchvision.transforms.v2 `MixUp(alpha, num_classes)`).
///
/// Defaults follow torchvision: one lambda ~ Beta(alpha, alpha) per batch and the partner is the
/// previous sample (the batch rolled by one). `mode` and `partner` choose timm's per-pair or
/// per-sample draws and other pairings. The batch must carry labels (class ids become one-hot
/// rows); `num_classes`, when given, must equal their class count.
public struct MixUp: Transform {
    public static let opName = "mixup"
    /// Beta concentration, in [0.001, 10000] (torchvision default 1).
    public let alpha: Double
    /// Expected number of classes of the labels; nil accepts any.
    public let numClasses: Int?
    public let mode: MixMode
    public let partner: MixPartner

    public init(
        alpha: Double = MixArguments.alpha.defaultValue!, numClasses: Int? = nil,
        mode: MixMode = MixArguments.mode.defaultValue!, partner: MixPartner = MixArguments.rolledPartner.defaultValue!
    ) throws {
        try checkAlpha(alpha, op: Self.opName, argument: "alpha", allowZero: false)
        try checkClassCount(numClasses, op: Self.opName)
        try checkPairing(mode: mode, partner: partner, op: Self.opName)
        self.alpha = alpha
        self.numClasses = numClasses
        self.mode = mode
        self.partner = partner
    }

    var sampler: MixSampler {
        MixSampler(
            op: Self.opName, mixupAlpha: alpha, cutmixAlpha: 0, prob: 1, switchProb: 0, mode: mode,
            partner: partner, boxRule: .timm)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    /// A sample alone has no partner: unmixed. Batches draw through ``sampleBatchParameters(_:)``.
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> MixParameters {
        .unmixed(0)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [MixParameters] {
        sampler.sample(context)
    }

    public func validate(_ parameters: MixParameters, for input: ImageGeometry) throws {
        try parameters.validate(for: input, op: Self.opName)
    }

    public func lower(_ parameters: [MixParameters], into plan: inout PlanBuilder) throws {
        try sampler.lower(parameters, labelSmoothing: 0, classCount: numClasses, into: &plan)
    }

    private enum CodingKeys: String, CodingKey {
        case alpha, numClasses = "num_classes", mode, partner
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            alpha: read(MixArguments.alpha), numClasses: read(MixArguments.numClasses), mode: read(MixArguments.mode),
            partner: read(MixArguments.rolledPartner))
    }
}

/// `cutmix`: a box of each sample is replaced by the same box of its partner; the labels are
/// mixed with the share of pixels actually kept, `1 - box area / (H W)`
/// (torchvision.transforms.v2 `CutMix(alpha, num_classes)`).
///
/// Defaults follow torchvision: one lambda ~ Beta(alpha, alpha) and one box per batch, the
/// partner is the previous sample, and the box is cut by torchvision's rule (`box_rule: "timm"`
/// gives timm's). `mode` and `partner` as for ``MixUp``.
public struct CutMix: Transform {
    public static let opName = "cutmix"
    /// Beta concentration, in [0.001, 10000] (torchvision default 1).
    public let alpha: Double
    public let numClasses: Int?
    public let mode: MixMode
    public let partner: MixPartner
    public let boxRule: CutMixBoxRule

    public init(
        alpha: Double = MixArguments.alpha.defaultValue!, numClasses: Int? = nil,
        mode: MixMode = MixArguments.mode.defaultValue!, partner: MixPartner = MixArguments.rolledPartner.defaultValue!,
        boxRule: CutMixBoxRule = MixArguments.boxRule.defaultValue!
    ) throws {
        try checkAlpha(alpha, op: Self.opName, argument: "alpha", allowZero: false)
        try checkClassCount(numClasses, op: Self.opName)
        try checkPairing(mode: mode, partner: partner, op: Self.opName)
        self.alpha = alpha
        self.numClasses = numClasses
        self.mode = mode
        self.partner = partner
        self.boxRule = boxRule
    }

    var sampler: MixSampler {
        MixSampler(
            op: Self.opName, mixupAlpha: 0, cutmixAlpha: alpha, prob: 1, switchProb: 1, mode: mode,
            partner: partner, boxRule: boxRule)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    /// A sample alone has no partner: unmixed. Batches draw through ``sampleBatchParameters(_:)``.
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> MixParameters {
        .unmixed(0)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [MixParameters] {
        sampler.sample(context)
    }

    public func validate(_ parameters: MixParameters, for input: ImageGeometry) throws {
        try parameters.validate(for: input, op: Self.opName)
    }

    public func lower(_ parameters: [MixParameters], into plan: inout PlanBuilder) throws {
        try sampler.lower(parameters, labelSmoothing: 0, classCount: numClasses, into: &plan)
    }

    private enum CodingKeys: String, CodingKey {
        case alpha, numClasses = "num_classes", mode, partner, boxRule = "box_rule"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            alpha: read(MixArguments.alpha), numClasses: read(MixArguments.numClasses), mode: read(MixArguments.mode),
            partner: read(MixArguments.rolledPartner), boxRule: read(MixArguments.boxRule))
    }
}

/// `mixup_cutmix`: timm's `Mixup` — with probability `prob` a draw mixes, choosing CutMix with
/// probability `switch_prob` when both alphas are positive; labels come out as (N, K) soft
/// labels with timm's label smoothing.
///
/// Defaults are timm's: mixup_alpha 1, cutmix_alpha 0 (off), prob 1, switch_prob 0.5, mode
/// `batch`, label_smoothing 0.1, partner `reversed`; the CutMix box follows timm's `rand_bbox`
/// and lambda is always corrected to the pasted area (timm's `correct_lam=True`; there is no
/// `cutmix_minmax`). `num_classes`, when given, must equal the labels' class count.
public struct MixUpCutMix: Transform {
    public static let opName = "mixup_cutmix"
    /// MixUp's Beta concentration; 0 turns MixUp off, else in [0.001, 10000].
    public let mixupAlpha: Double
    /// CutMix's Beta concentration; 0 turns CutMix off, else in [0.001, 10000].
    public let cutmixAlpha: Double
    /// Probability in [0, 1] that a draw mixes at all.
    public let prob: Double
    /// Probability in [0, 1] of CutMix rather than MixUp when both are on.
    public let switchProb: Double
    public let mode: MixMode
    /// Epsilon in [0, 1): off value eps/K, on value 1 - eps + eps/K.
    public let labelSmoothing: Double
    public let numClasses: Int?
    public let partner: MixPartner

    public init(
        mixupAlpha: Double = Arguments.mixupAlpha.defaultValue!,
        cutmixAlpha: Double = Arguments.cutmixAlpha.defaultValue!,
        prob: Double = MixArguments.prob.defaultValue!, switchProb: Double = Arguments.switchProb.defaultValue!,
        mode: MixMode = MixArguments.mode.defaultValue!,
        labelSmoothing: Double = Arguments.labelSmoothing.defaultValue!,
        numClasses: Int? = nil, partner: MixPartner = Arguments.partner.defaultValue!
    ) throws {
        try checkAlpha(mixupAlpha, op: Self.opName, argument: "mixup_alpha", allowZero: true)
        try checkAlpha(cutmixAlpha, op: Self.opName, argument: "cutmix_alpha", allowZero: true)
        guard mixupAlpha > 0 || cutmixAlpha > 0 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "mixup_alpha", value: "0",
                allowed: "a positive value, or a positive cutmix_alpha")
        }
        try MixArguments.prob.check(prob, op: Self.opName)
        try Arguments.switchProb.check(switchProb, op: Self.opName)
        guard labelSmoothing.isFinite, labelSmoothing >= 0, labelSmoothing < 1 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "label_smoothing", value: "\(labelSmoothing)",
                allowed: "a finite number in [0, 1)")
        }
        try checkClassCount(numClasses, op: Self.opName)
        try checkPairing(mode: mode, partner: partner, op: Self.opName)
        self.mixupAlpha = mixupAlpha
        self.cutmixAlpha = cutmixAlpha
        self.prob = prob
        self.switchProb = switchProb
        self.mode = mode
        self.labelSmoothing = labelSmoothing
        self.numClasses = numClasses
        self.partner = partner
    }

    var sampler: MixSampler {
        MixSampler(
            op: Self.opName, mixupAlpha: mixupAlpha, cutmixAlpha: cutmixAlpha, prob: prob,
            switchProb: switchProb, mode: mode, partner: partner, boxRule: .timm)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    /// A sample alone has no partner: unmixed. Batches draw through ``sampleBatchParameters(_:)``.
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> MixParameters {
        .unmixed(0)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [MixParameters] {
        sampler.sample(context)
    }

    public func validate(_ parameters: MixParameters, for input: ImageGeometry) throws {
        try parameters.validate(for: input, op: Self.opName)
    }

    public func lower(_ parameters: [MixParameters], into plan: inout PlanBuilder) throws {
        try sampler.lower(parameters, labelSmoothing: labelSmoothing, classCount: numClasses, into: &plan)
    }

    private enum CodingKeys: String, CodingKey {
        case mixupAlpha = "mixup_alpha", cutmixAlpha = "cutmix_alpha", prob, switchProb = "switch_prob", mode
        case labelSmoothing = "label_smoothing", numClasses = "num_classes", partner
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            mixupAlpha: read(Arguments.mixupAlpha), cutmixAlpha: read(Arguments.cutmixAlpha),
            prob: read(MixArguments.prob),
            switchProb: read(Arguments.switchProb), mode: read(MixArguments.mode),
            labelSmoothing: read(Arguments.labelSmoothing), numClasses: read(MixArguments.numClasses),
            partner: read(Arguments.partner))
    }

    /// `mixup_cutmix`'s own arguments, declared once (timm's defaults).
    public enum Arguments {
        public static let mixupAlpha = OpArgument<Double>(
            "mixup_alpha", default: 1, allowed: "0 (off) or a number in [0.001, 10000]",
            doc: "MixUp's Beta concentration; 0 turns MixUp off")
        public static let cutmixAlpha = OpArgument<Double>(
            "cutmix_alpha", default: 0, allowed: "0 (off) or a number in [0.001, 10000]",
            doc: "CutMix's Beta concentration; 0 turns CutMix off")
        public static let switchProb = OpArgument<Double>(
            "switch_prob", default: 0.5, range: 0...1, doc: "probability of CutMix when both alphas are positive")
        public static let labelSmoothing = OpArgument<Double>(
            "label_smoothing", default: 0.1, allowed: "a number in [0, 1]",
            doc: "timm's label smoothing of the mixed labels")
        public static let partner = OpArgument<MixPartner>(
            "partner", default: .reversed, doc: "which sample each sample mixes with (timm: the batch reversed)")
    }
}

/// The mixing ops' shared arguments, declared once.
public enum MixArguments {
    public static let alpha = OpArgument<Double>(
        "alpha", default: 1, allowed: "a number in [0.001, 10000]", doc: "Beta(alpha, alpha) concentration of lambda")
    public static let numClasses = OpArgument<Int?>(
        optional: "num_classes", allowed: "an integer >= 1 equal to the labels' class count",
        doc: "class count of the labels (checked against them); null: taken from the labels")
    public static let mode = OpArgument<MixMode>(
        "mode", default: .batch, doc: "one lambda (and box) per batch, per pair of samples, or per sample")
    public static let rolledPartner = OpArgument<MixPartner>(
        "partner", default: .rolled, doc: "which sample each sample mixes with (torchvision: the previous one)")
    public static let prob = OpArgument<Double>(
        "prob", default: 1, range: 0...1, doc: "probability that a draw mixes at all")
    public static let boxRule = OpArgument<CutMixBoxRule>(
        "box_rule", default: .torchvision, doc: "how the box is cut from lambda (torchvision's or timm's rand_bbox)")
}

extension MixMode: OpArgumentValue {}
extension MixPartner: OpArgumentValue {}
extension CutMixBoxRule: OpArgumentValue {}

extension MixUp: DescribedArguments {
    public static let arguments = [
        MixArguments.alpha.info, MixArguments.numClasses.info, MixArguments.mode.info, MixArguments.rolledPartner.info,
    ]
    public static let summary =
        "Blends each sample and its label with a partner's, lambda ~ Beta(alpha, alpha) (torchvision `MixUp`)."
}

extension CutMix: DescribedArguments {
    public static let arguments = [
        MixArguments.alpha.info, MixArguments.numClasses.info, MixArguments.mode.info, MixArguments.rolledPartner.info,
        MixArguments.boxRule.info,
    ]
    public static let summary =
        "Pastes a box of a partner sample, labels mixed by the kept area (torchvision `CutMix`)."
}

extension MixUpCutMix: DescribedArguments {
    public static let arguments = [
        Arguments.mixupAlpha.info, Arguments.cutmixAlpha.info, MixArguments.prob.info, Arguments.switchProb.info,
        MixArguments.mode.info, Arguments.labelSmoothing.info, MixArguments.numClasses.info, Arguments.partner.info,
    ]
    public static let summary = "MixUp or CutMix per draw with label smoothing (timm `Mixup`)."
}
