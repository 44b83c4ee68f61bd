import Foundation

// AutoAugment's published policies (Cubuk et al. 2019, "AutoAugment: Learning Augmentation Strategies
// from Data"), as torchvision.transforms.v2.AutoAugment (torchvision 0.29) ships them: 25 sub-policies
// per policy, each two (operation, probability, magnitude bin) entries over 10 magnitude bins.

/// Which of AutoAugment's searched policies to use (torchvision `AutoAugmentPolicy`).
public enum AutoAugmentPolicy: String, Codable, Sendable, CaseIterable {
    case imagenet
    case cifar10
    case svhn

    /// One entry of a sub-policy: the operation, the probability that it applies, and its magnitude
    /// bin in 0...9 (nil for operations without magnitude).
    public struct Entry: Sendable, Equatable {
        public let op: AutoAugmentOp
        public let probability: Double
        public let magnitudeBin: Int?
    }

    /// The 25 sub-policies of two entries each, in torchvision's order (`_get_policies`).
    public var subPolicies: [[Entry]] {
        let table: [(String, Double, Int?, String, Double, Int?)]
        switch self {
        case .imagenet: table = Self.imagenetTable
        case .cifar10: table = Self.cifar10Table
        case .svhn: table = Self.svhnTable
        }
        return table.map { row in
            [
                Entry(op: AutoAugmentOp(rawValue: row.0)!, probability: row.1, magnitudeBin: row.2),
                Entry(op: AutoAugmentOp(rawValue: row.3)!, probability: row.4, magnitudeBin: row.5),
            ]
        }
    }

    private static let imagenetTable: [(String, Double, Int?, String, Double, Int?)] = [
        ("Posterize", 0.4, 8, "Rotate", 0.6, 9), ("Solarize", 0.6, 5, "AutoContrast", 0.6, nil),
        ("Equalize", 0.8, nil, "Equalize", 0.6, nil), ("Posterize", 0.6, 7, "Posterize", 0.6, 6),
        ("Equalize", 0.4, nil, "Solarize", 0.2, 4), ("Equalize", 0.4, nil, "Rotate", 0.8, 8),
        ("Solarize", 0.6, 3, "Equalize", 0.6, nil), ("Posterize", 0.8, 5, "Equalize", 1.0, nil),
        ("Rotate", 0.2, 3, "Solarize", 0.6, 8), ("Equalize", 0.6, nil, "Posterize", 0.4, 6),
        ("Rotate", 0.8, 8, "Color", 0.4, 0), ("Rotate", 0.4, 9, "Equalize", 0.6, nil),
        ("Equalize", 0.0, nil, "Equalize", 0.8, nil), ("Invert", 0.6, nil, "Equalize", 1.0, nil),
        ("Color", 0.6, 4, "Contrast", 1.0, 8), ("Rotate", 0.8, 8, "Color", 1.0, 2),
        ("Color", 0.8, 8, "Solarize", 0.8, 7), ("Sharpness", 0.4, 7, "Invert", 0.6, nil),
        ("ShearX", 0.6, 5, "Equalize", 1.0, nil), ("Color", 0.4, 0, "Equalize", 0.6, nil),
        ("Equalize", 0.4, nil, "Solarize", 0.2, 4), ("Solarize", 0.6, 5, "AutoContrast", 0.6, nil),
        ("Invert", 0.6, nil, "Equalize", 1.0, nil), ("Color", 0.6, 4, "Contrast", 1.0, 8),
        ("Equalize", 0.8, nil, "Equalize", 0.6, nil),
    ]

    private static let cifar10Table: [(String, Double, Int?, String, Double, Int?)] = [
        ("Invert", 0.1, nil, "Contrast", 0.2, 6), ("Rotate", 0.7, 2, "TranslateX", 0.3, 9),
        ("Sharpness", 0.8, 1, "Sharpness", 0.9, 3), ("ShearY", 0.5, 8, "TranslateY", 0.7, 9),
        ("AutoContrast", 0.5, nil, "Equalize", 0.9, nil), ("ShearY", 0.2, 7, "Posterize", 0.3, 7),
        ("Color", 0.4, 3, "Brightness", 0.6, 7), ("Sharpness", 0.3, 9, "Brightness", 0.7, 9),
        ("Equalize", 0.6, nil, "Equalize", 0.5, nil), ("Contrast", 0.6, 7, "Sharpness", 0.6, 5),
        ("Color", 0.7, 7, "TranslateX", 0.5, 8), ("Equalize", 0.3, nil, "AutoContrast", 0.4, nil),
        ("TranslateY", 0.4, 3, "Sharpness", 0.2, 6), ("Brightness", 0.9, 6, "Color", 0.2, 8),
        ("Solarize", 0.5, 2, "Invert", 0.0, nil), ("Equalize", 0.2, nil, "AutoContrast", 0.6, nil),
        ("Equalize", 0.2, nil, "Equalize", 0.6, nil), ("Color", 0.9, 9, "Equalize", 0.6, nil),
        ("AutoContrast", 0.8, nil, "Solarize", 0.2, 8), ("Brightness", 0.1, 3, "Color", 0.7, 0),
        ("Solarize", 0.4, 5, "AutoContrast", 0.9, nil), ("TranslateY", 0.9, 9, "TranslateY", 0.7, 9),
        ("AutoContrast", 0.9, nil, "Solarize", 0.8, 3), ("Equalize", 0.8, nil, "Invert", 0.1, nil),
        ("TranslateY", 0.7, 9, "AutoContrast", 0.9, nil),
    ]

    private static let svhnTable: [(String, Double, Int?, String, Double, Int?)] = [
        ("ShearX", 0.9, 4, "Invert", 0.2, nil), ("ShearY", 0.9, 8, "Invert", 0.7, nil),
        ("Equalize", 0.6, nil, "Solarize", 0.6, 6), ("Invert", 0.9, nil, "Equalize", 0.6, nil),
        ("Equalize", 0.6, nil, "Rotate", 0.9, 3), ("ShearX", 0.9, 4, "AutoContrast", 0.8, nil),
        ("ShearY", 0.9, 8, "Invert", 0.4, nil), ("ShearY", 0.9, 5, "Solarize", 0.2, 6),
        ("Invert", 0.9, nil, "AutoContrast", 0.8, nil), ("Equalize", 0.6, nil, "Rotate", 0.9, 3),
        ("ShearX", 0.9, 4, "Solarize", 0.3, 3), ("ShearY", 0.8, 8, "Invert", 0.7, nil),
        ("Equalize", 0.9, nil, "TranslateY", 0.6, 6), ("Invert", 0.9, nil, "Equalize", 0.6, nil),
        ("Contrast", 0.3, 3, "Rotate", 0.8, 4), ("Invert", 0.8, nil, "TranslateY", 0.0, 2),
        ("ShearY", 0.7, 6, "Solarize", 0.4, 8), ("Invert", 0.6, nil, "Rotate", 0.8, 4),
        ("ShearY", 0.3, 7, "TranslateX", 0.9, 3), ("ShearX", 0.1, 6, "Invert", 0.6, nil),
        ("Solarize", 0.7, 2, "TranslateY", 0.6, 7), ("ShearY", 0.8, 4, "Invert", 0.8, nil),
        ("ShearX", 0.7, 9, "TranslateY", 0.8, 3), ("ShearY", 0.8, 5, "AutoContrast", 0.7, nil),
        ("ShearX", 0.7, 2, "Invert", 0.1, nil),
    ]
}

/// One sample's AutoAugment draw: the sub-policy (0...24) and the entries of it that applied, in
/// order, with their signed magnitudes.
public struct AutoAugmentParameters: Codable, Sendable, Equatable {
    public var subPolicy: Int
    public var ops: [PolicyOp]

    public init(subPolicy: Int, ops: [PolicyOp]) {
        self.subPolicy = subPolicy
        self.ops = ops
    }

    private enum CodingKeys: String, CodingKey {
        case subPolicy = "sub_policy"
        case ops
    }
}

/// `auto_augment`: per sample, one of the policy's 25 sub-policies drawn uniformly; each of its two
/// entries applies when u <= its probability, at the value of its bin in torchvision's 10-bin table
/// (RandAugment's tables: shear up to 0.3, translate up to 150/331 of the image side, rotate up to 30
/// degrees, factors 1 ± up to 0.9, posterize 8...4 bits, solarize threshold 1...0; Invert: 1 - x),
/// signed ones negated when a second u <= 0.5 (torchvision.transforms.v2 `AutoAugment`, torchvision
/// 0.29, which draws once per call). `policy` imagenet (default), cifar10 or svhn; `interpolation`
/// nearest (default) or bilinear; `fill` per channel on the float scale (default none: zero).
/// Images with 1 or 3 channels.
///
/// Draws per sample, in order: the sub-policy (uniform integer), then per entry u (applies when
/// u <= p) and, when it applies with a signed table, the sign's u. Fused like rand_augment (one warp
/// pass and one colour pass for the batch; `exact_order`: torchvision's order, passes per slot).
public struct AutoAugment: SampleMaskable {
    public static let opName = "auto_augment"
    /// torchvision's AutoAugment always uses 10 magnitude bins.
    public static let magnitudeBins = 10
    public let policy: AutoAugmentPolicy
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let exactOrder: Bool

    public init(
        policy: AutoAugmentPolicy = .imagenet, interpolation: Interpolation = .nearest, fill: [Double]? = nil,
        exactOrder: Bool = PolicyArguments.exactOrder.defaultValue!
    ) throws {
        self.policy = policy
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

    /// The signed-or-not value of `entry` on an image of `g`, nil for operations without magnitude.
    static func magnitude(_ entry: AutoAugmentPolicy.Entry, geometry g: ImageGeometry) -> (value: Double, signed: Bool)?
    {
        let (table, signed) = AugmentationSpace.autoAugment.magnitudes(
            entry.op, bins: magnitudeBins, height: g.height, width: g.width)
        guard let table, let bin = entry.magnitudeBin else { return nil }
        return (table[bin], signed)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> AutoAugmentParameters {
        let subPolicies = policy.subPolicies
        let index = random.integer(in: 0...(subPolicies.count - 1))
        var ops: [PolicyOp] = []
        for entry in subPolicies[index] {
            guard random.uniform() <= entry.probability else { continue }
            guard let (value, signed) = Self.magnitude(entry, geometry: input) else {
                ops.append(PolicyOp(entry.op))
                continue
            }
            ops.append(PolicyOp(entry.op, magnitude: signed && random.uniform() <= 0.5 ? -value : value))
        }
        return AutoAugmentParameters(subPolicy: index, ops: ops)
    }

    /// Throws unless `parameters.ops` are entries of the sub-policy, in order, each at its bin's value
    /// (either sign for signed tables).
    public func validate(_ parameters: AutoAugmentParameters, for input: ImageGeometry) throws {
        let subPolicies = policy.subPolicies
        guard subPolicies.indices.contains(parameters.subPolicy) else {
            throw AugmentError.parameterMismatch(
                "auto_augment: sub_policy \(parameters.subPolicy) is outside 0...\(subPolicies.count - 1)")
        }
        let entries = subPolicies[parameters.subPolicy]
        // The ops must be entries of the sub-policy in order (a sub-policy may name one operation
        // twice at different bins, so every in-order assignment is tried).
        func matches(_ p: PolicyOp, _ entry: AutoAugmentPolicy.Entry) -> Bool {
            guard p.op == entry.op, p.magnitude.isFinite else { return false }
            guard let (value, signed) = Self.magnitude(entry, geometry: input) else { return p.magnitude == 0 }
            let slack = 1e-6 * abs(value) + 1e-9
            return abs(p.magnitude - value) <= slack || (signed && abs(p.magnitude + value) <= slack)
        }
        func assign(_ i: Int, from k: Int) -> Bool {
            guard i < parameters.ops.count else { return true }
            return (k..<entries.count).contains { j in
                matches(parameters.ops[i], entries[j]) && assign(i + 1, from: j + 1)
            }
        }
        guard assign(0, from: 0) else {
            let allowed = entries.map { e in
                "\(e.op.rawValue)"
                    + (Self.magnitude(e, geometry: input).map { "(\($0.signed ? "±" : "")\($0.value))" } ?? "")
            }
            throw AugmentError.parameterMismatch(
                "auto_augment: \(parameters.ops.map { "\($0.op.rawValue)(\($0.magnitude))" }) are not entries of \(policy.rawValue) sub-policy \(parameters.subPolicy) in order: \(allowed)"
            )
        }
    }

    public func maskedEffects(
        _ parameters: [AutoAugmentParameters?], geometries: [ImageGeometry]
    ) throws -> [MaskedEffect] {
        lowering.effects(parameters.map { $0?.ops }, geometries: geometries)
    }

    public func lower(_ parameters: [AutoAugmentParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    private enum CodingKeys: String, CodingKey {
        case policy, interpolation, fill
        case exactOrder = "exact_order"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let policy: AutoAugmentPolicy = try Self.policyArgument.choice(read(Self.policyArgument), op: Self.opName)
        let fill = try read(PolicyArguments.fill)?.values
        try self.init(
            policy: policy,
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            fill: fill, exactOrder: read(PolicyArguments.exactOrder))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy.rawValue, forKey: .policy)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
        try c.encode(exactOrder, forKey: .exactOrder)
    }
}

extension AutoAugment: DescribedArguments {
    /// `policy`, declared once.
    public static let policyArgument = OpArgument<String>(
        "policy", default: AutoAugmentPolicy.imagenet.rawValue, choices: AutoAugmentPolicy.allCases.map(\.rawValue),
        doc: "the learned policy of the AutoAugment paper")
    public static let arguments = [
        policyArgument.info, WarpArguments.interpolation.info, PolicyArguments.fill.info,
        PolicyArguments.exactOrder.info,
    ]
    public static let summary =
        "One of the policy's sub-policies per sample, each operation with its probability (torchvision `AutoAugment`)."
}
