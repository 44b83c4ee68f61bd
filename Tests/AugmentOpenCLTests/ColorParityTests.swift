import Foundation
import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// Runs `pipeline` on both backends (outputs poisoned) through the parity harness, as
/// `expectParity`, and also requires float32 outputs to be bit-identical: the colour, blur, erase
/// and noise kernels use only correctly rounded operations, so nothing but a bug can make them differ.
func expectBitExact(
    _ pipeline: Pipeline, on input: ImageBatch, seed: UInt64, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let (result, reference, candidate) = try Parity.check(
        pipeline, on: input, seed: seed, reference: CPUBackend(),
        candidate: Shared.backend())
    #expect(
        result.passed, "\(label) \(input.shapeDescription) -> \(pipeline.output): \(result)",
        sourceLocation: sourceLocation)
    if case .float32(let values) = reference.pixels {
        #expect(
            !values.contains { $0.isNaN }, "\(label): CPU output still holds poison", sourceLocation: sourceLocation)
    }
    #expect(
        reference == candidate, "\(label) \(input.shapeDescription): outputs are not bit-identical",
        sourceLocation: sourceLocation)
}

/// Shapes for the sweeps: batch 1, odd sizes, many samples, a larger image (several pixels per
/// reduction work-item).
let colorShapes: [(count: Int, height: Int, width: Int)] = [(1, 1, 1), (1, 13, 7), (5, 9, 31), (2, 40, 45)]

/// Input -> output formats for the sweeps.
let colorFormats: [(PixelType, ImageLayout, OutputFormat)] = [
    (.uint8, .nhwc, .float32NCHW), (.float32, .nchw, .float32NCHW), (.uint8, .nhwc, .uint8NHWC),
    (.float32, .nchw, .uint8NHWC),
]

/// Every pipeline on fresh random batches of each channel count, over ``colorShapes`` and
/// ``colorFormats``, bit-exact against the CPU reference (the sweep of the per-pixel families).
func sweep(_ pipelines: [(String, Pipeline)], channels: [Int], seed start: UInt64) throws {
    var seed = start
    for (label, pipeline) in pipelines {
        for c in channels {
            for shape in colorShapes {
                for (pixelType, layout, output) in colorFormats {
                    seed &+= 1
                    var p = pipeline
                    p.output = output
                    let input = try ImageBatch.random(
                        count: shape.count,
                        geometry: ImageGeometry(height: shape.height, width: shape.width, channels: c),
                        pixelType: pixelType, layout: layout, seed: seed)
                    try expectBitExact(p, on: input, seed: seed, "\(label) C=\(c)")
                }
            }
        }
    }
}

/// CPU vs OpenCL for the colour family (Kernels/color.cl vs CPU/Color.swift).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ColorParityTests {
    @Test func rgbAndGrayOpsAreBitExact() throws {
        try sweep(
            [
                ("brightness", try Pipeline([AdjustBrightness(brightnessFactor: 1.35)])),
                ("contrast", try Pipeline([AdjustContrast(contrastFactor: 0.45)])),
                ("saturation", try Pipeline([AdjustSaturation(saturationFactor: 1.7)])),
                ("hue", try Pipeline([AdjustHue(hueFactor: -0.37)])),
                ("grayscale 1", try Pipeline([RGBToGrayscale(numOutputChannels: 1)])),
                ("grayscale 3", try Pipeline([RGBToGrayscale(numOutputChannels: 3)])),
                ("autocontrast", try Pipeline([Autocontrast()])),
                ("jitter", try Pipeline([ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.5)])),
                ("random grayscale", try Pipeline([RandomGrayscale(p: 0.5)])),
            ], channels: [1, 3], seed: 100)
    }

    @Test func perChannelOpsAreBitExactForAnyChannelCount() throws {
        try sweep(
            [
                ("gamma", try Pipeline([AdjustGamma(gamma: 0.45, gain: 1.1)])),
                ("posterize", try Pipeline([Posterize(bits: 3)])),
                ("solarize", try Pipeline([Solarize(threshold: 0.4)])),
                ("invert", try Pipeline([Invert()])),
                ("equalize", try Pipeline([Equalize()])),
                (
                    "random mix",
                    try Pipeline([
                        RandomGamma(p: 0.5), RandomPosterize(bits: 5), RandomSolarize(threshold: 0.3),
                        RandomEqualize(), RandomInvert(),
                    ])
                ),
            ], channels: [1, 3, 4, 16], seed: 200)
    }

    /// A statistic after earlier steps, per-sample orders, two statistic stages, and the channel
    /// changes, on a larger batch.
    @Test func fusedProgramsWithStatisticsAreBitExact() throws {
        let input = try ImageBatch.random(
            count: 11, geometry: ImageGeometry(height: 57, width: 63, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 77)
        let pipeline = try Pipeline([
            ColorJitter(brightness: 0.6, contrast: 0.6, saturation: 0.6, hue: 0.4, p: 0.9),
            RandomGamma(gamma: ValueRange(0.5, 2)), RandomSolarize(threshold: 0.7),
            RandomAutocontrast(), RandomEqualize(), RGBToGrayscale(numOutputChannels: 1),
        ])
        for output in [OutputFormat.float32NCHW, .uint8NHWC] {
            var p = pipeline
            p.output = output
            try expectBitExact(p, on: input, seed: 5)
        }
        let replicate = try Pipeline([RGBToGrayscale(numOutputChannels: 3), AdjustContrast(contrastFactor: 1.5)])
        try expectBitExact(
            replicate,
            on: ImageBatch.random(
                count: 3, geometry: ImageGeometry(height: 8, width: 9, channels: 1),
                pixelType: .float32, layout: .nchw, seed: 8), seed: 2)
    }

    /// A colour jitter with a per-sample random order is one statistics launch (for contrast) plus
    /// one remap launch for the whole batch; without contrast, one launch.
    @Test func colorJitterIsOneLaunchPerBatch() throws {
        let input = try ImageBatch.random(
            count: 32, geometry: ImageGeometry(height: 20, width: 24, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 3)
        let backend = try Shared.backend()
        let withContrast = try Pipeline([
            ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
            RandomGrayscale(p: 0.2),
        ])
        let sampled = try withContrast.sample(count: 32, geometry: input.geometry, seed: 4)
        let orders = Set(try #require(sampled.ops[0].parameters as? [ColorJitterParameters]).map(\.order))
        #expect(orders.count > 10)
        let (_, timing) = try backend.runProfiled(sampled.plan(for: input), on: input)
        // The uint8 -> float remap with the colour programs, after warp_color_stats (issue #13).
        #expect(timing.launches == 2)
        let withoutContrast = try Pipeline([ColorJitter(brightness: 0.4, saturation: 0.4, hue: 0.1)])
        let plan = try withoutContrast.sample(count: 32, geometry: input.geometry, seed: 4).plan(for: input)
        // Without a statistic the jitter rides in the uint8 -> float conversion pass: one launch.
        #expect(plan.stages.map(\.family) == ["warp"])
        #expect(try backend.runProfiled(plan, on: input).timing.launches == 1)
    }

    /// The harness catches a colour kernel that skips pixels (poison survives) and one whose math
    /// differs by a rounding (OpenCL's own pow instead of the portable one).
    @Test func tamperedColorKernelsAreCaught() throws {
        let library = KernelLibrary.embedded
        let common = try library.source(family: "random")
        let color = try library.source(family: "color")  // common.cl's include guard makes the repeat harmless
        let warp = try library.source(family: "warp")
        let input = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 5, width: 6, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 1)
        let device = try Shared.backend().device
        let skipping = KernelLibrary(files: [
            "common.cl": common, "warp.cl": warp,
            "color.cl": color.replacingOccurrences(
                of: "        d[c * plane] = out;", with: "        if (x != 0) d[c * plane] = out;"),
        ])
        // Contrast needs a statistic, so it runs in color_apply (not in a warp epilogue).
        let (skipped, _, _) = try Parity.check(
            try Pipeline([AdjustContrast(contrastFactor: 0.5)]), on: input, seed: 1, reference: CPUBackend(),
            candidate: OpenCLBackend(device: device, kernels: skipping))
        #expect(!skipped.passed)
        #expect(skipped.nonFiniteMismatches == 2 * 5 * 3)
        // The colour math lives in common.cl (first in every family's source, so its include guard
        // makes the tampered copy the one that counts).
        let nativePow = KernelLibrary(files: [
            "common.cl": common.replacingOccurrences(
                of: "float x = pm_pow(v[c], a);", with: "float x = pow(v[c], a);"), "warp.cl": warp, "color.cl": color,
        ])
        let big = try ImageBatch.random(
            count: 4, geometry: ImageGeometry(height: 40, width: 50, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 2)
        let plan = try Pipeline([AdjustGamma(gamma: 2.2)]).sample(count: 4, geometry: big.geometry, seed: 1).plan(
            for: big)
        let reference = try CPUBackend().run(plan, on: big)
        let tampered = try OpenCLBackend(device: device, kernels: nativePow).run(plan, on: big)
        #expect(reference != tampered, "OpenCL's pow is not bit-identical to the portable pow")
        #expect(Parity.compare(reference, tampered).passed, "but it is within the float tolerance")
    }

    /// The portable math of common.cl gives the same bits as PortableMath.swift, over the whole
    /// float range including subnormals, and the device noise stream equals NoiseKey.normal.
    @Test func portableMathIsBitIdenticalOnTheDevice() throws {
        let probe = """
            __kernel void probe(__global const float* x, __global const float* g, __global float* out,
                                uint2 key, uint4 base) {
                const size_t i = get_global_id(0);
                out[7 * i + 0] = x[i] > 0.0f && isfinite(x[i]) ? pm_log(x[i]) : 0.0f;
                out[7 * i + 1] = x[i] > 0.0f && isfinite(x[i]) ? pm_log2(x[i]) : 0.0f;
                out[7 * i + 2] = pm_exp2(g[i] * 100.0f - 60.0f);
                out[7 * i + 3] = pm_pow(x[i], g[i] * 4.0f);
                const float2 sc = pm_sincos_2pi(g[i]);
                out[7 * i + 4] = sc.x;
                out[7 * i + 5] = sc.y;
                out[7 * i + 6] = noise_normal(key, base, i);
            }
            """
        let device = try Shared.backend().device
        let common = try KernelLibrary.embedded.source(family: "random")
        let library = KernelLibrary(files: ["common.cl": common, "probe.cl": probe])
        let context = try CLContext(device: device)
        let program = try context.program(
            source: library.source(family: "probe"),
            options: "-cl-fp32-correctly-rounded-divide-sqrt")
        var random = RandomStream(RandomKey(seed: 31, sampleIndex: 0, opIndex: 0))
        var xs: [Float] = [
            0, 1, 0.5, 2, Float.leastNonzeroMagnitude, 0x1p-130, 1e-30, 3e38, .infinity, -2, -0.5, 0.70710677,
        ]
        var gs: [Float] = [0, 0.25, 0.5, 0.75, 0.125, 1, 0.999, 0.3, 0.6, 0.5, 0.5, 0.9]
        while xs.count < 65536 {
            let exponent = Float(random.uniform(-140, 128))
            xs.append(Float(random.uniform()) * Float(Foundation.exp2(Double(exponent))))
            gs.append(Float(random.uniform()))
        }
        let n = xs.count
        let xBuffer = try CLBuffer(context: context, byteCount: n * 4)
        let gBuffer = try CLBuffer(context: context, byteCount: n * 4)
        let out = try CLBuffer(context: context, byteCount: n * 7 * 4)
        try xBuffer.upload(xs, on: context)
        try gBuffer.upload(gs, on: context)
        let noise = NoiseKey(RandomKey(seed: 8, epoch: 1, sampleIndex: 123_456_789_012, opIndex: 5))
        let kernel = try program.kernel("probe")
        try kernel.setArgument(0, xBuffer)
        try kernel.setArgument(1, gBuffer)
        try kernel.setArgument(2, out)
        try kernel.setArgument(3, value: SIMD2<UInt32>(noise.key0, noise.key1))
        try kernel.setArgument(4, value: SIMD4<UInt32>(noise.base0, noise.base1, noise.base2, 0))
        try kernel.enqueue(on: context, global: [n]).wait()
        let values = try out.download(Float.self, count: n * 7, on: context).values
        var mismatches: [String] = []
        for i in 0..<n {
            let x = xs[i], g = gs[i]
            let positive = x > 0 && x.isFinite
            let expected: [Float] = [
                positive ? PortableMath.log(x) : 0, positive ? PortableMath.log2(x) : 0,
                PortableMath.exp2(g * 100 - 60), PortableMath.pow(x, g * 4),
                PortableMath.sinCos2Pi(g).sin, PortableMath.sinCos2Pi(g).cos, noise.normal(i),
            ]
            for k in 0..<7
            where values[7 * i + k].bitPattern != expected[k].bitPattern
                && !(values[7 * i + k].isNaN && expected[k].isNaN)
            {
                mismatches.append("i=\(i) x=\(x) g=\(g) k=\(k): device \(values[7 * i + k]) cpu \(expected[k])")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
    }
}
