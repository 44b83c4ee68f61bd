import Foundation

// Colour ops (torchvision.transforms.v2.functional._color and transforms.v2._color). Each lowers
// into a ``ColorStage`` program step per sample; consecutive colour ops fuse into one stage.

/// The largest factor accepted (it must fit in float32).
let maxFactor = Double(Float.greatestFiniteMagnitude)

/// Checks a non-negative finite factor.
func checkFactor(_ value: Double, op: String, argument: String) throws {
    try AugmentError.check(value, in: 0...maxFactor, op: op, argument: argument)
}

/// Throws unless the image has 1 or 3 channels, as torchvision's colour kernels require, or 4 or
/// more (multispectral, RGBA): then colour ops act on the first three channels, or on those that
/// `color_channels` (a colour op's `"channels"` argument) selects, and leave the others unchanged.
func checkOneOrThreeChannels(_ input: ImageGeometry, op: String) throws -> ImageGeometry {
    guard input.channels == 1 || input.channels >= 3 else {
        throw AugmentError.incompatible(
            "\(op): needs an image with 1 or 3 channels (as torchvision), or 4 or more (it then acts on the first three, or on those its \"channels\" argument names); the image has \(input.channels)"
        )
    }
    return input
}

/// Whether one sample was transformed (ops applied with probability `p`).
public struct ApplyParameters: Codable, Sendable, Equatable {
    public var applied: Bool
    public init(applied: Bool) { self.applied = applied }
}

/// One uniform draw u per sample, applied when u < p (torchvision's `torch.rand(1) < p`).
func drawApplied(_ p: Double, _ random: inout RandomStream) -> Bool {
    random.bernoulli(p)
}

/// A range [lower, upper] that pipeline files write as a number (expanded by the op) or as a
/// two-element list.
public struct ValueRange: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double
    /// Whether this was given as one number x (lower == upper == x), which some ops expand (a
    /// colour jitter amount x means [1 - x, 1 + x]).
    public var isSingleValue: Bool

    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
        isSingleValue = false
    }

    /// One number, for the op to interpret.
    public static func single(_ value: Double) -> ValueRange {
        var range = ValueRange(value, value)
        range.isSingleValue = true
        return range
    }

    /// Decodes `x` or `[a, b]`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            self = .single(value)
            return
        }
        let values = try container.decode([Double].self)
        guard values.count == 2 else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a number or [min, max], got \(values.count) values")
        }
        self.init(values[0], values[1])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([lower, upper])
    }

    /// Throws unless lower <= upper, both finite and inside `bounds`.
    func check(in bounds: ClosedRange<Double>, op: String, argument: String) throws {
        guard lower.isFinite, upper.isFinite, bounds.contains(lower), bounds.contains(upper), lower <= upper else {
            throw AugmentError.invalidArgument(
                op: op, argument: argument, value: "[\(lower), \(upper)]",
                allowed: "[min, max] with \(bounds.lowerBound) <= min <= max <= \(bounds.upperBound)")
        }
    }

    /// A uniform draw in [lower, upper) (lower when the range is empty).
    func draw(_ random: inout RandomStream) -> Double {
        random.uniform(lower, upper)
    }
}

/// One program, the same for every sample.
func uniformPrograms(_ program: [ColorStep], count: Int) -> [[ColorStep]] {
    Array(repeating: program, count: count)
}

// MARK: - Deterministic ops

/// `adjust_brightness`: `clamp(x * brightness_factor, 0, 1)` (torchvision `adjust_brightness`).
/// `brightness_factor` >= 0: 0 gives black, 1 the input. Images with 1 or 3 channels.
public struct AdjustBrightness: Transform {
    public static let opName = "adjust_brightness"
    public let brightnessFactor: Double

    public init(brightnessFactor: Double) throws {
        try ColorArguments.brightnessFactor.check(brightnessFactor, op: Self.opName)
        self.brightnessFactor = brightnessFactor
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.brightness(brightnessFactor)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case brightnessFactor = "brightness_factor" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(brightnessFactor: read(ColorArguments.brightnessFactor))
    }
}

/// `adjust_contrast`: `blend(x, mean, contrast_factor)`, where mean is the mean of the image's
/// grayscale (one value per image; for 1 channel the mean of the channel) and
/// `blend(a, b, r) = clamp(r a + (1 - r) b, 0, 1)` (torchvision `adjust_contrast`). `contrast_factor`
/// >= 0: 0 gives a flat gray image, 1 the input. Images with 1 or 3 channels.
public struct AdjustContrast: Transform {
    public static let opName = "adjust_contrast"
    public let contrastFactor: Double

    public init(contrastFactor: Double) throws {
        try ColorArguments.contrastFactor.check(contrastFactor, op: Self.opName)
        self.contrastFactor = contrastFactor
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.contrast(contrastFactor)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case contrastFactor = "contrast_factor" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(contrastFactor: read(ColorArguments.contrastFactor))
    }
}

/// `adjust_saturation`: `blend(x, gray(x), saturation_factor)` per pixel, gray = 0.2989 R + 0.587 G
/// + 0.114 B (torchvision `adjust_saturation`). `saturation_factor` >= 0: 0 gives grayscale, 1 the
/// input. A 1-channel image is returned unchanged, as torchvision (and PIL) do.
public struct AdjustSaturation: Transform {
    public static let opName = "adjust_saturation"
    public let saturationFactor: Double

    public init(saturationFactor: Double) throws {
        try ColorArguments.saturationFactor.check(saturationFactor, op: Self.opName)
        self.saturationFactor = saturationFactor
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        guard plan.colorChannels.count == 3 else { return }
        try plan.color(uniformPrograms([.saturation(saturationFactor)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case saturationFactor = "saturation_factor" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(saturationFactor: read(ColorArguments.saturationFactor))
    }
}

/// `adjust_hue`: shifts the hue by `hue_factor` in [-0.5, 0.5] (a fraction of the colour wheel)
/// through torchvision's RGB -> HSV -> RGB round trip (torchvision `adjust_hue`). 0 gives the input
/// (up to float rounding of the round trip). A 1-channel image is returned unchanged.
public struct AdjustHue: Transform {
    public static let opName = "adjust_hue"
    public let hueFactor: Double

    public init(hueFactor: Double) throws {
        try ColorArguments.hueFactor.check(hueFactor, op: Self.opName)
        self.hueFactor = hueFactor
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        guard plan.colorChannels.count == 3 else { return }
        try plan.color(uniformPrograms([.hue(hueFactor)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case hueFactor = "hue_factor" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(hueFactor: read(ColorArguments.hueFactor))
    }
}

/// `rgb_to_grayscale`: `0.2989 R + 0.587 G + 0.114 B` into `num_output_channels` (1 or 3) equal
/// channels (torchvision `rgb_to_grayscale` / `Grayscale`). A 1-channel input is copied (1) or
/// replicated (3). Images with 1 or 3 channels.
public struct RGBToGrayscale: Transform {
    public static let opName = "rgb_to_grayscale"
    public let numOutputChannels: Int

    public init(numOutputChannels: Int = ColorArguments.numOutputChannels.defaultValue!) throws {
        guard numOutputChannels == 1 || numOutputChannels == 3 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "num_output_channels",
                value: "\(numOutputChannels)", allowed: "1 or 3")
        }
        self.numOutputChannels = numOutputChannels
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        var output = try checkOneOrThreeChannels(input, op: Self.opName)
        if input.channels >= 4 {
            // Colour acts on three of the channels (see checkOneOrThreeChannels): the luma goes into
            // those three, the image keeps its channels.
            guard numOutputChannels == 3 else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "num_output_channels", value: "1",
                    allowed:
                        "3 on a \(input.channels)-channel image (the luma replaces the three colour channels; the others stay)"
                )
            }
            return output
        }
        output.channels = numOutputChannels
        return output
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        let program: [ColorStep] = plan.colorChannels.count == 3 ? [.grayscale] : []
        try plan.color(
            uniformPrograms(program, count: plan.count),
            outputChannels: plan.geometry.channels >= 4 ? nil : numOutputChannels)
    }

    private enum CodingKeys: String, CodingKey { case numOutputChannels = "num_output_channels" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(numOutputChannels: read(ColorArguments.numOutputChannels))
    }
}

/// `adjust_gamma`: `x^gamma`, then `clamp(x * gain, 0, 1)` when `gain` is not 1 (torchvision
/// `adjust_gamma`). `gamma` >= 0 (below 1 brightens, above 1 darkens), `gain` finite. Any number of
/// channels. The power is computed with the library's portable `pow` (within 2e-7 of the exact
/// value on [0, 1]) so that both backends agree bit for bit.
public struct AdjustGamma: Transform {
    public static let opName = "adjust_gamma"
    public let gamma: Double
    public let gain: Double

    public init(gamma: Double, gain: Double = ColorArguments.gain.defaultValue!) throws {
        try ColorArguments.gamma.check(gamma, op: Self.opName)
        try ColorArguments.gain.check(gain, op: Self.opName)
        self.gamma = gamma
        self.gain = gain
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.gamma(gamma, gain: gain)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case gamma, gain }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(gamma: read(ColorArguments.gamma), gain: read(ColorArguments.gain))
    }
}

/// Checks posterize's `bits`.
private func checkBits(_ bits: Int, op: String) throws {
    try ColorArguments.bits.check(bits, op: op)
}

/// `posterize`: keeps `bits` (0...8) bits per channel; on float images
/// `clamp(floor(x * 2^bits), 0, 2^bits - 1) / 2^bits` (torchvision `posterize`, float path). Any
/// number of channels.
public struct Posterize: Transform {
    public static let opName = "posterize"
    public let bits: Int

    public init(bits: Int) throws {
        try checkBits(bits, op: Self.opName)
        self.bits = bits
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.posterize(bits: bits)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case bits }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(bits: read(ColorArguments.bits))
    }
}

/// Checks solarize's threshold: finite and at most 1 (torchvision rejects thresholds above the
/// largest value of the image type).
private func checkThreshold(_ threshold: Double, op: String) throws {
    guard threshold.isFinite, threshold <= 1 else {
        throw AugmentError.invalidArgument(
            op: op, argument: "threshold", value: AugmentError.formatNumber(threshold),
            allowed:
                "a number <= 1: pixel values are on [0, 1] here (torchvision's float scale), so a uint8 threshold t is t / 255 (128 -> 0.502)"
        )
    }
}

/// `solarize`: `x >= threshold ? 1 - x : x` (torchvision `solarize`). `threshold` <= 1, on the
/// float scale (0.5 is 127.5 of uint8). Any number of channels.
public struct Solarize: Transform {
    public static let opName = "solarize"
    public let threshold: Double

    public init(threshold: Double) throws {
        try checkThreshold(threshold, op: Self.opName)
        self.threshold = threshold
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.solarize(threshold: threshold)], count: plan.count))
    }

    private enum CodingKeys: String, CodingKey { case threshold }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(threshold: read(ColorArguments.threshold))
    }
}

/// `autocontrast`: per image and channel, `clamp((x - min) / (max - min), 0, 1)`; a flat channel
/// is left as is (torchvision `autocontrast`). Images with 1 or 3 channels.
public struct Autocontrast: Transform {
    public static let opName = "autocontrast"
    public init() {}

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.autocontrast], count: plan.count))
    }
}

/// `equalize`: per image and channel, histogram equalization of the image quantized to uint8 with
/// PIL's lookup table, the result read back as float (torchvision `equalize`; it always quantizes
/// float input to 256 levels). Any number of channels.
public struct Equalize: Transform {
    public static let opName = "equalize"
    public init() {}

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.equalize], count: plan.count))
    }
}

/// `invert`: `1 - x` (torchvision `invert`, float path). Any number of channels.
public struct Invert: Transform {
    public static let opName = "invert"
    public init() {}

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.color(uniformPrograms([.invert], count: plan.count))
    }
}

// MARK: - Random ops

/// One sample's colour jitter: whether it was applied (`p`), the order of the four adjustments
/// (0 brightness, 1 contrast, 2 saturation, 3 hue; a permutation) and the factors drawn (nil for an
/// adjustment the op does not jitter).
public struct ColorJitterParameters: Codable, Sendable, Equatable {
    public var applied: Bool
    public var order: [Int]
    public var brightness: Double?
    public var contrast: Double?
    public var saturation: Double?
    public var hue: Double?

    public init(applied: Bool, order: [Int], brightness: Double?, contrast: Double?, saturation: Double?, hue: Double?)
    {
        self.applied = applied
        self.order = order
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }
}

/// `color_jitter`: brightness, contrast, saturation and hue adjusted by random factors in a random
/// order (torchvision `ColorJitter`), drawn per sample.
///
/// `brightness`, `contrast`, `saturation`: a number x >= 0 means factors in [max(0, 1 - x), 1 + x],
/// or give [min, max] with 0 <= min <= max; `hue`: a number h in [0, 0.5] means [-h, h], or give
/// [min, max] within [-0.5, 0.5]. An adjustment whose range is {1} (hue: {0}) or that is omitted is
/// skipped. `p` (default 1, not in torchvision, where `RandomApply` plays that role) is the
/// probability that a sample is jittered at all. Images with 1 or 3 channels (saturation and hue
/// leave 1-channel images unchanged).
///
/// Draws per sample: u < p (one uniform), then a uniformly random order of the four (Fisher-Yates,
/// three integer draws), then the factors in the order brightness, contrast, saturation, hue.
/// torchvision draws one order and one set of factors per call.
public struct ColorJitter: Transform {
    public static let opName = "color_jitter"
    public let brightness: ValueRange?
    public let contrast: ValueRange?
    public let saturation: ValueRange?
    public let hue: ValueRange?
    public let p: Double

    /// Jitter amounts as torchvision takes single numbers (nil or 0: not jittered).
    public init(
        brightness: Double? = nil, contrast: Double? = nil, saturation: Double? = nil, hue: Double? = nil,
        p: Double = 1
    ) throws {
        try self.init(
            brightnessRange: brightness.map(ValueRange.single), contrastRange: contrast.map(ValueRange.single),
            saturationRange: saturation.map(ValueRange.single), hueRange: hue.map(ValueRange.single), p: p)
    }

    /// Factor ranges [min, max], or single jitter amounts (``ValueRange/single(_:)``) expanded as
    /// torchvision does.
    public init(
        brightnessRange: ValueRange? = nil, contrastRange: ValueRange? = nil,
        saturationRange: ValueRange? = nil, hueRange: ValueRange? = nil, p: Double = Arguments.p.defaultValue!
    ) throws {
        func factor(_ range: ValueRange?, _ name: String) throws -> ValueRange? {
            guard var range else { return nil }
            if range.isSingleValue {
                try checkFactor(range.lower, op: Self.opName, argument: name)
                range = ValueRange(max(0, 1 - range.lower), 1 + range.lower)
            }
            try range.check(in: 0...maxFactor, op: Self.opName, argument: name)
            return range.lower == 1 && range.upper == 1 ? nil : range
        }
        brightness = try factor(brightnessRange, "brightness")
        contrast = try factor(contrastRange, "contrast")
        saturation = try factor(saturationRange, "saturation")
        if var range = hueRange {
            if range.isSingleValue {
                try AugmentError.check(range.lower, in: 0...0.5, op: Self.opName, argument: "hue")
                range = ValueRange(-range.lower, range.lower)
            }
            try range.check(in: -0.5...0.5, op: Self.opName, argument: "hue")
            hue = range.lower == 0 && range.upper == 0 ? nil : range
        } else {
            hue = nil
        }
        try Arguments.p.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ColorJitterParameters {
        guard drawApplied(p, &random) else {
            return ColorJitterParameters(
                applied: false, order: [0, 1, 2, 3], brightness: nil, contrast: nil,
                saturation: nil, hue: nil)
        }
        var order = [0, 1, 2, 3]
        for i in stride(from: 3, to: 0, by: -1) {
            order.swapAt(i, random.integer(in: 0...i))
        }
        let b = brightness.map { $0.draw(&random) }
        let c = contrast.map { $0.draw(&random) }
        let s = saturation.map { $0.draw(&random) }
        let h = hue.map { $0.draw(&random) }
        return ColorJitterParameters(applied: true, order: order, brightness: b, contrast: c, saturation: s, hue: h)
    }

    public func validate(_ parameters: ColorJitterParameters, for input: ImageGeometry) throws {
        guard parameters.order.sorted() == [0, 1, 2, 3] else {
            throw AugmentError.parameterMismatch(
                "color_jitter: order \(parameters.order) is not a permutation of 0...3")
        }
        for (name, value) in [
            ("brightness", parameters.brightness), ("contrast", parameters.contrast),
            ("saturation", parameters.saturation),
        ] {
            if let value, !(value >= 0 && value <= maxFactor) {
                throw AugmentError.parameterMismatch(
                    "color_jitter: \(name) factor \(value) is not a finite number >= 0")
            }
        }
        if let hue = parameters.hue, !(hue >= -0.5 && hue <= 0.5) {
            throw AugmentError.parameterMismatch("color_jitter: hue factor \(hue) is outside [-0.5, 0.5]")
        }
    }

    public func lower(_ parameters: [ColorJitterParameters], into plan: inout PlanBuilder) throws {
        let rgb = plan.colorChannels.count == 3
        let programs = parameters.map { sample -> [ColorStep] in
            guard sample.applied else { return [] }
            return sample.order.compactMap { index -> ColorStep? in
                switch index {
                case 0: return sample.brightness.map(ColorStep.brightness)
                case 1: return sample.contrast.map(ColorStep.contrast)
                case 2: return rgb ? sample.saturation.map(ColorStep.saturation) : nil
                default: return rgb ? sample.hue.map(ColorStep.hue) : nil
                }
            }
        }
        try plan.color(programs)
    }

    private enum CodingKeys: String, CodingKey { case brightness, contrast, saturation, hue, p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            brightnessRange: read(Arguments.brightness), contrastRange: read(Arguments.contrast),
            saturationRange: read(Arguments.saturation), hueRange: read(Arguments.hue), p: read(Arguments.p))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(brightness, forKey: .brightness)
        try c.encodeIfPresent(contrast, forKey: .contrast)
        try c.encodeIfPresent(saturation, forKey: .saturation)
        try c.encodeIfPresent(hue, forKey: .hue)
        try c.encode(p, forKey: .p)
    }
}

/// `random_grayscale`: each sample becomes grayscale with probability `p` (default 0.1), keeping
/// its channel count (torchvision `RandomGrayscale`). Images with 1 or 3 channels; a 1-channel
/// image is unchanged.
public struct RandomGrayscale: Transform {
    public static let opName = "random_grayscale"
    public let p: Double

    public init(p: Double = ColorArguments.grayscaleP.defaultValue!) throws {
        try ColorArguments.grayscaleP.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ApplyParameters {
        ApplyParameters(applied: drawApplied(p, &random))
    }

    public func validate(_ parameters: ApplyParameters, for input: ImageGeometry) throws {}

    public func lower(_ parameters: [ApplyParameters], into plan: inout PlanBuilder) throws {
        guard plan.colorChannels.count == 3 else { return }
        try plan.color(parameters.map { $0.applied ? [.grayscale] : [] })
    }

    private enum CodingKeys: String, CodingKey { case p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(ColorArguments.grayscaleP))
    }
}

/// One sample's gamma: nil when the sample is left unchanged.
public struct GammaParameters: Codable, Sendable, Equatable {
    public var gamma: Double?
    public init(gamma: Double?) { self.gamma = gamma }
}

/// `random_gamma`: with probability `p` (default 0.5), `adjust_gamma` with gamma ~ U(`gamma`)
/// (default [0.8, 1.2]) and the given `gain` (default 1). Not a torchvision op: it follows
/// Albumentations' `RandomGamma` (gamma_limit (80, 120) there, in percent). Any number of channels.
/// Draws per sample: u < p, then gamma.
public struct RandomGamma: Transform {
    public static let opName = "random_gamma"
    public let gamma: ValueRange
    public let gain: Double
    public let p: Double

    public init(
        gamma: ValueRange = ColorArguments.gammaRange.defaultValue!, gain: Double = ColorArguments.gain.defaultValue!,
        p: Double = ColorArguments.p.defaultValue!
    ) throws {
        try gamma.check(in: 0...maxFactor, op: Self.opName, argument: "gamma")
        try ColorArguments.gain.check(gain, op: Self.opName)
        try ColorArguments.p.check(p, op: Self.opName)
        self.gamma = gamma
        self.gain = gain
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> GammaParameters {
        guard drawApplied(p, &random) else { return GammaParameters(gamma: nil) }
        return GammaParameters(gamma: gamma.draw(&random))
    }

    public func validate(_ parameters: GammaParameters, for input: ImageGeometry) throws {
        if let g = parameters.gamma, !(g >= 0 && g <= maxFactor) {
            throw AugmentError.parameterMismatch("random_gamma: gamma \(g) is not a finite number >= 0")
        }
    }

    public func lower(_ parameters: [GammaParameters], into plan: inout PlanBuilder) throws {
        try plan.color(parameters.map { $0.gamma.map { [.gamma($0, gain: gain)] } ?? [] })
    }

    private enum CodingKeys: String, CodingKey { case gamma, gain, p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            gamma: read(ColorArguments.gammaRange), gain: read(ColorArguments.gain), p: read(ColorArguments.p))
    }
}

/// The shared shape of torchvision's `_RandomApplyTransform` colour ops: one fixed step applied to
/// each sample with probability `p`.
public protocol RandomColorStep: Transform where Parameters == ApplyParameters {
    /// The probability that a sample is transformed.
    var p: Double { get }
    /// The step, or nil when the op does nothing on this geometry.
    func step(for geometry: ImageGeometry) -> ColorStep?
}

extension RandomColorStep {
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ApplyParameters {
        ApplyParameters(applied: drawApplied(p, &random))
    }

    public func validate(_ parameters: ApplyParameters, for input: ImageGeometry) throws {}

    public func lower(_ parameters: [ApplyParameters], into plan: inout PlanBuilder) throws {
        guard let step = step(for: plan.geometry) else { return }
        try plan.color(parameters.map { $0.applied ? [step] : [] })
    }
}

/// `random_posterize`: `posterize(bits)` with probability `p` (default 0.5) per sample
/// (torchvision `RandomPosterize`).
public struct RandomPosterize: RandomColorStep {
    public static let opName = "random_posterize"
    public let bits: Int
    public let p: Double

    public init(bits: Int, p: Double = ColorArguments.p.defaultValue!) throws {
        try checkBits(bits, op: Self.opName)
        try ColorArguments.p.check(p, op: Self.opName)
        self.bits = bits
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }
    public func step(for geometry: ImageGeometry) -> ColorStep? { .posterize(bits: bits) }

    private enum CodingKeys: String, CodingKey { case bits, p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(bits: read(ColorArguments.bits), p: read(ColorArguments.p))
    }
}

/// `random_solarize`: `solarize(threshold)` with probability `p` (default 0.5) per sample
/// (torchvision `RandomSolarize`).
public struct RandomSolarize: RandomColorStep {
    public static let opName = "random_solarize"
    public let threshold: Double
    public let p: Double

    public init(threshold: Double, p: Double = ColorArguments.p.defaultValue!) throws {
        try checkThreshold(threshold, op: Self.opName)
        try ColorArguments.p.check(p, op: Self.opName)
        self.threshold = threshold
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }
    public func step(for geometry: ImageGeometry) -> ColorStep? { .solarize(threshold: threshold) }

    private enum CodingKeys: String, CodingKey { case threshold, p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(threshold: read(ColorArguments.threshold), p: read(ColorArguments.p))
    }
}

/// `random_equalize`: `equalize` with probability `p` (default 0.5) per sample (torchvision
/// `RandomEqualize`).
public struct RandomEqualize: RandomColorStep {
    public static let opName = "random_equalize"
    public let p: Double

    public init(p: Double = ColorArguments.p.defaultValue!) throws {
        try ColorArguments.p.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }
    public func step(for geometry: ImageGeometry) -> ColorStep? { .equalize }

    private enum CodingKeys: String, CodingKey { case p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(ColorArguments.p))
    }
}

/// `random_autocontrast`: `autocontrast` with probability `p` (default 0.5) per sample
/// (torchvision `RandomAutocontrast`). Images with 1 or 3 channels.
public struct RandomAutocontrast: RandomColorStep {
    public static let opName = "random_autocontrast"
    public let p: Double

    public init(p: Double = ColorArguments.p.defaultValue!) throws {
        try ColorArguments.p.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkOneOrThreeChannels(input, op: Self.opName)
    }

    public func step(for geometry: ImageGeometry) -> ColorStep? { .autocontrast }

    private enum CodingKeys: String, CodingKey { case p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(ColorArguments.p))
    }
}

/// `random_invert`: `invert` with probability `p` (default 0.5) per sample (torchvision
/// `RandomInvert`).
public struct RandomInvert: RandomColorStep {
    public static let opName = "random_invert"
    public let p: Double

    public init(p: Double = ColorArguments.p.defaultValue!) throws {
        try ColorArguments.p.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }
    public func step(for geometry: ImageGeometry) -> ColorStep? { .invert }

    private enum CodingKeys: String, CodingKey { case p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(ColorArguments.p))
    }
}

// MARK: - Argument declarations

/// The colour ops' arguments, declared once (decoding, checks, the verify catalog's draws and
/// docs/reference.md); ops that share an argument share its declaration.
public enum ColorArguments {
    public static let brightnessFactor = OpArgument<Double>(
        "brightness_factor", range: 0...maxFactor, catalog: 0...2,
        doc: "multiplies every value: 0 gives black, 1 the input")
    public static let contrastFactor = OpArgument<Double>(
        "contrast_factor", range: 0...maxFactor, catalog: 0...2,
        doc: "blends with the image's grayscale mean: 0 gives flat gray, 1 the input")
    public static let saturationFactor = OpArgument<Double>(
        "saturation_factor", range: 0...maxFactor, catalog: 0...2,
        doc: "blends with the grayscale image: 0 gives grayscale, 1 the input")
    public static let hueFactor = OpArgument<Double>(
        "hue_factor", range: -0.5...0.5, catalog: -0.5...0.5,
        doc: "shift of the hue channel in HSV, in turns (0.5 and -0.5 give the complementary hue)")
    public static let numOutputChannels = OpArgument<Int>(
        "num_output_channels", default: 1, allowed: "1 or 3",
        doc: "channels of the grayscale output (3: the luma repeated)")
    public static let gamma = OpArgument<Double>(
        "gamma", range: 0...maxFactor, catalog: 0.2...3,
        doc: "exponent: `gain * x^gamma`, clamped to [0, 1]; < 1 brightens, > 1 darkens")
    public static let gammaRange = OpArgument<ValueRange>(
        "gamma", default: ValueRange(0.8, 1.2), allowed: "[min, max] with 0 <= min <= max", catalog: 0.5...2,
        doc: "range [min, max] the per-sample gamma is drawn from (uniform)")
    public static let gain = OpArgument<Double>(
        "gain", default: 1, range: -maxFactor...maxFactor, catalog: 0.5...1.5, doc: "factor applied after the power")
    public static let bits = OpArgument<Int>(
        "bits", range: 0...8, catalog: 0...8, doc: "bits kept per 8-bit value (8: unchanged, 0: black)")
    public static let threshold = OpArgument<Double>(
        "threshold", allowed: "a number <= 1", catalog: 0...1,
        doc: "values >= threshold are inverted; on the float scale (a uint8 threshold t is t / 255)")
    public static let p = OpArgument<Double>(
        "p", default: 0.5, range: 0...1, catalog: 0...1, doc: "probability of applying the op to each sample")
    public static let grayscaleP = OpArgument<Double>(
        "p", default: 0.1, range: 0...1, catalog: 0...1, doc: "probability of converting each sample to grayscale")
}

extension ColorJitter {
    /// `color_jitter`'s arguments, declared once.
    public enum Arguments {
        static let factorRule = "a number >= 0 (amount x: [max(0, 1 - x), 1 + x]) or [min, max] with 0 <= min <= max"
        public static let brightness = OpArgument<ValueRange?>(
            optional: "brightness", allowed: factorRule,
            doc: "brightness factor range, or a jitter amount x for [max(0, 1 - x), 1 + x]; absent: not jittered")
        public static let contrast = OpArgument<ValueRange?>(
            optional: "contrast", allowed: factorRule,
            doc: "contrast factor range, or a jitter amount x for [max(0, 1 - x), 1 + x]; absent: not jittered")
        public static let saturation = OpArgument<ValueRange?>(
            optional: "saturation", allowed: factorRule,
            doc: "saturation factor range, or a jitter amount x for [max(0, 1 - x), 1 + x]; absent: not jittered")
        public static let hue = OpArgument<ValueRange?>(
            optional: "hue",
            allowed: "a number in [0, 0.5] (amount x: [-x, x]) or [min, max] with -0.5 <= min <= max <= 0.5",
            doc: "hue shift range in turns, or an amount x for [-x, x]; absent: not jittered")
        public static let p = OpArgument<Double>(
            "p", default: 1, range: 0...1, catalog: 0...1, doc: "probability of jittering each sample")
    }
}

extension AdjustBrightness: DescribedArguments {
    public static let arguments = [ColorArguments.brightnessFactor.info]
    public static let summary = "`clamp(x * brightness_factor, 0, 1)` (torchvision `adjust_brightness`)."
}

extension AdjustContrast: DescribedArguments {
    public static let arguments = [ColorArguments.contrastFactor.info]
    public static let summary =
        "Blends each image with the mean of its grayscale: `clamp(r x + (1 - r) mean, 0, 1)` (torchvision `adjust_contrast`)."
}

extension AdjustSaturation: DescribedArguments {
    public static let arguments = [ColorArguments.saturationFactor.info]
    public static let summary = "Blends each image with its grayscale (torchvision `adjust_saturation`)."
}

extension AdjustHue: DescribedArguments {
    public static let arguments = [ColorArguments.hueFactor.info]
    public static let summary = "Rotates the hue in HSV space (torchvision `adjust_hue`)."
}

extension RGBToGrayscale: DescribedArguments {
    public static let arguments = [ColorArguments.numOutputChannels.info]
    public static let summary =
        "Luma `0.2989 R + 0.587 G + 0.114 B` into 1 or 3 channels (torchvision `rgb_to_grayscale`)."
}

extension AdjustGamma: DescribedArguments {
    public static let arguments = [ColorArguments.gamma.info, ColorArguments.gain.info]
    public static let summary = "`clamp(gain * x^gamma, 0, 1)` (torchvision `adjust_gamma`)."
}

extension Posterize: DescribedArguments {
    public static let arguments = [ColorArguments.bits.info]
    public static let summary = "Keeps the top `bits` bits of each 8-bit value (torchvision `posterize`)."
}

extension Solarize: DescribedArguments {
    public static let arguments = [ColorArguments.threshold.info]
    public static let summary = "`x >= threshold ? 1 - x : x` (torchvision `solarize`)."
}

extension Autocontrast: DescribedArguments {
    public static let arguments: [OpArgumentInfo] = []
    public static let summary =
        "Stretches each channel's [min, max] to [0, 1] per image (torchvision `autocontrast`)."
}

extension Equalize: DescribedArguments {
    public static let arguments: [OpArgumentInfo] = []
    public static let summary = "Histogram equalization per channel on 256 bins (torchvision `equalize`)."
}

extension Invert: DescribedArguments {
    public static let arguments: [OpArgumentInfo] = []
    public static let summary = "`1 - x` (torchvision `invert`)."
}

extension ColorJitter: DescribedArguments {
    public static let arguments = [
        Arguments.brightness.info, Arguments.contrast.info, Arguments.saturation.info, Arguments.hue.info,
        Arguments.p.info,
    ]
    public static let summary =
        "Brightness, contrast, saturation and hue factors drawn per sample, applied in a random order (torchvision `ColorJitter`)."
}

extension RandomGrayscale: DescribedArguments {
    public static let arguments = [ColorArguments.grayscaleP.info]
    public static let summary =
        "Each sample becomes grayscale with probability `p`, keeping its channels (torchvision `RandomGrayscale`)."
}

extension RandomGamma: DescribedArguments {
    public static let arguments = [ColorArguments.gammaRange.info, ColorArguments.gain.info, ColorArguments.p.info]
    public static let summary =
        "`adjust_gamma` with a gamma drawn per sample from a range, with probability `p` (Albumentations `RandomGamma`)."
}

extension RandomPosterize: DescribedArguments {
    public static let arguments = [ColorArguments.bits.info, ColorArguments.p.info]
    public static let summary = "`posterize` with probability `p` (torchvision `RandomPosterize`)."
}

extension RandomSolarize: DescribedArguments {
    public static let arguments = [ColorArguments.threshold.info, ColorArguments.p.info]
    public static let summary = "`solarize` with probability `p` (torchvision `RandomSolarize`)."
}

extension RandomEqualize: DescribedArguments {
    public static let arguments = [ColorArguments.p.info]
    public static let summary = "`equalize` with probability `p` (torchvision `RandomEqualize`)."
}

extension RandomAutocontrast: DescribedArguments {
    public static let arguments = [ColorArguments.p.info]
    public static let summary = "`autocontrast` with probability `p` (torchvision `RandomAutocontrast`)."
}

extension RandomInvert: DescribedArguments {
    public static let arguments = [ColorArguments.p.info]
    public static let summary = "`invert` with probability `p` (torchvision `RandomInvert`)."
}
