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
    /// The numbers a range check applies to: the value itself, each element of a list, both ends
    /// of a [min, max] range (empty for non-numeric values and an absent optional).
    var numericValues: [Double] { get }
    /// The names a string-valued type allows (an enum's raw values), nil for other types.
    static var allowedNames: [String]? { get }
    /// The value as JSON (what a pipeline file writes), for the verify catalog's derived entries.
    var jsonValue: Any { get }
}

extension OpArgumentValue {
    public var numericValues: [Double] { numericValue.map { [$0] } ?? [] }
    public static var allowedNames: [String]? { nil }
}

/// An enum that pipeline files spell by its raw value ("bilinear", "reflect"): its cases are the
/// allowed values the reference lists, and its own decoder keeps its error message.
extension OpArgumentValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public var numericValue: Double? { nil }
    public var referenceText: String { rawValue }
    public static var referenceTypeName: String { "string" }
    public static var allowedNames: [String]? { allCases.map(\.rawValue) }
    public var jsonValue: Any { rawValue }
}

extension Double: OpArgumentValue {
    public var numericValue: Double? { self }
    public var referenceText: String { AugmentError.formatNumber(self) }
    public static var referenceTypeName: String { "number" }
    public var jsonValue: Any { self }
}

extension Int: OpArgumentValue {
    public var numericValue: Double? { Double(self) }
    public var referenceText: String { "\(self)" }
    public static var referenceTypeName: String { "integer" }
    public var jsonValue: Any { self }
}

extension Bool: OpArgumentValue {
    public var numericValue: Double? { nil }
    public var referenceText: String { self ? "true" : "false" }
    public static var referenceTypeName: String { "bool" }
    public var jsonValue: Any { self }
}

extension String: OpArgumentValue {
    public var numericValue: Double? { nil }
    public var referenceText: String { self }
    public static var referenceTypeName: String { "string" }
    public var jsonValue: Any { self }
}

/// A list argument (sizes, [min, max] ranges, per-channel mean/std, fill values): a range
/// declared on it applies to every element.
extension Array: OpArgumentValue where Element: OpArgumentValue {
    public var numericValue: Double? { nil }
    public var numericValues: [Double] { flatMap(\.numericValues) }
    public var referenceText: String { "[" + map(\.referenceText).joined(separator: ", ") + "]" }
    public static var referenceTypeName: String { "list of \(Element.referenceTypeName)" }
    public var jsonValue: Any { map(\.jsonValue) }
}

/// An argument that may be absent or null (`fill`, `sigma`, `center`): its default is usually nil.
extension Optional: OpArgumentValue where Wrapped: OpArgumentValue {
    public var numericValue: Double? { self?.numericValue }
    public var numericValues: [Double] { self?.numericValues ?? [] }
    public var referenceText: String { self?.referenceText ?? "null" }
    public static var referenceTypeName: String { "\(Wrapped.referenceTypeName) or null" }
    public static var allowedNames: [String]? { Wrapped.allowedNames }
    public var jsonValue: Any { self?.jsonValue ?? NSNull() }
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
    /// The finite span the verify catalog draws numbers from (each element of a list of
    /// `catalogCount` numbers, both ends of a [min, max] range), or nil: the catalog leaves the
    /// argument at its default (see ``OpArgument/catalog``).
    public let catalog: ClosedRange<Double>?
    /// How many numbers the catalog draws for a list argument (nil: one number).
    public let catalogCount: Int?
    /// The names a string argument allows (the catalog draws one), nil for other types.
    public let choices: [String]?

    public init(
        name: String, type: String, defaultText: String?, allowed: String?, doc: String,
        catalog: ClosedRange<Double>? = nil, catalogCount: Int? = nil, choices: [String]? = nil
    ) {
        self.name = name
        self.type = type
        self.defaultText = defaultText
        self.allowed = allowed
        self.doc = doc
        self.catalog = catalog
        self.catalogCount = catalogCount
        self.choices = choices
    }

    /// Whether a pipeline file must give the argument: it has no default, or the op refuses its
    /// absence itself (declared optional with an allowed text that starts "required").
    public var isRequired: Bool { defaultText == nil || allowed?.hasPrefix("required") == true }

    /// Names as an error lists them: "a or b", "a, b or c".
    static func listing(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

/// One argument of an op, declared once.
public struct OpArgument<Value: OpArgumentValue>: Sendable {
    public let name: String
    /// The value a pipeline file gets when it leaves the argument out; nil: the argument is required.
    public let defaultValue: Value?
    /// The allowed numeric values (inclusive); nil: any value of the type.
    public let range: ClosedRange<Double>?
    public let doc: String
    /// The finite part of the range the verify catalog draws from (uniform; integers uniform over
    /// the whole numbers inside), nil: the catalog's derived entry leaves the argument at its
    /// default (a required argument without a span needs a hand-written catalog entry). For a
    /// string argument any span lets the catalog draw among its ``choices``; bools are always drawn.
    public let catalog: ClosedRange<Double>?
    /// For list arguments: how many numbers the catalog draws (each from ``catalog``).
    public let catalogCount: Int?
    /// The allowed strings of a string argument (an enum's raw values when nil).
    public let choices: [String]?
    /// The allowed values as the reference prints them, for rules a range cannot state ("1 or
    /// 3", "[min, max] with ..."), which the op then checks itself; nil: derived from the range.
    public let allowedText: String?

    public init(
        _ name: String, default defaultValue: Value? = nil, range: ClosedRange<Double>? = nil,
        choices: [String]? = nil, allowed allowedText: String? = nil, catalog: ClosedRange<Double>? = nil,
        catalogCount: Int? = nil, doc: String
    ) {
        self.allowedText = allowedText
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.doc = doc
        self.catalog = catalog
        self.catalogCount = catalogCount
        self.choices = choices ?? Value.allowedNames
    }

    /// An optional argument (absent or null: nil), declared without a default.
    public init<Wrapped>(
        optional name: String, range: ClosedRange<Double>? = nil, choices: [String]? = nil,
        allowed allowedText: String? = nil, catalog: ClosedRange<Double>? = nil, catalogCount: Int? = nil,
        doc: String
    ) where Value == Wrapped? {
        self.init(
            name, default: .some(nil), range: range, choices: choices, allowed: allowedText, catalog: catalog,
            catalogCount: catalogCount, doc: doc)
    }

    /// Whether the value type holds integers (Int, [Int], Int?).
    private var isInteger: Bool {
        Value.referenceTypeName.contains("integer") && !Value.referenceTypeName.contains("number")
    }

    /// Throws unless `value` is allowed, naming the op, the argument and the allowed range (every
    /// number of a list or [min, max] range is checked; a string must be one of ``choices``).
    public func check(_ value: Value, op: String) throws {
        if let choices, let text = (value as? String) ?? (value as? String?) ?? nil, !choices.contains(text) {
            throw AugmentError.invalidArgument(
                op: op, argument: name, value: text, allowed: OpArgumentInfo.listing(choices))
        }
        guard let range else { return }
        for number in value.numericValues {
            if isInteger {
                let lower = Int(max(range.lowerBound, -9.0e18)),
                    upper = range.upperBound >= 9.0e18 ? Int.max : Int(range.upperBound)
                try AugmentError.check(Int(number), in: lower...upper, op: op, argument: name)
            } else {
                try AugmentError.check(number, in: range, op: op, argument: name)
            }
        }
    }

    /// What the reference prints about this argument.
    public var info: OpArgumentInfo {
        let type = Value.referenceTypeName
        var allowed: String?
        if let choices {
            allowed = "one of " + choices.map { "`\($0)`" }.joined(separator: ", ")
        } else if let range {
            if isInteger {
                let upper = range.upperBound >= 9.0e18 ? "∞" : "\(Int(range.upperBound))"
                allowed = "an integer in [\(Int(range.lowerBound)), \(upper)]"
            } else {
                allowed = AugmentError.describeRange(range)
            }
        }
        if range != nil, Value.referenceTypeName.hasPrefix("list of "), let text = allowed {
            allowed = "each " + text
        }
        if let allowedText { allowed = allowedText }
        return OpArgumentInfo(
            name: name, type: type, defaultText: defaultValue?.referenceText, allowed: allowed, doc: doc,
            catalog: catalog, catalogCount: catalogCount, choices: choices)
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

/// A list argument that pipeline files may also write as one number (`kernel_size: 5` for
/// `[5]`, `degrees: 30`): decodes `x` as `[x]` and any list as it is (the op checks the count).
public struct OneOrList<Element: OpArgumentValue & Equatable>: OpArgumentValue, Equatable {
    public var values: [Element]
    /// Whether the file wrote one number (printed back as one).
    public var isSingle: Bool

    public init(_ values: [Element]) {
        self.values = values
        isSingle = false
    }

    public init(single value: Element) {
        values = [value]
        isSingle = true
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Element.self) {
            self.init(single: value)
        } else {
            self.init(try container.decode([Element].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public var numericValue: Double? { nil }
    public var numericValues: [Double] { values.flatMap(\.numericValues) }
    public var referenceText: String {
        isSingle && values.count == 1 ? values[0].referenceText : values.referenceText
    }
    public static var referenceTypeName: String {
        "\(Element.referenceTypeName) or list of \(Element.referenceTypeName)"
    }
    public var jsonValue: Any { isSingle && values.count == 1 ? values[0].jsonValue : values.jsonValue }
}

extension OpArgument where Value == String {
    /// The enum case a checked string names (``choices`` are the enum's raw values or a subset).
    public func choice<Choice: RawRepresentable>(_ value: String, op: String) throws -> Choice
    where Choice.RawValue == String {
        try check(value, op: op)
        guard let parsed = Choice(rawValue: value) else {
            throw AugmentError.invalidArgument(
                op: op, argument: name, value: value, allowed: OpArgumentInfo.listing(choices ?? []))
        }
        return parsed
    }
}

extension OneOrList where Element == Double {
    /// The values as integers, for integer arguments read as numbers (sizes, counts): a fraction
    /// or a huge value throws naming the argument.
    public func integers(op: String, argument: String) throws -> [Int] {
        try values.map { value in
            guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else {
                throw AugmentError.invalidArgument(op: op, argument: argument, value: "\(value)", allowed: "integers")
            }
            return Int(value)
        }
    }
}

/// A range [lower, upper] written as one number (the op expands it) or a two-element list.
extension ValueRange: OpArgumentValue {
    public var numericValue: Double? { nil }
    public var numericValues: [Double] { [lower, upper] }
    public var referenceText: String {
        isSingleValue ? lower.referenceText : "[\(lower.referenceText), \(upper.referenceText)]"
    }
    public static var referenceTypeName: String { "number or [min, max]" }
    public var jsonValue: Any { isSingleValue ? lower as Any : [lower, upper] }
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

    /// An argument where null means "none" while leaving it out means its default (a random warp's
    /// `fill`: absent 0, null no fill).
    public func nullable<Wrapped>(_ argument: OpArgument<Wrapped?>) throws -> Wrapped? {
        let key = Key(stringValue: argument.name)
        guard container.contains(key) else { return argument.defaultValue ?? nil }
        if try container.decodeNil(forKey: key) { return nil }
        return try container.decode(Wrapped.self, forKey: key)
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
            "(`Tests/AugmentTests/OpReferenceTests.swift` checks this file is current). Every registered op is",
            "listed; [pipelines.md](pipelines.md) shows them in pipeline files.",
            "",
        ]
        let signalOnly = Set(OpRegistry.signalTypes.map { ObjectIdentifier($0) })
            .subtracting(OpRegistry.types.map { ObjectIdentifier($0) })
        for type in describedTypes.sorted(by: { $0.opName < $1.opName }) {
            // An op name that images and signals share gets one section per type.
            let shared =
                signalOnly.contains(ObjectIdentifier(type))
                && OpRegistry.types.contains { $0.opName == type.opName }
            lines += ["## `\(type.opName)`\(shared ? " (signals)" : "")", "", type.summary, ""]
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
