import Augment
import Foundation

// Helpers shared by the test targets (AugmentIOTests, AugmentOpenCLTests, AugmentCLITests): files
// built by hand byte for byte, and the built `augment` executable. No Testing dependency, so any
// target may link it.

/// What the test environment asks for.
public enum TestEnvironment {
    /// AUGMENT_SKIP_OPENCL_TESTS=1: skip the tests that need an OpenCL device, deliberately, on a
    /// machine without one (CI installs PoCL, so otherwise a missing device fails them).
    public static let skipOpenCL = ProcessInfo.processInfo.environment["AUGMENT_SKIP_OPENCL_TESTS"] == "1"
}

/// A PNG written by hand (so the tests control bit depth, colour type and declared size); the
/// image data goes in stored (uncompressed) deflate blocks of up to 65535 bytes. Each row gets
/// filter type 0.
public func handMadePNG(width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, rows: [[UInt8]]) -> Data {
    func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
    func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return be32(UInt32(body.count)) + typed + be32(crc32(typed))
    }
    let raw: [UInt8] = rows.flatMap { row -> [UInt8] in [0] + row }
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
    var stream: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let n = min(65535, raw.count - offset)
        let last: UInt8 = offset + n == raw.count ? 1 : 0
        let length = UInt16(n)
        stream += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        stream += raw[offset..<(offset + n)]
        offset += n
    } while offset < raw.count
    stream += be32(b << 16 | a)
    let header = be32(UInt32(width)) + be32(UInt32(height)) + [bitDepth, colorType, 0, 0, 0]
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    return Data(signature + chunk("IHDR", header) + chunk("IDAT", stream) + chunk("IEND", []))
}

/// An 8-bit PNG of one value everywhere (colour type 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA).
public func uniformPNG(width: Int, height: Int, colorType: UInt8, fill: UInt8) -> Data {
    let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colorType)] ?? 1
    let row = [UInt8](repeating: fill, count: width * channels)
    return handMadePNG(
        width: width, height: height, colorType: colorType, bitDepth: 8,
        rows: Array(repeating: row, count: height))
}

/// A .npy version 1.0 file with any header text and payload.
public func handMadeNPY(header: String, payload: [UInt8] = []) -> Data {
    let text = header + "\n"
    return Data(
        [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)]
            + Array(text.utf8) + payload)
}

/// Writes a C-ordered uint8 or float32 `.npy` file (format 1.0).
public func writeNPY(_ path: String, shape: [Int], uint8 values: [UInt8]? = nil, float32 floats: [Float]? = nil) throws
{
    let descr = values != nil ? "|u1" : "<f4"
    var header =
        "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([
        0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8),
    ])
    data.append(Data(header.utf8))
    if let values { data.append(Data(values)) }
    if let floats { floats.withUnsafeBytes { data.append(contentsOf: $0) } }
    try data.write(to: URL(fileURLWithPath: path))
}

/// The float32 values of a C-ordered `.npy` file written by `augment apply` (format 1.0).
public func readNPYFloats(_ path: String) throws -> [Float] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    let body = data.dropFirst(10 + headerLength)
    return body.withUnsafeBytes { raw in
        (0..<raw.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
    }
}

/// Runs the built `augment` executable (it sits next to the test bundle) with extra environment.
public func runAugmentCLI(
    _ arguments: [String], environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("augment") }
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw AugmentError.backendUnavailable("augment executable not found near \(directory.path)")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
