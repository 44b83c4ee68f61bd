import Augment
import Foundation

/// Device times of one plan run, from OpenCL profiling events.
///
/// Kernel launches are recorded as events and their profiling times read once the run has
/// finished (``resolve()``), so the host never waits between the launches of one batch and the
/// queue stays full.
public struct OpenCLTiming: Sendable, Equatable {
    /// Host -> device copies.
    public var uploadNanoseconds: UInt64 = 0
    /// Kernel execution, summed over launches (complete after ``resolve()``).
    public var kernelNanoseconds: UInt64 = 0
    /// Kernel execution by kernel name (`warp_general`, `color_apply`, ...), summed over the
    /// launches of each (complete after ``resolve()``): where a pipeline's device time goes.
    public var kernelNanosecondsByKernel: [String: UInt64] = [:]
    /// Device -> host copies.
    public var downloadNanoseconds: UInt64 = 0
    /// Number of kernel launches.
    public var launches = 0
    /// Whether the first stage read the input array in place and the last stage wrote the output
    /// array in place (``HostMemoryUse``); false where they were copied.
    public var inputInPlace = false
    public var outputInPlace = false
    /// Launches and uploads whose profiling times are not read yet.
    private var pendingKernels: [CLEvent] = []
    private var pendingUploads: [CLEvent] = []

    public init() {}

    /// Counts a kernel launch; its time is added by ``resolve()``.
    mutating func recordKernel(_ event: CLEvent) {
        pendingKernels.append(event)
        launches += 1
    }

    /// Counts an upload that was queued without waiting; its time is added by ``resolve()``.
    mutating func recordUpload(_ event: CLEvent) {
        pendingUploads.append(event)
    }

    /// Adds the device times of the recorded launches and uploads (waiting for the last of them).
    mutating func resolve() throws {
        for event in pendingKernels {
            let nanoseconds = try event.durationNanoseconds()
            kernelNanoseconds += nanoseconds
            kernelNanosecondsByKernel[event.label, default: 0] += nanoseconds
        }
        for event in pendingUploads {
            uploadNanoseconds += try event.durationNanoseconds()
        }
        pendingKernels.removeAll()
        pendingUploads.removeAll()
    }

    public static func == (lhs: OpenCLTiming, rhs: OpenCLTiming) -> Bool {
        lhs.uploadNanoseconds == rhs.uploadNanoseconds && lhs.kernelNanoseconds == rhs.kernelNanoseconds
            && lhs.downloadNanoseconds == rhs.downloadNanoseconds && lhs.launches == rhs.launches
    }
}

/// A batch of images in a device buffer, as it passes between the stages of a plan.
public final class DeviceImages: @unchecked Sendable {
    // Safety: immutable after creation; the buffer is only touched through the backend's queue.
    public let buffer: CLBuffer
    public let count: Int
    public let geometry: ImageGeometry
    public let pixelType: PixelType
    public let layout: ImageLayout
    /// For a ragged batch (only ever a plan's input), each sample's size; nil when dense.
    public let raggedGeometries: [ImageGeometry]?

    init(
        buffer: CLBuffer, count: Int, geometry: ImageGeometry, pixelType: PixelType, layout: ImageLayout,
        raggedGeometries: [ImageGeometry]? = nil
    ) {
        self.buffer = buffer
        self.count = count
        self.geometry = geometry
        self.pixelType = pixelType
        self.layout = layout
        self.raggedGeometries = raggedGeometries
    }

    public var elementCount: Int {
        raggedGeometries.map { $0.reduce(0) { $0 + $1.elementCount } } ?? count * geometry.elementCount
    }

    /// Every sample's size.
    public var sampleGeometries: [ImageGeometry] { raggedGeometries ?? Array(repeating: geometry, count: count) }

    /// Throws unless this is a float32 NCHW batch of `count` images of `geometry` (what every
    /// non-remap stage reads).
    func checkFloatNCHW(count: Int, geometry: ImageGeometry, stage: String) throws {
        guard pixelType == .float32, layout == .nchw, self.count == count, self.geometry == geometry,
            raggedGeometries == nil
        else {
            throw AugmentError.parameterMismatch(
                "\(stage) expects \(count) float32 NCHW images of \(geometry), got \(self.count) \(pixelType.rawValue) \(layout.rawValue.uppercased()) of \(self.geometry)"
            )
        }
    }
}

/// The result of ``OpenCLBackend/runOnDevice(_:on:options:)``: the images in a device buffer, and
/// the host-side targets. The buffer returns to the backend's pool when this object is released.
public final class DeviceAugmentBatch: @unchecked Sendable {
    // Safety: the buffer is handed back exactly once, under `lock`.
    public let images: DeviceImages
    /// Labels, masks, boxes and keypoints as the plan left them (images: the input's, unused).
    public let targets: AugmentBatch
    public let timing: OpenCLTiming
    private let backend: OpenCLBackend
    private var released = false
    private let lock = NSLock()

    init(images: DeviceImages, targets: AugmentBatch, timing: OpenCLTiming, backend: OpenCLBackend) {
        self.images = images
        self.targets = targets
        self.timing = timing
        self.backend = backend
    }

    /// The `cl_mem` of the images, for OpenCL code of the caller's (same context:
    /// ``OpenCLBackend/context``). Valid until the batch is released.
    public var buffer: CLBuffer { images.buffer }

    /// Copies the images to the host, with the targets.
    public func download() throws -> AugmentBatch {
        var timing = OpenCLTiming()
        var batch = targets
        batch.images = try backend.download(images, timing: &timing)
        return batch
    }

    /// Gives the buffer back to the pool now (also done on deinit).
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard !released else { return }
        released = true
        backend.giveBack(images.buffer)
    }

    deinit {
        release()
    }
}

/// Whether a run lets the kernels use the caller's arrays in place (`CL_MEM_USE_HOST_PTR`): the
/// first stage reads the input array and the last stage writes the output array, instead of a copy
/// into device memory and a copy back. On a device that shares the host's memory
/// (``CLDevice/hostUnifiedMemory``: CPU devices, integrated GPUs) the copies are a third of an
/// affine batch on PoCL (docs/benchmarks.md); a device with memory of its own (a discrete GPU) would
/// instead cross the bus on every access. Results are the same bytes either way (the OpenCL spec's
/// map/unmap protocol makes the host memory current).
public enum HostMemoryUse: String, Sendable, CaseIterable {
    /// In place on devices that share host memory, for memory aligned to
    /// ``CLDevice/baseAddressAlignmentBytes`` (Intel's and AMD's rule for no copy), and on PoCL at
    /// any alignment (it uses the host pointer as is). Intel's CPU runtime with the 16-byte
    /// aligned memory of Swift arrays and numpy measured slower in place than copied (blur 2462-2736
    /// against 3147-3300 img/s), so there such memory is copied.
    case automatic
    /// In place at any alignment on devices that share host memory (correct on PoCL and Intel's
    /// runtime, where the driver may copy internally; for tests and measurements). Devices that do
    /// not share it copy: Oclgrind 21.10, which says so, also does not keep such host memory current.
    case always
    /// Always copy, as on a discrete GPU.
    case never

    /// The environment variable that overrides ``automatic``: `always`, `never` (or 1, 0).
    public static let environmentVariable = "AUGMENT_HOST_MEMORY"

    /// ``environmentVariable``'s choice, else ``automatic``.
    public static func fromEnvironment() -> HostMemoryUse {
        switch ProcessInfo.processInfo.environment[environmentVariable] {
        case "always", "1": return .always
        case "never", "0": return .never
        default: return .automatic
        }
    }
}

/// Runs plans on one OpenCL device. Every stage family has a `.cl` file in `Kernels/` and a CPU
/// twin in `Sources/Augment/CPU/`; this backend builds each family once per variant (formats,
/// channel count) and caches the program in its ``CLContext``. A plan's input is uploaded once,
/// intermediate batches stay on the device, and the result is downloaded once.
///
/// Thread-safe: runs are serialised.
public final class OpenCLBackend: Backend, @unchecked Sendable {
    // Safety: all mutable state (kernel objects, whose arguments are state) is used under `lock`.
    public let context: CLContext
    public let kernels: KernelLibrary
    public let name: String
    /// Device buffers reused from run to run.
    public let pool: BufferPool
    private let lock = NSLock()
    /// Buffers taken from the pool during the run in progress; returned when it ends.
    private var runBuffers: [CLBuffer] = []
    /// Host copies of the run's queued uploads; freed when it ends, after the queue has drained.
    private var runStaging: [UnsafeMutableRawPointer] = []
    /// The buffer over the caller's output array that the plan's last stage writes into (see
    /// ``HostMemoryUse``), taken by the first ``outputImages(count:geometry:format:options:)`` of
    /// that stage with its format and size outside ``intermediate(_:)``.
    private var finalOutput: (buffer: CLBuffer, format: OutputFormat)?

    /// Whether ``runProfiled(_:on:options:)`` lets the kernels use host memory in place (see
    /// ``HostMemoryUse``).
    public let hostMemoryUse: HostMemoryUse

    /// Whether a `CL_MEM_USE_HOST_PTR` buffer over `pointer` is used (``HostMemoryUse``).
    private func usesInPlace(_ pointer: UnsafeRawPointer) -> Bool {
        switch hostMemoryUse {
        case .never: return false
        case .always: return device.hostUnifiedMemory
        case .automatic:
            return device.hostUnifiedMemory
                && (Int(bitPattern: pointer) % device.baseAddressAlignmentBytes == 0 || device.platform.isPoCL)
        }
    }

    /// A backend on the device `selector` picks (default: `AUGMENT_OPENCL_DEVICE`, else the first
    /// GPU, else the CPU), with the embedded kernels unless `AUGMENT_KERNELS_DIR` is set.
    public convenience init(
        selector: CLDeviceSelector = .automatic, kernels: KernelLibrary? = nil,
        hostMemory: HostMemoryUse = .fromEnvironment()
    ) throws {
        try self.init(device: CLDevice.select(selector), kernels: kernels, hostMemory: hostMemory)
    }

    /// `hostMemory`: whether runs use the input and output arrays in place (default
    /// `AUGMENT_HOST_MEMORY`, else automatic).
    public init(device: CLDevice, kernels: KernelLibrary? = nil, hostMemory: HostMemoryUse = .fromEnvironment()) throws
    {
        HostMemory.retainLargeBlocks()
        context = try CLContext(device: device)
        pool = BufferPool(context: context)
        self.kernels = try kernels ?? KernelLibrary.automatic()
        name = "opencl: \(device.name) (\(device.platform.name))"
        hostMemoryUse = hostMemory
    }

    public var device: CLDevice { context.device }

    public func run(_ plan: Plan, on batch: AugmentBatch, options: RunOptions) throws -> AugmentBatch {
        try runProfiled(plan, on: batch, options: options).output
    }

    /// Runs `plan` on images alone and reports device times.
    public func runProfiled(
        _ plan: Plan, on images: ImageBatch, options: RunOptions = RunOptions()
    ) throws -> (output: ImageBatch, timing: OpenCLTiming) {
        let (output, timing) = try runProfiled(plan, on: AugmentBatch(images: images), options: options)
        return (output.images, timing)
    }

    /// Runs `plan` and reports device times for uploads, kernels and downloads.
    public func runProfiled(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions = RunOptions()
    ) throws -> (output: AugmentBatch, timing: OpenCLTiming) {
        lock.lock()
        defer {
            endRun()
            lock.unlock()
        }
        if hostMemoryUse != .never && device.hostUnifiedMemory {
            return try runInHostMemory(plan, on: batch, options: options)
        }
        let (images, masks, partial, profile) = try execute(plan, on: batch, options: options)
        var result = partial
        var timing = profile
        result.images = try download(images, timing: &timing)
        result.masks = try masks.map { try OpenCLWarp.download($0, backend: self, timing: &timing) }
        try timing.resolve()
        return (result, timing)
    }

    /// ``runProfiled(_:on:options:)`` with host memory used in place (``hostMemoryUse``): the
    /// input array is the first stage's buffer and a new output array the last stage's, so nothing
    /// is copied; the caller holds the lock. Where a stage does not write the buffer offered (a
    /// last stage whose output is not a new batch of the plan's format), the result is read back
    /// as usual. Every path waits for the queue before the arrays' memory is released.
    private func runInHostMemory(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions
    ) throws -> (output: AugmentBatch, timing: OpenCLTiming) {
        switch plan.output.pixelType {
        case .uint8: return try runInHostMemory(plan, on: batch, options: options, UInt8.self) { .uint8($0) }
        case .float32: return try runInHostMemory(plan, on: batch, options: options, Float.self) { .float32($0) }
        case .uint16: return try runInHostMemory(plan, on: batch, options: options, UInt16.self) { .uint16($0) }
        case .float16: return try runInHostMemory(plan, on: batch, options: options, Float16.self) { .float16($0) }
        }
    }

    private func runInHostMemory<Element: BitwiseCopyable>(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions, _ type: Element.Type,
        _ pixels: ([Element]) -> PixelBuffer
    ) throws -> (output: AugmentBatch, timing: OpenCLTiming) {
        let geometry = plan.outputGeometry
        let elementCount = try checkedCount(plan.count, geometry)
        var outcome: (images: DeviceImages, result: AugmentBatch, timing: OpenCLTiming, written: Bool)?
        let values = try [Element](unsafeUninitializedCapacity: elementCount) { storage, initialized in
            outcome = try run(plan, on: batch, options: options, into: UnsafeMutableRawBufferPointer(storage))
            initialized = outcome?.written == true ? elementCount : 0
        }
        guard case (let images, var result, var timing, let written)? = outcome else {
            throw AugmentError.incompatible("the OpenCL run ended without a result")
        }
        result.images =
            written
            ? try ImageBatch(pixels: pixels(values), count: plan.count, geometry: geometry, layout: plan.output.layout)
            : try download(images, timing: &timing)
        try timing.resolve()
        return (result, timing)
    }

    /// Runs `plan` and writes the images into caller memory: `destination` holds exactly the plan's
    /// output (``Plan/count`` images of ``Plan/outputGeometry`` in ``Plan/output``'s type and
    /// layout). On a device that shares host memory the last stage writes it in place (as
    /// ``HostMemoryUse`` decides, as does the input), elsewhere the result is read into it: no
    /// intermediate host array either way. Returns the targets (labels, masks, boxes, keypoints;
    /// `images` is the input's, unused) and the timing. `destination` may be partly written when
    /// this throws: pass memory whose old contents do not matter.
    public func runProfiled(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions = RunOptions(),
        writingImagesTo destination: UnsafeMutableRawBufferPointer
    ) throws -> (targets: AugmentBatch, timing: OpenCLTiming) {
        let expected = try checkedCount(plan.count, plan.outputGeometry) * plan.output.pixelType.byteCount
        guard destination.count == expected, destination.baseAddress != nil else {
            throw AugmentError.invalidShape(
                "the output of \(plan.count) images of \(plan.outputGeometry) \(plan.output) needs \(expected) bytes, the destination has \(destination.count)"
            )
        }
        lock.lock()
        defer {
            endRun()
            lock.unlock()
        }
        var (images, result, timing, written) = try run(plan, on: batch, options: options, into: destination)
        if !written {
            guard images.pixelType == plan.output.pixelType, images.layout == plan.output.layout,
                images.count == plan.count, images.geometry == plan.outputGeometry, images.raggedGeometries == nil
            else {
                throw AugmentError.incompatible(
                    "the OpenCL run produced \(images.count) \(images.pixelType.rawValue) images of \(images.geometry), the plan says \(plan.count) of \(plan.outputGeometry) \(plan.output)"
                )
            }
            timing.downloadNanoseconds += try images.buffer.download(into: destination, on: context)
                .durationNanoseconds()
        }
        result.images = batch.images
        try timing.resolve()
        return (result, timing)
    }

    /// The stages of `plan` with the output offered in `destination` (in place where
    /// ``usesInPlace(_:)`` says so, and the input likewise); `written`: whether the last stage wrote
    /// it (else the caller reads `images` back). Masks come back on the host in `result`. Waits for
    /// the queue on every path, errors included, before the memory is released; the caller holds
    /// the lock.
    private func run(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions, into destination: UnsafeMutableRawBufferPointer
    ) throws -> (images: DeviceImages, result: AugmentBatch, timing: OpenCLTiming, written: Bool) {
        let useHost = hostMemoryUse != .never && device.hostUnifiedMemory
        return try withHostInput(batch.images, wrap: useHost) { input in
            do {
                let output =
                    useHost && usesInPlace(destination.baseAddress!)
                    ? try CLBuffer(
                        context: context, host: destination.baseAddress!, byteCount: destination.count, readOnly: false)
                    : nil
                var run = try execute(
                    plan, on: batch, options: options, input: input, finalOutput: output.map { ($0, plan.output) })
                run.timing.inputInPlace = input != nil
                var written = false
                if let output, run.images.buffer === output, run.images.count == plan.count,
                    run.images.geometry == plan.outputGeometry, run.images.raggedGeometries == nil
                {
                    run.timing.downloadNanoseconds += try output.synchronizeHost(on: context).durationNanoseconds()
                    run.timing.outputInPlace = true
                    written = true
                } else if input != nil || output != nil {
                    try context.finish()
                }
                run.result.masks = try run.masks.map { try OpenCLWarp.download($0, backend: self, timing: &run.timing) }
                return (run.images, run.result, run.timing, written)
            } catch {
                // Queued commands may still use the caller's memory: let them end first.
                try? context.finish()
                throw error
            }
        }
    }

    /// Calls `body` with the input batch as a device batch over its own memory (read-only,
    /// `CL_MEM_USE_HOST_PTR`), valid inside `body`; nil where that would cost a copy anyway
    /// (``usesInPlace(_:)``) or the batch cannot be wrapped (float16, which every stage refuses, or
    /// a driver that declines), so that the run uploads a copy.
    private func withHostInput<Result>(
        _ images: ImageBatch, wrap shouldWrap: Bool, _ body: (DeviceImages?) throws -> Result
    ) throws -> Result {
        guard shouldWrap else { return try body(nil) }
        func wrap(_ bytes: UnsafeRawBufferPointer) throws -> Result {
            guard let base = bytes.baseAddress, bytes.count > 0, usesInPlace(base),
                let buffer = try? CLBuffer(
                    context: context, host: UnsafeMutableRawPointer(mutating: base), byteCount: bytes.count,
                    readOnly: true)
            else { return try body(nil) }
            return try body(
                DeviceImages(
                    buffer: buffer, count: images.count, geometry: images.geometry, pixelType: images.pixelType,
                    layout: images.layout, raggedGeometries: images.raggedGeometries))
        }
        switch images.pixels {
        case .uint8(let values): return try values.withUnsafeBytes(wrap)
        case .float32(let values): return try values.withUnsafeBytes(wrap)
        case .uint16(let values): return try values.withUnsafeBytes(wrap)
        case .float16: return try body(nil)
        }
    }

    /// Runs `plan` and leaves the images on the device, for callers that feed them to device code of
    /// their own: the result holds the output buffer (leased from this backend's pool, given back
    /// when the result is released or ``DeviceAugmentBatch/release()`` is called). Labels, masks,
    /// boxes and keypoints come back on the host.
    public func runOnDevice(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions = RunOptions()
    ) throws -> DeviceAugmentBatch {
        lock.lock()
        defer {
            endRun()
            lock.unlock()
        }
        var (images, masks, result, timing) = try execute(plan, on: batch, options: options)
        result.masks = try masks.map { try OpenCLWarp.download($0, backend: self, timing: &timing) }
        // The output buffer outlives the run: take it out of the run's buffers.
        if let index = runBuffers.firstIndex(where: { $0 === images.buffer }) {
            runBuffers.remove(at: index)
        } else {
            // The plan wrote nothing new (cannot happen: every plan ends in a pass); copy to be safe.
            let copy = try pool.take(byteCount: images.buffer.byteCount)
            try images.buffer.copy(to: copy, byteCount: images.buffer.byteCount, on: context).wait()
            images = DeviceImages(
                buffer: copy, count: images.count, geometry: images.geometry,
                pixelType: images.pixelType, layout: images.layout)
        }
        try timing.resolve()
        return DeviceAugmentBatch(images: images, targets: result, timing: timing, backend: self)
    }

    /// The stages of `plan`, on the device; the caller holds the lock. `input`: the images already
    /// on the device (else they are uploaded); `finalOutput`: a buffer offered to the last stage for
    /// its output.
    private func execute(
        _ plan: Plan, on batch: AugmentBatch, options: RunOptions, input: DeviceImages? = nil,
        finalOutput: (buffer: CLBuffer, format: OutputFormat)? = nil
    ) throws -> (images: DeviceImages, masks: DeviceMasks?, result: AugmentBatch, timing: OpenCLTiming) {
        var timing = OpenCLTiming()
        let images = try input ?? upload(batch.images, timing: &timing)
        let masks = try batch.masks.map { try OpenCLWarp.upload($0, backend: self, timing: &timing) }
        var run = OpenCLRun(images: images, masks: masks, result: batch, timing: timing)
        defer { self.finalOutput = nil }
        for (index, stage) in plan.stages.enumerated() {
            if index == plan.stages.count - 1 { self.finalOutput = finalOutput }
            try Self.runner(for: stage).run(on: &run, backend: self, options: options)
        }
        return (run.images, run.masks, run.result, run.timing)
    }

    /// The OpenCL implementation of `stage`: its body's ``OpenCLStageRunner`` conformance (one
    /// per stage type, in this folder's file of its family).
    static func runner(for stage: Stage) throws -> any OpenCLStageRunner {
        guard let runner = stage.body as? any OpenCLStageRunner else {
            throw AugmentError.incompatible(
                "the OpenCL backend has no implementation of the \(stage.family) stage \(type(of: stage.body))")
        }
        return runner
    }

    /// Whether the stage type has an OpenCL implementation (for the completeness test).
    public static func implements(_ type: any PlanStage.Type) -> Bool { type is any OpenCLStageRunner.Type }

    /// Ends a run (also one that threw): waits for the queue so that no queued upload still reads
    /// a staging block, frees them, and gives the run's buffers back to the pool.
    private func endRun() {
        if !runStaging.isEmpty {
            do {
                try context.finish()
                for block in runStaging { block.deallocate() }
            } catch {
                // The queue failed: the driver may still read the blocks, so they are leaked on
                // purpose rather than freed under it.
            }
            runStaging.removeAll()
        }
        for buffer in runBuffers { pool.give(buffer) }
        runBuffers.removeAll()
    }

    /// Gives a leased output buffer back to the pool.
    func giveBack(_ buffer: CLBuffer) {
        pool.give(buffer)
    }

    /// The device's copy bandwidth in bytes per second (bytes read plus bytes written), the median
    /// of `repeats` device-to-device copies of `byteCount` bytes timed with profiling events: the
    /// ceiling a memory-bound pass can reach.
    public func measureCopyBandwidth(byteCount: Int = 256 << 20, repeats: Int = 7) throws -> Double {
        lock.lock()
        defer { lock.unlock() }
        let size = min(byteCount, Int(device.maxAllocationBytes / 2))
        let source = try CLBuffer(context: context, byteCount: size)
        let destination = try CLBuffer(context: context, byteCount: size)
        try source.fill(pattern: [1, 2, 3, 4], on: context)
        try source.copy(to: destination, byteCount: size, on: context).wait()  // first touch
        var seconds: [Double] = []
        for _ in 0..<max(1, repeats) {
            seconds.append(
                Double(try source.copy(to: destination, byteCount: size, on: context).durationNanoseconds()) / 1e9)
        }
        let median = seconds.sorted()[seconds.count / 2]
        return median > 0 ? Double(2 * size) / median : 0
    }

    /// A buffer from the pool for the run in progress (returned to the pool when the run ends).
    func runBuffer(byteCount: Int) throws -> CLBuffer {
        let buffer = try pool.take(byteCount: byteCount)
        runBuffers.append(buffer)
        return buffer
    }

    /// Uploads a host array into a device buffer for the run in progress.
    /// Small parameter arrays are queued without waiting (from a staging copy freed when the run
    /// ends); `blocking` writes straight from `values` and waits, for the run's large first input,
    /// where nothing is queued before it and a copy would cost more than the wait.
    func upload<Element: BitwiseCopyable>(
        _ values: [Element], blocking: Bool = false,
        timing: inout OpenCLTiming
    ) throws -> CLBuffer {
        let buffer = try runBuffer(byteCount: max(1, values.count * MemoryLayout<Element>.stride))
        if !values.isEmpty && blocking {
            timing.uploadNanoseconds += try buffer.upload(values, on: context).durationNanoseconds()
        } else if !values.isEmpty {
            let (event, staging) = try buffer.enqueueUpload(values, on: context)
            runStaging.append(staging)
            timing.recordUpload(event)
        }
        return buffer
    }

    /// Uploads an image batch.
    func upload(_ images: ImageBatch, timing: inout OpenCLTiming) throws -> DeviceImages {
        let buffer: CLBuffer
        switch images.pixels {
        case .uint8(let values): buffer = try upload(values, blocking: true, timing: &timing)
        case .float32(let values): buffer = try upload(values, blocking: true, timing: &timing)
        case .uint16(let values): buffer = try upload(values, blocking: true, timing: &timing)
        case .float16: throw AugmentError.float16Input()
        }
        return DeviceImages(
            buffer: buffer, count: images.count, geometry: images.geometry,
            pixelType: images.pixelType, layout: images.layout, raggedGeometries: images.raggedGeometries)
    }

    /// Runs `body` (part of a stage whose output is not the stage's result: the first pass of a
    /// two-pass blur, a split warp's warp) without offering it the run's final output buffer.
    func intermediate<Result>(_ body: () throws -> Result) rethrows -> Result {
        let offered = finalOutput
        finalOutput = nil
        defer { finalOutput = offered }
        return try body()
    }

    /// A new device batch for a stage to write, poisoned (NaN / 0xCD) when the options ask; the
    /// run's final output buffer (``runInHostMemory``) when the last stage asks for one of its
    /// format and size outside ``intermediate(_:)``.
    func outputImages(
        count: Int, geometry: ImageGeometry, format: OutputFormat, options: RunOptions
    ) throws -> DeviceImages {
        let elements = try checkedCount(count, geometry)
        let byteCount = max(1, elements * format.pixelType.byteCount)
        let buffer: CLBuffer
        if let offered = finalOutput, offered.format == format, offered.buffer.byteCount == byteCount {
            finalOutput = nil
            buffer = offered.buffer
        } else {
            buffer = try runBuffer(byteCount: byteCount)
        }
        if options.poisonOutputs {
            let pattern: [UInt8]
            switch format.pixelType {
            case .uint8: pattern = [0xCD]
            case .float32: pattern = [0x00, 0x00, 0xC0, 0x7F]  // NaN
            case .float16: pattern = [0x00, 0x7E]  // NaN
            case .uint16: pattern = [0xCD, 0xCD]
            }
            try buffer.fill(pattern: pattern, on: context)
        }
        return DeviceImages(
            buffer: buffer, count: count, geometry: geometry, pixelType: format.pixelType, layout: format.layout)
    }

    /// Downloads a device batch.
    func download(_ images: DeviceImages, timing: inout OpenCLTiming) throws -> ImageBatch {
        let count = images.elementCount
        switch images.pixelType {
        case .uint8:
            let (values, event) = try images.buffer.download(UInt8.self, count: count, on: context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try ImageBatch(
                pixels: .uint8(values), count: images.count, geometry: images.geometry, layout: images.layout)
        case .float32:
            let (values, event) = try images.buffer.download(Float.self, count: count, on: context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try ImageBatch(
                pixels: .float32(values), count: images.count, geometry: images.geometry, layout: images.layout)
        case .float16:
            let (bits, event) = try images.buffer.download(UInt16.self, count: count, on: context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try ImageBatch(
                pixels: .float16(bits.map(Float16.init(bitPattern:))), count: images.count,
                geometry: images.geometry, layout: images.layout)
        case .uint16:
            let (values, event) = try images.buffer.download(UInt16.self, count: count, on: context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try ImageBatch(
                pixels: .uint16(values), count: images.count, geometry: images.geometry, layout: images.layout)
        }
    }

    private func checkedCount(_ count: Int, _ geometry: ImageGeometry) throws -> Int {
        let (elements, overflow) = count.multipliedReportingOverflow(by: geometry.elementCount)
        guard !overflow else { throw AugmentError.invalidShape("\(count) images of \(geometry) do not fit in memory") }
        return elements
    }
}

/// What passes from stage to stage during one run on the device: the images (and masks) in
/// device buffers, the host-side targets and the run's timing.
struct OpenCLRun {
    var images: DeviceImages
    var masks: DeviceMasks?
    /// Labels, boxes and keypoints as the stages so far left them (images: the input's, unused).
    var result: AugmentBatch
    var timing: OpenCLTiming
}

/// A stage type's OpenCL implementation: one conformance per stage type, in
/// `Sources/AugmentOpenCL/Backend/<Family>.swift`, next to the launches it makes.
protocol OpenCLStageRunner: PlanStage {
    /// Queues the stage's launches on `backend`, reading `run.images` and replacing them with the
    /// stage's output (and moving masks and targets where the stage moves pixels).
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws
}

extension AugmentedBatchStream where Output == DeviceAugmentBatch {
    /// A stream whose batches stay on the device: each item holds its images in a buffer of the
    /// lane's context (leased from that lane's pool until the item is released), for training code
    /// that consumes OpenCL buffers directly. Labels and other targets come on the host.
    public init(
        source: any BatchSource, pipeline: Pipeline, epoch: EpochPlan, seed: UInt64,
        deviceLanes: [OpenCLBackend], prefetch: Int = 2
    ) {
        self.init(
            source: source, pipeline: pipeline, epoch: epoch, seed: seed, laneCount: deviceLanes.count,
            prefetch: prefetch
        ) { lane, plan, batch in
            try deviceLanes[lane].runOnDevice(plan, on: batch)
        }
    }
}
