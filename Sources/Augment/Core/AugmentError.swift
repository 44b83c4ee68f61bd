/// Every error the library throws for bad input, bad parameters or an unusable backend.
///
/// Each case carries a message that says what was wrong and, where it helps, what to do. The
/// library never traps on user input: shapes, ranges, NaN parameters and empty batches all come
/// back as one of these.
public enum AugmentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A buffer's length or a dimension does not fit the declared shape.
    case invalidShape(String)
    /// A batch with no samples was given where at least one is needed.
    case emptyBatch(String)
    /// An op argument is missing, NaN or out of its allowed range.
    case invalidArgument(op: String, argument: String, value: String, allowed: String)
    /// A required op argument is absent.
    case missingArgument(op: String, argument: String, expected: String)
    /// An op argument has the wrong JSON type.
    case wrongType(op: String, argument: String, expected: String)
    /// A name (op, argument or key) that is not known; `known` lists what is, `suggestion` the closest.
    case unknownName(op: String, what: String, name: String, known: [String], suggestion: String?)
    /// Two things that must agree do not (e.g. a crop larger than its image, normalize without a
    /// float output, a channel count an op does not support).
    case incompatible(String)
    /// A backend cannot run here (no OpenCL platform, no matching device, a kernel file missing).
    /// A kernel that fails to compile throws the OpenCL layer's `CLError` instead, which carries
    /// the build log.
    case backendUnavailable(String)
    /// Recorded parameters do not fit the pipeline or batch they are applied to.
    case parameterMismatch(String)

    public var description: String {
        switch self {
        case .invalidShape(let message): return "invalid shape: \(message)"
        case .emptyBatch(let message): return "empty batch: \(message)"
        case .invalidArgument(let op, let argument, let value, let allowed):
            return "\(op): argument '\(argument)' = \(value) is out of range; allowed: \(allowed)"
        case .missingArgument(let op, let argument, let expected):
            return "\(op): argument '\(argument)' is missing; expected \(expected)"
        case .wrongType(let op, let argument, let expected):
            return "\(op): argument '\(argument)' has the wrong type; expected \(expected)"
        case .unknownName(let op, let what, let name, let known, let suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            return
                "\(op): unknown \(what) '\(name)'\(hint); known: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .incompatible(let message): return message
        case .backendUnavailable(let message): return "backend unavailable: \(message)"
        case .parameterMismatch(let message): return "parameter mismatch: \(message)"
        }
    }
}

extension AugmentError {
    /// Checks that a Double argument is finite and inside `range`.
    static func check(
        _ value: Double, in range: ClosedRange<Double>, op: String, argument: String
    ) throws {
        guard value.isFinite, range.contains(value) else {
            throw AugmentError.invalidArgument(
                op: op, argument: argument, value: formatNumber(value), allowed: describeRange(range))
        }
    }

    /// A range as people write it: "a number in [0, 1]", "a number >= 0", "a number <= 1".
    static func describeRange(_ range: ClosedRange<Double>) -> String {
        let unboundedBelow = range.lowerBound <= -Double(Float.greatestFiniteMagnitude)
        let unboundedAbove = range.upperBound >= Double(Float.greatestFiniteMagnitude)
        switch (unboundedBelow, unboundedAbove) {
        case (true, true): return "a finite number"
        case (true, false): return "a number <= \(formatNumber(range.upperBound))"
        case (false, true): return "a number >= \(formatNumber(range.lowerBound))"
        case (false, false): return "a number in [\(formatNumber(range.lowerBound)), \(formatNumber(range.upperBound))]"
        }
    }

    /// 1 for 1.0, 0.5 for 0.5, 1e+20 for large values: the shortest exact text.
    static func formatNumber(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Checks that a probability is finite and inside [0, 1].
    static func checkProbability(_ p: Double, op: String, argument: String = "p") throws {
        try check(p, in: 0...1, op: op, argument: argument)
    }

    /// Checks that an integer argument is inside `range`.
    static func check(_ value: Int, in range: ClosedRange<Int>, op: String, argument: String) throws {
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "∞" : "\(range.upperBound)"
            throw AugmentError.invalidArgument(
                op: op, argument: argument, value: "\(value)",
                allowed: "an integer in [\(range.lowerBound), \(upper)]")
        }
    }
}

/// Multiplies sizes, throwing instead of trapping on overflow.
func checkedProduct(_ factors: [Int], what: String) throws -> Int {
    var result = 1
    for factor in factors {
        guard factor >= 0 else {
            throw AugmentError.invalidShape("\(what): negative dimension in \(factors)")
        }
        let (product, overflow) = result.multipliedReportingOverflow(by: factor)
        guard !overflow else {
            throw AugmentError.invalidShape("\(what): \(factors) has more elements than fit in memory")
        }
        result = product
    }
    return result
}

/// The largest height or width an op may produce or crop to (2^20 = 1048576 pixels): far above any
/// training image, and small enough that height x width x channels x 4 bytes never overflows.
public let maxImageSide = 1 << 20
