import COpenCL
import Foundation

/// A program built for one device. Build failures throw ``CLError`` carrying the compiler's log and
/// the options, with the source saved to a temporary file for inspection.
public final class CLProgram: @unchecked Sendable {
    // Safety: a built program is immutable; creating kernels from it is thread-safe.
    let program: cl_program
    let source: String
    public let options: String
    /// Warnings the compiler printed for a successful build (empty when there were none).
    public let buildLog: String

    init(context: CLContext, source: String, options: String) throws {
        self.source = source
        self.options = options
        let program = try source.withCString { pointer in
            var strings: [UnsafePointer<CChar>?] = [pointer]
            return try clCreate("clCreateProgramWithSource") {
                clCreateProgramWithSource(context.context, 1, &strings, nil, $0)
            }
        }
        var deviceID: cl_device_id? = context.device.id
        let status = options.withCString { clBuildProgram(program, 1, &deviceID, $0, nil, nil) }
        let log = (try? clInfoString("clGetProgramBuildInfo") { size, value, sizeReturned in
            clGetProgramBuildInfo(program, context.device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG),
                                  size, value, sizeReturned)
        }) ?? ""
        guard status == CL_SUCCESS else {
            clReleaseProgram(program)
            throw CLError(call: "clBuildProgram", status: CLStatus(rawValue: status),
                          context: "building kernels for \(context.device.name)",
                          buildLog: log, buildOptions: options, savedSourcePath: Self.save(source))
        }
        self.program = program
        buildLog = log.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        clReleaseProgram(program)
    }

    /// A new kernel object for the entry point `name`.
    public func kernel(_ name: String) throws -> CLKernel {
        let kernel = try clCreate("clCreateKernel", context: "looking up kernel '\(name)'") {
            clCreateKernel(program, name, $0)
        }
        return CLKernel(kernel: kernel, name: name, program: self)
    }

    /// Writes a failing source next to other temporary files so the user can open it.
    private static func save(_ source: String) -> String? {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("swift-augment-failed-\(String(fnv1a64(source), radix: 16)).cl").path
        do {
            try source.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        } catch {
            return nil
        }
    }
}

/// A kernel entry point with its arguments. Not thread-safe: arguments are state, so each launch
/// site owns its own kernel object (or serialises launches).
public final class CLKernel {
    let kernel: cl_kernel
    public let name: String
    // Keeps the program alive as long as the kernel.
    private let program: CLProgram

    init(kernel: cl_kernel, name: String, program: CLProgram) {
        self.kernel = kernel
        self.name = name
        self.program = program
    }

    deinit {
        clReleaseKernel(kernel)
    }

    /// Binds a buffer to argument `index`.
    public func setArgument(_ index: Int, _ buffer: CLBuffer) throws {
        var memory: cl_mem? = buffer.memory
        try clCheck("clSetKernelArg", context: "setting argument \(index) of \(name)") {
            clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem?>.size, &memory)
        }
    }

    /// Binds a plain value (int, float, a vector struct) to argument `index`.
    public func setArgument<Value: BitwiseCopyable>(_ index: Int, value: Value) throws {
        try withUnsafeBytes(of: value) { bytes in
            try clCheck("clSetKernelArg", context: "setting argument \(index) of \(name)") {
                clSetKernelArg(kernel, cl_uint(index), bytes.count, bytes.baseAddress)
            }
        }
    }

    /// Enqueues the kernel over `global` work-items (1 to 3 dimensions) in groups of `local`, or
    /// of the driver's choice when `local` is nil. Returns the launch's event.
    @discardableResult
    public func enqueue(on context: CLContext, global: [Int], local: [Int]? = nil) throws -> CLEvent {
        guard (1...3).contains(global.count), local == nil || local?.count == global.count else {
            throw CLError(call: "clEnqueueNDRangeKernel", status: .invalidWorkDimension,
                          context: "launching \(name) over \(global) in groups of \(local.map { "\($0)" } ?? "auto")")
        }
        var event: cl_event?
        let status: cl_int = global.withUnsafeBufferPointer { globalSizes in
            if let local {
                return local.withUnsafeBufferPointer { localSizes in
                    clEnqueueNDRangeKernel(context.queue, kernel, cl_uint(global.count), nil,
                                           globalSizes.baseAddress, localSizes.baseAddress, 0, nil, &event)
                }
            }
            return clEnqueueNDRangeKernel(context.queue, kernel, cl_uint(global.count), nil,
                                          globalSizes.baseAddress, nil, 0, nil, &event)
        }
        try clCheck("clEnqueueNDRangeKernel",
                    context: "launching \(name) over \(global) in groups of \(local.map { "\($0)" } ?? "auto")") { status }
        guard let event else {
            throw CLError(call: "clEnqueueNDRangeKernel", status: .invalidEvent, context: "launching \(name)")
        }
        return CLEvent(event: event)
    }
}
