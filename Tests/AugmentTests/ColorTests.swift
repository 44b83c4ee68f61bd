import Foundation
import Testing
@testable import Augment

/// Colour ops on the CPU reference: properties, channel rules, sampling, fusion and errors. Agreement
/// with torchvision is in ColorFixtureTests, agreement with OpenCL in ColorParityTests.
@Suite struct ColorTests {
    static let rgb = ImageGeometry(height: 9, width: 11, channels: 3)

    func floats(count: Int = 3, _ geometry: ImageGeometry = rgb, seed: UInt64 = 1) throws -> ImageBatch {
        try ImageBatch.random(count: count, geometry: geometry, pixelType: .float32, layout: .nchw, seed: seed)
    }

    func run(
        _ transforms: [any Transform], _ images: ImageBatch, seed: UInt64 = 3,
        output: OutputFormat = .float32NCHW
    ) throws -> ImageBatch {
        try CPUBackend().apply(Pipeline(transforms, output: output), to: images, seed: seed)
    }

    func plan(_ transforms: [any Transform], _ images: ImageBatch, seed: UInt64 = 3) throws -> Plan {
        try Pipeline(transforms).sample(count: images.count, geometry: images.geometry, seed: seed).plan(for: images)
    }

    func maxDifference(_ a: ImageBatch, _ b: ImageBatch) -> Float {
        zip(a.float32Values ?? [], b.float32Values ?? []).map { abs($0 - $1) }.max() ?? .infinity
    }

    // MARK: Identities

    @Test func neutralFactorsGiveTheInputBackExactly() throws {
        let images = try floats()
        for transform: any Transform in [
            try AdjustBrightness(brightnessFactor: 1), try AdjustContrast(contrastFactor: 1),
            try AdjustSaturation(saturationFactor: 1), try AdjustGamma(gamma: 1), try AdjustGamma(gamma: 1, gain: 1),
            try ColorJitter(brightness: 0, contrast: 0, saturation: 0, hue: 0),
            // threshold 1 inverts only pixels equal to 1; random inputs lie in [0, 1).
            try Solarize(threshold: 1), try RandomInvert(p: 0), try RandomGrayscale(p: 0),
        ] {
            #expect(try run([transform], images) == images, "\(transform.opName)")
        }
        #expect(try run([Invert(), Invert()], images) == images)
    }

    @Test func hueZeroRoundTripsWithinFloatRounding() throws {
        let images = try floats()
        let out = try run([AdjustHue(hueFactor: 0)], images)
        #expect(maxDifference(out, images) < 1e-6)
        // A full turn either way is the same colour.
        let half = try run([AdjustHue(hueFactor: 0.5)], images)
        let minusHalf = try run([AdjustHue(hueFactor: -0.5)], images)
        #expect(maxDifference(half, minusHalf) < 1e-6)
    }

    @Test func gammaSpecialExponentsAreExactLikeTorch() throws {
        let images = try floats()
        let values = try #require(images.float32Values)
        let squared = try #require(try run([AdjustGamma(gamma: 2)], images).float32Values)
        #expect(squared == values.map { $0 * $0 })
        let root = try #require(try run([AdjustGamma(gamma: 0.5)], images).float32Values)
        #expect(root == values.map { $0.squareRoot() })
        let general = try #require(try run([AdjustGamma(gamma: 2.2, gain: 0.9)], images).float32Values)
        for (x, y) in zip(values, general) {
            #expect(abs(Double(y) - min(1, max(0, 0.9 * Foundation.pow(Double(x), 2.2)))) < 3e-7)
        }
    }

    // MARK: Semantics

    @Test func brightnessContrastSaturationFollowTheBlendFormulas() throws {
        let images = try floats(count: 2)
        let b = try run([AdjustBrightness(brightnessFactor: 1.6)], images)
        let c = try run([AdjustContrast(contrastFactor: 0.3)], images)
        let s = try run([AdjustSaturation(saturationFactor: 2.5)], images)
        let g = Self.rgb
        for n in 0..<2 {
            var grays: [Double] = []
            for y in 0..<g.height {
                for x in 0..<g.width {
                    let r = Double(images.value(sample: n, channel: 0, y: y, x: x))
                    let gg = Double(images.value(sample: n, channel: 1, y: y, x: x))
                    let bb = Double(images.value(sample: n, channel: 2, y: y, x: x))
                    grays.append(0.2989 * r + 0.587 * gg + 0.114 * bb)
                }
            }
            let mean = grays.reduce(0, +) / Double(grays.count)
            for y in 0..<g.height {
                for x in 0..<g.width {
                    for ch in 0..<3 {
                        let v = Double(images.value(sample: n, channel: ch, y: y, x: x))
                        let gray = grays[y * g.width + x]
                        let clamp = { (t: Double) in min(1, max(0, t)) }
                        #expect(abs(Double(b.value(sample: n, channel: ch, y: y, x: x)) - clamp(1.6 * v)) < 1e-6)
                        #expect(
                            abs(Double(c.value(sample: n, channel: ch, y: y, x: x)) - clamp(0.3 * v + 0.7 * mean))
                                < 1e-6)
                        #expect(
                            abs(Double(s.value(sample: n, channel: ch, y: y, x: x)) - clamp(2.5 * v - 1.5 * gray))
                                < 1e-6)
                    }
                }
            }
        }
    }

    @Test func grayscaleHasEqualChannelsAndTheLumaWeights() throws {
        let images = try floats()
        let three = try run([RGBToGrayscale(numOutputChannels: 3)], images)
        let one = try run([RGBToGrayscale(numOutputChannels: 1)], images)
        #expect(one.geometry.channels == 1 && three.geometry.channels == 3)
        for n in 0..<3 {
            for y in 0..<Self.rgb.height {
                for x in 0..<Self.rgb.width {
                    let l = three.value(sample: n, channel: 0, y: y, x: x)
                    #expect(three.value(sample: n, channel: 1, y: y, x: x) == l)
                    #expect(three.value(sample: n, channel: 2, y: y, x: x) == l)
                    #expect(one.value(sample: n, channel: 0, y: y, x: x) == l)
                    let expected =
                        0.2989 * Double(images.value(sample: n, channel: 0, y: y, x: x))
                        + 0.587 * Double(images.value(sample: n, channel: 1, y: y, x: x))
                        + 0.114 * Double(images.value(sample: n, channel: 2, y: y, x: x))
                    #expect(abs(Double(l) - expected) < 2e-7)
                }
            }
        }
        // A 1-channel image is copied or replicated.
        let single = try floats(ImageGeometry(height: 4, width: 5, channels: 1))
        #expect(try run([RGBToGrayscale(numOutputChannels: 1)], single) == single)
        let replicated = try run([RGBToGrayscale(numOutputChannels: 3)], single)
        #expect(replicated.geometry.channels == 3)
        #expect(replicated.value(sample: 1, channel: 2, y: 3, x: 4) == single.value(sample: 1, channel: 0, y: 3, x: 4))
        // random_grayscale keeps the channel count.
        #expect(try run([RandomGrayscale(p: 1)], images) == three)
    }

    @Test func oneChannelImagesFollowTorchvision() throws {
        let single = try floats(ImageGeometry(height: 6, width: 7, channels: 1))
        #expect(try run([AdjustSaturation(saturationFactor: 0.2)], single) == single)
        #expect(try run([AdjustHue(hueFactor: 0.3)], single) == single)
        // Contrast blends with the mean of the channel itself.
        let values = try #require(single.float32Values)
        let out = try #require(try run([AdjustContrast(contrastFactor: 0.5)], single).float32Values)
        for n in 0..<3 {
            let plane = Array(values[(n * 42)..<((n + 1) * 42)])
            let mean = plane.map(Double.init).reduce(0, +) / 42
            for i in 0..<42 { #expect(abs(Double(out[n * 42 + i]) - (0.5 * Double(plane[i]) + 0.5 * mean)) < 1e-6) }
        }
    }

    @Test func channelRulesNameTheOp() throws {
        let two = try floats(ImageGeometry(height: 4, width: 4, channels: 2))
        for transform: any Transform in [
            try AdjustBrightness(brightnessFactor: 2), try AdjustHue(hueFactor: 0.1),
            try ColorJitter(brightness: 0.2), Autocontrast(), try RandomGrayscale(),
            try RGBToGrayscale(),
        ] {
            #expect(
                throws: AugmentError.incompatible(
                    "\(transform.opName): needs an image with 1 or 3 channels (as torchvision), or 4 or more (it then acts on the first three, or on those its \"channels\" argument names); the image has 2"
                )
            ) {
                try run([transform], two)
            }
        }
        #expect(
            throws: AugmentError.incompatible(
                "adjust_sharpness: needs an image with 1 or 3 channels (as torchvision), or 4 or more (every channel is sharpened); the image has 2"
            )
        ) {
            try run([try AdjustSharpness(sharpnessFactor: 2)], two)
        }
        // 4 or more channels (RGB + NIR ...): colour ops act on the first three (MultispectralTests).
        let four = try floats(ImageGeometry(height: 4, width: 4, channels: 4))
        for transform: any Transform in [
            try AdjustBrightness(brightnessFactor: 2), try AdjustHue(hueFactor: 0.1),
            try ColorJitter(brightness: 0.2), Autocontrast(), try RandomGrayscale(),
            try AdjustSharpness(sharpnessFactor: 2), try RGBToGrayscale(numOutputChannels: 3),
        ] {
            #expect(try run([transform], four).geometry == four.geometry)
        }
        #expect(throws: AugmentError.self) { try run([try RGBToGrayscale(numOutputChannels: 1)], four) }
        // Per-channel ops take any channel count (RGB + NIR).
        let inverted = try run(
            [
                Invert(), Posterize(bits: 3), Solarize(threshold: 0.4), AdjustGamma(gamma: 1.7),
                Equalize(),
            ], four)
        #expect(inverted.geometry == four.geometry)
    }

    @Test func posterizeSolarizeInvertFormulas() throws {
        let images = try floats()
        let values = try #require(images.float32Values)
        let p = try #require(try run([Posterize(bits: 3)], images).float32Values)
        #expect(p == values.map { min(max(($0 * 8).rounded(.down), 0), 7) * 0.125 })
        #expect(Set(p).count <= 8)
        let s = try #require(try run([Solarize(threshold: 0.6)], images).float32Values)
        #expect(s == values.map { $0 >= 0.6 ? 1 - $0 : $0 })
        #expect(try #require(try run([Posterize(bits: 0)], images).float32Values).allSatisfy { $0 == 0 })
    }

    @Test func autocontrastStretchesEachChannelToTheUnitRange() throws {
        // Values squeezed into [0.3, 0.5]: every channel of every sample must span [0, 1] after.
        let raw = try #require(try floats().float32Values).map { 0.3 + 0.2 * $0 }
        let images = try ImageBatch(float32NCHW: raw, count: 3, channels: 3, height: 9, width: 11)
        let out = try #require(try run([Autocontrast()], images).float32Values)
        for plane in 0..<9 {
            let values = out[(plane * 99)..<((plane + 1) * 99)]
            #expect(values.min() == 0 && values.max() == 1)
        }
        // A flat channel is left unchanged.
        let flat = try ImageBatch(
            float32NCHW: [Float](repeating: 0.4, count: 99 * 3), count: 1, channels: 3, height: 9, width: 11)
        #expect(try run([Autocontrast()], flat) == flat)
    }

    /// How far a channel's 8-bin histogram over [0, 1] is from flat: the total variation distance
    /// between its bin frequencies and 1/8 each (0 = flat, near 1 = one bin).
    func distanceFromFlat(_ values: ArraySlice<Float>) -> Double {
        var bins = [Int](repeating: 0, count: 8)
        for v in values { bins[min(7, max(0, Int(v * 8)))] += 1 }
        return bins.map { abs(Double($0) / Double(values.count) - 0.125) }.reduce(0, +) / 2
    }

    @Test func equalizeMakesTheHistogramFlatter() throws {
        // Low-contrast input concentrated in [0.4, 0.6].
        let geometry = ImageGeometry(height: 32, width: 40, channels: 3)
        let raw = try #require(try floats(count: 2, geometry).float32Values).map { 0.4 + 0.2 * $0 }
        let images = try ImageBatch(float32NCHW: raw, count: 2, channels: 3, height: 32, width: 40)
        let out = try #require(try run([Equalize()], images).float32Values)
        let plane = 32 * 40
        for p in 0..<6 {
            let before = distanceFromFlat(raw[(p * plane)..<((p + 1) * plane)])
            let after = distanceFromFlat(out[(p * plane)..<((p + 1) * plane)])
            // Measured: 0.75 -> about 0.16 (discrete levels keep it from 0).
            #expect(before > 0.7 && after < 0.25, "plane \(p): \(before) -> \(after)")
            #expect(Set(out[(p * plane)..<((p + 1) * plane)]).count > 40)
        }
        // The output is on the uint8 grid, and a flat image is only quantized.
        #expect(out.allSatisfy { v in Float(UInt8.fromUnitValue(v)) * (1 / Float(255)) == v })
        let flat = try ImageBatch(
            float32NCHW: [Float](repeating: 0.3, count: 30), count: 1, channels: 1, height: 5, width: 6)
        #expect(
            try #require(try run([Equalize()], flat).float32Values).allSatisfy { $0 == Float(76) * (1 / Float(255)) })
    }

    @Test func equalizationTableMatchesPIL() {
        // PIL: step = (total - count of the last occupied bin) / 255; lut[k] = (cum[k-1] + step/2) / step.
        var histogram = [Int](repeating: 0, count: 256)
        histogram[10] = 300
        histogram[20] = 500
        histogram[200] = 200
        let lut = CPUColor.equalizationTable(histogram, total: 1000)
        let step = 800 / 255
        #expect(lut[10] == 0)
        #expect(Int(lut[20]) == min((300 + step / 2) / step, 255))
        #expect(lut[200] == 255)
        // step 0 (one occupied bin): identity.
        histogram = [Int](repeating: 0, count: 256)
        histogram[7] = 50
        #expect(CPUColor.equalizationTable(histogram, total: 50) == (0..<256).map { UInt8($0) })
    }

    // MARK: Sampling

    @Test func colorJitterDrawsOrderAndFactorsPerSample() throws {
        let jitter = try ColorJitter(brightness: 0.4, contrast: 0.3, saturation: 0.2, hue: 0.1)
        #expect(jitter.brightness == ValueRange(0.6, 1.4) && jitter.hue == ValueRange(-0.1, 0.1))
        let sampled = try Pipeline([jitter]).sample(count: 6000, geometry: Self.rgb, seed: 9)
        let parameters = try #require(sampled.ops[0].parameters as? [ColorJitterParameters])
        var orders: [[Int]: Int] = [:]
        for p in parameters {
            #expect(p.applied)
            orders[p.order, default: 0] += 1
            #expect((0.6..<1.4).contains(try #require(p.brightness)))
            #expect((0.7..<1.3).contains(try #require(p.contrast)))
            #expect((0.8..<1.2).contains(try #require(p.saturation)))
            #expect((-0.1..<0.1).contains(try #require(p.hue)))
        }
        #expect(orders.count == 24)
        #expect(orders.values.allSatisfy { abs($0 - 250) < 70 })  // sd 15
        let mean = parameters.compactMap(\.brightness).reduce(0, +) / 6000
        #expect(abs(mean - 1) < 0.01)
        // Amounts below 1 clip the lower end at 0, explicit ranges are kept, zero means off.
        #expect(try ColorJitter(contrast: 1.5).contrast == ValueRange(0, 2.5))
        #expect(try ColorJitter(saturationRange: ValueRange(0.5, 0.5)).saturation == ValueRange(0.5, 0.5))
        #expect(try ColorJitter(brightness: 0, hue: 0).brightness == nil)
    }

    @Test func colorJitterAppliesTheSampledOrder() throws {
        let images = try floats(count: 2)
        let jitter = try ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.3)
        let params = [
            ColorJitterParameters(
                applied: true, order: [3, 1, 0, 2], brightness: 1.2, contrast: 0.7, saturation: 1.3, hue: 0.1),
            ColorJitterParameters(
                applied: true, order: [0, 2, 1, 3], brightness: 0.8, contrast: 1.4, saturation: 0.5, hue: -0.2),
        ]
        let pipeline = try Pipeline([jitter])
        let sampled = SampledPipeline(
            pipeline: pipeline, count: 2, inputGeometry: Self.rgb,
            ops: [SampledOp(jitter, parameters: params)])
        let plan = try sampled.plan(for: images)
        #expect(plan.stages.filter { $0.family == "color" }.count == 1, "one colour stage for every order")
        let out = try CPUBackend().run(plan, on: images)
        // The same as the four functional ops in each sample's order.
        let values = try #require(images.float32Values)
        let per = Self.rgb.elementCount
        let first = try ImageBatch(float32NCHW: Array(values[0..<per]), count: 1, channels: 3, height: 9, width: 11)
        let second = try ImageBatch(float32NCHW: Array(values[per...]), count: 1, channels: 3, height: 9, width: 11)
        let a = try run(
            [
                AdjustHue(hueFactor: 0.1), AdjustContrast(contrastFactor: 0.7),
                AdjustBrightness(brightnessFactor: 1.2), AdjustSaturation(saturationFactor: 1.3),
            ], first)
        let b = try run(
            [
                AdjustBrightness(brightnessFactor: 0.8), AdjustSaturation(saturationFactor: 0.5),
                AdjustContrast(contrastFactor: 1.4), AdjustHue(hueFactor: -0.2),
            ], second)
        #expect((out.float32Values ?? []) == (a.float32Values ?? []) + (b.float32Values ?? []))
    }

    @Test func probabilitiesApplyPerSample() throws {
        let geometry = ImageGeometry(height: 2, width: 2, channels: 3)
        for transform: any Transform in [
            try RandomGrayscale(p: 0.3), try RandomInvert(p: 0.3), try RandomEqualize(p: 0.3),
            try RandomPosterize(bits: 2, p: 0.3), try RandomSolarize(threshold: 0.5, p: 0.3),
            try RandomAutocontrast(p: 0.3),
        ] {
            let sampled = try Pipeline([transform]).sample(count: 4000, geometry: geometry, seed: 5)
            let applied = (sampled.ops[0].parameters as? [ApplyParameters])?.filter(\.applied).count ?? -1
            #expect(abs(applied - 1200) < 120, "\(transform.opName): \(applied)")  // sd 29
        }
        let gamma = try Pipeline([RandomGamma(gamma: ValueRange(0.5, 1.5), p: 0.6)]).sample(
            count: 4000, geometry: geometry, seed: 5)
        let gammas = try #require(gamma.ops[0].parameters as? [GammaParameters]).compactMap(\.gamma)
        #expect(abs(gammas.count - 2400) < 120)
        #expect(gammas.allSatisfy { (0.5..<1.5).contains($0) })
    }

    // MARK: Fusion

    @Test func consecutiveColorOpsFuseIntoOneStage() throws {
        let images = try floats()
        let fused = try plan(
            [
                ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1), RandomGrayscale(p: 0.5),
                RandomSolarize(threshold: 0.5), RandomGamma(), Invert(),
            ], images)
        // One colour stage reading the float32 NCHW input directly (no conversion pass before it,
        // and a float32 NCHW result needs no final remap).
        #expect(fused.stages.map(\.family) == ["color"])
        // Two statistic steps (contrast, then equalize) need two stages; normalize in between splits too.
        let split = try plan([AdjustContrast(contrastFactor: 0.5), Equalize()], images)
        #expect(split.stages.map(\.family) == ["color", "color"])
        let normalized = try plan([Invert(), Normalize(mean: [0.5], std: [0.5]), Invert()], images)
        // The first invert and the normalize ride in one pass; the invert after normalize needs its own.
        #expect(normalized.stages.map(\.family) == ["warp", "color"])
        // Fused and unfused give the same values.
        let ops: [any Transform] = [
            try AdjustBrightness(brightnessFactor: 1.3), try AdjustHue(hueFactor: 0.2), try Solarize(threshold: 0.7),
        ]
        let together = try run(ops, images)
        var separate = images
        for op in ops { separate = try run([op], separate) }
        #expect(together == separate)
        // Nothing to do: no stage at all.
        #expect(
            try plan(
                [RandomInvert(p: 0), AdjustSaturation(saturationFactor: 2)],
                floats(ImageGeometry(height: 2, width: 2, channels: 1))
            ).stages.count == 1)
    }

    @Test func statisticIsTakenAfterTheEarlierSteps() throws {
        // Contrast after brightness uses the mean of the brightened image (torchvision's order).
        let images = try floats(count: 1)
        let fused = try run([AdjustBrightness(brightnessFactor: 0.5), AdjustContrast(contrastFactor: 0.2)], images)
        let halved = try run([AdjustBrightness(brightnessFactor: 0.5)], images)
        let separate = try run([AdjustContrast(contrastFactor: 0.2)], halved)
        #expect(fused == separate)
        let wrong = try run([AdjustContrast(contrastFactor: 0.2), AdjustBrightness(brightnessFactor: 0.5)], images)
        #expect(fused != wrong)
    }

    // MARK: Errors and decoding

    @Test func badArgumentsThrowNamingOpAndArgument() throws {
        #expect(
            throws: AugmentError.invalidArgument(
                op: "adjust_hue", argument: "hue_factor", value: "0.6",
                allowed: "a number in [-0.5, 0.5]")
        ) {
            try AdjustHue(hueFactor: 0.6)
        }
        #expect(throws: AugmentError.self) { try AdjustBrightness(brightnessFactor: -0.1) }
        #expect(throws: AugmentError.self) { try AdjustContrast(contrastFactor: .nan) }
        #expect(throws: AugmentError.self) { try AdjustSaturation(saturationFactor: .infinity) }
        #expect(throws: AugmentError.self) { try AdjustGamma(gamma: -1) }
        #expect(throws: AugmentError.self) { try AdjustGamma(gamma: 1, gain: .nan) }
        #expect(
            throws: AugmentError.invalidArgument(
                op: "posterize", argument: "bits", value: "9",
                allowed: "an integer in [0, 8]")
        ) { try Posterize(bits: 9) }
        #expect(throws: AugmentError.self) { try Solarize(threshold: 1.5) }
        #expect(throws: AugmentError.self) { try RGBToGrayscale(numOutputChannels: 2) }
        #expect(throws: AugmentError.self) { try ColorJitter(brightness: -0.5) }
        #expect(throws: AugmentError.self) { try ColorJitter(hue: 0.7) }
        #expect(throws: AugmentError.self) { try ColorJitter(hueRange: ValueRange(0.2, -0.2)) }
        #expect(throws: AugmentError.self) { try ColorJitter(contrastRange: ValueRange(-1, 2)) }
        #expect(throws: AugmentError.self) { try ColorJitter(brightness: 0.2, p: 2) }
        #expect(throws: AugmentError.self) { try RandomGamma(gamma: ValueRange(1.5, 0.5)) }
        #expect(throws: AugmentError.self) { try RandomPosterize(bits: -1) }
        #expect(throws: AugmentError.self) { try RandomInvert(p: .nan) }
    }

    @Test func replayedParametersAreValidated() throws {
        let images = try floats(count: 1)
        let jitter = try ColorJitter(brightness: 0.5)
        let pipeline = try Pipeline([jitter])
        for bad in [
            ColorJitterParameters(
                applied: true, order: [0, 0, 1, 2], brightness: 1, contrast: nil, saturation: nil, hue: nil),
            ColorJitterParameters(
                applied: true, order: [0, 1, 2, 3], brightness: -1, contrast: nil, saturation: nil, hue: nil),
            ColorJitterParameters(
                applied: true, order: [0, 1, 2, 3], brightness: nil, contrast: nil, saturation: nil, hue: 0.9),
        ] {
            let sampled = SampledPipeline(
                pipeline: pipeline, count: 1, inputGeometry: Self.rgb,
                ops: [SampledOp(jitter, parameters: [bad])])
            #expect(throws: AugmentError.self) { try sampled.plan(for: images) }
        }
        // A hand-built stage with two statistic steps in one program is refused by both backends.
        let stage = ColorStage(count: 1, input: Self.rgb, outputChannels: 3, programs: [[.contrast(0.5), .equalize]])
        #expect(throws: AugmentError.self) { try stage.check(count: 1, geometry: Self.rgb) }
        #expect(throws: AugmentError.self) { try CPUColor.run(stage, input: images) }
    }

    @Test func specsDecodeFromTorchvisionArgumentNames() throws {
        let decoder = JSONDecoder()
        let jitter = try decoder.decode(ColorJitter.self, from: Data(#"{"brightness": 0.4, "hue": [-0.2, 0.1]}"#.utf8))
        #expect(
            jitter.brightness == ValueRange(0.6, 1.4) && jitter.hue == ValueRange(-0.2, 0.1) && jitter.contrast == nil)
        let fixed = try decoder.decode(ColorJitter.self, from: Data(#"{"contrast": [0.5, 0.5]}"#.utf8))
        #expect(fixed.contrast == ValueRange(0.5, 0.5))
        #expect(try decoder.decode(AdjustGamma.self, from: Data(#"{"gamma": 2.2}"#.utf8)).gain == 1)
        #expect(try decoder.decode(RGBToGrayscale.self, from: Data("{}".utf8)).numOutputChannels == 1)
        #expect(try decoder.decode(RandomGrayscale.self, from: Data("{}".utf8)).p == 0.1)
        #expect(try decoder.decode(RandomPosterize.self, from: Data(#"{"bits": 4}"#.utf8)).p == 0.5)
        #expect(try decoder.decode(RandomGamma.self, from: Data("{}".utf8)).gamma == ValueRange(0.8, 1.2))
        #expect(throws: AugmentError.self) {
            try decoder.decode(AdjustBrightness.self, from: Data(#"{"brightness_factor": -2}"#.utf8))
        }
        // Round trip through JSON keeps the spec.
        let encoded = try JSONEncoder().encode(jitter)
        let again = try decoder.decode(ColorJitter.self, from: encoded)
        #expect(again.brightness == jitter.brightness && again.hue == jitter.hue && again.p == 1)
        for name in [
            "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "rgb_to_grayscale",
            "adjust_gamma", "posterize", "solarize", "autocontrast", "equalize", "invert", "color_jitter",
            "random_grayscale", "random_gamma", "random_posterize", "random_solarize", "random_equalize",
            "random_autocontrast", "random_invert",
        ] {
            #expect(OpRegistry.type(named: name) != nil, "\(name) is registered")
        }
    }
}
