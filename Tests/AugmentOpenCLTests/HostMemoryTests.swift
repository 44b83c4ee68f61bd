import Foundation
import Testing
import Augment
import AugmentOpenCL
import AugmentTestSupport

/// Runs that use the caller's arrays in place (`CL_MEM_USE_HOST_PTR`, ``HostMemoryUse``) give the
/// bytes of runs that copy, on every implementation, for every output type, the last-stage shapes
/// that write their result through an intermediate (a two-pass blur, a warp split on CPU devices)
/// and ragged input.
/// Serialized: each case makes two backends of its own, and Oclgrind 21.10 mixes up runs of
/// several contexts on several threads at once.
@Suite(.serialized, .enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct HostMemoryTests {
    static let pipelines: [(String, String)] = [
        ("imagenet", BuiltinPipelines.entry(named: "imagenet")!.trainJSON),
        ("affine", BuiltinPipelines.entry(named: "affine")!.trainJSON),
        ("blur", BuiltinPipelines.entry(named: "blur")!.trainJSON),
        ("two-pass blur", #"{"ops": [{"op": "gaussian_blur", "kernel_size": [41, 41], "sigma": [3, 9]}]}"#),
        (
            "uint8 NHWC",
            #"{"output": {"dtype": "uint8", "layout": "nhwc"}, "ops": [{"op": "random_rotation", "degrees": [-20, 20]}, {"op": "color_jitter", "brightness": 0.4, "hue": 0.1}]}"#
        ),
        (
            "float16",
            #"{"output": {"dtype": "float16", "layout": "nchw"}, "ops": [{"op": "random_resized_crop", "size": [24, 24]}, {"op": "normalize", "mean": [0.5], "std": [0.25]}]}"#
        ),
        (
            "colour last",
            #"{"ops": [{"op": "center_crop", "size": [20, 20]}, {"op": "color_jitter", "contrast": 0.5, "saturation": 0.5}, {"op": "random_erasing", "p": 1.0}]}"#
        ),
    ]

    @Test(arguments: pipelines.map(\.0))
    func inPlaceRunsGiveTheBytesOfCopyingRuns(_ name: String) throws {
        let json = Self.pipelines.first { $0.0 == name }!.1
        let pipeline = try PipelineFile.parse(Data(json.utf8), name: name).pipeline
        let device = try Shared.backend().device
        let always = try OpenCLBackend(device: device, hostMemory: .always)
        let never = try OpenCLBackend(device: device, hostMemory: .never)
        for (count, geometry) in [
            (1, ImageGeometry(height: 33, width: 47, channels: 3)), (5, .init(height: 64, width: 61, channels: 3)),
        ] {
            let input = try ImageBatch.random(
                count: count, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 77)
            let plan = try pipeline.sample(for: input, seed: 9).plan(for: input)
            let options = RunOptions(poisonOutputs: true)
            let (inPlace, inPlaceTiming) = try always.runProfiled(plan, on: input, options: options)
            let (copied, copiedTiming) = try never.runProfiled(plan, on: input, options: options)
            #expect(inPlace == copied, "\(name) \(count) x \(geometry)")
            #expect(
                inPlace == (try CPUBackend().run(plan, on: input)) || plan.output.pixelType == .float32,
                "\(name): integer outputs equal the CPU twin's")
            #expect(!copiedTiming.inputInPlace && !copiedTiming.outputInPlace)
            // Every one of these plans ends in a stage that writes a new batch of the plan's format.
            // Devices with memory of their own (and Oclgrind, which says it has) always copy.
            let shared = device.hostUnifiedMemory
            #expect(inPlaceTiming.inputInPlace == shared && inPlaceTiming.outputInPlace == shared, "\(name)")
            // The input array is read, never written.
            #expect(
                input
                    == (try ImageBatch.random(
                        count: count, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 77)))
        }
    }

    /// `runProfiled(_:on:options:writingImagesTo:)` (the Python package's path for a fresh result)
    /// writes the bytes `runProfiled` returns, in place or read into the memory, and refuses
    /// memory of another size before running.
    @Test func writesIntoCallerMemory() throws {
        let device = try Shared.backend().device
        let input = try ImageBatch.random(
            count: 3, geometry: .init(height: 41, width: 37, channels: 3), pixelType: .uint8, layout: .nhwc, seed: 5)
        let pipeline = try PipelineFile.parse(
            Data(BuiltinPipelines.entry(named: "imagenet")!.trainJSON.utf8), name: "imagenet"
        ).pipeline
        let plan = try pipeline.sample(for: input, seed: 8).plan(for: input)
        for use in HostMemoryUse.allCases {
            let backend = try OpenCLBackend(device: device, hostMemory: use)
            let expected = try backend.runProfiled(plan, on: input).output
            var memory = [Float](repeating: .nan, count: plan.count * plan.outputGeometry.elementCount)
            let (targets, timing) = try memory.withUnsafeMutableBytes {
                try backend.runProfiled(plan, on: AugmentBatch(images: input), writingImagesTo: $0)
            }
            #expect(expected.float32Values == memory, "\(use)")
            switch use {
            case .never: #expect(!timing.outputInPlace && !timing.inputInPlace)
            case .always: #expect(timing.outputInPlace == device.hostUnifiedMemory)
            case .automatic: break  // off PoCL it depends on the memory's alignment (automaticFollowsTheDevice)
            }
            #expect(targets.images == input)
            var short = [Float](repeating: 0, count: 5)
            #expect(throws: AugmentError.self) {
                try short.withUnsafeMutableBytes {
                    _ = try backend.runProfiled(plan, on: AugmentBatch(images: input), writingImagesTo: $0)
                }
            }
            #expect(short == [0, 0, 0, 0, 0])
        }
    }

    /// Ragged input (one array of samples of different sizes) is read in place too.
    @Test func raggedInput() throws {
        let device = try Shared.backend().device
        let always = try OpenCLBackend(device: device, hostMemory: .always)
        let never = try OpenCLBackend(device: device, hostMemory: .never)
        let geometries = [ImageGeometry(height: 31, width: 45, channels: 3), .init(height: 20, width: 70, channels: 3)]
        var random = RandomStream(RandomKey(seed: 4, sampleIndex: 0, opIndex: 1))
        let total = geometries.reduce(0) { $0 + $1.elementCount }
        let ragged = try ImageBatch(
            ragged: .uint8((0..<total).map { _ in UInt8(random.integer(in: 0...255)) }), geometries: geometries,
            layout: .nhwc)
        let plan = try Pipeline([RandomResizedCrop(size: [16, 20]), RandomHorizontalFlip()]).sample(
            for: ragged, seed: 3
        )
        .plan(for: ragged)
        let (inPlace, timing) = try always.runProfiled(plan, on: ragged)
        #expect(inPlace == (try never.runProfiled(plan, on: ragged)).output)
        #expect(timing.inputInPlace == device.hostUnifiedMemory && timing.outputInPlace == device.hostUnifiedMemory)
    }

    /// The automatic choice: never on a device with memory of its own; on a device that shares the
    /// host's memory, in place where the implementation uses the memory without a copy.
    @Test func automaticFollowsTheDevice() throws {
        let backend = try OpenCLBackend(device: Shared.backend().device, hostMemory: .automatic)
        let input = try ImageBatch.random(
            count: 2, geometry: .init(height: 40, width: 40, channels: 3), pixelType: .uint8, layout: .nhwc, seed: 1)
        let plan = try Pipeline([GaussianBlur(kernelSize: [5], sigma: [1, 2])]).sample(for: input, seed: 2).plan(
            for: input)
        let timing = try backend.runProfiled(plan, on: input).timing
        let device = backend.device
        guard case .uint8(let values) = input.pixels else { return }
        let aligned = values.withUnsafeBytes {
            Int(bitPattern: $0.baseAddress!) % device.baseAddressAlignmentBytes == 0
        }
        if !device.hostUnifiedMemory {
            #expect(!timing.inputInPlace && !timing.outputInPlace)
        } else {
            #expect(timing.inputInPlace == (aligned || device.platform.isPoCL))
            if device.platform.isPoCL { #expect(timing.outputInPlace) }
        }
    }
}
