import Foundation

// Composition ops: compose (a sequence), random_apply, one_of and some_of, with their choices drawn
// per sample. Children of per-sample choices apply to some samples only (see SampleMasking.swift),
// so a choice costs no launch per alternative. Pipeline files nest ops in an "ops" array.

/// One sample's parameters of a composite op: each child's parameters, nil where the child does not
/// apply to this sample (random_apply: all or none; one_of: exactly one; some_of: the chosen ones;
/// compose: all).
public struct CompositeParameters: Codable, Sendable, Equatable {
    public var children: [ChildParameters?]

    public init(children: [ChildParameters?]) {
        self.children = children
    }

    /// The indices of the children that apply.
    public var applied: [Int] { children.indices.filter { children[$0] != nil } }
}

/// A child op as it appears in a pipeline file: `{"op": NAME, ...arguments}`.
struct OpSpec: Encodable {
    let transform: any Transform

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        try transform.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(transform.opName, forKey: Key(stringValue: "op"))
    }
}

/// The child ops of a composite and what every composite does with them.
struct ChildOps: Sendable {
    let ops: [any Transform]
    /// The composite's op name, for messages.
    let owner: String

    /// "one_of: ops[1] (rotate)".
    func label(_ i: Int) -> String { "\(owner): ops[\(i)] (\(ops[i].opName))" }

    /// Parses the "ops" array of a pipeline file; `label` is the composite's own label
    /// ("one_of (ops[2])"), so a nested error reads "one_of (ops[2]).ops[1]: unknown op ...".
    static func parse(_ values: [JSONValue], label: String) throws -> [any Transform] {
        try values.enumerated().map {
            try PipelineFile.parseOp($0.element.foundationValue, label: "\(label).ops[\($0.offset)]")
        }
    }

    /// A composite's children from its decoder: from a pipeline file, the "ops" array that
    /// ``PipelineFile`` handed over untouched (so each nested op is read once, whatever its depth);
    /// otherwise decoded from the container.
    fileprivate static func parse(
        _ c: KeyedDecodingContainer<CompositeKeys>, _ decoder: any Decoder,
        label: String
    ) throws -> [any Transform] {
        if let nested = decoder.userInfo[PipelineFile.nestedOpsKey] as? PipelineFile.NestedOps {
            return try nested.values.enumerated().map {
                try PipelineFile.parseOp($0.element, label: "\(label).ops[\($0.offset)]")
            }
        }
        return try parse(c.decode([JSONValue].self, forKey: .ops), label: label)
    }

    /// Refuses children that can never apply to some samples only (checked when the op is made).
    static func checkMaskable(_ ops: [any Transform], owner: String) throws {
        for (i, op) in ops.enumerated()
        where op is Normalize || op is MixUp || op is CutMix || op is MixUpCutMix || op is SaliencyMix
            || op is AugMix
        {
            throw AugmentError.invalidArgument(
                op: owner, argument: "ops[\(i)]", value: op.opName,
                allowed:
                    "ops that can apply to some samples only (normalize's per-channel map, the mixing ops and aug_mix apply to whole batches)"
            )
        }
    }

    /// Throws unless every child keeps the size of `input` (ops chosen per sample must).
    func checkKeepsSize(_ input: ImageGeometry) throws {
        for i in ops.indices {
            let output = try ops[i].outputGeometry(for: input)
            guard output == input else {
                throw AugmentError.incompatible(
                    "\(label(i)) changes the image size from \(input) to \(output); an op chosen per sample must keep the size"
                )
            }
        }
    }

    /// The stream seed of child `i`: every child draws from its own streams, as if it were an op of
    /// its own, whatever the other children draw. seed' = splitMix64(seed ^ splitMix64(opIndex << 32 | i)
    /// + 0xA0761D6478BD642F)); nested composites derive again from their own seed.
    static func childSeed(_ seed: UInt64, opIndex: UInt32, child i: Int) -> UInt64 {
        splitMix64(seed ^ (splitMix64((UInt64(opIndex) << 32) | UInt64(i)) &+ 0xA076_1D64_78BD_642F))
    }

    /// Child `i`'s parameters for every sample of the batch, drawn with the child's own sampling
    /// (per sample, per batch or same on batch), each sample seeing `geometries[n]`.
    func draw(child i: Int, _ context: SamplingContext, geometries: [ImageGeometry]) -> [ChildParameters] {
        var child = SamplingContext(
            geometry: geometries[0], seed: Self.childSeed(context.seed, opIndex: context.opIndex, child: i),
            epoch: context.epoch, sampleIndices: context.sampleIndices, opIndex: context.opIndex,
            sampleGeometries: geometries)
        child.classIDs = context.classIDs
        return Self.wrapped(ops[i], child)
    }

    private static func wrapped<T: Transform>(_ transform: T, _ context: SamplingContext) -> [ChildParameters] {
        transform.sampleBatchParameters(context).map(ChildParameters.init)
    }

    /// Child `i`'s parameters as its own type.
    func typed<T: Transform>(_ transform: T, _ values: [ChildParameters?]) throws -> [T.Parameters?] {
        try values.map { value in
            guard let value else { return nil }
            do {
                return try value.value(as: T.Parameters.self)
            } catch {
                throw AugmentError.parameterMismatch("\(owner): parameters of \(T.opName) do not decode: \(error)")
            }
        }
    }

    /// Checks child `i`'s value for one sample of `geometry`.
    func validate(child i: Int, _ value: ChildParameters, for geometry: ImageGeometry) throws {
        try validate(ops[i], value, geometry)
    }

    private func validate<T: Transform>(_ transform: T, _ value: ChildParameters, _ geometry: ImageGeometry) throws {
        guard let typed = try typed(transform, [value]).first, let typed else { return }
        try transform.validate(typed, for: geometry)
    }

    /// Lowers child `i` on every sample.
    func lower(child i: Int, _ values: [ChildParameters?], into plan: inout PlanBuilder) throws {
        try lower(ops[i], values, &plan)
    }

    private func lower<T: Transform>(_ transform: T, _ values: [ChildParameters?], _ plan: inout PlanBuilder) throws {
        let typed = try typed(transform, values)
        let all = typed.compactMap { $0 }
        guard all.count == typed.count else {
            throw AugmentError.parameterMismatch("\(owner): \(T.opName) has no parameters for some samples")
        }
        try transform.lower(all, into: &plan)
    }

    /// Child `i`'s effects on the samples whose value is non-nil.
    func effects(child i: Int, _ values: [ChildParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        try effects(ops[i], values, geometries, label(i))
    }

    private func effects<T: Transform>(
        _ transform: T, _ values: [ChildParameters?], _ geometries: [ImageGeometry],
        _ label: String
    ) throws -> [MaskedEffect] {
        try SampleMasking.effects(of: transform, typed(transform, values), geometries: geometries, label: label)
    }

    /// Checks the shape of one sample's composite parameters.
    func checkCount(_ parameters: CompositeParameters) throws {
        guard parameters.children.count == ops.count else {
            throw AugmentError.parameterMismatch(
                "\(owner): \(parameters.children.count) child parameters for \(ops.count) ops")
        }
    }

    /// A one-sample context for ``Transform/sampleParameters(for:random:)`` called directly.
    static func context(for input: ImageGeometry, random: RandomStream) -> SamplingContext {
        let key = random.randomKey
        return SamplingContext(
            geometry: input, seed: key.seed, epoch: key.epoch, sampleIndices: [key.sampleIndex], opIndex: key.opIndex)
    }
}

/// Keys of the composite ops in pipeline files.
private enum CompositeKeys: String, CodingKey { case ops, p, n }

/// A composite's label in pipeline-file errors ("one_of (ops[2])"), or its op name.
private func compositeLabel(_ decoder: any Decoder, _ opName: String) -> String {
    decoder.userInfo[PipelineFile.opLabelKey] as? String ?? opName
}

// MARK: - compose

/// `compose`: the ops in order, on every sample (torchvision `Compose`). A compose may change the
/// image size; inside a per-sample choice each of its ops must keep it. Each nested op draws from
/// streams of its own (see ``ChildOps``), so `compose([a, b])` samples differently from a pipeline
/// `[a, b]`, with the same distribution.
public struct Compose: SampleMaskable {
    public static let opName = "compose"
    public let ops: [any Transform]
    var children: ChildOps { ChildOps(ops: ops, owner: Self.opName) }

    public init(_ ops: [any Transform]) {
        self.ops = ops
    }

    /// Each child's input geometry, starting from `input`.
    private func childGeometries(_ input: ImageGeometry) throws -> [ImageGeometry] {
        var current = input
        var result: [ImageGeometry] = []
        for op in ops {
            result.append(current)
            current = try op.outputGeometry(for: current)
        }
        return result
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try ops.reduce(input) { try $1.outputGeometry(for: $0) }
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CompositeParameters] {
        let perSample = (0..<context.count).map { (try? childGeometries(context.geometry(ofSample: $0))) ?? [] }
        let draws = ops.indices.map { i in
            children.draw(
                child: i, context, geometries: perSample.map { i < $0.count ? $0[i] : context.geometry(ofSample: 0) })
        }
        return (0..<context.count).map { n in CompositeParameters(children: draws.map { $0[n] }) }
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CompositeParameters {
        sampleBatchParameters(ChildOps.context(for: input, random: random))[0]
    }

    public func validate(_ parameters: CompositeParameters, for input: ImageGeometry) throws {
        try children.checkCount(parameters)
        let geometries = try childGeometries(input)
        for (i, value) in parameters.children.enumerated() {
            guard let value else { throw AugmentError.parameterMismatch("compose: ops[\(i)] has no parameters") }
            try children.validate(child: i, value, for: geometries[i])
        }
    }

    public func lower(_ parameters: [CompositeParameters], into plan: inout PlanBuilder) throws {
        for i in ops.indices {
            try children.lower(child: i, parameters.map { $0.children[i] }, into: &plan)
        }
    }

    public func maskedEffects(
        _ parameters: [CompositeParameters?], geometries: [ImageGeometry]
    ) throws -> [MaskedEffect] {
        try ops.indices.flatMap { i in
            try children.effects(child: i, parameters.map { $0?.children[i] ?? nil }, geometries: geometries)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CompositeKeys.self)
        self.init(try ChildOps.parse(c, decoder, label: compositeLabel(decoder, Self.opName)))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CompositeKeys.self)
        try c.encode(ops.map(OpSpec.init), forKey: .ops)
    }
}

// MARK: - random_apply

/// `random_apply`: with probability `p` (default 0.5) a sample goes through all the ops in order,
/// otherwise through none (torchvision `RandomApply`), decided per sample (torchvision decides once
/// per call). Every op must keep the image size. Draws per sample: u < p.
public struct RandomApply: SampleMaskable {
    public static let opName = "random_apply"
    public let ops: [any Transform]
    public let p: Double
    var children: ChildOps { ChildOps(ops: ops, owner: Self.opName) }

    public init(_ ops: [any Transform], p: Double = Arguments.p.defaultValue!) throws {
        try Arguments.p.check(p, op: Self.opName)
        try ChildOps.checkMaskable(ops, owner: Self.opName)
        self.ops = ops
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try children.checkKeepsSize(input)
        return input
    }

    private func choose(_ draws: [[ChildParameters]], sample n: Int, random: inout RandomStream) -> CompositeParameters
    {
        let applied = random.bernoulli(p)
        return CompositeParameters(children: draws.map { applied ? $0[n] : nil })
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CompositeParameters] {
        let draws = ops.indices.map { children.draw(child: $0, context, geometries: context.sampleGeometries) }
        return (0..<context.count).map { n in
            var random = context.stream(sample: n)
            return choose(draws, sample: n, random: &random)
        }
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CompositeParameters {
        let context = ChildOps.context(for: input, random: random)
        return choose(
            ops.indices.map { children.draw(child: $0, context, geometries: [input]) }, sample: 0, random: &random)
    }

    public func validate(_ parameters: CompositeParameters, for input: ImageGeometry) throws {
        try children.checkCount(parameters)
        let applied = parameters.applied.count
        guard applied == 0 || applied == ops.count else {
            throw AugmentError.parameterMismatch(
                "random_apply: \(applied) of \(ops.count) ops applied; it applies all or none")
        }
        for (i, value) in parameters.children.enumerated() {
            if let value { try children.validate(child: i, value, for: input) }
        }
    }

    public func maskedEffects(
        _ parameters: [CompositeParameters?], geometries: [ImageGeometry]
    ) throws -> [MaskedEffect] {
        try ops.indices.flatMap { i in
            try children.effects(child: i, parameters.map { $0?.children[i] ?? nil }, geometries: geometries)
        }
    }

    public func lower(_ parameters: [CompositeParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CompositeKeys.self)
        let ops = try ChildOps.parse(c, decoder, label: compositeLabel(decoder, Self.opName))
        try self.init(ops, p: OpArgumentReader(decoder)(Arguments.p))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CompositeKeys.self)
        try c.encode(ops.map(OpSpec.init), forKey: .ops)
        try c.encode(p, forKey: .p)
    }
}

// MARK: - one_of

/// `one_of`: each sample goes through exactly one of the ops, op i with probability
/// `p[i] / sum(p)` (torchvision `RandomChoice`; `p` omitted: equal weights), chosen per sample
/// (torchvision chooses once per call). Every op must keep the image size. Draws per sample: one
/// uniform u; the op is the first i with u < (p[0] + ... + p[i]) / sum(p). The alternatives are
/// merged into the fewest passes: geometric ops that agree on interpolation and border become one
/// warp, colour ops one colour pass, sharpness and blur one stage each.
public struct OneOf: SampleMaskable {
    public static let opName = "one_of"
    public let ops: [any Transform]
    /// The weights as given (nil: equal weights).
    public let p: [Double]?
    /// The normalized weights.
    public let probabilities: [Double]
    var children: ChildOps { ChildOps(ops: ops, owner: Self.opName) }

    public init(_ ops: [any Transform], p: [Double]? = nil) throws {
        guard !ops.isEmpty else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "ops", value: "[]", allowed: "at least one op")
        }
        try ChildOps.checkMaskable(ops, owner: Self.opName)
        let weights = p ?? Array(repeating: 1, count: ops.count)
        guard weights.count == ops.count, weights.allSatisfy({ $0.isFinite && $0 >= 0 }),
            case let total = weights.reduce(0, +), total > 0, total.isFinite
        else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "p", value: "\(weights)",
                allowed: "one finite weight >= 0 per op (\(ops.count)), not all 0")
        }
        self.ops = ops
        self.p = p
        probabilities = weights.map { $0 / total }
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try children.checkKeepsSize(input)
        return input
    }

    /// The op a uniform draw `u` in [0, 1) selects.
    func choice(_ u: Double) -> Int {
        var cumulative = 0.0
        for (i, q) in probabilities.enumerated() {
            cumulative += q
            if u < cumulative { return i }
        }
        return probabilities.lastIndex { $0 > 0 } ?? 0  // u just below 1 after rounding
    }

    private func choose(_ draws: [[ChildParameters]], sample n: Int, random: inout RandomStream) -> CompositeParameters
    {
        let chosen = choice(random.uniform())
        return CompositeParameters(children: draws.indices.map { $0 == chosen ? draws[$0][n] : nil })
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CompositeParameters] {
        let draws = ops.indices.map { children.draw(child: $0, context, geometries: context.sampleGeometries) }
        return (0..<context.count).map { n in
            var random = context.stream(sample: n)
            return choose(draws, sample: n, random: &random)
        }
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CompositeParameters {
        let context = ChildOps.context(for: input, random: random)
        return choose(
            ops.indices.map { children.draw(child: $0, context, geometries: [input]) }, sample: 0, random: &random)
    }

    public func validate(_ parameters: CompositeParameters, for input: ImageGeometry) throws {
        try children.checkCount(parameters)
        guard parameters.applied.count == 1, let chosen = parameters.applied.first, probabilities[chosen] > 0 else {
            throw AugmentError.parameterMismatch(
                "one_of: ops \(parameters.applied) applied; exactly one op of weight > 0 applies")
        }
        if let value = parameters.children[chosen] { try children.validate(child: chosen, value, for: input) }
    }

    public func maskedEffects(
        _ parameters: [CompositeParameters?], geometries: [ImageGeometry]
    ) throws -> [MaskedEffect] {
        let effects = try ops.indices.map { i in
            try children.effects(child: i, parameters.map { $0?.children[i] ?? nil }, geometries: geometries)
        }
        return SampleMasking.mergedExclusive(effects, count: geometries.count)
    }

    public func lower(_ parameters: [CompositeParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CompositeKeys.self)
        let ops = try ChildOps.parse(c, decoder, label: compositeLabel(decoder, Self.opName))
        try self.init(ops, p: OpArgumentReader(decoder)(Arguments.p))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CompositeKeys.self)
        try c.encode(ops.map(OpSpec.init), forKey: .ops)
        try c.encodeIfPresent(p, forKey: .p)
    }
}

// MARK: - some_of

/// `some_of`: with probability `p` (default 1) a sample goes through `n` of the ops chosen uniformly
/// without replacement, applied in list order (Albumentations `SomeOf(transforms, n, replace=False,
/// p)`, which sorts the chosen indices; torchvision has no such op). `n` is a count or a [min, max]
/// range drawn uniformly per sample (imgaug's `SomeOf((min, max), ...)`), within 0...ops.count.
/// Chosen per sample. Every op must keep the image size; each keeps its own probability (a
/// `random_*` op chosen may still leave the sample alone). Draws per sample: u < p; then n (only for
/// a range); then a partial Fisher-Yates shuffle (j = integer in i...count-1 for i < n).
public struct SomeOf: SampleMaskable {
    public static let opName = "some_of"
    public let ops: [any Transform]
    /// [min, max] of the number of ops applied.
    public let n: [Int]
    public let p: Double
    var children: ChildOps { ChildOps(ops: ops, owner: Self.opName) }

    /// `n`: [count] or [min, max].
    public init(
        _ ops: [any Transform], n: [Int] = Arguments.n.defaultValue!.values, p: Double = Arguments.p.defaultValue!
    ) throws {
        try ChildOps.checkMaskable(ops, owner: Self.opName)
        let range = n.count == 1 ? [n[0], n[0]] : n
        guard range.count == 2, range[0] >= 0, range[0] <= range[1], range[1] <= ops.count else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "n", value: "\(n)",
                allowed: "a count or [min, max] with 0 <= min <= max <= \(ops.count) (the number of ops)")
        }
        try Arguments.p.check(p, op: Self.opName)
        self.ops = ops
        self.n = range
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try children.checkKeepsSize(input)
        return input
    }

    private func choose(_ draws: [[ChildParameters]], sample s: Int, random: inout RandomStream) -> CompositeParameters
    {
        guard random.bernoulli(p) else { return CompositeParameters(children: Array(repeating: nil, count: ops.count)) }
        let count = n[0] == n[1] ? n[0] : random.integer(in: n[0]...n[1])
        var order = Array(ops.indices)
        for i in 0..<count {
            order.swapAt(i, random.integer(in: i...(ops.count - 1)))
        }
        let chosen = Set(order.prefix(count))
        return CompositeParameters(children: draws.indices.map { chosen.contains($0) ? draws[$0][s] : nil })
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CompositeParameters] {
        let draws = ops.indices.map { children.draw(child: $0, context, geometries: context.sampleGeometries) }
        return (0..<context.count).map { s in
            var random = context.stream(sample: s)
            return choose(draws, sample: s, random: &random)
        }
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CompositeParameters {
        let context = ChildOps.context(for: input, random: random)
        return choose(
            ops.indices.map { children.draw(child: $0, context, geometries: [input]) }, sample: 0, random: &random)
    }

    public func validate(_ parameters: CompositeParameters, for input: ImageGeometry) throws {
        try children.checkCount(parameters)
        let applied = parameters.applied.count
        guard (n[0]...n[1]).contains(applied) || (applied == 0 && p < 1) else {
            throw AugmentError.parameterMismatch("some_of: \(applied) ops applied, outside n = \(n)")
        }
        for (i, value) in parameters.children.enumerated() {
            if let value { try children.validate(child: i, value, for: input) }
        }
    }

    public func maskedEffects(
        _ parameters: [CompositeParameters?], geometries: [ImageGeometry]
    ) throws -> [MaskedEffect] {
        try ops.indices.flatMap { i in
            try children.effects(child: i, parameters.map { $0?.children[i] ?? nil }, geometries: geometries)
        }
    }

    public func lower(_ parameters: [CompositeParameters], into plan: inout PlanBuilder) throws {
        try SampleMasking.emit(maskedEffects(parameters, geometries: plan.sampleGeometries), into: &plan)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CompositeKeys.self)
        let read = try OpArgumentReader(decoder)
        let n = try read(Arguments.n).values
        try self.init(
            ChildOps.parse(c, decoder, label: compositeLabel(decoder, Self.opName)), n: n, p: read(Arguments.p))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CompositeKeys.self)
        try c.encode(ops.map(OpSpec.init), forKey: .ops)
        try c.encode(n, forKey: .n)
        try c.encode(p, forKey: .p)
    }
}

/// The nested `ops` of the composites: decoded by ``ChildOps`` (each op object through the
/// registry), declared here for the reference.
public let nestedOpsArgument = OpArgumentInfo(
    name: "ops", type: "list of op objects", defaultText: nil,
    allowed: "{\"op\": NAME, ...} objects (torchvision's \"transforms\" is read as \"ops\")",
    doc: "the nested ops")

extension RandomApply {
    /// `random_apply`'s arguments, declared once.
    public enum Arguments {
        public static let p = OpArgument<Double>(
            "p", default: 0.5, range: 0...1, doc: "probability that a sample goes through all the ops")
    }
}

extension OneOf {
    /// `one_of`'s arguments, declared once.
    public enum Arguments {
        public static let p = OpArgument<[Double]?>(
            optional: "p", allowed: "one finite weight >= 0 per op, not all 0",
            doc: "weights of the ops (op i with probability p[i] / sum(p)); null: equal weights")
    }
}

extension SomeOf {
    /// `some_of`'s arguments, declared once.
    public enum Arguments {
        public static let n = OpArgument<OneOrList<Int>>(
            "n", default: OneOrList([1]), allowed: "a count or [min, max] with 0 <= min <= max <= the number of ops",
            doc: "how many of the ops each sample goes through, or a range drawn uniformly per sample")
        public static let p = OpArgument<Double>(
            "p", default: 1, range: 0...1, doc: "probability that a sample goes through any of the ops")
    }
}

extension Compose: DescribedArguments {
    public static let arguments = [nestedOpsArgument]
    public static let summary = "The ops in order, as one op (torchvision `Compose`)."
}

extension RandomApply: DescribedArguments {
    public static let arguments = [nestedOpsArgument, Arguments.p.info]
    public static let summary =
        "With probability `p` a sample goes through all the ops, else none, decided per sample (torchvision `RandomApply`)."
}

extension OneOf: DescribedArguments {
    public static let arguments = [nestedOpsArgument, Arguments.p.info]
    public static let summary =
        "Each sample goes through one of the ops, chosen per sample (torchvision `RandomChoice`)."
}

extension SomeOf: DescribedArguments {
    public static let arguments = [nestedOpsArgument, Arguments.n.info, Arguments.p.info]
    public static let summary =
        "Each sample goes through `n` of the ops chosen without replacement, in list order (Albumentations `SomeOf`)."
}
