import COpenCL

/// The kind of an OpenCL device.
public enum CLDeviceKind: String, Sendable, CaseIterable {
    case gpu, cpu, accelerator, other
}

/// An OpenCL device and the limits that matter for scheduling and for `augment devices`.
public struct CLDevice: @unchecked Sendable, Hashable, CustomStringConvertible {
    // Device ids of root devices are process-lifetime handles; sharing them is safe.
    let id: cl_device_id
    public let platform: CLPlatform
    public let name: String
    public let vendor: String
    public let kind: CLDeviceKind
    /// "OpenCL 3.0 ..." as the driver reports it.
    public let version: String
    public let driverVersion: String
    public let openCLCVersion: String
    public let computeUnits: Int
    public let maxClockMHz: Int
    public let globalMemoryBytes: UInt64
    public let maxAllocationBytes: UInt64
    public let localMemoryBytes: UInt64
    public let maxWorkGroupSize: Int
    /// CL_DEVICE_MAX_WORK_ITEM_SIZES: the largest local size in each of the 3 dimensions.
    public let maxWorkItemSizes: [Int]
    public let extensions: [String]
    /// CL_DEVICE_HOST_UNIFIED_MEMORY: the device and the host share one memory (CPU devices,
    /// integrated GPUs), so a buffer over host memory (`CL_MEM_USE_HOST_PTR`) needs no copy. False
    /// where the driver does not answer (the query is deprecated since OpenCL 2.0, still answered).
    public let hostUnifiedMemory: Bool
    /// CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes: the alignment of host memory a `CL_MEM_USE_HOST_PTR`
    /// buffer can use without a copy, by Intel's and AMD's guides (128 on PoCL and Intel's CPU runtime).
    public let baseAddressAlignmentBytes: Int

    init(id: cl_device_id, platform: CLPlatform) throws {
        self.id = id
        self.platform = platform
        name = try Self.string(id, CL_DEVICE_NAME).trimmingCharacters(in: .whitespaces)
        vendor = try Self.string(id, CL_DEVICE_VENDOR)
        version = try Self.string(id, CL_DEVICE_VERSION)
        driverVersion = try Self.string(id, CL_DRIVER_VERSION)
        openCLCVersion = try Self.string(id, CL_DEVICE_OPENCL_C_VERSION)
        let type = try Self.scalar(id, CL_DEVICE_TYPE, cl_device_type.self)
        if type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 {
            kind = .gpu
        } else if type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 {
            kind = .cpu
        } else if type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 {
            kind = .accelerator
        } else {
            kind = .other
        }
        computeUnits = Int(try Self.scalar(id, CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint.self))
        maxClockMHz = Int(try Self.scalar(id, CL_DEVICE_MAX_CLOCK_FREQUENCY, cl_uint.self))
        globalMemoryBytes = try Self.scalar(id, CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong.self)
        maxAllocationBytes = try Self.scalar(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, cl_ulong.self)
        localMemoryBytes = try Self.scalar(id, CL_DEVICE_LOCAL_MEM_SIZE, cl_ulong.self)
        maxWorkGroupSize = try Self.scalar(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, Int.self)
        // size_t[CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS] (at least 3).
        let itemBytes = try clInfoBytes("clGetDeviceInfo") { size, value, sizeReturned in
            clGetDeviceInfo(id, cl_device_info(CL_DEVICE_MAX_WORK_ITEM_SIZES), size, value, sizeReturned)
        }
        var itemSizes = itemBytes.withUnsafeBytes { raw in
            (0..<raw.count / MemoryLayout<Int>.size).map {
                raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<Int>.size, as: Int.self)
            }
        }
        while itemSizes.count < 3 { itemSizes.append(1) }
        maxWorkItemSizes = itemSizes
        extensions = try Self.string(id, CL_DEVICE_EXTENSIONS).split(separator: " ").map(String.init)
        hostUnifiedMemory = (try? Self.scalar(id, CL_DEVICE_HOST_UNIFIED_MEMORY, cl_bool.self)) == cl_bool(CL_TRUE)
        baseAddressAlignmentBytes = max(1, Int(try Self.scalar(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, cl_uint.self)) / 8)
    }

    private static func string(_ id: cl_device_id, _ parameter: Int32) throws -> String {
        try clInfoString("clGetDeviceInfo") { size, value, sizeReturned in
            clGetDeviceInfo(id, cl_device_info(parameter), size, value, sizeReturned)
        }
    }

    private static func scalar<Value: BitwiseCopyable>(
        _ id: cl_device_id, _ parameter: Int32, _ type: Value.Type
    ) throws -> Value {
        try clInfoScalar("clGetDeviceInfo", type) { size, value, sizeReturned in
            clGetDeviceInfo(id, cl_device_info(parameter), size, value, sizeReturned)
        }
    }

    public var description: String { "\(name) (\(kind.rawValue), \(platform.name))" }

    public static func == (lhs: CLDevice, rhs: CLDevice) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    /// A number identifying the device within this process (program cache keys).
    var handle: UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(id))) }
}

/// How to choose a device.
public enum CLDeviceSelector: Sendable, Equatable, CustomStringConvertible {
    /// `AUGMENT_OPENCL_DEVICE` when set, else ``preferred``.
    case automatic
    /// The first GPU, then the first CPU, then anything; among equals, the most compute units.
    case preferred
    /// The n-th device of the flat list `augment devices` prints.
    case index(Int)
    /// Device `device` of platform `platform`, both counted from 0.
    case platformDevice(platform: Int, device: Int)
    /// The first device of this kind.
    case kind(CLDeviceKind)
    /// The first device whose name or platform name contains this text (case-insensitive).
    case nameContains(String)

    /// The environment variable that ``automatic`` reads: "0", "1:0", "gpu", "cpu", or part of a
    /// device name.
    public static let environmentVariable = "AUGMENT_OPENCL_DEVICE"

    /// Parses "3", "0:1", "gpu", "cpu", "accelerator" or a name fragment.
    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        if let index = Int(trimmed) {
            self = .index(index)
        } else if parts.count == 2, let p = Int(parts[0]), let d = Int(parts[1]) {
            self = .platformDevice(platform: p, device: d)
        } else if let kind = CLDeviceKind(rawValue: trimmed.lowercased()), kind != .other {
            self = .kind(kind)
        } else {
            self = .nameContains(trimmed)
        }
    }

    public var description: String {
        switch self {
        case .automatic: return "automatic"
        case .preferred: return "GPU first, then CPU"
        case .index(let i): return "device #\(i)"
        case .platformDevice(let p, let d): return "platform \(p) device \(d)"
        case .kind(let kind): return "first \(kind.rawValue) device"
        case .nameContains(let text): return "device named like '\(text)'"
        }
    }
}

extension CLDevice {
    /// Every device of every platform, in `augment devices` order.
    public static func all() throws -> [CLDevice] {
        try CLPlatform.all().flatMap { try $0.devices() }
    }

    /// The device `selector` names. Throws ``AugmentError/backendUnavailable(_:)`` saying what was
    /// looked for and what exists when nothing matches, and ``CLError`` when no platform exists.
    public static func select(_ selector: CLDeviceSelector = .automatic) throws -> CLDevice {
        let platforms: [CLPlatform]
        do {
            platforms = try CLPlatform.all()
        } catch let error as CLError {
            throw AugmentError.backendUnavailable(
                "no OpenCL platform found (\(error.call): \(error.status)). Install a driver, e.g. `apt-get install pocl-opencl-icd` for the CPU, and check with `augment devices`"
            )
        }
        let devices = try platforms.flatMap { try $0.devices() }
        let listing = devices.enumerated().map { "#\($0.offset) \($0.element)" }.joined(separator: ", ")
        func fail(_ what: String) -> AugmentError {
            .backendUnavailable("no OpenCL device matches \(what); available: \(listing.isEmpty ? "none" : listing)")
        }
        switch selector {
        case .automatic:
            if let text = ProcessInfo.processInfo.environment[CLDeviceSelector.environmentVariable],
                !text.trimmingCharacters(in: .whitespaces).isEmpty
            {
                do {
                    return try select(CLDeviceSelector(parsing: text))
                } catch let error as AugmentError {
                    throw AugmentError.backendUnavailable("\(CLDeviceSelector.environmentVariable)=\(text): \(error)")
                }
            }
            return try select(.preferred)
        case .preferred:
            for kind in [CLDeviceKind.gpu, .cpu, .accelerator, .other] {
                if let best = devices.filter({ $0.kind == kind }).max(by: { $0.computeUnits < $1.computeUnits }) {
                    return best
                }
            }
            throw fail("any device")
        case .index(let index):
            guard devices.indices.contains(index) else { throw fail("index \(index)") }
            return devices[index]
        case .platformDevice(let p, let d):
            guard platforms.indices.contains(p) else { throw fail("platform \(p)") }
            let onPlatform = try platforms[p].devices()
            guard onPlatform.indices.contains(d) else { throw fail("platform \(p) device \(d)") }
            return onPlatform[d]
        case .kind(let kind):
            guard let device = devices.first(where: { $0.kind == kind }) else { throw fail("type \(kind.rawValue)") }
            return device
        case .nameContains(let text):
            let needle = text.lowercased()
            guard
                let device = devices.first(where: {
                    $0.name.lowercased().contains(needle) || $0.platform.name.lowercased().contains(needle)
                })
            else { throw fail("name '\(text)'") }
            return device
        }
    }
}

import Augment
import Foundation
