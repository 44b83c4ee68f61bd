import Testing
@testable import Augment
import _AugmentScaffolding

/// Colour steps without image statistics ride in the warp kernel's epilogue (issue: fewest passes).
@Suite struct ColorFusionTests {
    let geometry = ImageGeometry(height: 37, width: 45, channels: 3)

    func images() throws -> ImageBatch {
        try ImageBatch.random(count: 6, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 21)
    }

    func families(_ transforms: [any Transform]) throws -> [String] {
        let input = try images()
        return try Pipeline(transforms).sample(for: input, seed: 2).plan(for: input).stages.map(\.family)
    }

    @Test func aCropFlipJitterNormalizeChainIsOnePassAndEqualsTheOpsOneByOne() throws {
        let input = try images()
        let ops: [any Transform] = [
            try RandomResizedCrop(size: [24, 28], scale: [0.3, 1]), try RandomHorizontalFlip(p: 0.5),
            try ColorJitter(brightness: 0.4, saturation: 0.4, hue: 0.1),
            try Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ]
        let pipeline = try Pipeline(ops)
        let sampled = try pipeline.sample(for: input, seed: 9)
        let plan = try sampled.plan(for: input)
        #expect(plan.stages.count == 1, "\(plan.summary)")
        #expect(plan.summary[0].contains("+ colour (brightness, hue, saturation)"))
        let fused = try CPUBackend().run(plan, on: input)

        // The same parameters, op by op: the warp ops to float32, then jitter + normalize on that.
        let first = SampledPipeline(
            pipeline: try Pipeline(Array(ops[0..<2])), inputGeometries: sampled.inputGeometries,
            ragged: false, ops: Array(sampled.ops[0..<2]))
        let middle = try CPUBackend().run(first.plan(for: input), on: input)
        let second = SampledPipeline(
            pipeline: try Pipeline(Array(ops[2..<4])), count: input.count,
            inputGeometry: middle.geometry, ops: Array(sampled.ops[2..<4]))
        let secondPlan = try second.plan(for: middle)
        #expect(secondPlan.stages.count == 1)
        let stepwise = try CPUBackend().run(secondPlan, on: middle)
        #expect(fused == stepwise, "fusion changes no rounding")
    }

    @Test func whatCannotRideInTheWarpGetsItsOwnPass() throws {
        // A statistic (contrast's mean) rides too: a pre-pass takes it over the warp's output pixels.
        #expect(try families([RandomCrop(height: 30, width: 30), ColorJitter(contrast: 0.4)]) == ["warp"])
        // But no geometric op joins after it (the statistic is over the image the colour op saw).
        #expect(try families([ColorJitter(contrast: 0.4), CenterCrop(height: 20, width: 20)]) == ["warp", "warp"])
        #expect(
            try families([
                ColorJitter(contrast: 0.4), AdjustBrightness(brightnessFactor: 1.3), Normalize(mean: [0.5], std: [0.5]),
            ]) == ["warp"])
        // Two statistic steps in one sample: the second takes a colour pass of its own.
        #expect(try families([HorizontalFlip(), Autocontrast(), Equalize()]) == ["warp", "color"])
        // Colour commutes with crops and flips, so it stays in the pass.
        #expect(
            try families([AdjustBrightness(brightnessFactor: 1.3), HorizontalFlip(), CenterCrop(height: 20, width: 20)])
                == ["warp"])
        // Not with resampling: the colour pass comes first, then the rotation.
        #expect(try families([AdjustBrightness(brightnessFactor: 1.3), Rotate(angleDegrees: 10)]) == ["warp", "warp"])
        // Normalize first, colour after: the kernel runs colour before the affine, so two passes.
        #expect(try families([Normalize(mean: [0.5], std: [0.5]), Invert()]) == ["warp", "color"])
        // Grayscale to one channel changes the channel count: a colour pass of its own.
        #expect(
            try families([RandomCrop(height: 30, width: 30), RGBToGrayscale(numOutputChannels: 1)]) == [
                "warp", "color",
            ])
    }

    /// Issue #13: the ImageNet pipeline writes its output once; bytes moved within 1.5x of the
    /// compulsory bytes (the statistics pre-pass reads the input a second time).
    @Test func imagenetIsOneOutputWritingPass() throws {
        let pipeline = try Pipeline([
            RandomResizedCrop(size: [224, 224], scale: [0.08, 1]), RandomHorizontalFlip(),
            ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
        let plan = try pipeline.sample(count: 4, geometry: ImageGeometry(height: 256, width: 256, channels: 3), seed: 1)
            .plan(inputPixelType: .uint8, inputLayout: .nhwc)
        #expect(plan.stages.count == 1, "\(plan.summary)")
        #expect(plan.summary[0].contains("statistics pre-pass"))
        let moved = plan.stages.reduce(0) { $0 + $1.bytesReadPerSample + $1.bytesWrittenPerSample }
        let compulsory = 256 * 256 * 3 + 224 * 224 * 3 * 4
        #expect(Double(moved) <= 1.5 * Double(compulsory))
        #expect(moved == 2 * 256 * 256 * 3 + 224 * 224 * 3 * 4)
    }

    @Test func fusedAndSeparateColourGiveTheSameValues() throws {
        let input = try images()
        // Brightness + rotate (two passes) equals the same ops where colour cannot fuse.
        for transforms: [any Transform] in [
            [try AdjustBrightness(brightnessFactor: 1.3), HorizontalFlip(), try AdjustHue(hueFactor: 0.2)],
            [
                try RandomAffine(degrees: [-20, 20], interpolation: .bilinear, fill: [0.3]),
                try AdjustSaturation(saturationFactor: 0.2),
                try Posterize(bits: 3), try Solarize(threshold: 0.6),
            ],
        ] {
            let out = try CPUBackend().apply(Pipeline(transforms), to: input, seed: 5)
            // Reference: one op at a time through float32 batches, each op sampled with its own key.
            var current = input
            for (index, transform) in transforms.enumerated() {
                let single = try Pipeline([transform])
                var sampled = try single.sample(for: current, seed: 5)
                // Re-key: the op draws as op `index` of the full pipeline.
                let full = try Pipeline(transforms).sample(for: input, seed: 5)
                sampled = SampledPipeline(
                    pipeline: single, inputGeometries: sampled.inputGeometries, ragged: false,
                    ops: [full.ops[index]])
                current = try CPUBackend().run(sampled.plan(for: current), on: current)
            }
            #expect(Parity.compare(out, current, tolerance: 1e-6).passed)
        }
    }
}
