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

    /// Builds `source` for the context's device; `label` names what is built in error messages
    /// (e.g. "Kernels/color.cl").
    init(context: CLContext, source: String, options: String, label: String? = nil) throws {
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
        let log =
            (try? clInfoString("clGetProgramBuildInfo") { size, value, sizeReturned in
                clGetProgramBuildInfo(
                    program, context.device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG),
                    size, value, sizeReturned)
            }) ?? ""
        guard status == CL_SUCCESS else {
            clRelease("clReleaseProgram") { clReleaseProgram(program) }
            throw CLError(
                call: "clBuildProgram", status: CLStatus(rawValue: status),
                context:
                    "building \(label ?? "kernels") for \(context.device.name) (\(context.device.platform.name), driver \(context.device.driverVersion))",
                buildLog: log, buildOptions: options, savedSourcePath: Self.save(source))
        }
        self.program = program
        buildLog = log.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        clRelease("clReleaseProgram") { clReleaseProgram(program) }
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
    /// The argument indices the host has set so far, checked against CL_KERNEL_NUM_ARGS before
    /// every launch: the one place where the Swift side and the kernel's signature meet.
    private var argumentsSet = Set<Int>()
    private var declaredArguments: Int?

    init(kernel: cl_kernel, name: String, program: CLProgram) {
        self.kernel = kernel
        self.name = name
        self.program = program
    }

    deinit {
        clRelease("clReleaseKernel") { clReleaseKernel(kernel) }
    }

    /// Binds a buffer to argument `index`.
    public func setArgument(_ index: Int, _ buffer: CLBuffer) throws {
        var memory: cl_mem? = buffer.memory
        try clCheck("clSetKernelArg", context: "setting argument \(index) of \(name)") {
            clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem?>.size, &memory)
        }
        argumentsSet.insert(index)
    }

    /// Binds a plain value (int, float, a vector struct) to argument `index`.
    public func setArgument<Value: BitwiseCopyable>(_ index: Int, value: Value) throws {
        try withUnsafeBytes(of: value) { bytes in
            try clCheck("clSetKernelArg", context: "setting argument \(index) of \(name)") {
                clSetKernelArg(kernel, cl_uint(index), bytes.count, bytes.baseAddress)
            }
        }
        argumentsSet.insert(index)
    }

    /// Throws unless the host has set exactly the arguments the kernel declares (0..<N): a kernel
    /// and its host code that drifted apart fail here with both lists, not as a driver's
    /// CL_INVALID_KERNEL_ARGS or, worse, a launch that reads a stale argument.
    func checkArguments() throws {
        let declared = try declaredArguments ?? argumentCount()
        declaredArguments = declared
        guard argumentsSet == Set(0..<declared) else {
            throw CLError(
                call: "clEnqueueNDRangeKernel", status: .invalidKernelArgs,
                context: "launching \(name): it declares \(declared) arguments, the host set \(argumentsSet.sorted())")
        }
    }

    /// CL_KERNEL_WORK_GROUP_SIZE on `device`: the largest work-group this kernel can be launched
    /// with there. It can be below the device's maximum (registers, private or local memory), and a
    /// launch above it fails with CL_INVALID_WORK_GROUP_SIZE on GPU drivers.
    public func workGroupLimit(on device: CLDevice) throws -> Int {
        try clInfoScalar("clGetKernelWorkGroupInfo", Int.self) { size, value, sizeReturned in
            clGetKernelWorkGroupInfo(
                kernel, device.id, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                size, value, sizeReturned)
        }
    }

    /// How many arguments the kernel declares (CL_KERNEL_NUM_ARGS).
    public func argumentCount() throws -> Int {
        Int(
            try clInfoScalar("clGetKernelInfo", cl_uint.self) { size, value, sizeReturned in
                clGetKernelInfo(kernel, cl_kernel_info(CL_KERNEL_NUM_ARGS), size, value, sizeReturned)
            })
    }

    /// The local size a launch really uses: `local` when the kernel and the device allow it, else
    /// (when `fixedLocal` is false) with dimension 0 cut to its largest divisor that fits, so the
    /// global size stays a multiple of it and every work-item still runs. Kernels whose local
    /// memory or reduction is sized by the local size pass `fixedLocal: true` and get an error
    /// naming the kernel, the device and both limits instead.
    func fittedLocal(_ local: [Int], global: [Int], device: CLDevice, fixedLocal: Bool) throws -> [Int] {
        let limit = min(try workGroupLimit(on: device), device.maxWorkGroupSize)
        var fitted = local
        for d in fitted.indices where d > 0 && fitted[d] > device.maxWorkItemSizes[d] {
            throw CLError(
                call: "clEnqueueNDRangeKernel", status: .invalidWorkGroupSize,
                context: "launching \(name) on \(device.name): local size \(local) exceeds the device's "
                    + "item sizes \(device.maxWorkItemSizes)")
        }
        let others = fitted.dropFirst().reduce(1, *)
        let allowed0 = min(device.maxWorkItemSizes[0], max(1, limit / max(1, others)))
        if fitted[0] > allowed0 || fitted.reduce(1, *) > limit {
            guard !fixedLocal else {
                throw CLError(
                    call: "clEnqueueNDRangeKernel", status: .invalidWorkGroupSize,
                    context: "launching \(name) on \(device.name): it needs work-groups of \(local.reduce(1, *)) "
                        + "but the kernel allows \(limit) there")
            }
            let divisor = stride(from: min(allowed0, fitted[0]), through: 1, by: -1).first { fitted[0] % $0 == 0 } ?? 1
            fitted[0] = divisor
        }
        for d in fitted.indices where global[d] % fitted[d] != 0 {
            throw CLError(
                call: "clEnqueueNDRangeKernel", status: .invalidWorkGroupSize,
                context: "launching \(name): global size \(global) is not a multiple of local size \(fitted)")
        }
        return fitted
    }

    /// Enqueues the kernel over `global` work-items (1 to 3 dimensions) in groups of `local` (cut
    /// to what the kernel and device allow; see ``fittedLocal(_:global:device:fixedLocal:)``), or
    /// of the driver's choice when `local` is nil. Returns the launch's event.
    @discardableResult
    public func enqueue(
        on context: CLContext, global: [Int], local: [Int]? = nil, fixedLocal: Bool = false
    ) throws -> CLEvent {
        guard (1...3).contains(global.count), local == nil || local?.count == global.count,
            global.allSatisfy({ $0 >= 1 })
        else {
            throw CLError(
                call: "clEnqueueNDRangeKernel", status: .invalidWorkDimension,
                context: "launching \(name) over \(global) in groups of \(local.map { "\($0)" } ?? "auto")")
        }
        try checkArguments()
        let local = try local.map {
            try fittedLocal($0, global: global, device: context.device, fixedLocal: fixedLocal)
        }
        var event: cl_event?
        let status: cl_int = global.withUnsafeBufferPointer { globalSizes in
            if let local {
                return local.withUnsafeBufferPointer { localSizes in
                    clEnqueueNDRangeKernel(
                        context.queue, kernel, cl_uint(global.count), nil,
                        globalSizes.baseAddress, localSizes.baseAddress, 0, nil, &event)
                }
            }
            return clEnqueueNDRangeKernel(
                context.queue, kernel, cl_uint(global.count), nil,
                globalSizes.baseAddress, nil, 0, nil, &event)
        }
        try clCheck(
            "clEnqueueNDRangeKernel",
            context:
                "launching \(name) on \(context.device.name) over \(global) in groups of \(local.map { "\($0)" } ?? "auto")"
        ) { status }
        guard let event else {
            throw CLError(call: "clEnqueueNDRangeKernel", status: .invalidEvent, context: "launching \(name)")
        }
        context.countLaunch()
        return CLEvent(event: event, label: name)
    }
}
