import Augment
import Foundation

/// Element types this project reads from and writes to `.npy` files.
public enum NPYElementType: String, Sendable, CaseIterable {
    case uint8 = "|u1"
    case int32 = "<i4"
    case int64 = "<i8"
    case float32 = "<f4"
    case float16 = "<f2"
    case uint16 = "<u2"

    var byteCount: Int {
        switch self {
        case .uint8: return 1
        case .float16, .uint16: return 2
        case .int32, .float32: return 4
        case .int64: return 8
        }
    }
}

/// A C-ordered array as stored in a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
public struct NPYArray: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case uint8([UInt8])
        case int32([Int32])
        case int64([Int64])
        case float32([Float])
        case float16([Float16])
        case uint16([UInt16])

        public var count: Int {
            switch self {
            case .uint8(let v): return v.count
            case .int32(let v): return v.count
            case .int64(let v): return v.count
            case .float32(let v): return v.count
            case .float16(let v): return v.count
            case .uint16(let v): return v.count
            }
        }

        public var elementType: NPYElementType {
            switch self {
            case .uint8: return .uint8
            case .int32: return .int32
            case .int64: return .int64
            case .float32: return .float32
            case .float16: return .float16
            case .uint16: return .uint16
            }
        }
    }

    public let shape: [Int]
    public let values: Values

    public init(shape: [Int], values: Values) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw AugmentError.invalidShape("npy shape \(shape) has a negative dimension")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count == values.count else {
            throw AugmentError.invalidShape("npy shape \(shape) does not hold \(values.count) values")
        }
        self.shape = shape
        self.values = values
    }

    public var elementType: NPYElementType { values.elementType }
}

/// Reads and writes `.npy` files. Supports little-endian uint8, uint16, int32, int64, float32 and float16 in C
/// order; anything else (big-endian, Fortran order, object arrays, other dtypes) is an error that
/// names the file and what it holds.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses the bytes of a `.npy` file; `name` appears in error messages.
    public static func decode(_ data: Data, name: String) throws -> NPYArray {
        let bytes = [UInt8](data)
        func bad(_ why: String) -> IOError { IOError.invalidFile(path: name, reason: why) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw bad("not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw bad("unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else { throw bad("truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let descr = try field("descr", in: header, name: name)
        let fortran = try field("fortran_order", in: header, name: name)
        let shapeText = try field("shape", in: header, name: name)
        guard fortran == "False" else {
            throw bad("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        let descrValue = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        let normalized = descrValue == "<u1" ? "|u1" : descrValue
        guard let type = NPYElementType(rawValue: normalized) else {
            throw bad(
                "dtype \(descrValue) is not supported; use uint8, uint16, int32, int64, float32 or float16 (little-endian)"
            )
        }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        let shape = try inner.split(separator: ",").map { part -> Int in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let value = Int(text), value >= 0 else { throw bad("bad shape \(shapeText)") }
            return value
        }
        // Checked before anything is allocated: a header may declare any shape.
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw bad("shape \(shape) has more elements than fit in memory") }
            count = product
        }
        let (payloadBytes, bytesOverflow) = count.multipliedReportingOverflow(by: type.byteCount)
        guard !bytesOverflow else { throw bad("shape \(shape) of \(descrValue) has more bytes than fit in memory") }
        let payloadStart = headerStart + headerLength
        guard bytes.count - payloadStart == payloadBytes else {
            throw bad(
                "shape \(shape) of \(descrValue) needs \(payloadBytes) bytes of data, the file has \(bytes.count - payloadStart)"
            )
        }
        let payload = bytes[payloadStart...]
        let values: NPYArray.Values = payload.withUnsafeBytes { raw in
            switch type {
            case .uint8: return .uint8(Array(raw.bindMemory(to: UInt8.self)))
            case .int32: return .int32((0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) })
            case .int64: return .int64((0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) })
            case .float32:
                return .float32((0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) })
            case .float16:
                return .float16(
                    (0..<count).map { Float16(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) })
            case .uint16: return .uint16((0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self) })
            }
        }
        return try NPYArray(shape: shape, values: values)
    }

    /// The value text of `key` in a header dict like "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".
    private static func field(_ key: String, in header: String, name: String) throws -> String {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\""),
            let colon = header[keyRange.upperBound...].firstIndex(of: ":")
        else {
            throw IOError.invalidFile(path: name, reason: ".npy header has no '\(key)'")
        }
        var rest = header[header.index(after: colon)...].drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else {
                throw IOError.invalidFile(path: name, reason: "bad .npy shape")
            }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return rest.trimmingCharacters(in: .whitespaces)
    }

    /// The bytes of a version 1.0 `.npy` file holding `array`.
    public static func encode(_ array: NPYArray) -> Data {
        let shapeText =
            array.shape.count == 1
            ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.elementType.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so that magic + version + length + header + newline is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        switch array.values {
        case .uint8(let v): data.append(contentsOf: v)
        case .int32(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
        case .int64(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
        case .float32(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
        case .float16(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
        case .uint16(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }
}
