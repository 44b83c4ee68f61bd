import Foundation

/// A numeric argument that changes over epochs, as pipeline files write it:
/// `{"schedule": "linear"|"cosine"|"step", "from": x, "to": y, "epochs": E}`, with x and y numbers or
/// equal-length lists of numbers (ranges, per-channel values).
///
/// At epoch e, with t = min(e, E) / E: linear `from + (to - from)·t`; cosine
/// `from + (to - from)·(1 - cos(π t)) / 2` (slow start and end); step `from` before epoch E, `to`
/// from E on. When from and to are both integers the value is rounded to the nearest integer (half
/// away from zero), so integer arguments (kernel sizes, counts) can be scheduled.
public struct Schedule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case linear, cosine, step }
    public var kind: Kind
    public var from: [Double]
    public var to: [Double]
    public var epochs: UInt64
    /// Whether the schedule was written with single numbers rather than lists.
    public var isScalar: Bool
    public var isInteger: Bool

    /// Parses a schedule object; `label` and `argument` name it in errors.
    init(_ object: [String: Any], label: String, argument: String) throws {
        func bad(_ why: String) -> AugmentError {
            .invalidArgument(
                op: label, argument: argument, value: "\(object)",
                allowed: "{\"schedule\": \"linear\"|\"cosine\"|\"step\", \"from\": x, \"to\": y, \"epochs\": E}: \(why)"
            )
        }
        let known: Set<String> = ["schedule", "from", "to", "epochs"]
        if let extra = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw bad("unknown key \"\(extra)\"")
        }
        guard let name = object["schedule"] as? String, let kind = Kind(rawValue: name) else {
            throw bad("\"schedule\" must be linear, cosine or step")
        }
        guard let epochs = object["epochs"] as? NSNumber, let e = UInt64(exactly: epochs.doubleValue), e >= 1 else {
            throw bad("\"epochs\" must be an integer >= 1")
        }
        func numbers(_ key: String) throws -> (values: [Double], scalar: Bool, integer: Bool) {
            if let n = object[key] as? NSNumber {
                return ([n.doubleValue], true, n.doubleValue == n.doubleValue.rounded() && !"\(n)".contains("."))
            }
            guard let list = object[key] as? [Any], !list.isEmpty,
                let values = list.map({ ($0 as? NSNumber)?.doubleValue }) as? [Double]
            else {
                throw bad("\"\(key)\" must be a number or a non-empty list of numbers")
            }
            return (values, false, list.allSatisfy { "\($0)".contains(".") == false })
        }
        let a = try numbers("from"), b = try numbers("to")
        guard a.values.count == b.values.count, a.scalar == b.scalar else {
            throw bad("\"from\" and \"to\" must have the same shape")
        }
        guard (a.values + b.values).allSatisfy(\.isFinite) else { throw bad("values must be finite") }
        self.kind = kind
        from = a.values
        to = b.values
        self.epochs = e
        isScalar = a.scalar
        isInteger = a.integer && b.integer
    }

    /// The values in force at `epoch`.
    public func values(at epoch: UInt64) -> [Double] {
        let t = Double(min(epoch, epochs)) / Double(epochs)
        let weight: Double
        switch kind {
        case .linear: weight = t
        case .cosine: weight = (1 - cos(Double.pi * t)) / 2
        case .step: weight = epoch >= epochs ? 1 : 0
        }
        return zip(from, to).map { a, b in
            let v = weight == 1 ? b : a + (b - a) * weight
            return isInteger ? v.rounded() : v
        }
    }

    /// Whether `value` (a JSON value as JSONSerialization gives it) holds a schedule object anywhere.
    static func occurs(in value: Any) -> Bool {
        if let dict = value as? [String: Any] {
            return dict["schedule"] != nil || dict.values.contains(where: occurs(in:))
        }
        if let list = value as? [Any] { return list.contains(where: occurs(in:)) }
        return false
    }

    /// `value` with every schedule object replaced by its value at `epoch`.
    static func resolve(_ value: Any, epoch: UInt64, label: String, argument: String) throws -> Any {
        if let dict = value as? [String: Any] {
            if dict["schedule"] != nil {
                let schedule = try Schedule(dict, label: label, argument: argument)
                let values = schedule.values(at: epoch)
                let numbers = values.map { schedule.isInteger ? NSNumber(value: Int64($0)) : NSNumber(value: $0) }
                return schedule.isScalar ? numbers[0] : numbers
            }
            var out: [String: Any] = [:]
            for (k, v) in dict {
                out[k] = try resolve(v, epoch: epoch, label: label, argument: argument == "" ? k : argument)
            }
            return out
        }
        if let list = value as? [Any] {
            return try list.map { try resolve($0, epoch: epoch, label: label, argument: argument) }
        }
        return value
    }
}

/// One sample's parameters of a scheduled op: the op's arguments in force at the batch's epoch and
/// the op's own parameters drawn with them. Replay uses the recorded arguments, whatever the epoch.
public struct ScheduledParameters: Codable, Sendable, Equatable {
    /// The op's arguments with every schedule resolved (JSON object).
    public var arguments: JSONValue
    public var parameters: ChildParameters
}

/// A pipeline-file op whose arguments hold schedules (``Schedule``): at each batch it resolves them at
/// the batch's epoch, decodes the op with those values (strictly, as any op) and samples it with the
/// same random streams the plain op would use. Made by `PipelineFile` for any op with a schedule in
/// its arguments (a composite's nested ops included: the composite is resolved as a whole); records
/// name it "scheduled" and keep the resolved arguments per sample.
public struct ScheduledOp: Transform {
    public static let opName = "scheduled"
    /// The op's name and its arguments as written, schedules included.
    public let name: String
    let opType: any Transform.Type
    let arguments: [String: JSONValue]
    let label: String

    init(type: any Transform.Type, arguments: [String: Any], label: String) throws {
        self.name = type.opName
        self.opType = type
        self.label = label
        let data = try JSONSerialization.data(withJSONObject: arguments)
        self.arguments = try JSONDecoder().decode([String: JSONValue].self, from: data)
        // Arguments must be valid at both ends and in the middle of every schedule.
        var epochs: Set<UInt64> = [0]
        for e in Self.scheduleEpochs(arguments) { epochs.formUnion([e / 2, e]) }
        for epoch in epochs.sorted() { _ = try op(at: epoch) }
    }

    static func scheduleEpochs(_ value: Any) -> [UInt64] {
        if let dict = value as? [String: Any] {
            if dict["schedule"] != nil, let e = (dict["epochs"] as? NSNumber)?.uint64Value { return [e] }
            return dict.values.flatMap(scheduleEpochs)
        }
        if let list = value as? [Any] { return list.flatMap(scheduleEpochs) }
        return []
    }

    /// The resolved arguments at `epoch`.
    func resolvedArguments(at epoch: UInt64) throws -> [String: Any] {
        let raw = arguments.mapValues(\.foundationValue)
        var out: [String: Any] = [:]
        for (key, value) in raw {
            out[key] = try Schedule.resolve(value, epoch: epoch, label: "\(name) (\(label))", argument: key)
        }
        return out
    }

    /// The op as it is at `epoch`.
    public func op(at epoch: UInt64) throws -> any Transform {
        try decodeOp(resolvedArguments(at: epoch))
    }

    func decodeOp(_ arguments: [String: Any]) throws -> any Transform {
        try Self.decodeAny(opType, from: arguments, label: "\(name) (\(label))")
    }

    private static func decodeAny<T: Transform>(
        _ type: T.Type, from arguments: [String: Any], label: String
    ) throws -> any Transform {
        try PipelineFile.decode(type, from: arguments, label: label)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        let first = try op(at: 0).outputGeometry(for: input)
        for epoch in Self.scheduleEpochs(arguments.mapValues(\.foundationValue))
        where try op(at: epoch).outputGeometry(for: input) != first {
            throw AugmentError.invalidArgument(
                op: "\(name) (\(label))", argument: "(schedule)", value: "changes the output size",
                allowed: "schedules on arguments that keep the output size")
        }
        return first
    }

    private func wrap<T: Transform>(_ op: T, _ context: SamplingContext, arguments: JSONValue) -> [ScheduledParameters]
    {
        op.sampleBatchParameters(context).map {
            ScheduledParameters(arguments: arguments, parameters: ChildParameters($0))
        }
    }

    private func resolved(_ epoch: UInt64) -> (op: any Transform, arguments: JSONValue)? {
        guard let args = try? resolvedArguments(at: epoch), let op = try? decodeOp(args),
            let data = try? JSONSerialization.data(withJSONObject: args),
            let json = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        return (op, json)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [ScheduledParameters] {
        // Validated for every epoch's range when constructed; epochs beyond the schedule hold `to`.
        guard let (op, json) = resolved(context.epoch) else { return [] }
        return wrap(op, context, arguments: json)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ScheduledParameters {
        let key = random.randomKey
        let context = SamplingContext(
            geometry: input, seed: key.seed, epoch: key.epoch, sampleIndices: [key.sampleIndex], opIndex: key.opIndex)
        return sampleBatchParameters(context).first
            ?? ScheduledParameters(arguments: .null, parameters: ChildParameters(0))
    }

    private func typed<T: Transform>(_ op: T, _ parameters: [ScheduledParameters]) throws -> [T.Parameters] {
        try parameters.map { try $0.parameters.value(as: T.Parameters.self) }
    }

    private func opFor(_ parameters: [ScheduledParameters]) throws -> any Transform {
        guard let first = parameters.first, case .object = first.arguments,
            parameters.allSatisfy({ $0.arguments == first.arguments })
        else {
            throw AugmentError.parameterMismatch(
                "\(name) (scheduled): the samples of a batch must share one set of resolved arguments")
        }
        guard let dict = first.arguments.foundationValue as? [String: Any] else {
            throw AugmentError.parameterMismatch("\(name) (scheduled): recorded arguments are not an object")
        }
        return try decodeOp(dict)
    }

    public func validate(_ parameters: ScheduledParameters, for input: ImageGeometry) throws {
        let op = try opFor([parameters])
        func check<T: Transform>(_ op: T) throws {
            try op.validate(parameters.parameters.value(as: T.Parameters.self), for: input)
        }
        try check(op)
    }

    public func lower(_ parameters: [ScheduledParameters], into plan: inout PlanBuilder) throws {
        let op = try opFor(parameters)
        func run<T: Transform>(_ op: T) throws {
            try op.lower(typed(op, parameters), into: &plan)
        }
        try run(op)
    }

    private enum CodingKeys: String, CodingKey { case op, arguments }

    public init(from decoder: any Decoder) throws {
        throw AugmentError.invalidArgument(
            op: Self.opName, argument: "(op)", value: "scheduled",
            allowed: "scheduled ops come from pipeline files: write a schedule into an op's argument")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .op)
        try c.encode(arguments, forKey: .arguments)
    }

    public static func == (lhs: ScheduledOp, rhs: ScheduledOp) -> Bool {
        lhs.name == rhs.name && lhs.arguments == rhs.arguments
    }
}
