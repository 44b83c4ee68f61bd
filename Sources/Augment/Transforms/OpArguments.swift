import Foundation

// One declaration per op argument: its pipeline-file name, default, allowed range and doc live in
// one `OpArgument` value, from which the op's JSON decoding (``OpArgumentReader``), its validation
// (``OpArgument/check(_:op:)``), the verify catalog's random draws (``OpArgument/draw(_:within:)``)
// and the pipeline reference in docs/reference.md (``OpReference``) are all derived.

/// A value type an op argument can take.
public protocol OpArgumentValue: Codable, Sendable {
    /// The value as a number, for range checks (nil for non-numeric values).
    var numericValue: Double? { get }
    /// The value as the pipeline reference prints it.
    var referenceText: String { get }
    /// The value type as the pipeline reference names it.
    static var referenceTypeName: String { get }
}

extension Double: OpArgumentValue {
    public var numericValue: Double? { self }
    public var referenceText: String { AugmentError.formatNumber(self) }
    public static var referenceTypeName: String { "number" }
}

extension Int: OpArgumentValue {
    public var numericValue: Double? { Double(self) }
    public var referenceText: String { "\(self)" }
    public static var referenceTypeName: String { "integer" }
}

extension Bool: OpArgumentValue {
    public var numericValue: Double? { nil }
    public var referenceText: String { self ? "true" : "false" }
    public static var referenceTypeName: String { "bool" }
}

/// The kind-independent description of an op argument (what the reference prints).
public struct OpArgumentInfo: Sendable, Equatable {
    /// The key in a pipeline file (snake_case, as torchvision names the argument).
    public let name: String
    /// The value type: "number", "integer" or "bool".
    public let type: String
    /// The default as text, or nil when the argument is required.
    public let defaultText: String?
    /// The allowed values as an error names them, or nil when any value of the type is allowed.
    public let allowed: String?
    public let doc: String
}

/// One argument of an op, declared once.
public struct OpArgument<Value: OpArgumentValue>: Sendable {
    public let name: String
    /// The value a pipeline file gets when it leaves the argument out; nil: the argument is required.
    public let defaultValue: Value?
    /// The allowed numeric values (inclusive); nil: any value of the type.
    public let range: ClosedRange<Double>?
    public let doc: String

    public init(_ name: String, default defaultValue: Value? = nil, range: ClosedRange<Double>? = nil, doc: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.doc = doc
    }

    /// Throws unless `value` is allowed, naming the op, the argument and the allowed range.
    public func check(_ value: Value, op: String) throws {
        guard let range, let number = value.numericValue else { return }
        if Value.self == Int.self {
            let lower = Int(max(range.lowerBound, -9.0e18)),
                upper = range.upperBound >= 9.0e18 ? Int.max : Int(range.upperBound)
            try AugmentError.check(Int(number), in: lower...upper, op: op, argument: name)
        } else {
            try AugmentError.check(number, in: range, op: op, argument: name)
        }
    }

    /// What the reference prints about this argument.
    public var info: OpArgumentInfo {
        let type = Value.referenceTypeName
        var allowed: String?
        if let range {
            if Value.self == Int.self {
                let upper = range.upperBound >= 9.0e18 ? "∞" : "\(Int(range.upperBound))"
                allowed = "an integer in [\(Int(range.lowerBound)), \(upper)]"
            } else {
                allowed = AugmentError.describeRange(range)
            }
        }
        return OpArgumentInfo(
            name: name, type: type, defaultText: defaultValue?.referenceText, allowed: allowed, doc: doc)
    }
}

extension OpArgument where Value == Double {
    /// A random allowed value for the verify catalog: uniform over `within` (a finite part of the
    /// range that exercises the op; the whole range when nil and finite).
    public func draw(_ random: inout RandomStream, within span: ClosedRange<Double>? = nil) -> Double {
        let span = span ?? range ?? 0...1
        return random.uniform(span.lowerBound, span.upperBound)
    }
}

extension OpArgument where Value == Int {
    /// A random allowed value for the verify catalog, uniform over `within` (default: the range).
    public func draw(_ random: inout RandomStream, within span: ClosedRange<Int>? = nil) -> Int {
        random.integer(in: span ?? Int(range?.lowerBound ?? 0)...Int(range?.upperBound ?? 1))
    }
}

extension OpArgument where Value == Bool {
    /// A random value for the verify catalog: true with probability `p`.
    public func draw(_ random: inout RandomStream, p: Double = 0.5) -> Bool {
        random.bernoulli(p)
    }
}

/// An op whose arguments are declared as ``OpArgument`` values: the pipeline reference lists them.
public protocol DescribedArguments: Transform {
    /// The op's arguments, in the order the reference lists them.
    static var arguments: [OpArgumentInfo] { get }
    /// One line on what the op does and which reference its semantics follow.
    static var summary: String { get }
}

/// Reads an op's arguments from a pipeline file through their declarations.
public struct OpArgumentReader {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let container: KeyedDecodingContainer<Key>

    public init(_ decoder: any Decoder) throws {
        container = try decoder.container(keyedBy: Key.self)
    }

    /// The argument's value in the file, else its default; a required argument that is missing
    /// throws the decoder's key-not-found error (which names it).
    public func callAsFunction<Value>(_ argument: OpArgument<Value>) throws -> Value {
        let key = Key(stringValue: argument.name)
        guard let defaultValue = argument.defaultValue else { return try container.decode(Value.self, forKey: key) }
        return try container.decodeIfPresent(Value.self, forKey: key) ?? defaultValue
    }
}

/// The pipeline-argument reference (docs/reference.md), generated from the ops' declarations.
public enum OpReference {
    /// The registered ops whose arguments are declared (``DescribedArguments``).
    public static var describedTypes: [any DescribedArguments.Type] {
        var seen = Set<ObjectIdentifier>()
        return (OpRegistry.types + OpRegistry.signalTypes).compactMap { type -> (any DescribedArguments.Type)? in
            guard seen.insert(ObjectIdentifier(type)).inserted else { return nil }  // time_masking is in both lists
            return type as? any DescribedArguments.Type
        }
    }

    /// The reference as Markdown: one section per described op, one table row per argument.
    public static func markdown() -> String {
        var lines = [
            "# Pipeline argument reference",
            "",
            "Generated from the ops' argument declarations (`OpArgument` in",
            "`Sources/Augment/Transforms/OpArguments.swift`) by `augment ops --markdown`; do not edit by hand",
            "(`Tests/AugmentTests/OpReferenceTests.swift` checks this file is current). Ops not listed here",
            "still declare their arguments in their decoders; see [pipelines.md](pipelines.md).",
            "",
        ]
        for type in describedTypes.sorted(by: { $0.opName < $1.opName }) {
            lines += ["## `\(type.opName)`", "", type.summary, ""]
            if type.arguments.isEmpty {
                lines += ["No arguments.", ""]
                continue
            }
            lines += ["| argument | type | default | allowed | meaning |", "| --- | --- | --- | --- | --- |"]
            for a in type.arguments {
                lines.append(
                    "| `\(a.name)` | \(a.type) | \(a.defaultText.map { "`\($0)`" } ?? "required") | \(a.allowed ?? "any") | \(a.doc) |"
                )
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
