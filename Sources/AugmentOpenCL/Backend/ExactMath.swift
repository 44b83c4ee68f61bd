import Augment
import COpenCL

extension OpenCLBackend {
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

    /// The work-group size of the reduction kernels: the largest power of two up to 256 that the
    /// device allows.
    var reductionGroupSize: Int {
        var size = 256
        while size > 1 && size > device.maxWorkGroupSize { size /= 2 }
        return size
    }
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
