import COpenCL

/// A failed OpenCL call: which call, which status code, and for program builds the build log.
///
/// Its description reads like "clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)", followed
/// by the build options, the compiler's log and where the failing source was saved.
public struct CLError: Error, Sendable, CustomStringConvertible {
    /// The C function that failed, e.g. "clCreateBuffer".
    public let call: String
    public let status: CLStatus
    /// The compiler's log, for build failures.
    public let buildLog: String?
    /// The options the failing build was given.
    public let buildOptions: String?
    /// Where the source of a failing build was saved, if it could be.
    public let savedSourcePath: String?
    /// What the library was doing, e.g. "allocating the 12 MB output buffer".
    public let context: String?

    public init(
        call: String, status: CLStatus, context: String? = nil, buildLog: String? = nil,
        buildOptions: String? = nil, savedSourcePath: String? = nil
    ) {
        self.call = call
        self.status = status
        self.context = context
        self.buildLog = buildLog
        self.buildOptions = buildOptions
        self.savedSourcePath = savedSourcePath
    }

    public var description: String {
        var text = "\(call) failed: \(status)"
        if let context { text += " while \(context)" }
        if let buildOptions { text += "\nbuild options: \(buildOptions.isEmpty ? "(none)" : buildOptions)" }
        if let savedSourcePath { text += "\nsource saved to: \(savedSourcePath)" }
        if let buildLog {
            let trimmed = buildLog.trimmingCharacters(in: .whitespacesAndNewlines)
            text += "\nbuild log:\n\(trimmed.isEmpty ? "(empty)" : trimmed)"
        }
        return text
    }
}

// The one funnel every cl* call goes through: a non-success status becomes a CLError naming the
// call and the code. Nothing in this module calls an OpenCL function outside these helpers
// (clCheck, clCreate, clRelease, clInfo*), except clBuildProgram, whose failure is turned into a
// CLError carrying the build log by CLProgram.

/// Runs a cl* call that returns a status code; throws ``CLError`` unless it is CL_SUCCESS.
@inline(__always)
func clCheck(_ call: String, context: String? = nil, _ body: () -> cl_int) throws {
    let status = body()
    guard status == CL_SUCCESS else {
        throw CLError(call: call, status: CLStatus(rawValue: status), context: context)
    }
}

/// Runs a cl*Release call from a deinit, which cannot throw: a failure (a handle released twice,
/// a driver fault) is written to standard error naming the call and the code, as CLBlast's
/// destructors log, instead of passing silently.
@inline(__always)
func clRelease(_ call: String, _ body: () -> cl_int) {
    let status = body()
    if status != CL_SUCCESS {
        FileHandle.standardError.write(
            Data("swift-augment: warning: \(call) failed: \(CLStatus(rawValue: status))\n".utf8))
    }
}

/// Runs a cl* constructor that reports through an `errcode_ret` pointer and returns an object or
/// NULL; throws ``CLError`` on a failure code or a NULL result.
@inline(__always)
func clCreate<Object>(
    _ call: String, context: String? = nil, _ body: (UnsafeMutablePointer<cl_int>) -> Object?
) throws -> Object {
    var status: cl_int = CL_SUCCESS
    let object = body(&status)
    guard status == CL_SUCCESS, let object else {
        throw CLError(
            call: call, status: CLStatus(rawValue: status == CL_SUCCESS ? CL_INVALID_VALUE : status),
            context: context)
    }
    return object
}

/// Reads a variable-length info value with the usual two-call protocol (size, then data).
func clInfoBytes(
    _ call: String, _ body: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int
) throws -> [UInt8] {
    var size = 0
    try clCheck(call) { body(0, nil, &size) }
    guard size > 0 else { return [] }
    var bytes = [UInt8](repeating: 0, count: size)
    try clCheck(call) { bytes.withUnsafeMutableBytes { body(size, $0.baseAddress, nil) } }
    return bytes
}

/// Reads a NUL-terminated string info value.
func clInfoString(
    _ call: String, _ body: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int
) throws -> String {
    let bytes = try clInfoBytes(call, body)
    let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
    return String(decoding: bytes[..<end], as: UTF8.self)
}

/// Reads a fixed-size scalar info value.
func clInfoScalar<Value>(
    _ call: String, _ type: Value.Type,
    _ body: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int
) throws -> Value where Value: BitwiseCopyable {
    let bytes = try clInfoBytes(call, body)
    guard bytes.count == MemoryLayout<Value>.size else {
        throw CLError(
            call: call, status: .invalidValue,
            context: "reading a \(MemoryLayout<Value>.size)-byte value, got \(bytes.count) bytes")
    }
    return bytes.withUnsafeBytes { $0.loadUnaligned(as: Value.self) }
}

import Foundation
