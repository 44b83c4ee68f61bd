import Foundation
import Dispatch

/// The reference backend: plain Swift, one file per kernel family (this folder mirrors
/// `Kernels/`), computing exactly what the OpenCL kernels compute from the same ``Plan``.
///
/// Work is split over rows of the output with `DispatchQueue.concurrentPerform`, so it uses every
/// core; results do not depend on the split.
public struct CPUBackend: Backend {
    public let name = "cpu"
    /// The largest output one pass may allocate, in bytes (default: a quarter of physical memory,
    /// the least `CL_DEVICE_MAX_MEM_ALLOC_SIZE` OpenCL allows a device relative to its memory).
    /// A plan with a larger pass is refused before anything runs, as the OpenCL backend refuses
    /// a buffer above its device's limit.
    public let maxBufferBytes: Int

    public init(maxBufferBytes: Int = CPUBackend.defaultMaxBufferBytes) {
        HostMemory.retainLargeBlocks()
        self.maxBufferBytes = maxBufferBytes
    }

    /// A quarter of this machine's physical memory.
    public static var defaultMaxBufferBytes: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory / 4)
    }

    /// Throws unless every pass of `plan` allocates at most ``maxBufferBytes``.
    public func checkSizes(_ plan: Plan) throws {
        for (index, stage) in plan.stages.enumerated() {
            guard let bytes = stage.checkedOutputBytes, bytes <= maxBufferBytes else {
                let size = stage.checkedOutputBytes.map { "\($0) bytes" } ?? "more bytes than fit in memory"
                throw AugmentError.invalidShape(
                    "pass \(index + 1) (\(stage.family)) would allocate \(size) for \(stage.sampleCount) sample\(stage.sampleCount == 1 ? "" : "s"), more than the CPU backend's limit of \(maxBufferBytes) bytes; make the output smaller or the batch smaller"
                )
            }
        }
    }

    public func run(_ plan: Plan, on batch: AugmentBatch, options: RunOptions) throws -> AugmentBatch {
        try checkSizes(plan)
        var current = batch
        for stage in plan.stages {
            try Self.runner(for: stage).run(on: &current, options: options)
        }
        return current
    }
}

extension CPUBackend {
    /// The CPU implementation of `stage`: its body's ``CPUStageRunner`` conformance (one per
    /// stage type, in this folder's file of its family).
    static func runner(for stage: Stage) throws -> any CPUStageRunner {
        guard let runner = stage.body as? any CPUStageRunner else {
            throw AugmentError.incompatible(
                "the CPU backend has no implementation of the \(stage.family) stage \(type(of: stage.body))")
        }
        return runner
    }

    /// Whether the stage type has a CPU implementation (for the completeness test).
    public static func implements(_ type: any PlanStage.Type) -> Bool { type is any CPUStageRunner.Type }
}

/// A stage type's CPU implementation: one conformance per stage type, in
/// `Sources/Augment/CPU/<Family>.swift`, next to the reference code it calls.
protocol CPUStageRunner: PlanStage {
    /// Runs the stage on `batch` (images and targets) and returns the result.
    func run(on batch: inout AugmentBatch, options: RunOptions) throws
}

/// Element types a CPU pass can read as torchvision-scaled floats.
protocol CPUSourcePixel: Sendable {
    /// The value in torchvision's float scale: uint8 times 1/255, float32 as is.
    static func unitValue(_ raw: Self) -> Float
}

extension UInt8: CPUSourcePixel {
    @inline(__always)
    static func unitValue(_ raw: UInt8) -> Float { Float(raw) * (1 / Float(255)) }
}

extension UInt16: CPUSourcePixel {
    /// Raw values, not rescaled (depth maps and 16-bit images keep their units; see ``PixelType/uint16``).
    @inline(__always)
    static func unitValue(_ raw: UInt16) -> Float { Float(raw) }
}

extension Float: CPUSourcePixel {
    @inline(__always)
    static func unitValue(_ raw: Float) -> Float { raw }
}

/// Element types a CPU pass can write from torchvision-scaled floats.
protocol CPUDestinationPixel: Sendable {
    static var poison: Self { get }
    static func fromUnitValue(_ value: Float) -> Self
}

extension Float: CPUDestinationPixel {
    static var poison: Float { .nan }
    @inline(__always)
    static func fromUnitValue(_ value: Float) -> Float { value }
}

extension Float16: CPUDestinationPixel {
    static var poison: Float16 { .nan }
    /// Round to nearest, ties to even (Swift's Float -> Float16 conversion), as OpenCL's
    /// `vstore_half_rte`.
    @inline(__always)
    static func fromUnitValue(_ value: Float) -> Float16 { Float16(value) }
}

extension UInt8: CPUDestinationPixel {
    static var poison: UInt8 { 0xCD }
    /// torchvision's float -> uint8: `x.mul(255 + 1 - 1e-3).to(uint8)` (truncation), after clamping
    /// to [0, 1] with IEEE maxNum/minNum (NaN becomes 0), as OpenCL's fmax/fmin.
    @inline(__always)
    static func fromUnitValue(_ value: Float) -> UInt8 {
        let clamped = Float.minimum(Float.maximum(value, 0), 1)
        return UInt8(clamped * 255.999)
    }
}

extension UInt16: CPUDestinationPixel {
    static var poison: UInt16 { 0xCDCD }
    /// Round to nearest (ties to even, OpenCL's `rint`) after clamping to [0, 65535] with IEEE
    /// maxNum/minNum (NaN becomes 0), as warp.cl's `u16_from_float`.
    @inline(__always)
    static func fromUnitValue(_ value: Float) -> UInt16 {
        let clamped = Float.minimum(Float.maximum(value, 0), 65535)
        return UInt16(clamped.rounded(.toNearestOrEven))
    }
}

/// Strides, in elements, of a dense image batch.
struct ImageStrides {
    var sample: Int
    var channel: Int
    var row: Int
    var column: Int

    init(_ geometry: ImageGeometry, layout: ImageLayout) {
        switch layout {
        case .nhwc:
            column = geometry.channels
            row = geometry.width * geometry.channels
            channel = 1
        case .nchw:
            column = 1
            row = geometry.width
            channel = geometry.height * geometry.width
        }
        sample = geometry.elementCount
    }
}
