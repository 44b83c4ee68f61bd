import Foundation

// torchvision's automatic augmentation policies (torchvision.transforms.v2._auto_augment): RandAugment,
// TrivialAugmentWide and AugMix, with their operation sets and magnitude tables, drawn per sample.
// A sample's geometric operations compose into its warp matrix and its colour operations into its
// colour program, so a policy costs one warp pass and one colour pass whatever each sample drew
// (exact_order: true keeps torchvision's order instead, at the cost of more passes).

/// One operation of torchvision's policies (the keys of `_AUGMENTATION_SPACE`).
public enum AutoAugmentOp: String, Codable, Sendable, CaseIterable {
    case identity = "Identity"
    case shearX = "ShearX"
    case shearY = "ShearY"
    case translateX = "TranslateX"
    case translateY = "TranslateY"
    case rotate = "Rotate"
    case brightness = "Brightness"
    case color = "Color"
    case contrast = "Contrast"
    case sharpness = "Sharpness"
    case posterize = "Posterize"
    case solarize = "Solarize"
    case autoContrast = "AutoContrast"
    case equalize = "Equalize"
    /// `1 - x` (AutoAugment's policies only).
    case invert = "Invert"

    /// Whether the operation moves pixels (an affine warp).
    public var isGeometric: Bool {
        switch self {
        case .shearX, .shearY, .translateX, .translateY, .rotate: return true
        default: return false
        }
    }
}

/// One drawn operation: what and how strongly (signed where torchvision's table is signed).
public struct PolicyOp: Codable, Sendable, Equatable {
    public var op: AutoAugmentOp
    public var magnitude: Double

    public init(_ op: AutoAugmentOp, magnitude: Double = 0) {
        self.op = op
        self.magnitude = magnitude
    }
}

/// The operation set and magnitude tables of one of torchvision's policies.
public enum AugmentationSpace: Sendable, Equatable {
    /// `RandAugment._AUGMENTATION_SPACE` (14 operations).
    case randAugment
    /// `TrivialAugmentWide._AUGMENTATION_SPACE` (14 operations, wider ranges).
    case trivialAugmentWide
    /// `AugMix._PARTIAL_AUGMENTATION_SPACE` (9 operations) or, with `allOps`, `_AUGMENTATION_SPACE` (13).
    case augMix(allOps: Bool)
    /// `AutoAugment._AUGMENTATION_SPACE` (14 operations: RandAugment's tables without Identity, plus
    /// Invert), always used with 10 bins.
    case autoAugment

    /// The operations, in torchvision's dictionary order (the order draws index into).
    public var ops: [AutoAugmentOp] {
        switch self {
        case .randAugment, .trivialAugmentWide:
            return [
                .identity, .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast,
                .sharpness,
                .posterize, .solarize, .autoContrast, .equalize,
            ]
        case .augMix(let allOps):
            let partial: [AutoAugmentOp] = [
                .shearX, .shearY, .translateX, .translateY, .rotate, .posterize, .solarize,
                .autoContrast, .equalize,
            ]
            return allOps ? partial + [.brightness, .color, .contrast, .sharpness] : partial
        case .autoAugment:
            return [
                .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast, .sharpness,
                .posterize, .solarize, .autoContrast, .equalize, .invert,
            ]
        }
    }

    /// torchvision's magnitude table of `op` for `bins` bins on an image of `height` x `width`, and
    /// whether a drawn magnitude gets a random sign; nil values for operations without magnitude.
    /// Values are float32, as torch computes them (see ``linspace(_:_:_:)``).
    public func magnitudes(_ op: AutoAugmentOp, bins: Int, height: Int, width: Int) -> (values: [Double]?, signed: Bool)
    {
        let lin = Self.linspace
        switch (self, op) {
        case (_, .identity), (_, .autoContrast), (_, .equalize), (_, .invert):
            return (nil, false)
        case (.trivialAugmentWide, .shearX), (.trivialAugmentWide, .shearY):
            return (lin(0, 0.99, bins), true)
        case (_, .shearX), (_, .shearY):
            return (lin(0, 0.3, bins), true)
        case (.randAugment, .translateX), (.autoAugment, .translateX):
            return (lin(0, 150.0 / 331.0 * Double(width), bins), true)
        case (.randAugment, .translateY), (.autoAugment, .translateY):
            return (lin(0, 150.0 / 331.0 * Double(height), bins), true)
        case (.trivialAugmentWide, .translateX), (.trivialAugmentWide, .translateY):
            return (lin(0, 32, bins), true)
        case (.augMix, .translateX):
            return (lin(0, Double(width) / 3.0, bins), true)
        case (.augMix, .translateY):
            return (lin(0, Double(height) / 3.0, bins), true)
        case (.trivialAugmentWide, .rotate):
            return (lin(0, 135, bins), true)
        case (_, .rotate):
            return (lin(0, 30, bins), true)
        case (.trivialAugmentWide, .brightness), (.trivialAugmentWide, .color), (.trivialAugmentWide, .contrast),
            (.trivialAugmentWide, .sharpness):
            return (lin(0, 0.99, bins), true)
        case (_, .brightness), (_, .color), (_, .contrast), (_, .sharpness):
            return (lin(0, 0.9, bins), true)
        case (.randAugment, .posterize), (.autoAugment, .posterize):
            return (Self.posterizeTable(top: 8, steps: 4, bins: bins), false)
        case (.trivialAugmentWide, .posterize):
            return (Self.posterizeTable(top: 8, steps: 6, bins: bins), false)
        case (.augMix, .posterize):
            return (Self.posterizeTable(top: 4, steps: 4, bins: bins), false)
        case (_, .solarize):
            return (lin(1, 0, bins), false)
        }
    }

    /// `torch.linspace(start, end, steps)` in float32 as its CPU kernel computes it: step = (end -
    /// start) / (steps - 1); the first half start + step * i, the second half end - step * (steps -
    /// 1 - i); one step gives [start].
    public static func linspace(_ start: Double, _ end: Double, _ steps: Int) -> [Double] {
        guard steps > 1 else { return steps == 1 ? [Double(Float(start))] : [] }
        let s = Float(start), e = Float(end)
        let step = (e - s) / Float(steps - 1)
        let half = steps / 2
        return (0..<steps).map { i in
            let product = step * Float(i < half ? i : steps - i - 1)
            return Double(i < half ? s + product : e - product)
        }
    }

    /// `(top - torch.arange(bins) / ((bins - 1) / steps)).round().int()` in float32, ties to even.
    static func posterizeTable(top: Int, steps: Int, bins: Int) -> [Double] {
        let divisor = Float((Double(bins) - 1) / Double(steps))
        return (0..<bins).map { i in Double((Float(top) - Float(i) / divisor).rounded(.toNearestOrEven)) }
    }
}

/// The plan operations of drawn policy operations, per sample.
struct PolicyLowering {
    let interpolation: Interpolation
    let fill: [Float]?
    let exactOrder: Bool
    let op: String

    enum Step {
        case none
        case warp(WarpMatrix)
        case color(ColorStep)
        case sharpness(Double)
    }

    /// torchvision's `_apply_image_or_video_transform(image, op, magnitude)` on a float image of `g`.
    static func step(_ p: PolicyOp, geometry g: ImageGeometry) -> Step {
        let m = p.magnitude
        func affine(
            center: [Double]?, angle: Double = 0, translate: (Double, Double) = (0, 0),
            shear: (Double, Double) = (0, 0)
        ) -> Step {
            .warp(
                Geometry.affineWarp(
                    width: g.width, height: g.height, outWidth: g.width, outHeight: g.height, center: center,
                    angleDegrees: angle, translate: translate, scale: 1, shearDegrees: shear))
        }
        switch p.op {
        case .identity: return .none
        // shear = degrees(atan(magnitude)) about the top-left corner (center [0, 0]).
        case .shearX: return affine(center: [0, 0], shear: (atan(m) * (180 / Double.pi), 0))
        case .shearY: return affine(center: [0, 0], shear: (0, atan(m) * (180 / Double.pi)))
        // translate = int(magnitude) pixels (truncated toward zero).
        case .translateX: return affine(center: nil, translate: (Double(Int(m)), 0))
        case .translateY: return affine(center: nil, translate: (0, Double(Int(m))))
        // rotate(angle = magnitude), counter-clockwise about the centre.
        case .rotate: return affine(center: nil, angle: -m)
        case .brightness: return .color(.brightness(1 + m))
        case .color: return g.channels >= 3 ? .color(.saturation(1 + m)) : .none  // 4+: on the first three
        case .contrast: return .color(.contrast(1 + m))
        case .sharpness: return .sharpness(1 + m)
        case .posterize: return .color(.posterize(bits: Int(m)))
        // threshold = bound * magnitude, bound = 1 for float images.
        case .solarize: return .color(.solarize(threshold: m))
        case .autoContrast: return .color(.autocontrast)
        case .equalize: return .color(.equalize)
        case .invert: return .color(.invert)
        }
    }

    /// The effects of per-sample operation lists (nil: the sample is skipped). Fused: each sample's
    /// geometric operations compose into one matrix (one warp for the batch), its colour operations
    /// form one program, its sharpness operations one stage each. Exact order: slot by slot
    /// (the j-th operation of every sample), a warp, a colour pass and a sharpness pass per slot.
    func effects(_ samples: [[PolicyOp]?], geometries: [ImageGeometry]) -> [MaskedEffect] {
        let count = samples.count
        let border = WarpReads.outside(WarpBorder(mode: .constant, fill: fill))
        let steps = zip(samples, geometries).map { ops, g in (ops ?? []).map { Self.step($0, geometry: g) } }
        let geometry = geometries.first ?? ImageGeometry(height: 1, width: 1, channels: 1)
        func passes(_ slices: [[Step]]) -> [MaskedEffect] {
            var matrices = Array(repeating: WarpMatrix.identity, count: count)
            var programs = Array(repeating: [ColorStep](), count: count)
            var sharpness = Array(repeating: [Double](), count: count)
            for (n, list) in slices.enumerated() {
                for step in list {
                    switch step {
                    case .none: break
                    case .warp(let m): matrices[n] = matrices[n].concatenating(m)
                    case .color(let s): programs[n].append(s)
                    case .sharpness(let f): sharpness[n].append(f)
                    }
                }
            }
            var effects: [MaskedEffect] = []
            if matrices.contains(where: { $0 != .identity }) {
                effects.append(
                    .warp(matrices: matrices, outputs: nil, interpolation: interpolation, reads: border, op: op))
            }
            if programs.contains(where: { !$0.isEmpty }) { effects.append(.color(programs)) }
            for k in 0..<(sharpness.map(\.count).max() ?? 0) {
                effects.append(
                    .stage(
                        Stage(
                            SharpnessStage(
                                count: count, geometry: geometry,
                                factors: sharpness.map { k < $0.count ? $0[k] : nil }))))
            }
            return effects
        }
        guard exactOrder else { return passes(steps) }
        let slots = steps.map(\.count).max() ?? 0
        return (0..<slots).flatMap { j in passes(steps.map { j < $0.count ? [$0[j]] : [] }) }
    }

    /// Throws unless `ops` are operations of `space` with magnitudes its tables can give
    /// (`indices`: the bins that may be drawn).
    static func validate(
        _ ops: [PolicyOp], space: AugmentationSpace, bins: Int, indices: ClosedRange<Int>, geometry g: ImageGeometry,
        op: String
    ) throws {
        for p in ops {
            guard space.ops.contains(p.op) else {
                throw AugmentError.parameterMismatch("\(op): \(p.op.rawValue) is not an operation of this policy")
            }
            let (table, signed) = space.magnitudes(p.op, bins: bins, height: g.height, width: g.width)
            guard let table else {
                guard p.magnitude == 0 else {
                    throw AugmentError.parameterMismatch(
                        "\(op): \(p.op.rawValue) takes no magnitude, got \(p.magnitude)")
                }
                continue
            }
            let allowed = table[indices]
            let (low, high) = (allowed.min() ?? 0, allowed.max() ?? 0)
            let value = signed ? abs(p.magnitude) : p.magnitude
            // Within float32 rounding of the table (hand-written values such as 0.09 for 0.09000000357).
            let slack = 1e-6 * max(abs(low), abs(high)) + 1e-9
            guard value.isFinite, value >= low - slack, value <= high + slack else {
                throw AugmentError.parameterMismatch(
                    "\(op): magnitude \(p.magnitude) of \(p.op.rawValue) is outside \(signed ? "±" : "")[\(low), \(high)]"
                )
            }
        }
    }

    /// Draws one operation of `space` and its magnitude from bin `bin(&random)`, with torchvision's
    /// order of draws: the operation (uniform), then the bin when the operation has a table, then
    /// the sign (negative when u <= 0.5) when the table is signed.
    static func draw(
        _ space: AugmentationSpace, bins: Int, geometry g: ImageGeometry, random: inout RandomStream,
        bin: (inout RandomStream) -> Int
    ) -> PolicyOp {
        let ops = space.ops
        let op = ops[random.integer(in: 0...(ops.count - 1))]
        let (table, signed) = space.magnitudes(op, bins: bins, height: g.height, width: g.width)
        guard let table else { return PolicyOp(op) }
        var magnitude = table[bin(&random)]
        if signed, random.uniform() <= 0.5 { magnitude = -magnitude }
        return PolicyOp(op, magnitude: magnitude)
    }
}

/// The most magnitude bins a policy takes (torchvision uses 31): each bin costs a table row per op.
public let maxPolicyMagnitudeBins = 1024

private func checkPolicyBins(_ bins: Int, op: String) throws {
    guard (2...maxPolicyMagnitudeBins).contains(bins) else {
        throw AugmentError.invalidArgument(
            op: op, argument: "num_magnitude_bins", value: "\(bins)",
            allowed:
                "an integer in [2, \(maxPolicyMagnitudeBins)] (torchvision's default is 31; its posterize table divides by num_magnitude_bins - 1)"
        )
    }
}

/// One sample's drawn operations of rand_augment or trivial_augment_wide.
public struct PolicyParameters: Codable, Sendable, Equatable {
    public var ops: [PolicyOp]
    /// rand_augment with a per-class magnitude: the bin used (the class's value, rounded half to even).
    public var magnitudeBin: Int?
    /// rand_augment with a per-class magnitude: the sample's class (nil: sampled without labels).
    public var classID: Int?

    public init(ops: [PolicyOp], magnitudeBin: Int? = nil, classID: Int? = nil) {
        self.ops = ops
        self.magnitudeBin = magnitudeBin
        self.classID = classID
    }

    private enum CodingKeys: String, CodingKey {
        case ops
        case magnitudeBin = "magnitude_bin"
        case classID = "class"
    }
}

private enum PolicyKeys: String, CodingKey {
    case interpolation, fill
    case numOps = "num_ops"
    case magnitude
    case numMagnitudeBins = "num_magnitude_bins"
    case exactOrder = "exact_order"
    case severity
    case mixtureWidth = "mixture_width"
    case chainDepth = "chain_depth"
    case alpha
    case allOps = "all_ops"
}

// MARK: - rand_augment

/// `rand_augment`: per sample, `num_ops` operations drawn uniformly (with replacement) from
/// RandAugment's 14 (Identity, ShearX/Y, TranslateX/Y, Rotate, Brightness, Color, Contrast, Sharpness,
/// Posterize, Solarize, AutoContrast, Equalize), each at bin `magnitude` of its table of
/// `num_magnitude_bins` values, signed ones negated with probability 1/2 (torchvision `RandAugment`,
/// which draws once per call). `interpolation` nearest (default) or bilinear, `fill` per channel on
/// the float scale (default none: zero padding). Images with 1 or 3 channels.
///
/// Fused (default): every sample's geometric operations compose into one matrix and its colour
/// operations into one program: one warp pass and one colour pass for the batch (more colour passes
/// only when a sample draws two of Contrast, AutoContrast, Equalize; one pass per Sharpness drawn
/// twice). A colour operation drawn before a geometric one is applied after it, and two geometric
/// operations are sampled once: see docs/semantics.md for how much that changes. `exact_order`:
/// torchvision's order, one warp, colour and sharpness pass per operation slot.
public struct RandAugment: SampleMaskable {
    public static let opName = "rand_augment"
    public let numOps: Int
    public let magnitude: Int
    public let numMagnitudeBins: Int
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let exactOrder: Bool

    /// The magnitude bin per class (`{"by_class": [...]}` or `{"class_balanced": {...}}` in files,
    /// values in 0...num_magnitude_bins - 1, rounded half to even to a bin), or nil for `magnitude`
    /// for every sample. Needs labels with the batch.
    public let magnitudeByClass: ClassValue?

    public init(
        numOps: Int = Arguments.numOps.defaultValue!, magnitude: Int = Arguments.magnitude.defaultValue!,
        numMagnitudeBins: Int = PolicyArguments.numMagnitudeBins.defaultValue!, interpolation: Interpolation = .nearest,
        fill: [Double]? = nil, exactOrder: Bool = PolicyArguments.exactOrder.defaultValue!,
        magnitudeByClass: ClassValue? = nil
    ) throws {
        try Arguments.numOps.check(numOps, op: Self.opName)
        try checkPolicyBins(numMagnitudeBins, op: Self.opName)
        try AugmentError.check(magnitude, in: 0...(numMagnitudeBins - 1), op: Self.opName, argument: "magnitude")
        if let byClass = magnitudeByClass,
            let wrong = byClass.perClass.firstIndex(where: {
                !($0.isFinite && $0 >= 0 && $0 <= Double(numMagnitudeBins - 1))
            })
        {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "magnitude", value: "\(byClass.perClass[wrong]) for class \(wrong)",
                allowed: "bins in [0, \(numMagnitudeBins - 1)]")
        }
        self.magnitudeByClass = magnitudeByClass
        self.numOps = numOps
        self.magnitude = magnitude
        self.numMagnitudeBins = numMagnitudeBins
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.exactOrder = exactOrder
    }

    var lowering: PolicyLowering {
        PolicyLowering(interpolation: interpolation, fill: fill, exactOrder: exactOrder, op: Self.opName)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> PolicyParameters {
        let index = magnitude
        return PolicyParameters(
            ops: (0..<numOps).map { _ in
                PolicyLowering.draw(.randAugment, bins: numMagnitudeBins, geometry: input, random: &random) { _ in index
                }
            })
    }

    /// The bin of a per-class magnitude value.
    static func bin(_ value: Double) -> Int { Int(value.rounded(.toNearestOrEven)) }

    /// Per sample; with `magnitudeByClass`, each sample at its class's bin (recorded with the class).
    public func sampleBatchParameters(_ context: SamplingContext) -> [PolicyParameters] {
        guard let byClass = magnitudeByClass else {
            return (0..<context.count).map { i in
                var random = context.stream(sample: i)
                return sampleParameters(for: context.geometry(ofSample: i), random: &random)
            }
        }
        let bins = byClass.perClass.map(Self.bin)
        return (0..<context.count).map { i in
            guard let k = context.classID(ofSample: i), bins.indices.contains(k) else {
                return PolicyParameters(ops: [], classID: context.classID(ofSample: i))  // an error when planned
            }
            var random = context.stream(sample: i)
            let g = context.geometry(ofSample: i)
            return PolicyParameters(
                ops: (0..<numOps).map { _ in
                    PolicyLowering.draw(.randAugment, bins: numMagnitudeBins, geometry: g, random: &random) { _ in
                        bins[k]
                    }
                }, magnitudeBin: bins[k], classID: k)
        }
    }

    public func validate(_ parameters: PolicyParameters, for input: ImageGeometry) throws {
        var bin = magnitude
        if let byClass = magnitudeByClass {
            bin = Self.bin(try byClass.value(for: parameters.classID, op: Self.opName, argument: "magnitude"))
            guard parameters.magnitudeBin == bin else {
                throw AugmentError.parameterMismatch(
                    "rand_augment: recorded magnitude bin \(parameters.magnitudeBin.map(String.init) ?? "none") for class \(parameters.classID ?? -1), the spec gives \(bin)"
                )
            }
        }
        guard parameters.ops.count == numOps else {
            throw AugmentError.parameterMismatch(
                "rand_augment: \(parameters.ops.count) operations for num_ops = \(numOps)")
        }
        try PolicyLowering.validate(
            parameters.ops, space: .randAugment, bins: numMagnitudeBins, indices: bin...bin,
            geometry: input, op: Self.opName)
    }

    public func maskedEffects(_ parameters: [PolicyParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        lowering.effects(parameters.map { $0?.ops }, geometries: geometries)
    }

    public func lower(_ parameters: [PolicyParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: PolicyKeys.self)
        let read = try OpArgumentReader(decoder)
        let bins = try read(PolicyArguments.numMagnitudeBins)
        // magnitude: a bin, or a per-class value ({"by_class": ...} / {"class_balanced": ...}).
        var byClass: ClassValue?
        if let value = try? c.decodeIfPresent(JSONValue.self, forKey: .magnitude), case .object = value {
            try checkPolicyBins(bins, op: Self.opName)
            byClass = try ClassValue.parse(
                value.foundationValue, op: Self.opName, argument: "magnitude", range: 0...Double(bins - 1))
        }
        try self.init(
            numOps: read(Arguments.numOps),
            magnitude: byClass == nil ? read(Arguments.magnitude) : min(9, max(bins - 1, 0)),
            numMagnitudeBins: bins,
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            fill: read(PolicyArguments.fill)?.values, exactOrder: read(PolicyArguments.exactOrder),
            magnitudeByClass: byClass)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: PolicyKeys.self)
        try c.encode(numOps, forKey: .numOps)
        if let magnitudeByClass {
            try c.encode(magnitudeByClass.jsonValue, forKey: .magnitude)
        } else {
            try c.encode(magnitude, forKey: .magnitude)
        }
        try c.encode(numMagnitudeBins, forKey: .numMagnitudeBins)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
        try c.encode(exactOrder, forKey: .exactOrder)
    }
}

// MARK: - trivial_augment_wide

/// `trivial_augment_wide`: per sample one operation drawn uniformly from TrivialAugmentWide's 14
/// (RandAugment's set with wider tables: shear up to 0.99, translate up to 32 pixels, rotate up to
/// 135 degrees, factors up to 0.99, posterize down to 2 bits), at a bin drawn uniformly from
/// `num_magnitude_bins`, signed ones negated with probability 1/2 (torchvision `TrivialAugmentWide`,
/// which draws once per call). One warp pass and one colour pass for the batch; with one
/// operation per sample the order question does not arise. Images with 1 or 3 channels.
public struct TrivialAugmentWide: SampleMaskable {
    public static let opName = "trivial_augment_wide"
    public let numMagnitudeBins: Int
    public let interpolation: Interpolation
    public let fill: [Float]?

    public init(
        numMagnitudeBins: Int = PolicyArguments.numMagnitudeBins.defaultValue!, interpolation: Interpolation = .nearest,
        fill: [Double]? = nil
    ) throws {
        try checkPolicyBins(numMagnitudeBins, op: Self.opName)
        self.numMagnitudeBins = numMagnitudeBins
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
    }

    var lowering: PolicyLowering {
        PolicyLowering(interpolation: interpolation, fill: fill, exactOrder: false, op: Self.opName)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> PolicyParameters {
        let bins = numMagnitudeBins
        return PolicyParameters(ops: [
            PolicyLowering.draw(.trivialAugmentWide, bins: bins, geometry: input, random: &random) {
                $0.integer(in: 0...(bins - 1))
            }
        ])
    }

    public func validate(_ parameters: PolicyParameters, for input: ImageGeometry) throws {
        guard parameters.ops.count == 1 else {
            throw AugmentError.parameterMismatch(
                "trivial_augment_wide: \(parameters.ops.count) operations; it applies one")
        }
        try PolicyLowering.validate(
            parameters.ops, space: .trivialAugmentWide, bins: numMagnitudeBins,
            indices: 0...(numMagnitudeBins - 1), geometry: input, op: Self.opName)
    }

    public func maskedEffects(_ parameters: [PolicyParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        lowering.effects(parameters.map { $0?.ops }, geometries: geometries)
    }

    public func lower(_ parameters: [PolicyParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            numMagnitudeBins: read(PolicyArguments.numMagnitudeBins),
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            fill: read(PolicyArguments.fill)?.values)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: PolicyKeys.self)
        try c.encode(numMagnitudeBins, forKey: .numMagnitudeBins)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
    }
}

// MARK: - aug_mix

/// One sample's AugMix draw: `mixture_width` chains of operations, and the weights of the original
/// image and of each chain (they sum to 1).
public struct AugMixParameters: Codable, Sendable, Equatable {
    public var chains: [[PolicyOp]]
    /// [weight of the original, weight of chain 1, ..., weight of chain K].
    public var weights: [Double]

    public init(chains: [[PolicyOp]], weights: [Double]) {
        self.chains = chains
        self.weights = weights
    }
}

/// `aug_mix`: per sample, `mixture_width` chains of `chain_depth` operations (-1 or any value <= 0:
/// a depth drawn uniformly from 1...3 per chain) drawn uniformly from AugMix's set (9 operations, 13
/// with `all_ops`) at bins drawn uniformly from the first `severity` of 10, mixed as
/// `m0 * x + sum_k w_k * chain_k(x)` with (m0, 1 - m0) ~ Dirichlet(alpha, alpha) and
/// w = (1 - m0) * Dirichlet(alpha, ..., alpha) (torchvision `AugMix`). `interpolation` bilinear
/// (default) or nearest, `fill` as rand_augment. Images with 1 or 3 channels; no masks, boxes or
/// keypoints (torchvision rejects them too).
///
/// Passes: the batch is replicated to N x (K + 1) samples (the original and the K chains), the
/// chains run as one batch (fused: one warp pass, colour passes as statistic operations require, a
/// sharpness pass per Sharpness depth; `exact_order`: per slot), and one weighted-sum pass folds
/// them back to N. Draws per sample: m0 (a Beta(alpha, alpha) from two gammas), the K Dirichlet
/// gammas, then per chain its depth (when random) and per operation: operation, bin, sign.
public struct AugMix: Transform {
    public static let opName = "aug_mix"
    public let severity: Int
    public let mixtureWidth: Int
    public let chainDepth: Int
    public let alpha: Double
    public let allOps: Bool
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let exactOrder: Bool

    /// torchvision's `_PARAMETER_MAX`: the number of bins of every AugMix table.
    public static let parameterMax = 10

    public init(
        severity: Int = Arguments.severity.defaultValue!, mixtureWidth: Int = Arguments.mixtureWidth.defaultValue!,
        chainDepth: Int = Arguments.chainDepth.defaultValue!, alpha: Double = Arguments.alpha.defaultValue!,
        allOps: Bool = Arguments.allOps.defaultValue!, interpolation: Interpolation = .bilinear, fill: [Double]? = nil,
        exactOrder: Bool = PolicyArguments.exactOrder.defaultValue!
    ) throws {
        try Arguments.severity.check(severity, op: Self.opName)
        try Arguments.mixtureWidth.check(mixtureWidth, op: Self.opName)
        try Arguments.chainDepth.check(chainDepth, op: Self.opName)
        guard alpha.isFinite, alpha > 0, alpha <= 1e6 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "alpha", value: "\(alpha)", allowed: "a finite number in (0, 1e6]")
        }
        self.severity = severity
        self.mixtureWidth = mixtureWidth
        self.chainDepth = chainDepth
        self.alpha = alpha
        self.allOps = allOps
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.exactOrder = exactOrder
    }

    var space: AugmentationSpace { .augMix(allOps: allOps) }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> AugMixParameters {
        let m0 = random.beta(alpha, alpha)
        let logs = (0..<mixtureWidth).map { _ in random.logGamma(shape: alpha) }
        let top = logs.max() ?? 0
        let scaled = logs.map { exp($0 - top) }
        let total = scaled.reduce(0, +)
        let weights = [m0] + scaled.map { $0 / total * (1 - m0) }
        let severity = self.severity
        let chains = (0..<mixtureWidth).map { _ -> [PolicyOp] in
            let depth = chainDepth > 0 ? chainDepth : random.integer(in: 1...3)
            return (0..<depth).map { _ in
                PolicyLowering.draw(space, bins: Self.parameterMax, geometry: input, random: &random) {
                    $0.integer(in: 0...(severity - 1))
                }
            }
        }
        return AugMixParameters(chains: chains, weights: weights)
    }

    public func validate(_ parameters: AugMixParameters, for input: ImageGeometry) throws {
        guard parameters.chains.count == mixtureWidth, parameters.weights.count == mixtureWidth + 1 else {
            throw AugmentError.parameterMismatch(
                "aug_mix: \(parameters.chains.count) chains and \(parameters.weights.count) weights for mixture_width = \(mixtureWidth)"
            )
        }
        for chain in parameters.chains {
            let allowed = chainDepth > 0 ? chainDepth...chainDepth : 1...3
            guard allowed.contains(chain.count) else {
                throw AugmentError.parameterMismatch(
                    "aug_mix: a chain of \(chain.count) operations, allowed \(allowed)")
            }
            try PolicyLowering.validate(
                chain, space: space, bins: Self.parameterMax, indices: 0...(severity - 1), geometry: input,
                op: Self.opName)
        }
        let sum = parameters.weights.reduce(0, +)
        guard parameters.weights.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }), abs(sum - 1) <= 1e-6 else {
            throw AugmentError.parameterMismatch("aug_mix: weights \(parameters.weights) are not in [0, 1] with sum 1")
        }
    }

    public func lower(_ parameters: [AugMixParameters], into plan: inout PlanBuilder) throws {
        let copies = mixtureWidth + 1
        let count = plan.count
        try plan.replicate(copies: copies)
        let samples = (0..<(count * copies)).map { v -> [PolicyOp]? in
            let (n, j) = v.quotientAndRemainder(dividingBy: copies)
            return j == 0 ? nil : parameters[n].chains[j - 1]
        }
        let lowering = PolicyLowering(interpolation: interpolation, fill: fill, exactOrder: exactOrder, op: Self.opName)
        try SampleMasking.emit(lowering.effects(samples, geometries: plan.sampleGeometries), into: &plan)
        try plan.weightedSum(parameters.map { $0.weights.map { Float($0) } })
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            severity: read(Arguments.severity), mixtureWidth: read(Arguments.mixtureWidth),
            chainDepth: read(Arguments.chainDepth), alpha: read(Arguments.alpha), allOps: read(Arguments.allOps),
            interpolation: WarpArguments.bilinear.choice(read(WarpArguments.bilinear), op: Self.opName),
            fill: read(PolicyArguments.fill)?.values, exactOrder: read(PolicyArguments.exactOrder))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: PolicyKeys.self)
        try c.encode(severity, forKey: .severity)
        try c.encode(mixtureWidth, forKey: .mixtureWidth)
        try c.encode(chainDepth, forKey: .chainDepth)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(allOps, forKey: .allOps)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
        try c.encode(exactOrder, forKey: .exactOrder)
    }
}

/// Arguments the automatic policies share, declared once.
public enum PolicyArguments {
    public static let numMagnitudeBins = OpArgument<Int>(
        "num_magnitude_bins", default: 31, allowed: "an integer in [2, \(maxPolicyMagnitudeBins)]",
        doc: "bins of each operation's magnitude table")
    public static let fill = OpArgument<OneOrList<Double>?>(
        optional: "fill", allowed: "finite numbers, one or one per channel",
        doc: "the value of pixels that geometric operations move in from outside; null: 0 (torchvision's default)")
    public static let exactOrder = OpArgument<Bool>(
        "exact_order", default: false,
        doc:
            "apply each sample's operations strictly in order, one pass each (false: fuse passes where the result is the same up to rounding)"
    )
}

extension RandAugment {
    /// `rand_augment`'s own arguments, declared once.
    public enum Arguments {
        public static let numOps = OpArgument<Int>(
            "num_ops", default: 2, range: 0...64, doc: "operations per sample")
        public static let magnitude = OpArgument<Int>(
            "magnitude", default: 9,
            allowed: "a bin in [0, num_magnitude_bins - 1], or {\"by_class\": ...} / {\"class_balanced\": ...}",
            doc: "the magnitude bin of every operation, or one per sample's class")
    }
}

extension AugMix {
    /// `aug_mix`'s own arguments, declared once (torchvision's defaults).
    public enum Arguments {
        public static let severity = OpArgument<Int>(
            "severity", default: 3, range: 1...Double(AugMix.parameterMax),
            doc: "magnitude bin of the operations (of 10)")
        public static let mixtureWidth = OpArgument<Int>(
            "mixture_width", default: 3, range: 1...64, doc: "augmentation chains mixed per sample")
        public static let chainDepth = OpArgument<Int>(
            "chain_depth", default: -1, range: -Double(Int32.max)...64,
            doc: "operations per chain; <= 0: a depth drawn in [1, 3] per chain")
        public static let alpha = OpArgument<Double>(
            "alpha", default: 1, allowed: "a number > 0",
            doc: "Dirichlet and Beta concentration of the chain and original-image weights")
        public static let allOps = OpArgument<Bool>(
            "all_ops", default: true,
            doc: "include the colour-changing operations (brightness, contrast, colour, sharpness)")
    }
}

extension RandAugment: DescribedArguments {
    public static let arguments = [
        Arguments.numOps.info, Arguments.magnitude.info, PolicyArguments.numMagnitudeBins.info,
        WarpArguments.interpolation.info, PolicyArguments.fill.info, PolicyArguments.exactOrder.info,
    ]
    public static let summary =
        "`num_ops` operations drawn per sample at a fixed magnitude (torchvision `RandAugment`)."
}

extension TrivialAugmentWide: DescribedArguments {
    public static let arguments = [
        PolicyArguments.numMagnitudeBins.info, WarpArguments.interpolation.info, PolicyArguments.fill.info,
    ]
    public static let summary =
        "One operation per sample at a random magnitude (torchvision `TrivialAugmentWide`)."
}

extension AugMix: DescribedArguments {
    public static let arguments = [
        Arguments.severity.info, Arguments.mixtureWidth.info, Arguments.chainDepth.info, Arguments.alpha.info,
        Arguments.allOps.info, WarpArguments.bilinear.info, PolicyArguments.fill.info, PolicyArguments.exactOrder.info,
    ]
    public static let summary =
        "Mixes several augmentation chains with the original image per sample (torchvision `AugMix`)."
}
