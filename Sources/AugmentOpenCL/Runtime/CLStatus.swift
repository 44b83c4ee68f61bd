/// An OpenCL status code (`cl_int`), with readable names for the codes of OpenCL 1.2-3.0 and
/// the ICD loader. Unknown codes keep their number.
public struct CLStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `CL_SUCCESS` (0)
    public static let success = CLStatus(rawValue: 0)
    /// `CL_DEVICE_NOT_FOUND` (-1)
    public static let deviceNotFound = CLStatus(rawValue: -1)
    /// `CL_DEVICE_NOT_AVAILABLE` (-2)
    public static let deviceNotAvailable = CLStatus(rawValue: -2)
    /// `CL_COMPILER_NOT_AVAILABLE` (-3)
    public static let compilerNotAvailable = CLStatus(rawValue: -3)
    /// `CL_MEM_OBJECT_ALLOCATION_FAILURE` (-4)
    public static let memObjectAllocationFailure = CLStatus(rawValue: -4)
    /// `CL_OUT_OF_RESOURCES` (-5)
    public static let outOfResources = CLStatus(rawValue: -5)
    /// `CL_OUT_OF_HOST_MEMORY` (-6)
    public static let outOfHostMemory = CLStatus(rawValue: -6)
    /// `CL_PROFILING_INFO_NOT_AVAILABLE` (-7)
    public static let profilingInfoNotAvailable = CLStatus(rawValue: -7)
    /// `CL_MEM_COPY_OVERLAP` (-8)
    public static let memCopyOverlap = CLStatus(rawValue: -8)
    /// `CL_IMAGE_FORMAT_MISMATCH` (-9)
    public static let imageFormatMismatch = CLStatus(rawValue: -9)
    /// `CL_IMAGE_FORMAT_NOT_SUPPORTED` (-10)
    public static let imageFormatNotSupported = CLStatus(rawValue: -10)
    /// `CL_BUILD_PROGRAM_FAILURE` (-11)
    public static let buildProgramFailure = CLStatus(rawValue: -11)
    /// `CL_MAP_FAILURE` (-12)
    public static let mapFailure = CLStatus(rawValue: -12)
    /// `CL_MISALIGNED_SUB_BUFFER_OFFSET` (-13)
    public static let misalignedSubBufferOffset = CLStatus(rawValue: -13)
    /// `CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST` (-14)
    public static let execStatusErrorForEventsInWaitList = CLStatus(rawValue: -14)
    /// `CL_COMPILE_PROGRAM_FAILURE` (-15)
    public static let compileProgramFailure = CLStatus(rawValue: -15)
    /// `CL_LINKER_NOT_AVAILABLE` (-16)
    public static let linkerNotAvailable = CLStatus(rawValue: -16)
    /// `CL_LINK_PROGRAM_FAILURE` (-17)
    public static let linkProgramFailure = CLStatus(rawValue: -17)
    /// `CL_DEVICE_PARTITION_FAILED` (-18)
    public static let devicePartitionFailed = CLStatus(rawValue: -18)
    /// `CL_KERNEL_ARG_INFO_NOT_AVAILABLE` (-19)
    public static let kernelArgInfoNotAvailable = CLStatus(rawValue: -19)
    /// `CL_INVALID_VALUE` (-30)
    public static let invalidValue = CLStatus(rawValue: -30)
    /// `CL_INVALID_DEVICE_TYPE` (-31)
    public static let invalidDeviceType = CLStatus(rawValue: -31)
    /// `CL_INVALID_PLATFORM` (-32)
    public static let invalidPlatform = CLStatus(rawValue: -32)
    /// `CL_INVALID_DEVICE` (-33)
    public static let invalidDevice = CLStatus(rawValue: -33)
    /// `CL_INVALID_CONTEXT` (-34)
    public static let invalidContext = CLStatus(rawValue: -34)
    /// `CL_INVALID_QUEUE_PROPERTIES` (-35)
    public static let invalidQueueProperties = CLStatus(rawValue: -35)
    /// `CL_INVALID_COMMAND_QUEUE` (-36)
    public static let invalidCommandQueue = CLStatus(rawValue: -36)
    /// `CL_INVALID_HOST_PTR` (-37)
    public static let invalidHostPtr = CLStatus(rawValue: -37)
    /// `CL_INVALID_MEM_OBJECT` (-38)
    public static let invalidMemObject = CLStatus(rawValue: -38)
    /// `CL_INVALID_IMAGE_FORMAT_DESCRIPTOR` (-39)
    public static let invalidImageFormatDescriptor = CLStatus(rawValue: -39)
    /// `CL_INVALID_IMAGE_SIZE` (-40)
    public static let invalidImageSize = CLStatus(rawValue: -40)
    /// `CL_INVALID_SAMPLER` (-41)
    public static let invalidSampler = CLStatus(rawValue: -41)
    /// `CL_INVALID_BINARY` (-42)
    public static let invalidBinary = CLStatus(rawValue: -42)
    /// `CL_INVALID_BUILD_OPTIONS` (-43)
    public static let invalidBuildOptions = CLStatus(rawValue: -43)
    /// `CL_INVALID_PROGRAM` (-44)
    public static let invalidProgram = CLStatus(rawValue: -44)
    /// `CL_INVALID_PROGRAM_EXECUTABLE` (-45)
    public static let invalidProgramExecutable = CLStatus(rawValue: -45)
    /// `CL_INVALID_KERNEL_NAME` (-46)
    public static let invalidKernelName = CLStatus(rawValue: -46)
    /// `CL_INVALID_KERNEL_DEFINITION` (-47)
    public static let invalidKernelDefinition = CLStatus(rawValue: -47)
    /// `CL_INVALID_KERNEL` (-48)
    public static let invalidKernel = CLStatus(rawValue: -48)
    /// `CL_INVALID_ARG_INDEX` (-49)
    public static let invalidArgIndex = CLStatus(rawValue: -49)
    /// `CL_INVALID_ARG_VALUE` (-50)
    public static let invalidArgValue = CLStatus(rawValue: -50)
    /// `CL_INVALID_ARG_SIZE` (-51)
    public static let invalidArgSize = CLStatus(rawValue: -51)
    /// `CL_INVALID_KERNEL_ARGS` (-52)
    public static let invalidKernelArgs = CLStatus(rawValue: -52)
    /// `CL_INVALID_WORK_DIMENSION` (-53)
    public static let invalidWorkDimension = CLStatus(rawValue: -53)
    /// `CL_INVALID_WORK_GROUP_SIZE` (-54)
    public static let invalidWorkGroupSize = CLStatus(rawValue: -54)
    /// `CL_INVALID_WORK_ITEM_SIZE` (-55)
    public static let invalidWorkItemSize = CLStatus(rawValue: -55)
    /// `CL_INVALID_GLOBAL_OFFSET` (-56)
    public static let invalidGlobalOffset = CLStatus(rawValue: -56)
    /// `CL_INVALID_EVENT_WAIT_LIST` (-57)
    public static let invalidEventWaitList = CLStatus(rawValue: -57)
    /// `CL_INVALID_EVENT` (-58)
    public static let invalidEvent = CLStatus(rawValue: -58)
    /// `CL_INVALID_OPERATION` (-59)
    public static let invalidOperation = CLStatus(rawValue: -59)
    /// `CL_INVALID_GL_OBJECT` (-60)
    public static let invalidGlObject = CLStatus(rawValue: -60)
    /// `CL_INVALID_BUFFER_SIZE` (-61)
    public static let invalidBufferSize = CLStatus(rawValue: -61)
    /// `CL_INVALID_MIP_LEVEL` (-62)
    public static let invalidMipLevel = CLStatus(rawValue: -62)
    /// `CL_INVALID_GLOBAL_WORK_SIZE` (-63)
    public static let invalidGlobalWorkSize = CLStatus(rawValue: -63)
    /// `CL_INVALID_PROPERTY` (-64)
    public static let invalidProperty = CLStatus(rawValue: -64)
    /// `CL_INVALID_IMAGE_DESCRIPTOR` (-65)
    public static let invalidImageDescriptor = CLStatus(rawValue: -65)
    /// `CL_INVALID_COMPILER_OPTIONS` (-66)
    public static let invalidCompilerOptions = CLStatus(rawValue: -66)
    /// `CL_INVALID_LINKER_OPTIONS` (-67)
    public static let invalidLinkerOptions = CLStatus(rawValue: -67)
    /// `CL_INVALID_DEVICE_PARTITION_COUNT` (-68)
    public static let invalidDevicePartitionCount = CLStatus(rawValue: -68)
    /// `CL_INVALID_PIPE_SIZE` (-69)
    public static let invalidPipeSize = CLStatus(rawValue: -69)
    /// `CL_INVALID_DEVICE_QUEUE` (-70)
    public static let invalidDeviceQueue = CLStatus(rawValue: -70)
    /// `CL_INVALID_SPEC_ID` (-71)
    public static let invalidSpecId = CLStatus(rawValue: -71)
    /// `CL_MAX_SIZE_RESTRICTION_EXCEEDED` (-72)
    public static let maxSizeRestrictionExceeded = CLStatus(rawValue: -72)
    /// `CL_PLATFORM_NOT_FOUND_KHR` (-1001)
    public static let platformNotFoundKhr = CLStatus(rawValue: -1001)

    /// The C constant's name, e.g. "CL_BUILD_PROGRAM_FAILURE", or "CL_UNKNOWN_ERROR" for an unlisted code.
    public var name: String {
        switch rawValue {
        case 0: return "CL_SUCCESS"
        case -1: return "CL_DEVICE_NOT_FOUND"
        case -2: return "CL_DEVICE_NOT_AVAILABLE"
        case -3: return "CL_COMPILER_NOT_AVAILABLE"
        case -4: return "CL_MEM_OBJECT_ALLOCATION_FAILURE"
        case -5: return "CL_OUT_OF_RESOURCES"
        case -6: return "CL_OUT_OF_HOST_MEMORY"
        case -7: return "CL_PROFILING_INFO_NOT_AVAILABLE"
        case -8: return "CL_MEM_COPY_OVERLAP"
        case -9: return "CL_IMAGE_FORMAT_MISMATCH"
        case -10: return "CL_IMAGE_FORMAT_NOT_SUPPORTED"
        case -11: return "CL_BUILD_PROGRAM_FAILURE"
        case -12: return "CL_MAP_FAILURE"
        case -13: return "CL_MISALIGNED_SUB_BUFFER_OFFSET"
        case -14: return "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"
        case -15: return "CL_COMPILE_PROGRAM_FAILURE"
        case -16: return "CL_LINKER_NOT_AVAILABLE"
        case -17: return "CL_LINK_PROGRAM_FAILURE"
        case -18: return "CL_DEVICE_PARTITION_FAILED"
        case -19: return "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"
        case -30: return "CL_INVALID_VALUE"
        case -31: return "CL_INVALID_DEVICE_TYPE"
        case -32: return "CL_INVALID_PLATFORM"
        case -33: return "CL_INVALID_DEVICE"
        case -34: return "CL_INVALID_CONTEXT"
        case -35: return "CL_INVALID_QUEUE_PROPERTIES"
        case -36: return "CL_INVALID_COMMAND_QUEUE"
        case -37: return "CL_INVALID_HOST_PTR"
        case -38: return "CL_INVALID_MEM_OBJECT"
        case -39: return "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"
        case -40: return "CL_INVALID_IMAGE_SIZE"
        case -41: return "CL_INVALID_SAMPLER"
        case -42: return "CL_INVALID_BINARY"
        case -43: return "CL_INVALID_BUILD_OPTIONS"
        case -44: return "CL_INVALID_PROGRAM"
        case -45: return "CL_INVALID_PROGRAM_EXECUTABLE"
        case -46: return "CL_INVALID_KERNEL_NAME"
        case -47: return "CL_INVALID_KERNEL_DEFINITION"
        case -48: return "CL_INVALID_KERNEL"
        case -49: return "CL_INVALID_ARG_INDEX"
        case -50: return "CL_INVALID_ARG_VALUE"
        case -51: return "CL_INVALID_ARG_SIZE"
        case -52: return "CL_INVALID_KERNEL_ARGS"
        case -53: return "CL_INVALID_WORK_DIMENSION"
        case -54: return "CL_INVALID_WORK_GROUP_SIZE"
        case -55: return "CL_INVALID_WORK_ITEM_SIZE"
        case -56: return "CL_INVALID_GLOBAL_OFFSET"
        case -57: return "CL_INVALID_EVENT_WAIT_LIST"
        case -58: return "CL_INVALID_EVENT"
        case -59: return "CL_INVALID_OPERATION"
        case -60: return "CL_INVALID_GL_OBJECT"
        case -61: return "CL_INVALID_BUFFER_SIZE"
        case -62: return "CL_INVALID_MIP_LEVEL"
        case -63: return "CL_INVALID_GLOBAL_WORK_SIZE"
        case -64: return "CL_INVALID_PROPERTY"
        case -65: return "CL_INVALID_IMAGE_DESCRIPTOR"
        case -66: return "CL_INVALID_COMPILER_OPTIONS"
        case -67: return "CL_INVALID_LINKER_OPTIONS"
        case -68: return "CL_INVALID_DEVICE_PARTITION_COUNT"
        case -69: return "CL_INVALID_PIPE_SIZE"
        case -70: return "CL_INVALID_DEVICE_QUEUE"
        case -71: return "CL_INVALID_SPEC_ID"
        case -72: return "CL_MAX_SIZE_RESTRICTION_EXCEEDED"
        case -1001: return "CL_PLATFORM_NOT_FOUND_KHR"
        default: return "CL_UNKNOWN_ERROR"
        }
    }

    /// "CL_BUILD_PROGRAM_FAILURE (-11)".
    public var description: String { "\(name) (\(rawValue))" }
}
