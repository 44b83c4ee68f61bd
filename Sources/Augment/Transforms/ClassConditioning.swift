import Foundation

// Class-conditioned augmentation for long-tailed data: an op's probability (or a policy's magnitude)
// given per class, so rare classes are augmented more often or more strongly. The value of each
// sample's class is looked up when the batch is sampled (from its labels) and recorded in its
// parameters, so replay stays exact.

/// A number given per class: `{"by_class": [v0, v1, ...]}` (one value per class) or
/// `{"class_balanced": {"counts": [n0, n1, ...], "min": a, "max": b}}` (derived from class counts).
///
/// Class-balanced values are linear in the log inverse frequency, normalized to [0, 1]:
///
///     f_k   = ln(n_max / n_k) / ln(n_max / n_min)     (0 for every class when all counts are equal)
///     v_k   = min + (max - min) * f_k
///
/// so the most frequent class gets `min`, the rarest `max`, and a class ten times rarer than another
/// moves the same distance toward `max` at any scale. Counts must be finite and > 0.
public enum ClassValue: Sendable, Equatable {
    case byClass([Double])
    case classBalanced(counts: [Double], min: Double, max: Double)

    /// The value of every class, in class order.
    public var perClass: [Double] {
        switch self {
        case .byClass(let values):
            return values
        case .classBalanced(let counts, let low, let high):
            let most = counts.max() ?? 1, least = counts.min() ?? 1
            let span = log(most / least)
            return counts.map { count in
                let f = span > 0 ? log(most / count) / span : 0
                return low + (high - low) * f
            }
        }
    }

    /// Parses the JSON object `value` of argument `argument` of `op`, every resulting value in `range`.
    public static func parse(
        _ value: Any, op: String, argument: String, range: ClosedRange<Double>
    ) throws -> ClassValue {
        let allowed =
            "{\"by_class\": [one value per class in \(range)]} or {\"class_balanced\": {\"counts\": [counts > 0], \"min\": a, \"max\": b}} with a, b in \(range)"
        func bad(_ what: String) -> AugmentError {
            .invalidArgument(op: op, argument: argument, value: what, allowed: allowed)
        }
        func asNumber(_ any: Any?) -> Double? {
            if let v = any as? Double { return v }
            if let v = any as? Int { return Double(v) }
            return (any as? NSNumber)?.doubleValue
        }
        func numbers(_ any: Any?, _ what: String) throws -> [Double] {
            guard let list = any as? [Any], !list.isEmpty else {
                throw bad("\(what) is not a non-empty array of numbers")
            }
            return try list.map { element in
                guard let number = asNumber(element) else { throw bad("\(what) holds \(element), not a number") }
                return number
            }
        }
        func number(_ any: Any?, _ what: String) throws -> Double {
            guard let number = asNumber(any) else { throw bad("\(what) is missing or not a number") }
            return number
        }
        guard let object = value as? [String: Any], object.count == 1, let key = object.keys.first else {
            throw bad("\(value)")
        }
        let parsed: ClassValue
        switch key {
        case "by_class":
            parsed = .byClass(try numbers(object[key], "by_class"))
        case "class_balanced":
            guard let spec = object[key] as? [String: Any] else { throw bad("class_balanced is not an object") }
            if let extra = spec.keys.sorted().first(where: { !["counts", "min", "max"].contains($0) }) {
                throw bad("class_balanced has an unknown key '\(extra)'")
            }
            let counts = try numbers(spec["counts"], "class_balanced.counts")
            if let wrong = counts.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw bad("class_balanced.counts[\(wrong)] = \(counts[wrong]) (counts must be finite and > 0)")
            }
            parsed = .classBalanced(
                counts: counts, min: try number(spec["min"], "class_balanced.min"),
                max: try number(spec["max"], "class_balanced.max"))
            if case .classBalanced(_, let low, let high) = parsed,
                !(low.isFinite && high.isFinite && range.contains(low) && range.contains(high))
            {
                throw bad("class_balanced min \(low), max \(high)")
            }
        default:
            throw bad("unknown key '\(key)'")
        }
        if let wrong = parsed.perClass.firstIndex(where: { !($0.isFinite && range.contains($0)) }) {
            throw bad("the value of class \(wrong) is \(parsed.perClass[wrong])")
        }
        return parsed
    }

    /// The JSON form (`{"by_class": [...]}` or `{"class_balanced": {...}}`).
    public var jsonValue: JSONValue {
        switch self {
        case .byClass(let values):
            return .object(["by_class": .array(values.map { .double($0) })])
        case .classBalanced(let counts, let low, let high):
            return .object([
                "class_balanced": .object([
                    "counts": .array(counts.map { .double($0) }), "min": .double(low), "max": .double(high),
                ])
            ])
        }
    }

    /// The value of `classID`, or an error naming `op` and `argument` when the sample has no class
    /// (the batch came without labels) or the class has no value.
    func value(for classID: Int?, op: String, argument: String) throws -> Double {
        guard let classID else {
            throw AugmentError.incompatible(
                "\(op): '\(argument)' is given per class, but the batch has no labels: sample it with its labels (Pipeline.sample(for: AugmentBatch), augment apply --labels)"
            )
        }
        let values = perClass
        guard values.indices.contains(classID) else {
            throw AugmentError.incompatible(
                "\(op): '\(argument)' has values for \(values.count) classes, but a sample has class \(classID)")
        }
        return values[classID]
    }
}

/// One sample's class-conditioned draw: its class, the probability of that class, and the ops'
/// parameters when it applied.
public struct ClassConditionedParameters: Codable, Sendable, Equatable {
    /// The sample's class id; nil when the batch was sampled without labels (an error when planned).
    public var classID: Int?
    /// The probability used: the value of `p` for `classID`.
    public var p: Double
    /// One entry per op, nil for all when the sample was not chosen.
    public var children: [ChildParameters?]

    public init(classID: Int?, p: Double, children: [ChildParameters?]) {
        self.classID = classID
        self.p = p
        self.children = children
    }

    /// Whether the ops applied to the sample.
    public var applied: Bool { children.contains { $0 != nil } }

    private enum CodingKeys: String, CodingKey {
        case classID = "class", p, children
    }
}

/// `class_conditioned_apply`: `random_apply` whose probability depends on the sample's class: with
/// probability `p[class]` a sample goes through all the ops in order, otherwise through none. `p` is
/// a ``ClassValue`` (`{"by_class": [...]}` or `{"class_balanced": {...}}`, values in [0, 1]).
/// Draws per sample: u < p[class]. The batch must be sampled with labels.
///
/// Pipeline files need not name it: any op whose `"p"` is such an object, e.g.
/// `{"op": "random_horizontal_flip", "p": {"by_class": [0.1, 0.9]}}`, becomes this op around the op
/// with p = 1, so class-conditioning works for every op with a probability, without per-op code.
public struct ClassConditionedApply: SampleMaskable {
    public static let opName = "class_conditioned_apply"
    public let ops: [any Transform]
    public let p: ClassValue
    var children: ChildOps { ChildOps(ops: ops, owner: label) }
    /// The op's name in messages: the wrapped op's, when it wraps one.
    var label: String { ops.count == 1 ? "\(ops[0].opName) (p by class)" : Self.opName }

    public init(_ ops: [any Transform], p: ClassValue) throws {
        guard !ops.isEmpty else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "ops", value: "[]", allowed: "at least one op")
        }
        try ChildOps.checkMaskable(ops, owner: Self.opName)
        if let wrong = p.perClass.firstIndex(where: { !($0.isFinite && (0...1).contains($0)) }) {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "p", value: "\(p.perClass[wrong]) for class \(wrong)",
                allowed: "probabilities in [0, 1]")
        }
        self.ops = ops
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try children.checkKeepsSize(input)
        return input
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [ClassConditionedParameters] {
        let draws = ops.indices.map { children.draw(child: $0, context, geometries: context.sampleGeometries) }
        let values = p.perClass
        return (0..<context.count).map { n in
            guard let k = context.classID(ofSample: n), values.indices.contains(k) else {
                return ClassConditionedParameters(
                    classID: context.classID(ofSample: n), p: 0, children: draws.map { _ in nil })
            }
            var random = context.stream(sample: n)
            let applied = random.bernoulli(values[k])
            return ClassConditionedParameters(classID: k, p: values[k], children: draws.map { applied ? $0[n] : nil })
        }
    }

    /// A sample alone has no label: recorded without a class (an error when planned).
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ClassConditionedParameters {
        ClassConditionedParameters(classID: nil, p: 0, children: ops.map { _ in nil })
    }

    public func validate(_ parameters: ClassConditionedParameters, for input: ImageGeometry) throws {
        let expected = try p.value(for: parameters.classID, op: label, argument: "p")
        guard parameters.p == expected else {
            throw AugmentError.parameterMismatch(
                "\(label): recorded p \(parameters.p) for class \(parameters.classID ?? -1), the spec gives \(expected)"
            )
        }
        guard parameters.children.count == ops.count else {
            throw AugmentError.parameterMismatch(
                "\(label): \(parameters.children.count) child parameters for \(ops.count) ops")
        }
        let applied = parameters.children.filter { $0 != nil }.count
        guard applied == 0 || applied == ops.count else {
            throw AugmentError.parameterMismatch(
                "\(label): \(applied) of \(ops.count) ops applied; it applies all or none")
        }
        for (i, value) in parameters.children.enumerated() {
            if let value { try children.validate(child: i, value, for: input) }
        }
    }

    public func maskedEffects(
        _ parameters: [ClassConditionedParameters?], geometries: [ImageGeometry]
    ) throws -> [MaskedEffect] {
        try ops.indices.flatMap { i in
            try children.effects(child: i, parameters.map { $0?.children[i] ?? nil }, geometries: geometries)
        }
    }

    public func lower(_ parameters: [ClassConditionedParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    private enum CodingKeys: String, CodingKey { case ops, p }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let label = decoder.userInfo[PipelineFile.opLabelKey] as? String ?? Self.opName
        let ops = try ChildOps.parse(c.decode([JSONValue].self, forKey: .ops), label: label)
        let p = try ClassValue.parse(
            c.decode(JSONValue.self, forKey: .p).foundationValue, op: label, argument: "p", range: 0...1)
        try self.init(ops, p: p)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ops.map(OpSpec.init), forKey: .ops)
        try c.encode(p.jsonValue, forKey: .p)
    }
}

extension ClassConditionedApply: DescribedArguments {
    public static let arguments = [
        nestedOpsArgument,
        OpArgumentInfo(
            name: "p", type: "number or per-class object", defaultText: nil,
            allowed: "a number in [0, 1], or {\"by_class\": ...} / {\"class_balanced\": ...} with values in [0, 1]",
            doc: "probability of applying the ops, per sample's class"),
    ]
    public static let summary =
        "Applies the ops with a probability that depends on each sample's class (this library; class-conditional augmentation)."
}
