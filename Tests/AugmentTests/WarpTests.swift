import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// The foundation's geometric ops (crop, center crop, flips and their random versions) and the
/// normalize epilogue, on the CPU reference, against independently written expectations.
@Suite struct WarpTests {
    /// A uint8 NHWC batch whose value encodes (sample, row, column, channel), so any misplaced read
    /// shows up.
    func indexImage(count: Int, height: Int, width: Int, channels: Int) throws -> ImageBatch {
        var values = [UInt8]()
        for n in 0..<count {
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<channels { values.append(UInt8((n * 61 + y * 17 + x * 5 + c * 101) % 256)) }
                }
            }
        }
        return try ImageBatch(uint8NHWC: values, count: count, height: height, width: width, channels: channels)
    }

    func runCPU(
        _ transforms: [any Transform], on images: ImageBatch, output: OutputFormat = .uint8NHWC,
        seed: UInt64 = 1
    ) throws -> ImageBatch {
        try CPUBackend().apply(Pipeline(transforms, output: output), to: images, seed: seed)
    }

    @Test func cropReadsTheBox() throws {
        let images = try indexImage(count: 2, height: 7, width: 9, channels: 3)
        let out = try runCPU([Crop(top: 2, left: 3, height: 4, width: 5)], on: images)
        #expect(out.geometry == ImageGeometry(height: 4, width: 5, channels: 3))
        for n in 0..<2 {
            for y in 0..<4 {
                for x in 0..<5 {
                    for c in 0..<3 {
                        #expect(
                            out.value(sample: n, channel: c, y: y, x: x)
                                == images.value(sample: n, channel: c, y: y + 2, x: x + 3))
                    }
                }
            }
        }
    }

    @Test func centerCropRoundsHalfToEvenLikeTorchvision() throws {
        // torchvision: top = int(round((H - h) / 2)); Python rounds 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
        #expect(
            try CenterCrop(height: 4, width: 4).origin(for: ImageGeometry(height: 5, width: 7, channels: 1)) == (0, 2))
        #expect(
            try CenterCrop(height: 2, width: 1).origin(for: ImageGeometry(height: 5, width: 6, channels: 1)) == (2, 2))
        #expect(
            try CenterCrop(height: 3, width: 3).origin(for: ImageGeometry(height: 6, width: 8, channels: 1)) == (2, 2))
        let images = try indexImage(count: 1, height: 6, width: 8, channels: 1)
        let out = try runCPU([CenterCrop(height: 3, width: 3)], on: images)
        #expect(out.value(sample: 0, channel: 0, y: 0, x: 0) == images.value(sample: 0, channel: 0, y: 2, x: 2))
    }

    @Test func flipsMirrorAndTwiceIsIdentity() throws {
        let images = try indexImage(count: 3, height: 5, width: 6, channels: 4)
        let h = try runCPU([HorizontalFlip()], on: images)
        let v = try runCPU([VerticalFlip()], on: images)
        for n in 0..<3 {
            for y in 0..<5 {
                for x in 0..<6 {
                    for c in 0..<4 {
                        #expect(
                            h.value(sample: n, channel: c, y: y, x: x)
                                == images.value(sample: n, channel: c, y: y, x: 5 - x))
                        #expect(
                            v.value(sample: n, channel: c, y: y, x: x)
                                == images.value(sample: n, channel: c, y: 4 - y, x: x))
                    }
                }
            }
        }
        #expect(try runCPU([HorizontalFlip(), HorizontalFlip()], on: images) == images)
        #expect(try runCPU([VerticalFlip(), HorizontalFlip(), VerticalFlip(), HorizontalFlip()], on: images) == images)
        #expect(try runCPU([], on: images) == images)
    }

    @Test func cropAfterFlipComposes() throws {
        // flip then crop == crop of the flipped image: output (y, x) of crop(1, 2) after hflip reads
        // column W-1-(x+2).
        let images = try indexImage(count: 1, height: 6, width: 10, channels: 2)
        let out = try runCPU(
            [HorizontalFlip(), Crop(top: 1, left: 2, height: 3, width: 4), VerticalFlip()], on: images)
        for y in 0..<3 {
            for x in 0..<4 {
                for c in 0..<2 {
                    #expect(
                        out.value(sample: 0, channel: c, y: y, x: x)
                            == images.value(sample: 0, channel: c, y: 1 + (2 - y), x: 9 - (x + 2)))
                }
            }
        }
    }

    @Test func randomFlipProbabilityEdgesAndRate() throws {
        let images = try indexImage(count: 64, height: 3, width: 4, channels: 1)
        #expect(try runCPU([RandomHorizontalFlip(p: 0)], on: images) == images)
        #expect(try runCPU([RandomHorizontalFlip(p: 1)], on: images) == runCPU([HorizontalFlip()], on: images))
        let sampled = try Pipeline([RandomHorizontalFlip(p: 0.25)]).sample(
            count: 4000, geometry: ImageGeometry(height: 3, width: 4, channels: 1), seed: 3)
        let flips = (sampled.ops[0].parameters as? [FlipParameters])?.filter(\.flipped).count ?? -1
        #expect(abs(flips - 1000) < 140)  // sd 27
    }

    @Test func randomCropCoversEveryOffsetPerSample() throws {
        let geometry = ImageGeometry(height: 6, width: 5, channels: 1)
        let sampled = try Pipeline([RandomCrop(height: 4, width: 3)]).sample(count: 2000, geometry: geometry, seed: 11)
        let origins = try #require(sampled.ops[0].parameters as? [CropOrigin])
        #expect(Set(origins.map(\.top)) == [0, 1, 2])
        #expect(Set(origins.map(\.left)) == [0, 1, 2])
        #expect(Set(origins.map { $0.top * 3 + $0.left }).count == 9)
    }

    @Test func samplingDoesNotDependOnBatchSplit() throws {
        let pipeline = try Pipeline([RandomCrop(height: 8, width: 8), RandomHorizontalFlip(), RandomVerticalFlip()])
        let geometry = ImageGeometry(height: 20, width: 30, channels: 3)
        let whole = try pipeline.sample(count: 10, geometry: geometry, seed: 5, epoch: 2, firstSampleIndex: 100)
        let head = try pipeline.sample(count: 4, geometry: geometry, seed: 5, epoch: 2, firstSampleIndex: 100)
        let tail = try pipeline.sample(count: 6, geometry: geometry, seed: 5, epoch: 2, firstSampleIndex: 104)
        let crops = { (s: SampledPipeline) in s.ops[0].parameters as? [CropOrigin] ?? [] }
        let flips = { (s: SampledPipeline, i: Int) in s.ops[i].parameters as? [FlipParameters] ?? [] }
        #expect(crops(whole) == crops(head) + crops(tail))
        #expect(flips(whole, 1) == flips(head, 1) + flips(tail, 1))
        #expect(flips(whole, 2) == flips(head, 2) + flips(tail, 2))
        let otherEpoch = try pipeline.sample(count: 10, geometry: geometry, seed: 5, epoch: 3, firstSampleIndex: 100)
        #expect(crops(otherEpoch) != crops(whole))
    }

    @Test func uint8ConversionMatchesTorchvisionAndRoundTrips() throws {
        // Every uint8 value: to float is v * (1/255) (torchvision's to_dtype(float32, scale=True)),
        // and float -> uint8 (x * 255.999, truncated) gives the value back.
        let values = (0..<256).map { UInt8($0) }
        let images = try ImageBatch(uint8NHWC: values, count: 1, height: 1, width: 256, channels: 1)
        let floats = try #require(try runCPU([], on: images, output: .float32NCHW).float32Values)
        for (i, f) in floats.enumerated() { #expect(f == Float(i) * (1 / Float(255))) }
        #expect(try runCPU([], on: images, output: .uint8NHWC) == images)
        let back = try CPUBackend().apply(
            Pipeline([], output: .uint8NHWC),
            to: ImageBatch(
                float32NCHW: floats + [-0.5, 1.5, .nan], count: 1, channels: 1,
                height: 1, width: 259), seed: 0)
        #expect(back.uint8Values == values + [0, 255, 0])
    }

    @Test func normalizeMatchesTheFormula() throws {
        let images = try indexImage(count: 2, height: 3, width: 4, channels: 3)
        let mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225]
        let out = try runCPU([Normalize(mean: mean, std: std)], on: images, output: .float32NCHW)
        #expect(out.layout == .nchw)
        for n in 0..<2 {
            for y in 0..<3 {
                for x in 0..<4 {
                    for c in 0..<3 {
                        let v = Double(images.value(sample: n, channel: c, y: y, x: x)) / 255
                        let expected = (v - mean[c]) / std[c]
                        #expect(abs(Double(out.value(sample: n, channel: c, y: y, x: x)) - expected) < 1e-6)
                    }
                }
            }
        }
        // One mean/std value applies to every channel; two normalizes compose.
        let one = try runCPU([Normalize(mean: [0.5], std: [0.25])], on: images, output: .float32NCHW)
        let twice = try runCPU(
            [Normalize(mean: [0.5], std: [0.5]), Normalize(mean: [0], std: [0.5])], on: images,
            output: .float32NCHW)
        #expect(Parity.compare(one, twice, tolerance: 1e-6).passed)
    }

    @Test func badArgumentsThrowNamingOpAndArgument() throws {
        #expect(
            throws: AugmentError.invalidArgument(
                op: "random_horizontal_flip", argument: "p", value: "1.5",
                allowed: "a number in [0, 1]")
        ) {
            try RandomHorizontalFlip(p: 1.5)
        }
        #expect(throws: AugmentError.self) { try RandomVerticalFlip(p: -0.1) }
        #expect(throws: AugmentError.self) { try RandomVerticalFlip(p: .nan) }
        #expect(throws: AugmentError.self) { try Normalize(mean: [0.5, 0.5], std: [0.5]) }
        #expect(throws: AugmentError.self) { try Normalize(mean: [], std: []) }
        #expect(
            throws: AugmentError.invalidArgument(
                op: "normalize", argument: "std[1]", value: "0.0",
                allowed: "a finite non-zero number whose 1/std and mean/std fit in float32")
        ) {
            try Normalize(mean: [0.5, 0.5], std: [0.5, 0])
        }
        #expect(throws: AugmentError.self) { try Normalize(mean: [0.5], std: [1e-40]) }
        #expect(throws: AugmentError.self) { try Normalize(mean: [.nan], std: [1]) }
        #expect(throws: AugmentError.self) { try Crop(top: -1, left: 0, height: 2, width: 2) }
        #expect(throws: AugmentError.self) { try RandomCrop(height: 0, width: 3) }
    }

    @Test func incompatibleInputsThrow() throws {
        let images = try indexImage(count: 2, height: 5, width: 6, channels: 3)
        #expect(throws: AugmentError.incompatible("random_crop: crop size 6x6 is larger than the 5x6 image")) {
            try runCPU([RandomCrop(height: 6, width: 6)], on: images)
        }
        #expect(throws: AugmentError.self) { try runCPU([CenterCrop(height: 5, width: 7)], on: images) }
        #expect(throws: AugmentError.self) { try runCPU([Crop(top: 1, left: 1, height: 5, width: 2)], on: images) }
        #expect(throws: AugmentError.self) {
            try runCPU([Normalize(mean: [0.5, 0.5], std: [0.2, 0.2])], on: images, output: .float32NCHW)
        }
        #expect(throws: AugmentError.self) {
            try runCPU([Normalize(mean: [0.5], std: [0.2])], on: images, output: .uint8NHWC)
        }
        #expect(throws: AugmentError.self) {
            try Pipeline([]).sample(count: 0, geometry: images.geometry, seed: 1)
        }
    }

    @Test func replayedParametersAreCheckedAgainstTheBatch() throws {
        let images = try indexImage(count: 2, height: 5, width: 6, channels: 1)
        let crop = try RandomCrop(height: 3, width: 3)
        let pipeline = try Pipeline([crop], output: .uint8NHWC)
        let good = SampledPipeline(
            pipeline: pipeline, count: 2, inputGeometry: images.geometry,
            ops: [SampledOp(crop, parameters: [CropOrigin(top: 2, left: 3), CropOrigin(top: 0, left: 0)])])
        let out = try CPUBackend().run(good.plan(for: images), on: images)
        #expect(out.value(sample: 0, channel: 0, y: 0, x: 0) == images.value(sample: 0, channel: 0, y: 2, x: 3))
        let outside = SampledPipeline(
            pipeline: pipeline, count: 2, inputGeometry: images.geometry,
            ops: [SampledOp(crop, parameters: [CropOrigin(top: 3, left: 0), CropOrigin(top: 0, left: 0)])])
        #expect(throws: AugmentError.self) { try outside.plan(for: images) }
        let short = SampledPipeline(
            pipeline: pipeline, count: 2, inputGeometry: images.geometry,
            ops: [SampledOp(crop, parameters: [CropOrigin(top: 0, left: 0)])])
        #expect(throws: AugmentError.self) { try short.plan(for: images) }
        let wrongType = SampledPipeline(
            pipeline: pipeline, count: 2, inputGeometry: images.geometry,
            ops: [SampledOp(try RandomHorizontalFlip(), parameters: [FlipParameters(flipped: true)])])
        #expect(throws: AugmentError.self) { try wrongType.plan(for: images) }
        let other = try indexImage(count: 3, height: 5, width: 6, channels: 1)
        #expect(throws: AugmentError.self) { try good.plan(for: other) }
    }

    @Test func specsDecodeFromJSONWithValidation() throws {
        let decoder = JSONDecoder()
        let crop = try decoder.decode(RandomCrop.self, from: Data(#"{"height": 3, "width": 4}"#.utf8))
        #expect(crop.height == 3 && crop.width == 4)
        let flip = try decoder.decode(RandomHorizontalFlip.self, from: Data("{}".utf8))
        #expect(flip.p == 0.5)
        #expect(throws: AugmentError.self) {
            try decoder.decode(RandomHorizontalFlip.self, from: Data(#"{"p": 2}"#.utf8))
        }
        #expect(throws: AugmentError.self) {
            try decoder.decode(Normalize.self, from: Data(#"{"mean": [0.5], "std": [0]}"#.utf8))
        }
        let encoded = try JSONEncoder().encode(try Normalize(mean: [0.5], std: [0.25]))
        #expect(try decoder.decode(Normalize.self, from: encoded).std == [0.25])
    }
}

/// The plan builder's public entry points throw on mismatched counts instead of trapping.
@Suite struct PlanBuilderTests {
    @Test func mismatchedCountsThrow() throws {
        var builder = PlanBuilder(
            count: 3, geometry: ImageGeometry(height: 4, width: 4, channels: 3),
            inputPixelType: .uint8, inputLayout: .nhwc)
        #expect(throws: AugmentError.self) { try builder.flipHorizontally([true]) }
        #expect(throws: AugmentError.self) { try builder.flipVertically([true, false, true, false]) }
        #expect(throws: AugmentError.self) { try builder.crop(top: [0], left: [0], height: 2, width: 2, op: "test") }
        #expect(throws: AugmentError.self) { try builder.affine(ChannelAffine(mean: [0, 0], std: [1, 1])) }
        try builder.flipHorizontally([true, false, true])
        try builder.affine(ChannelAffine(mean: [0.5], std: [0.5]))
    }
}
