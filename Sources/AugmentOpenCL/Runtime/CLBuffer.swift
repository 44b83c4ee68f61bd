import COpenCL

/// A device buffer of `byteCount` bytes. Released in deinit.
public final class CLBuffer: @unchecked Sendable {
    // Safety: a cl_mem handle may be used from any thread; reads and writes go through the queue.
    let memory: cl_mem
    public let byteCount: Int

    /// Allocates `byteCount` bytes (at least 1) on the context's device.
    public init(context: CLContext, byteCount: Int, readOnly: Bool = false) throws {
        guard byteCount >= 1 else {
            throw CLError(call: "clCreateBuffer", status: .invalidBufferSize, context: "allocating \(byteCount) bytes")
        }
        let flags = cl_mem_flags(readOnly ? CL_MEM_READ_ONLY : CL_MEM_READ_WRITE)
        memory = try clCreate(
            "clCreateBuffer", context: "allocating \(formatBytes(byteCount)) on \(context.device.name)"
        ) {
            clCreateBuffer(context.context, flags, byteCount, nil, $0)
        }
        self.byteCount = byteCount
    }

    /// A buffer over `byteCount` bytes of host memory at `host` (`CL_MEM_USE_HOST_PTR`): on a device
    /// that shares host memory the kernels read and write it in place, elsewhere the driver may
    /// keep a device copy (filled from `host` now, written back by ``synchronizeHost(on:)``). The
    /// memory must stay valid, and untouched by the host, until every command using the buffer has
    /// finished and ``synchronizeHost(on:)`` has returned.
    public init(context: CLContext, host: UnsafeMutableRawPointer, byteCount: Int, readOnly: Bool) throws {
        guard byteCount >= 1 else {
            throw CLError(call: "clCreateBuffer", status: .invalidBufferSize, context: "wrapping \(byteCount) bytes")
        }
        let flags = cl_mem_flags(readOnly ? CL_MEM_READ_ONLY : CL_MEM_READ_WRITE) | cl_mem_flags(CL_MEM_USE_HOST_PTR)
        memory = try clCreate(
            "clCreateBuffer", context: "using \(formatBytes(byteCount)) of host memory on \(context.device.name)"
        ) {
            clCreateBuffer(context.context, flags, byteCount, host, $0)
        }
        self.byteCount = byteCount
    }

    deinit {
        clRelease("clReleaseMemObject") { clReleaseMemObject(memory) }
    }

    /// For a buffer over host memory: waits for every command queued before (in-order queue) and
    /// makes the host memory hold the buffer's contents, by mapping it for reading and unmapping
    /// it (no copy where the device shares host memory; the driver's copy elsewhere). Returns the
    /// map command's event (its time is the transfer's).
    public func synchronizeHost(on context: CLContext) throws -> CLEvent {
        var status: cl_int = CL_SUCCESS
        var mapEvent: cl_event?
        let pointer = clEnqueueMapBuffer(
            context.queue, memory, cl_bool(CL_TRUE), cl_map_flags(CL_MAP_READ), 0, byteCount, 0, nil, &mapEvent,
            &status)
        guard status == CL_SUCCESS, let pointer else {
            if let mapEvent { clReleaseEvent(mapEvent) }
            throw CLError(
                call: "clEnqueueMapBuffer",
                status: CLStatus(rawValue: status == CL_SUCCESS ? CL_INVALID_VALUE : status),
                context: "reading back \(formatBytes(byteCount)) of host memory")
        }
        let event = try CLEvent(checked: mapEvent, call: "clEnqueueMapBuffer")
        var unmapEvent: cl_event?
        try clCheck("clEnqueueUnmapMemObject", context: "reading back \(formatBytes(byteCount)) of host memory") {
            clEnqueueUnmapMemObject(context.queue, memory, pointer, 0, nil, &unmapEvent)
        }
        try CLEvent(checked: unmapEvent, call: "clEnqueueUnmapMemObject").wait()
        return event
    }

    /// Copies `values` into the start of the buffer and returns the transfer's event (blocking).
    @discardableResult
    public func upload<Element: BitwiseCopyable>(_ values: [Element], on context: CLContext) throws -> CLEvent {
        let size = values.count * MemoryLayout<Element>.stride
        guard size <= byteCount else {
            throw CLError(
                call: "clEnqueueWriteBuffer", status: .invalidValue,
                context: "writing \(size) bytes into a \(byteCount)-byte buffer")
        }
        var event: cl_event?
        try values.withUnsafeBytes { bytes in
            try clCheck("clEnqueueWriteBuffer", context: "uploading \(formatBytes(size))") {
                clEnqueueWriteBuffer(
                    context.queue, memory, cl_bool(CL_TRUE), 0, size, bytes.baseAddress, 0, nil, &event)
            }
        }
        return try CLEvent(checked: event, call: "clEnqueueWriteBuffer")
    }

    /// Copies `values` into the start of the buffer without waiting: the values are first copied
    /// to a host staging block, which the caller must keep until the returned event has completed
    /// and then deallocate. Lets a run queue its parameter uploads between kernel launches without
    /// a host wait (a blocking write in an in-order queue waits for every earlier kernel).
    func enqueueUpload<Element: BitwiseCopyable>(
        _ values: [Element], on context: CLContext
    ) throws -> (event: CLEvent, staging: UnsafeMutableRawPointer) {
        let size = values.count * MemoryLayout<Element>.stride
        guard size <= byteCount, size > 0 else {
            throw CLError(
                call: "clEnqueueWriteBuffer", status: .invalidValue,
                context: "writing \(size) bytes into a \(byteCount)-byte buffer")
        }
        let staging = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        values.withUnsafeBytes { staging.copyMemory(from: $0.baseAddress!, byteCount: size) }
        var event: cl_event?
        do {
            try clCheck("clEnqueueWriteBuffer", context: "uploading \(formatBytes(size))") {
                clEnqueueWriteBuffer(context.queue, memory, cl_bool(CL_FALSE), 0, size, staging, 0, nil, &event)
            }
            return (try CLEvent(checked: event, call: "clEnqueueWriteBuffer"), staging)
        } catch {
            staging.deallocate()
            throw error
        }
    }

    /// Reads the first `count` elements of the buffer (blocking).
    public func download<Element: BitwiseCopyable>(
        _ type: Element.Type, count: Int, on context: CLContext
    ) throws -> (values: [Element], event: CLEvent) {
        let size = count * MemoryLayout<Element>.stride
        guard size <= byteCount else {
            throw CLError(
                call: "clEnqueueReadBuffer", status: .invalidValue,
                context: "reading \(size) bytes from a \(byteCount)-byte buffer")
        }
        var event: cl_event?
        let values = try [Element](unsafeUninitializedCapacity: count) { storage, initialized in
            try clCheck("clEnqueueReadBuffer", context: "downloading \(formatBytes(size))") {
                clEnqueueReadBuffer(
                    context.queue, memory, cl_bool(CL_TRUE), 0, size,
                    UnsafeMutableRawPointer(storage.baseAddress), 0, nil, &event)
            }
            initialized = count
        }
        return (values, try CLEvent(checked: event, call: "clEnqueueReadBuffer"))
    }

    /// Reads the first `destination.count` bytes of the buffer into caller memory (blocking).
    public func download(into destination: UnsafeMutableRawBufferPointer, on context: CLContext) throws -> CLEvent {
        guard destination.count <= byteCount, let base = destination.baseAddress else {
            throw CLError(
                call: "clEnqueueReadBuffer", status: .invalidValue,
                context: "reading \(destination.count) bytes from a \(byteCount)-byte buffer")
        }
        var event: cl_event?
        try clCheck("clEnqueueReadBuffer", context: "downloading \(formatBytes(destination.count))") {
            clEnqueueReadBuffer(context.queue, memory, cl_bool(CL_TRUE), 0, destination.count, base, 0, nil, &event)
        }
        return try CLEvent(checked: event, call: "clEnqueueReadBuffer")
    }

    /// Copies `byteCount` bytes of this buffer into `destination` on the device; returns the event.
    @discardableResult
    public func copy(to destination: CLBuffer, byteCount: Int, on context: CLContext) throws -> CLEvent {
        guard byteCount <= self.byteCount, byteCount <= destination.byteCount else {
            throw CLError(call: "clEnqueueCopyBuffer", status: .invalidValue, context: "copying \(byteCount) bytes")
        }
        var event: cl_event?
        try clCheck("clEnqueueCopyBuffer", context: "copying \(formatBytes(byteCount)) on the device") {
            clEnqueueCopyBuffer(context.queue, memory, destination.memory, 0, 0, byteCount, 0, nil, &event)
        }
        return try CLEvent(checked: event, call: "clEnqueueCopyBuffer")
    }

    /// Fills the whole buffer with a repeated byte pattern of 1, 2, 4, ... 128 bytes (blocking).
    ///
    /// Written from a host copy of the pattern rather than with clEnqueueFillBuffer: Oclgrind 21.10
    /// leaves what clEnqueueFillBuffer wrote marked as uninitialized, so every kernel that later
    /// read a poisoned buffer was reported, while host writes are tracked correctly everywhere.
    /// Poisoning is for tests (``RunOptions/poisonOutputs``), where the extra transfer is harmless.
    public func fill(pattern: [UInt8], on context: CLContext) throws {
        guard !pattern.isEmpty, pattern.count <= 128, pattern.count & (pattern.count - 1) == 0,
            byteCount % pattern.count == 0
        else {
            throw CLError(
                call: "clEnqueueWriteBuffer", status: .invalidValue,
                context: "filling \(byteCount) bytes with a \(pattern.count)-byte pattern")
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { storage, initialized in
            for offset in stride(from: 0, to: byteCount, by: pattern.count) {
                for (k, byte) in pattern.enumerated() { storage[offset + k] = byte }
            }
            initialized = byteCount
        }
        try upload(bytes, on: context)
    }
}

/// A command's event: wait for it, read its profiling times. Released in deinit.
public final class CLEvent: @unchecked Sendable {
    // Safety: event queries are thread-safe in OpenCL.
    let event: cl_event
    /// What the command was: the kernel's name for a launch, empty for copies.
    public let label: String

    init(event: cl_event, label: String = "") {
        self.event = event
        self.label = label
    }

    convenience init(checked event: cl_event?, call: String) throws {
        guard let event else { throw CLError(call: call, status: .invalidEvent) }
        self.init(event: event)
    }

    deinit {
        clRelease("clReleaseEvent") { clReleaseEvent(event) }
    }

    /// Blocks until the command has finished.
    public func wait() throws {
        var list: cl_event? = event
        try clCheck("clWaitForEvents") { clWaitForEvents(1, &list) }
    }

    /// Device time between the command's start and end, in nanoseconds (needs a profiling queue;
    /// every queue this library creates has it).
    public func durationNanoseconds() throws -> UInt64 {
        try wait()
        let start = try profile(CL_PROFILING_COMMAND_START)
        let end = try profile(CL_PROFILING_COMMAND_END)
        return end >= start ? end - start : 0
    }

    private func profile(_ parameter: Int32) throws -> UInt64 {
        try clInfoScalar("clGetEventProfilingInfo", cl_ulong.self) { size, value, sizeReturned in
            clGetEventProfilingInfo(event, cl_profiling_info(parameter), size, value, sizeReturned)
        }
    }
}

/// "12.3 MB"-style sizes for messages.
func formatBytes(_ count: Int) -> String {
    let value = Double(count)
    if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
    if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
    if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
    return "\(count) B"
}

import Foundation
