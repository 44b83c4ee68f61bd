import Augment
import COpenCL
import Foundation

// The one OpenCL launch path of the backend: build or fetch a family's program, set a kernel's
// arguments from one list in the kernel's order, pick the work-group size from the kernel's own
// limits (``CLKernel/enqueue(on:global:local:fixedLocal:)`` fits it and checks the arguments
// against CL_KERNEL_NUM_ARGS), enqueue, and record the launch's event, whose profiling time is
// read once the run has finished (``OpenCLTiming/resolve()``). Raw OpenCL calls live in Runtime/
// behind the checked funnel (clCheck, clCreate, clInfoScalar).

/// One kernel argument: a device buffer or a plain value (int, float, a vector struct).
struct KernelArgument {
    fileprivate let bind: (CLKernel, Int) throws -> Void

    static func buffer(_ buffer: CLBuffer) -> KernelArgument {
        KernelArgument { try $0.setArgument($1, buffer) }
    }

    static func value<Value: BitwiseCopyable>(_ value: Value) -> KernelArgument {
        KernelArgument { try $0.setArgument($1, value: value) }
    }
}

extension CLKernel {
    /// Binds `arguments` to the kernel's arguments `start`, `start + 1`, ... in order: the kernel's
    /// signature read top to bottom.
    func setArguments(_ arguments: [KernelArgument], from start: Int = 0) throws {
        for (offset, argument) in arguments.enumerated() {
            try argument.bind(self, start + offset)
        }
    }
}

extension OpenCLBackend {
    /// The built program of a kernel family with the given defines; `exact` adds
    /// `-cl-fp32-correctly-rounded-divide-sqrt` where the device supports it (see ``exactProgram``).
    func program(family: String, exact: Bool = false, defines: [String: String]) throws -> CLProgram {
        var options = defines.merging(Self.interfaceDefines) { own, _ in own }.sorted { $0.key < $1.key }
            .map { $0.value.isEmpty ? "-D\($0.key)" : "-D\($0.key)=\($0.value)" }
            .joined(separator: " ")
        if exact, device.supportsCorrectlyRoundedDivideSqrt {
            options += " -cl-fp32-correctly-rounded-divide-sqrt"
        }
        if let extra = ProcessInfo.processInfo.environment["AUGMENT_CL_BUILD_OPTIONS"], !extra.isEmpty {
            options += " " + extra  // for kernel development: extra compiler options on every build
        }
        return try context.program(
            source: kernels.source(family: family), options: options,
            label: "Kernels/\(family).cl (\(kernels.origin))")
    }

    /// The Swift side of the kernels' interface, passed to every build: `COLOR_<OP>=<code>` for each
    /// ``ColorOp``, the codes colour programs carry (common.cl has no copy of them). Stage defines
    /// (`USE_<OP>`) are spelled from the same cases.
    static let interfaceDefines: [String: String] = Dictionary(
        uniqueKeysWithValues: ColorOp.allCases.map {
            ("COLOR_\(String(describing: $0).uppercased())", "\($0.rawValue)")
        })

    /// The built program of a family whose kernels divide or take square roots per element (colour,
    /// blur, erase, noise): like ``program(family:defines:)``, plus
    /// `-cl-fp32-correctly-rounded-divide-sqrt` on devices that support it, because OpenCL otherwise
    /// allows 2.5 ulp for single-precision division and 3 ulp for sqrt while the CPU reference
    /// rounds both correctly. PoCL's CPU device rounds them correctly either way.
    func exactProgram(family: String, defines: [String: String]) throws -> CLProgram {
        try program(family: family, exact: true, defines: defines)
    }

    /// A new read-write device buffer of `count` floats for a stage's intermediate results
    /// (statistics, a blur's first pass), poisoned with NaN when the options ask.
    func scratchFloats(_ count: Int, options: RunOptions) throws -> CLBuffer {
        let buffer = try runBuffer(byteCount: max(4, count * 4))
        if options.poisonOutputs {
            try buffer.fill(pattern: [0x00, 0x00, 0xC0, 0x7F], on: context)
        }
        return buffer
    }

    /// Enqueues `kernel` over `global` in groups of `local` (fitted to the kernel's limits unless
    /// `fixedLocal`; the driver's choice when nil) and records the launch in `timing`.
    func launch(
        _ kernel: CLKernel, global: [Int], local: [Int]? = nil, fixedLocal: Bool = false,
        timing: inout OpenCLTiming
    ) throws {
        let event = try kernel.enqueue(on: context, global: global, local: local, fixedLocal: fixedLocal)
        timing.recordKernel(event)
    }

    /// The per-pixel launch the families share (mix, elastic, dropout): `kernel` once over NDRange
    /// (x, y, sample) in groups of (g, 1, 1), g = min(64, width rounded up to 8, the device's
    /// limit); each work-item handles all channels of one pixel. Records the launch in `timing`.
    func enqueuePerPixel(_ kernel: CLKernel, geometry: ImageGeometry, count: Int, timing: inout OpenCLTiming) throws {
        let groupWidth = min(64, roundUp(geometry.width, to: 8), device.maxWorkGroupSize)
        try launch(
            kernel, global: [roundUp(geometry.width, to: groupWidth), geometry.height, count],
            local: [groupWidth, 1, 1], timing: &timing)
    }

    /// The work-group size of the reduction kernels: the largest power of two up to 256 that the
    /// device allows.
    var reductionGroupSize: Int {
        var size = 256
        while size > 1 && size > device.maxWorkGroupSize { size /= 2 }
        return size
    }
}

/// Launches a per-element kernel over NDRange (x, y, sample * channels) and records its time.
func launchPerElement(
    _ kernel: CLKernel, _ geometry: ImageGeometry, count: Int, backend: OpenCLBackend,
    timing: inout OpenCLTiming
) throws {
    try backend.launch(
        kernel, global: pixelRange(geometry, count: count * geometry.channels, backend: backend),
        local: [pixelGroupWidth(geometry, backend: backend), 1, 1], timing: &timing)
}

/// The work-group width of per-pixel kernels, as `warp_remap` uses: a divisor of the width when
/// one fits (the NDRange then needs no edge guard), else 64 (see ``rowGroupWidth(_:maxWorkGroupSize:)``).
func pixelGroupWidth(_ geometry: ImageGeometry, backend: OpenCLBackend) -> Int {
    rowGroupWidth(geometry.width, maxWorkGroupSize: backend.device.maxWorkGroupSize).width
}

/// The NDRange (x, y, z) of a per-pixel kernel over `planes` planes (samples, or samples x channels).
func pixelRange(_ geometry: ImageGeometry, count planes: Int, backend: OpenCLBackend) -> [Int] {
    [roundUp(geometry.width, to: pixelGroupWidth(geometry, backend: backend)), geometry.height, planes]
}

/// The work-group width for kernels whose NDRange runs along image rows: the largest divisor of
/// `width` in 16...256 (so the NDRange needs no edge guard: `exact`), else 64 with the NDRange
/// rounded up and guarded.
func rowGroupWidth(_ width: Int, maxWorkGroupSize: Int) -> (width: Int, exact: Bool) {
    let limit = min(256, maxWorkGroupSize)
    if let divisor = stride(from: min(limit, width), through: 16, by: -1).first(where: { width % $0 == 0 }) {
        return (divisor, true)
    }
    if width <= limit { return (width, true) }
    return (min(64, limit), false)
}

func roundUp(_ value: Int, to multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}

extension CLDevice {
    /// Whether the device reports CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT for single precision.
    var supportsCorrectlyRoundedDivideSqrt: Bool {
        let config = try? clInfoScalar("clGetDeviceInfo", cl_device_fp_config.self) { size, value, sizeReturned in
            clGetDeviceInfo(id, cl_device_info(CL_DEVICE_SINGLE_FP_CONFIG), size, value, sizeReturned)
        }
        return (config ?? 0) & cl_device_fp_config(CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0
    }
}
