import COpenCL
import Foundation

/// Serialises platform and device discovery (see ``CLPlatform/all()``).
let discoveryLock = NSLock()

/// An OpenCL platform (one installed driver, e.g. PoCL, NVIDIA CUDA, ROCm, Intel).
public struct CLPlatform: @unchecked Sendable, Hashable {
    // Platform ids are process-lifetime handles owned by the ICD loader; sharing them is safe.
    let id: cl_platform_id
    public let name: String
    public let vendor: String
    public let version: String

    init(id: cl_platform_id) throws {
        self.id = id
        name = try Self.info(id, CL_PLATFORM_NAME)
        vendor = try Self.info(id, CL_PLATFORM_VENDOR)
        version = try Self.info(id, CL_PLATFORM_VERSION)
    }

    /// PoCL ("Portable Computing Language"), whose CPU device uses the memory of a
    /// `CL_MEM_USE_HOST_PTR` buffer as is at any alignment (lib/CL/clCreateBuffer.c keeps the host
    /// pointer and only warns when it is below the context's alignment).
    public var isPoCL: Bool { name.contains("Portable Computing Language") }

    private static func info(_ id: cl_platform_id, _ parameter: Int32) throws -> String {
        try clInfoString("clGetPlatformInfo") { size, value, sizeReturned in
            clGetPlatformInfo(id, cl_platform_info(parameter), size, value, sizeReturned)
        }
    }

    /// Every platform the ICD loader finds. Throws ``CLError`` with `CL_PLATFORM_NOT_FOUND_KHR`
    /// (-1001) when none is installed.
    public static func all() throws -> [CLPlatform] {
        // The ICD loader (ocl-icd) initialises itself lazily and not thread-safely: two threads
        // enumerating at once can see no platform or crash. All discovery goes through this lock.
        discoveryLock.lock()
        defer { discoveryLock.unlock() }
        var count: cl_uint = 0
        try clCheck("clGetPlatformIDs", context: "looking for OpenCL platforms") {
            clGetPlatformIDs(0, nil, &count)
        }
        guard count > 0 else {
            throw CLError(
                call: "clGetPlatformIDs", status: .platformNotFoundKhr,
                context: "looking for OpenCL platforms")
        }
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        try clCheck("clGetPlatformIDs") { clGetPlatformIDs(count, &ids, nil) }
        return try ids.compactMap { $0 }.map(CLPlatform.init(id:))
    }

    /// The platform's devices (all types). A platform with no device gives an empty list.
    public func devices() throws -> [CLDevice] {
        discoveryLock.lock()
        defer { discoveryLock.unlock() }
        var count: cl_uint = 0
        let status = clGetDeviceIDs(id, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &count)
        if status == CL_DEVICE_NOT_FOUND || count == 0 { return [] }
        try clCheck("clGetDeviceIDs") { status }
        var ids = [cl_device_id?](repeating: nil, count: Int(count))
        try clCheck("clGetDeviceIDs") { clGetDeviceIDs(id, cl_device_type(CL_DEVICE_TYPE_ALL), count, &ids, nil) }
        return try ids.compactMap { $0 }.map { try CLDevice(id: $0, platform: self) }
    }

    public static func == (lhs: CLPlatform, rhs: CLPlatform) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
