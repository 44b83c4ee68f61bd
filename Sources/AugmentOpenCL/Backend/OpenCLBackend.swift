import Augment
import Foundation

/// Device times of one plan run, from OpenCL profiling events.
public struct OpenCLTiming: Sendable, Equatable {
    /// Host -> device copies.
    public var uploadNanoseconds: UInt64 = 0
    /// Kernel execution, summed over launches.
    public var kernelNanoseconds: UInt64 = 0
    /// Device -> host copies.
    public var downloadNanoseconds: UInt64 = 0
    /// Number of kernel launches.
    public var launches = 0

    public init() {}
}

/// Runs plans on one OpenCL device. Every stage family has a `.cl` file in `Kernels/` and a CPU
/// twin in `Sources/Augment/CPU/`; this backend builds each family once per variant (formats,
/// channel count) and caches the program in its ``CLContext``.
///
/// Thread-safe: runs are serialised on the backend's queue.
public final class OpenCLBackend: Backend, @unchecked Sendable {
    // Safety: all mutable state (kernel objects, whose arguments are state) is used under `lock`.
    public let context: CLContext
    public let kernels: KernelLibrary
    public let name: String
    private let lock = NSLock()

    /// A backend on the device `selector` picks (default: `AUGMENT_OPENCL_DEVICE`, else the first
    /// GPU, else the CPU), with the embedded kernels unless `AUGMENT_KERNELS_DIR` is set.
    public convenience init(selector: CLDeviceSelector = .automatic, kernels: KernelLibrary? = nil) throws {
        try self.init(device: CLDevice.select(selector), kernels: kernels)
    }

    public init(device: CLDevice, kernels: KernelLibrary? = nil) throws {
        context = try CLContext(device: device)
        self.kernels = try kernels ?? KernelLibrary.automatic()
        name = "opencl: \(device.name) (\(device.platform.name))"
    }

    public var device: CLDevice { context.device }

    public func run(_ plan: Plan, on images: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try runProfiled(plan, on: images, options: options).output
    }

    /// Runs `plan` and reports device times for uploads, kernels and downloads.
    public func runProfiled(
        _ plan: Plan, on images: ImageBatch, options: RunOptions = RunOptions()
    ) throws -> (output: ImageBatch, timing: OpenCLTiming) {
        lock.lock()
        defer { lock.unlock() }
        var timing = OpenCLTiming()
        var current = images
        for stage in plan.stages {
            switch stage {
            case .remap(let remap):
                current = try OpenCLWarp.remap(remap, input: current, backend: self, options: options, timing: &timing)
            }
        }
        return (current, timing)
    }

    /// The built program of a kernel family with the given defines.
    func program(family: String, defines: [String: String]) throws -> CLProgram {
        let options = defines.sorted { $0.key < $1.key }
            .map { $0.value.isEmpty ? "-D\($0.key)" : "-D\($0.key)=\($0.value)" }
            .joined(separator: " ")
        return try context.program(source: kernels.source(family: family), options: options)
    }

    /// Uploads a host array into a new device buffer.
    func upload<Element: BitwiseCopyable>(_ values: [Element], timing: inout OpenCLTiming) throws -> CLBuffer {
        let buffer = try CLBuffer(context: context, byteCount: max(1, values.count * MemoryLayout<Element>.stride),
                                  readOnly: true)
        if !values.isEmpty {
            timing.uploadNanoseconds += try buffer.upload(values, on: context).durationNanoseconds()
        }
        return buffer
    }

    /// Allocates an output buffer for `count` elements of `pixelType`, poisoned when asked.
    func outputBuffer(count: Int, pixelType: PixelType, options: RunOptions) throws -> CLBuffer {
        let elementBytes = pixelType == .uint8 ? 1 : 4
        let buffer = try CLBuffer(context: context, byteCount: max(1, count * elementBytes))
        if options.poisonOutputs {
            let pattern: [UInt8] = pixelType == .uint8 ? [0xCD] : [0x00, 0x00, 0xC0, 0x7F]  // NaN
            try buffer.fill(pattern: pattern, on: context)
        }
        return buffer
    }

    /// Downloads `count` elements of `pixelType` into an image batch.
    func download(
        _ buffer: CLBuffer, count: Int, geometry: ImageGeometry, format: OutputFormat, samples: Int,
        timing: inout OpenCLTiming
    ) throws -> ImageBatch {
        switch format.pixelType {
        case .uint8:
            let (values, event) = try buffer.download(UInt8.self, count: count, on: context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try ImageBatch(pixels: .uint8(values), count: samples, geometry: geometry, layout: format.layout)
        case .float32:
            let (values, event) = try buffer.download(Float.self, count: count, on: context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try ImageBatch(pixels: .float32(values), count: samples, geometry: geometry, layout: format.layout)
        }
    }
}
