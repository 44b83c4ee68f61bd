import Foundation
import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for colour ops on some channels (Kernels/color.cl with CHANNEL_MAP vs
/// CPU/Color.swift): 4 to 6 channel images, the default first three and explicit selections,
/// statistics ops included; bit-identical, and the unselected bands bit-identical to the input.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct MultispectralParityTests {
    @Test func colourOpsOnSomeChannelsAreBitExact() throws {
        try sweep(
            [
                ("jitter", try Pipeline([ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.3)])),
                ("autocontrast + equalize", try Pipeline([Autocontrast(), Equalize()])),
                ("grayscale 3", try Pipeline([RGBToGrayscale(numOutputChannels: 3)])),
                ("rand_augment", try Pipeline([RandAugment()])),
                (
                    "bands [3, 0, 2] contrast",
                    try Pipeline([ColorChannels([AdjustContrast(contrastFactor: 0.3), Invert()], channels: [3, 0, 2])])
                ),
                ("band [1] equalize", try Pipeline([ColorChannels([Equalize(), Posterize(bits: 3)], channels: [1])])),
            ], channels: [4, 5, 6], seed: 1700)
    }

    @Test func unselectedBandsStayBitIdenticalOnTheDevice() throws {
        let input = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 11, width: 13, channels: 5),
            pixelType: .float32, layout: .nchw, seed: 77)
        let pipeline = try Pipeline([
            ColorJitter(brightness: 0.6, contrast: 0.6, saturation: 0.6, hue: 0.4), Autocontrast(),
        ])
        let out = try Shared.backend().apply(pipeline, to: input, seed: 5)
        let plane = 11 * 13
        let before = try #require(input.float32Values), after = try #require(out.float32Values)
        for n in 0..<3 {
            for c in [3, 4] {
                let range = ((n * 5 + c) * plane)..<((n * 5 + c + 1) * plane)
                #expect(Array(after[range]).map(\.bitPattern) == Array(before[range]).map(\.bitPattern))
            }
        }
    }
}

/// CPU vs OpenCL for uint16 inputs (warp.cl's SRC_U16 / DST_U16 vs CPU/Warp.swift) through geometric
/// ops, noise and dropout: uint16 outputs exact, float32 outputs bit-identical.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct DepthParityTests {
    @Test func uint16DepthPipelinesAgree() throws {
        let pipelines: [[any Transform]] = [
            [try RandomHorizontalFlip(p: 0.5), try CenterCrop(height: 5, width: 6)],
            [try RandomRotation(degrees: [-40, 40], interpolation: .nearest)],
            [
                try RandomRotation(degrees: [-40, 40], interpolation: .bilinear),
                try GaussianNoise(sigma: 25, clip: false),
            ],
            [
                try Resize(size: [9, 17], interpolation: .bilinear),
                try RandomDropout(mode: .patches, numPatches: [0, 3], patchSize: [1, 6]),
            ],
            [try RandomDropout(mode: .pixels, p: 0.3, value: 0), try GaussianNoise(mean: 2, sigma: 40, clip: false)],
        ]
        var seed: UInt64 = 2100
        for ops in pipelines {
            for output in [OutputFormat.uint16NHWC, .float32NCHW, OutputFormat(pixelType: .uint16, layout: .nchw)] {
                for (count, channels) in [(1, 1), (3, 1), (2, 3), (2, 4)] {
                    seed &+= 1
                    let input = try ImageBatch.random(
                        count: count, geometry: ImageGeometry(height: 7, width: 9, channels: channels),
                        pixelType: .uint16, layout: .nhwc, seed: seed)
                    try expectBitExact(
                        try Pipeline(ops, output: output), on: input, seed: seed,
                        "\(ops.map(\.opName)) C=\(channels)")
                }
            }
        }
    }
}
