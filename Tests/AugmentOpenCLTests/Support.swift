import Foundation
import Testing
import Augment
import AugmentOpenCL

/// The OpenCL backend every test shares (programs are built once per variant). Tests that need it
/// fail, not skip, when no OpenCL device exists: CI installs PoCL, so a missing device is a broken
/// setup. Set AUGMENT_SKIP_OPENCL_TESTS=1 to skip them deliberately on a machine without OpenCL.
enum Shared {
    static let skipOpenCL = ProcessInfo.processInfo.environment["AUGMENT_SKIP_OPENCL_TESTS"] == "1"

    static let backendResult: Result<OpenCLBackend, any Error> = Result { try OpenCLBackend() }

    static func backend() throws -> OpenCLBackend {
        try backendResult.get()
    }
}

/// Asserts that `pipeline` gives the same output on the CPU reference and on OpenCL for `input`,
/// with outputs poisoned before each run: float32 within 1e-5, uint8 exactly.
func expectParity(
    _ pipeline: Pipeline, on input: ImageBatch, seed: UInt64, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try expectParity(pipeline, on: AugmentBatch(images: input), seed: seed, label, sourceLocation: sourceLocation)
}

/// The same for images with targets (labels are compared too).
func expectParity(
    _ pipeline: Pipeline, on input: AugmentBatch, seed: UInt64, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let (result, referenceBatch, candidate) = try Parity.check(pipeline, on: input, seed: seed, reference: CPUBackend(),
                                                               candidate: Shared.backend())
    let reference = referenceBatch.images
    #expect(result.passed, "\(label) \(input.images.shapeDescription) -> \(pipeline.output): \(result)",
            sourceLocation: sourceLocation)
    // The reference itself must be fully written: no poison left anywhere.
    if case .float32(let values) = reference.pixels {
        #expect(!values.contains { $0.isNaN }, "\(label): CPU output still holds poison", sourceLocation: sourceLocation)
    }
    #expect(candidate.count == input.count, sourceLocation: sourceLocation)
}

/// Runs the built `augment` executable (it sits next to the test bundle) with extra environment.
func runAugmentCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
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

/// Writes a C-ordered uint8 or float32 `.npy` file (format 1.0).
func writeNPY(_ path: String, shape: [Int], uint8 values: [UInt8]? = nil, float32 floats: [Float]? = nil) throws {
    let descr = values != nil ? "|u1" : "<f4"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
    data.append(Data(header.utf8))
    if let values { data.append(Data(values)) }
    if let floats { floats.withUnsafeBytes { data.append(contentsOf: $0) } }
    try data.write(to: URL(fileURLWithPath: path))
}

/// The float32 values of a C-ordered `.npy` file written by `augment apply` (format 1.0).
func readNPYFloats(_ path: String) throws -> [Float] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    let body = data.dropFirst(10 + headerLength)
    return body.withUnsafeBytes { raw in
        (0..<raw.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
    }
}
