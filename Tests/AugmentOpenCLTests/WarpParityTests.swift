import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// CPU vs OpenCL parity for every registered transform (Kernels/warp.cl vs CPU/Warp.swift), on
/// fresh random inputs over a sweep of shapes and formats.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct WarpParityTests {
    static let shapes: [(count: Int, geometry: ImageGeometry)] = [
        (1, ImageGeometry(height: 1, width: 1, channels: 1)),
        (1, ImageGeometry(height: 33, width: 47, channels: 3)),
        (5, ImageGeometry(height: 13, width: 7, channels: 1)),
        (3, ImageGeometry(height: 20, width: 67, channels: 4)),
        (2, ImageGeometry(height: 9, width: 11, channels: 16)),
    ]

    static let formats: [(PixelType, ImageLayout, OutputFormat)] = [
        (.uint8, .nhwc, .float32NCHW),
        (.float32, .nchw, .float32NCHW),
        (.uint8, .nhwc, .uint8NHWC),
        (.float32, .nchw, .uint8NHWC),
        (.float32, .nhwc, OutputFormat(pixelType: .float32, layout: .nhwc)),
        (.uint8, .nchw, OutputFormat(pixelType: .uint8, layout: .nchw)),
        (.uint8, .nhwc, .float16NCHW),
    ]

    @Test(arguments: TransformCatalog.entries.map(\.name))
    func everyRegisteredTransformMatchesTheCPUReference(_ name: String) throws {
        let entry = try #require(TransformCatalog.entry(named: name))
        var seed: UInt64 = 0xC0FFEE
        for shape in Self.shapes {
            for (pixelType, layout, output) in Self.formats {
                seed &+= 1
                var random = RandomStream(RandomKey(seed: seed, sampleIndex: 0, opIndex: 7))
                let geometry = entry.inputGeometry(for: shape.geometry)  // signals: C x (H·W)
                var pipeline = try entry.makePipeline(geometry, &random)
                pipeline.output = output
                if output.pixelType == .uint8, pipeline.transforms.contains(where: { $0 is Normalize }) { continue }
                if !entry.pixelTypes.contains(pixelType) { continue }
                if !entry.supports(geometry) { continue }
                let input = try entry.makeBatch(
                    count: shape.count, geometry: geometry, pixelType: pixelType,
                    layout: layout, seed: seed)
                try expectParity(pipeline, on: input, seed: seed, name)
            }
        }
    }

    @Test func largerBatchWithEveryOpChained() throws {
        let input = try ImageBatch.random(
            count: 17, geometry: ImageGeometry(height: 61, width: 83, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 99)
        let pipeline = try Pipeline([
            RandomCrop(height: 50, width: 71), RandomHorizontalFlip(p: 0.5), VerticalFlip(),
            CenterCrop(height: 45, width: 64), RandomVerticalFlip(p: 0.3), Crop(top: 1, left: 2, height: 40, width: 60),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
        try expectParity(pipeline, on: input, seed: 5)
        let plan = try pipeline.sample(count: 17, geometry: input.geometry, seed: 5).plan(for: input)
        #expect(plan.stages.count == 1, "the whole chain fuses into one pass")
        let (_, timing) = try Shared.backend().runProfiled(plan, on: input)
        // One pass; the integer remap launches the samples of each column direction separately.
        #expect(timing.launches == 2)
    }

    @Test func outputIsIndependentOfBatchSplit() throws {
        let geometry = ImageGeometry(height: 24, width: 30, channels: 3)
        let input = try ImageBatch.random(count: 6, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 4)
        let pipeline = try Pipeline([RandomCrop(height: 16, width: 16), RandomHorizontalFlip(), RandomVerticalFlip()])
        let backend = try Shared.backend()
        let whole = try backend.apply(pipeline, to: input, seed: 77, firstSampleIndex: 10)
        let values = try #require(input.uint8Values)
        let per = geometry.elementCount
        let head = try ImageBatch(uint8NHWC: Array(values[0..<(2 * per)]), count: 2, height: 24, width: 30, channels: 3)
        let tail = try ImageBatch(uint8NHWC: Array(values[(2 * per)...]), count: 4, height: 24, width: 30, channels: 3)
        let a = try backend.apply(pipeline, to: head, seed: 77, firstSampleIndex: 10)
        let b = try CPUBackend().apply(pipeline, to: tail, seed: 77, firstSampleIndex: 12)
        #expect((a.float32Values ?? []) + (b.float32Values ?? []) == whole.float32Values)
    }

    /// The harness must catch a kernel that skips pixels: a warp.cl that leaves column 0 unwritten
    /// fails parity because the poison survives.
    @Test func poisonExposesAKernelThatSkipsPixels() throws {
        let library = KernelLibrary.embedded
        let broken = try library.source(family: "warp")
            .replacingOccurrences(
                of: "        STORE(d, c * d_step, v);", with: "        if (x != 0) STORE(d, c * d_step, v);")
        let tampered = KernelLibrary(files: ["common.cl": "", "warp.cl": broken])
        let backend = try OpenCLBackend(device: Shared.backend().device, kernels: tampered)
        let input = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 5, width: 6, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        let (result, _, _) = try Parity.check(
            try Pipeline([HorizontalFlip()]), on: input, seed: 1,
            reference: CPUBackend(), candidate: backend)
        #expect(!result.passed)
        #expect(result.nonFiniteMismatches == 2 * 5 * 3)
    }
}
