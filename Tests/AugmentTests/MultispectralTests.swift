import Foundation
import Testing
@testable import Augment

/// Images with 4 or more channels (RGB + near infrared ..., RGBA): colour ops act on the first three
/// channels or on those `channels` / `color_channels` selects, every other channel bit-identical;
/// per-channel normalize for any channel count.
@Suite struct MultispectralTests {
    /// A 5-band float32 NCHW batch: the RGB part alone, and the bands.
    func bands(_ channels: Int, count: Int = 2, seed: UInt64 = 3) throws -> ImageBatch {
        try ImageBatch.random(
            count: count, geometry: ImageGeometry(height: 6, width: 7, channels: channels),
            pixelType: .float32, layout: .nchw, seed: seed)
    }

    /// Channel `c` of sample `n` (NCHW float32).
    func plane(_ batch: ImageBatch, _ n: Int, _ c: Int) -> [Float] {
        let g = batch.geometry, p = g.height * g.width
        return Array(batch.float32Values![((n * g.channels + c) * p)..<((n * g.channels + c + 1) * p)])
    }

    /// The channels `picked` of `batch`, as a batch of their own.
    func pick(_ batch: ImageBatch, _ picked: [Int]) throws -> ImageBatch {
        let g = batch.geometry
        let values = (0..<batch.count).flatMap { n in picked.flatMap { plane(batch, n, $0) } }
        return try ImageBatch(
            float32NCHW: values, count: batch.count, channels: picked.count, height: g.height, width: g.width)
    }

    @Test func colourOpsActOnTheFirstThreeBandsByDefault() throws {
        let input = try bands(5)
        let ops: [any Transform] = [
            try ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.2),
            Autocontrast(), Equalize(), Invert(), try RGBToGrayscale(numOutputChannels: 3),
        ]
        for op in ops {
            let out = try CPUBackend().apply(Pipeline([op]), to: input, seed: 9)
            #expect(out.geometry == input.geometry)
            // Bands 3 and 4 are untouched, bit for bit.
            for n in 0..<2 {
                for c in [3, 4] { #expect(plane(out, n, c) == plane(input, n, c), "\(op.opName) changed band \(c)") }
            }
            // Bands 0-2 are what the op does to an RGB image (same draws: sampling ignores the bands).
            let rgb = try CPUBackend().apply(Pipeline([op]), to: pick(input, [0, 1, 2]), seed: 9)
            #expect(try pick(out, [0, 1, 2]) == rgb, "\(op.opName)")
        }
    }

    @Test func channelsArgumentSelectsTheBandsAndLeavesTheRestBitIdentical() throws {
        let input = try bands(6)
        let file =
            #"{"ops": [{"op": "adjust_brightness", "brightness_factor": 1.4, "channels": [4, 1, 5]}, {"op": "invert", "channels": [2]}]}"#
        let pipeline = try PipelineFile.parse(Data(file.utf8)).pipeline
        #expect(pipeline.transforms.first is ColorChannels)
        let out = try CPUBackend().apply(pipeline, to: input, seed: 2)
        for n in 0..<2 {
            for c in [0, 3] { #expect(plane(out, n, c) == plane(input, n, c)) }
            for c in [4, 1, 5] {
                #expect(plane(out, n, c) == plane(input, n, c).map { min(max($0 * Float(1.4), 0), 1) })
            }
            #expect(plane(out, n, 2) == plane(input, n, 2).map { 1 - $0 })
        }
        // The same on a 3-channel image: channels [0] of RGB.
        let rgb = try bands(3)
        let one = try CPUBackend().apply(Pipeline([ColorChannels([Invert()], channels: [0])]), to: rgb, seed: 1)
        #expect(plane(one, 1, 0) == plane(rgb, 1, 0).map { 1 - $0 })
        #expect(plane(one, 1, 2) == plane(rgb, 1, 2))
    }

    @Test func selectionsAreCheckedWithClearErrors() throws {
        let input = try bands(5)
        #expect(throws: AugmentError.self) { try ColorChannels([Invert()], channels: [0, 0]) }
        #expect(throws: AugmentError.self) { try ColorChannels([HorizontalFlip()], channels: [0]) }
        // A channel the image does not have.
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(Pipeline([ColorChannels([Invert()], channels: [7])]), to: input, seed: 1)
        }
        // Mixing ops need 1 or 3 selected channels.
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(
                Pipeline([ColorChannels([AdjustSaturation(saturationFactor: 2)], channels: [0, 1])]), to: input, seed: 1
            )
        }
        // rgb_to_grayscale cannot drop bands of a multispectral image.
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(Pipeline([RGBToGrayscale(numOutputChannels: 1)]), to: input, seed: 1)
        }
        // Depth pipelines refuse colour ops with channels too.
        #expect(throws: AugmentError.self) {
            try PipelineFile.parse(Data(#"{"input": "depth", "ops": [{"op": "invert", "channels": [0]}]}"#.utf8))
        }
    }

    @Test func perChannelNormalizeTakesAnyChannelCount() throws {
        for channels in [4, 6] {
            let input = try bands(channels)
            let mean = (0..<channels).map { 0.1 * Double($0) }, std = (0..<channels).map { 0.5 + 0.25 * Double($0) }
            let out = try CPUBackend().apply(Pipeline([Normalize(mean: mean, std: std)]), to: input, seed: 1)
            for c in 0..<channels {
                let scale = Float(1 / std[c]), bias = Float(-mean[c] / std[c])
                let expected = plane(input, 1, c).map { bias.addingProduct($0, scale) }
                #expect(plane(out, 1, c) == expected, "channel \(c) of \(channels)")
            }
        }
    }
}
