import Foundation

/// A JSON value (what pipeline files and parameter records hold), with integers kept exact.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? c.decode(UInt64.self) {
            self = .uint(value)
        } else if let value = try? c.decode(Double.self) {
            self = .double(value)
        } else if let value = try? c.decode(String.self) {
            self = .string(value)
        } else if let value = try? c.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .uint(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }

    /// The value as `JSONSerialization` produces it (dictionaries, arrays, numbers, strings, NSNull).
    var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let v): return v
        case .int(let v): return NSNumber(value: v)
        case .uint(let v): return NSNumber(value: v)
        case .double(let v): return v
        case .string(let v): return v
        case .array(let v): return v.map(\.foundationValue)
        case .object(let v): return v.mapValues(\.foundationValue)
        }
    }
}

/// A boxed parameter value of a concrete type.
private protocol ParameterBox: Sendable {
    func encode(to encoder: any Encoder) throws
    func isEqual(to other: any ParameterBox) -> Bool
}

private struct Box<P: Codable & Sendable & Equatable>: ParameterBox {
    let value: P

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    func isEqual(to other: any ParameterBox) -> Bool {
        (other as? Box<P>)?.value == value
    }
}

/// One child op's parameters for one sample, inside the parameters of a composite op (compose,
/// random_apply, one_of, some_of). It holds the child's own `Parameters` value after sampling, or
/// the JSON it was recorded as after a ``ParameterRecord`` was decoded; the child's type turns the
/// JSON back into its value when the plan is built. Encodes exactly as the child's parameters.
public struct ChildParameters: Codable, Sendable, Equatable {
    private enum Storage: Sendable {
        case typed(any ParameterBox)
        case json(JSONValue)
    }

    private let storage: Storage

    /// Wraps a child's parameters for one sample.
    public init<P: Codable & Sendable & Equatable>(_ value: P) {
        storage = .typed(Box(value: value))
    }

    public init(from decoder: any Decoder) throws {
        storage = .json(try JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        switch storage {
        case .typed(let box): try box.encode(to: encoder)
        case .json(let value): try value.encode(to: encoder)
        }
    }

    /// The value as the child's parameter type (decoding recorded JSON when needed).
    public func value<P: Codable & Sendable & Equatable>(as type: P.Type) throws -> P {
        switch storage {
        case .typed(let box):
            if let typed = box as? Box<P> { return typed.value }
            return try JSONDecoder().decode(P.self, from: JSONEncoder().encode(self))
        case .json(let value):
            return try JSONDecoder().decode(P.self, from: JSONEncoder().encode(value))
        }
    }

    /// The parameters as canonical JSON (sorted keys), for comparing a sampled value with a
    /// recorded one.
    private var canonicalJSON: Data? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self),
            let value = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        return try? encoder.encode(value)
    }

    public static func == (lhs: ChildParameters, rhs: ChildParameters) -> Bool {
        if case .typed(let a) = lhs.storage, case .typed(let b) = rhs.storage, a.isEqual(to: b) { return true }
        if case .json(let a) = lhs.storage, case .json(let b) = rhs.storage { return a == b }
        guard let a = lhs.canonicalJSON, let b = rhs.canonicalJSON else { return false }
        return a == b
    }
}
