import COpenCL
import Foundation

/// An OpenCL context on one device, with an in-order, profiling-enabled command queue and a cache
/// of built programs. Released in deinit.
public final class CLContext: @unchecked Sendable {
    // Safety: OpenCL contexts and queues are thread-safe objects (OpenCL 1.2 appendix A.2); the
    // only mutable Swift state, the program cache, is guarded by `cacheLock`.
    let context: cl_context
    let queue: cl_command_queue
    public let device: CLDevice
    private var programs: [ProgramKey: CLProgram] = [:]
    private let cacheLock = NSLock()
    private var launches = 0

    /// How many kernels were enqueued on this context's queue so far: proof that a run executed on
    /// this device (an implementation that runs nothing cannot pass a parity check unnoticed).
    public var launchCount: Int {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        return launches
    }

    func countLaunch() {
        cacheLock.lock()
        launches += 1
        cacheLock.unlock()
    }

    public init(device: CLDevice) throws {
        self.device = device
        var deviceID: cl_device_id? = device.id
        let context = try clCreate("clCreateContext", context: "creating a context on \(device.name)") {
            clCreateContext(nil, 1, &deviceID, nil, nil, $0)
        }
        do {
            queue = try clCreate("clCreateCommandQueue", context: "creating a queue on \(device.name)") {
                clCreateCommandQueue(context, device.id, cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE), $0)
            }
        } catch {
            clRelease("clReleaseContext") { clReleaseContext(context) }
            throw error
        }
        self.context = context
    }

    deinit {
        clRelease("clReleaseCommandQueue") { clReleaseCommandQueue(queue) }
        clRelease("clReleaseContext") { clReleaseContext(context) }
    }

    /// Blocks until every command queued so far has finished.
    public func finish() throws {
        try clCheck("clFinish") { clFinish(queue) }
    }

    /// The built program for `source` and `options` on this context's device, from the cache when
    /// the same (device, source hash, options) was built before.
    public func program(source: String, options: String = "", label: String? = nil) throws -> CLProgram {
        let key = ProgramKey(device: device.handle, sourceHash: fnv1a64(source), options: options)
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached = programs[key], cached.source == source {
            return cached
        }
        let program = try CLProgram(context: self, source: source, options: options, label: label)
        programs[key] = program
        return program
    }

    /// How many programs are cached (for tests and diagnostics).
    public var cachedProgramCount: Int {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        return programs.count
    }
}

struct ProgramKey: Hashable {
    var device: UInt
    var sourceHash: UInt64
    var options: String
}

/// FNV-1a, 64-bit: a stable hash of kernel sources for cache keys and saved-source file names.
func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return hash
}
