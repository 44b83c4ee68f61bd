import Foundation
import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// Issue #13: colour steps that need an image statistic (contrast, autocontrast, equalize) ride in
/// the warp's epilogue; `warp_color_stats` takes the statistic first in a compute-only pre-pass over
/// the warp's output pixels (sampled through `warp_sample_pixel`), so warp, colour, normalize and
/// the output conversion write the output once. Bit-exact against the CPU reference, on the
/// device's own choice (CPU devices split a general warp from its colour) and on the fused kernels
/// everywhere (AUGMENT_FUSED_WARP_COLOR=1: the GPU path, run by every OpenCL implementation here).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"), .serialized)
struct ColorStatisticsParityTests {
    /// Runs `body` on the device's own path, then with the fused kernels forced on CPU devices.
    /// (The environment is read per run; every path computes the same bits, so a concurrent test
    /// that reads it is unaffected.)
    func bothPaths(_ body: () throws -> Void) throws {
        try body()
        setenv("AUGMENT_FUSED_WARP_COLOR", "1", 1)
        defer { unsetenv("AUGMENT_FUSED_WARP_COLOR") }
        try body()
    }

    /// Statistics in any position of the program, behind integer crops and flips (remap), a resized
    /// crop (antialiased, separable tap tables) and a bilinear affine warp with a fill; the sweep
    /// covers batch 1, odd sizes, uint8 and float inputs and outputs. The general warps run both
    /// paths (a remap runs the pre-pass on every device).
    @Test func statisticsInTheWarpAreBitExact() throws {
        let jitter = try ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)
        try sweep(
            [
                ("flips jitter", try Pipeline([VerticalFlip(), RandomHorizontalFlip(), jitter])),
                (
                    "contrast last",
                    try Pipeline([HorizontalFlip(), AdjustHue(hueFactor: 0.2), AdjustContrast(contrastFactor: 1.6)])
                ),
                (
                    "autocontrast middle",
                    try Pipeline([
                        RandomHorizontalFlip(), AdjustBrightness(brightnessFactor: 1.2), Autocontrast(),
                        RandomInvert(p: 0.5),
                    ])
                ),
            ], channels: [1, 3], seed: 400)
        // Equalize is per channel: any channel count.
        try sweep(
            [
                (
                    "equalize first",
                    try Pipeline([VerticalFlip(), RandomEqualize(p: 0.6), RandomSolarize(threshold: 0.4, p: 0.5)])
                )
            ], channels: [1, 3, 4], seed: 500)
        try bothPaths {
            try sweep(
                [
                    (
                        "rrc flip jitter",
                        try Pipeline([
                            RandomResizedCrop(size: [5, 7], scale: [0.08, 1]), RandomHorizontalFlip(), jitter,
                        ])
                    )
                ], channels: [1, 3], seed: 600)
            // Behind an affine warp with a fill.
            try sweep(
                [
                    (
                        "affine equalize",
                        try Pipeline([
                            RandomAffine(degrees: [-30, 30], interpolation: .bilinear, fill: [0.3]),
                            RandomGamma(p: 0.5), Equalize(),
                        ])
                    )
                ], channels: [1, 3, 4], seed: 700)
        }
    }

    /// An elastic displacement in the group: the pre-pass samples through the same field.
    @Test func statisticsBehindElasticAreBitExact() throws {
        let pipeline = try Pipeline([
            ElasticTransform(alpha: [20], sigma: [3]), AdjustBrightness(brightnessFactor: 1.1),
            AdjustContrast(contrastFactor: 0.7),
        ])
        try bothPaths {
            for (count, channels) in [(1, 3), (3, 1), (2, 4)] {
                let input = try ImageBatch.random(
                    count: count, geometry: ImageGeometry(height: 17, width: 23, channels: channels),
                    pixelType: .uint8, layout: .nhwc, seed: UInt64(count))
                let plan = try pipeline.sample(for: input, seed: 3).plan(for: input)
                // Four channels: colour acts on the first three (RGBA), in a colour pass of its own.
                #expect(plan.stages.count == (channels == 4 ? 2 : 1), "\(plan.summary)")
                try expectBitExact(pipeline, on: input, seed: 3, "elastic contrast C=\(channels)")
            }
        }
    }

    /// The ImageNet chain with normalize plans as one pass and equals the CPU reference, with
    /// segmentation masks moved alongside.
    @Test func imagenetChainIsOnePassAndBitExact() throws {
        let pipeline = try Pipeline([
            RandomResizedCrop(size: [24, 28], scale: [0.08, 1]), RandomHorizontalFlip(),
            ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
        try bothPaths {
            for count in [1, 13, 40] {
                let input = try ImageBatch.random(
                    count: count, geometry: ImageGeometry(height: 33, width: 37, channels: 3),
                    pixelType: .uint8, layout: .nhwc, seed: UInt64(count))
                let plan = try pipeline.sample(for: input, seed: 9).plan(for: input)
                #expect(plan.stages.count == 1, "\(plan.summary)")
                try expectBitExact(pipeline, on: input, seed: 9, "imagenet \(count)")
            }
        }
    }

    /// A colour jitter with contrast on a uint8 batch rides in the uint8 -> float conversion pass:
    /// the statistics pre-pass and the remap, two launches for the whole batch.
    @Test func jitterWithContrastIsTwoLaunches() throws {
        let input = try ImageBatch.random(
            count: 32, geometry: ImageGeometry(height: 20, width: 24, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 3)
        let pipeline = try Pipeline([ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)])
        let plan = try pipeline.sample(count: 32, geometry: input.geometry, seed: 4).plan(for: input)
        #expect(plan.stages.map(\.family) == ["warp"])
        #expect(try Shared.backend().runProfiled(plan, on: input).timing.launches == 2)
    }
}
