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
                    "pass \(index + 1) (\(stage.family)) would allocate \(size) for \(stage.sampleCount) sample\(stage.sampleCount == 1 ? "" : "s"), more than the CPU backend's limit of \(maxBufferBytes) bytes; make the output smaller or the batch smaller")
            }
        }
    }

    public func run(_ plan: Plan, on batch: AugmentBatch, options: RunOptions) throws -> AugmentBatch {
        try checkSizes(plan)
        var current = batch
        for stage in plan.stages {
            switch stage {
            case .remap(let remap):
                current.images = try CPUWarp.remap(remap, input: current.images, options: options)
                if let masks = current.masks { current.masks = try CPUWarp.warpMasks(remap.asWarp, masks: masks) }
                try remap.moveTargets(&current)
            case .warp(let warp):
                current.images = try CPUWarp.warp(warp, input: current.images, options: options)
                if let masks = current.masks { current.masks = try CPUWarp.warpMasks(warp, masks: masks) }
                try warp.moveTargets(&current)
            case .mix(let planned):
                let mix = try CPUSaliency.resolve(planned, images: current.images)
                current.labels = try mix.mixedLabels(current.labels)
                current.images = try CPUMix.apply(mix, input: current.images, options: options)
            case .specMask(let mask):
                current.images = try CPUSpecAugment.mask(mask, input: current.images, options: options)
            case .timeWarp(let warp):
                current.images = try CPUSpecAugment.timeWarp(warp, input: current.images, options: options)
            case .color(let color):
                current.images = try CPUColor.run(color, input: current.images)
            case .gaussianBlur(let blur):
                current.images = try CPUBlur.gaussian(blur, input: current.images)
            case .sharpness(let sharpness):
                current.images = try CPUBlur.sharpness(sharpness, input: current.images)
            case .erase(let erase):
                current.images = try CPUErase.run(erase, input: current.images)
            case .noise(let noise):
                current.images = try CPUNoise.run(noise, input: current.images)
            case .signal(let signal):
                current.images = try CPUSignal.run(signal, input: current.images)
            case .dropout(let dropout):
                current.images = try CPUDropout.run(dropout, input: current.images)
            case .replicate(let replicate):
                try ReplicateStage.checkNoTargets(current)
                current.images = try CPUFanOut.replicate(replicate, input: current.images)
            case .weightedSum(let sum):
                current.images = try CPUFanOut.weightedSum(sum, input: current.images)
            }
        }
        return current
    }
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
