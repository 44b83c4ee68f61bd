import Foundation
import Testing
@testable import Augment

/// float16 outputs on the CPU reference: the final pass rounds its float32 result to the nearest
/// half, ties to even; nothing else changes.
@Suite struct HalfPrecisionTests {
    let cpu = CPUBackend()

    func pipelines() throws -> [[any Transform]] {
        [
            [],
            [
                try RandomCrop(height: 9, width: 7), try RandomHorizontalFlip(),
                try Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
            ],
            [
                try RandomAffine(
                    degrees: [30], translate: [0.1, 0.1], scale: [0.8, 1.2], interpolation: .bilinear, fill: [0.3])
            ],
            [try RandomPerspective(distortionScale: 0.4, p: 1), try Resize(size: [8, 6])],
            [
                try ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
                try GaussianBlur(kernelSize: [3], sigma: [0.5, 1]),
            ],
        ]
    }

    @Test func float16OutputIsTheFloat32OutputRoundedToNearestEven() throws {
        let input = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 12, width: 11, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 5)
        for (index, transforms) in try pipelines().enumerated() {
            for layout in ImageLayout.allCases {
                let single = try cpu.apply(
                    Pipeline(transforms, output: OutputFormat(pixelType: .float32, layout: layout)),
                    to: input, seed: 9)
                let half = try cpu.apply(
                    Pipeline(transforms, output: OutputFormat(pixelType: .float16, layout: layout)),
                    to: input, seed: 9)
                #expect(half.pixelType == .float16 && half.layout == layout && half.geometry == single.geometry)
                let expected = try #require(single.float32Values).map { Float16($0).bitPattern }
                #expect(try #require(half.float16Values).map(\.bitPattern) == expected, "pipeline \(index) \(layout)")
            }
        }
    }

    @Test func roundingTiesToEvenOverflowAndSubnormals() throws {
        let inputs: [Float] = [
            1 + 0x1p-11, 1 + 3 * 0x1p-11, 65519, 65520, 0x1p-25, 3 * 0x1p-26, -0.0, .nan, 1.0 / 3, -2.5,
        ]
        let expected: [UInt16] = [0x3C00, 0x3C02, 0x7BFF, 0x7C00, 0x0000, 0x0001, 0x8000, 0x7E00, 0x3555, 0xC100]
        let images = try ImageBatch(float32NCHW: inputs, count: 1, channels: 1, height: 1, width: inputs.count)
        let out = try cpu.apply(Pipeline([], output: .float16NCHW), to: images, seed: 0)
        let bits = try #require(out.float16Values).map(\.bitPattern)
        #expect(Array(bits.prefix(7)) == Array(expected.prefix(7)))
        #expect(Float16(bitPattern: bits[7]).isNaN)
        #expect(Array(bits.suffix(2)) == Array(expected.suffix(2)))
    }

    @Test func planCountsTwoBytesPerOutputElement() throws {
        let input = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 8, width: 8, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        for output in [OutputFormat.float16NCHW, OutputFormat(pixelType: .float16, layout: .nhwc)] {
            let pipeline = try Pipeline(
                [RandomCrop(height: 6, width: 5), Normalize(mean: [0.5], std: [0.25])], output: output)
            let plan = try pipeline.sample(for: input, seed: 3).plan(for: input)
            #expect(plan.stages.count == 1)
            #expect(plan.stages[0].bytesWrittenPerSample == 6 * 5 * 3 * 2)
            #expect(plan.bytesMovedPerSample == 8 * 8 * 3 + 6 * 5 * 3 * 2)
        }
    }

    @Test func float16InputsAreRejected() throws {
        let half = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 4, width: 4, channels: 3),
            pixelType: .float16, layout: .nchw, seed: 1)
        #expect(half.pixelType == .float16)
        let pipeline = try Pipeline([HorizontalFlip()])
        do {
            _ = try cpu.apply(pipeline, to: half, seed: 1)
            Issue.record("a float16 input must be rejected")
        } catch let error as AugmentError {
            #expect(error.description.contains("float16 images are an output format only"))
        }
        // A plan made for float32 does not run on float16 either.
        let single = try ImageBatch.random(
            count: 2, geometry: half.geometry, pixelType: .float32, layout: .nchw, seed: 1)
        let plan = try pipeline.sample(for: single, seed: 1).plan(for: single)
        #expect(throws: AugmentError.self) { try cpu.run(plan, on: half) }
    }

    @Test func pipelineFilesSelectFloat16() throws {
        let file = try PipelineFile.parse(
            Data(#"{"output": {"dtype": "float16", "layout": "nhwc"}, "ops": [{"op": "hflip"}]}"#.utf8),
            name: "half.json")
        #expect(file.pipeline.output == OutputFormat(pixelType: .float16, layout: .nhwc))
        #expect(PixelType.float16.byteCount == 2)
    }
}
