/// One per-pixel colour operation of a ``ColorStage`` program. The raw values are the op codes of
/// `Kernels/color.cl` (`COLOR_*`).
public enum ColorOp: Int32, Sendable, Codable, CaseIterable {
    /// No change (pads programs to a common length).
    case identity = 0
    /// `clamp(x * a, 0, 1)` (adjust_brightness, a = factor).
    case brightness = 1
    /// `blend(x, mean(gray(image)), a)`, b = 1 - a (adjust_contrast). Needs a per-image statistic.
    case contrast = 2
    /// `blend(x, gray(x), a)`, b = 1 - a (adjust_saturation); 1 channel: unchanged.
    case saturation = 3
    /// HSV round trip with the hue shifted by a (adjust_hue); 1 channel: unchanged.
    case hue = 4
    /// Every channel set to `gray(x)` (rgb_to_grayscale); 1 channel: unchanged.
    case grayscale = 5
    /// `x^a`, then `clamp(x * b, 0, 1)` when the gain b is not 1 (adjust_gamma).
    case gamma = 6
    /// `clamp(floor(x * a), 0, a - 1) * b` with a = 2^bits, b = 1 / a (posterize).
    case posterize = 7
    /// `x >= a ? 1 - x : x` (solarize).
    case solarize = 8
    /// `1 - x` (invert).
    case invert = 9
    /// `clamp((x - min[c]) / (max[c] - min[c]), 0, 1)` per channel (autocontrast). Needs a statistic.
    case autocontrast = 10
    /// Per-channel histogram equalization of the uint8-quantized image (equalize). Needs a statistic.
    case equalize = 11

    /// Whether the op needs a statistic of the whole image (computed by a reduction pass first).
    public var needsStatistic: Bool {
        self == .contrast || self == .autocontrast || self == .equalize
    }

    /// Whether the op mixes channels and is therefore defined for 1 or 3 channels only.
    var needsOneOrThreeChannels: Bool {
        switch self {
        case .brightness, .contrast, .saturation, .hue, .grayscale, .autocontrast: return true
        case .identity, .gamma, .posterize, .solarize, .invert, .equalize: return false
        }
    }
}

/// One step of a per-sample colour program: an op and its two float arguments (see ``ColorOp``).
/// Arguments derived from user values (1 - factor, 1 / levels) are computed in Double on the host and
/// rounded once, as torchvision computes them in Python before handing them to float32 kernels.
public struct ColorStep: Sendable, Equatable, Codable {
    public var op: ColorOp
    public var a: Float
    public var b: Float

    public init(op: ColorOp, a: Float = 0, b: Float = 0) {
        self.op = op
        self.a = a
        self.b = b
    }

    /// adjust_brightness with `factor` >= 0.
    public static func brightness(_ factor: Double) -> ColorStep {
        ColorStep(op: .brightness, a: Float(factor))
    }

    /// adjust_contrast with `factor` >= 0 (a = factor, b = 1 - factor).
    public static func contrast(_ factor: Double) -> ColorStep {
        ColorStep(op: .contrast, a: Float(factor), b: Float(1 - factor))
    }

    /// adjust_saturation with `factor` >= 0 (a = factor, b = 1 - factor).
    public static func saturation(_ factor: Double) -> ColorStep {
        ColorStep(op: .saturation, a: Float(factor), b: Float(1 - factor))
    }

    /// adjust_hue with `factor` in [-0.5, 0.5].
    public static func hue(_ factor: Double) -> ColorStep {
        ColorStep(op: .hue, a: Float(factor))
    }

    /// rgb_to_grayscale (every channel set to the luma).
    public static let grayscale = ColorStep(op: .grayscale)

    /// adjust_gamma with `gamma` >= 0 and `gain`.
    public static func gamma(_ gamma: Double, gain: Double) -> ColorStep {
        ColorStep(op: .gamma, a: Float(gamma), b: Float(gain))
    }

    /// posterize keeping `bits` in 0...8 (values outside are clamped into that range).
    public static func posterize(bits: Int) -> ColorStep {
        let levels = Double(1 << max(0, min(8, bits)))
        return ColorStep(op: .posterize, a: Float(levels), b: Float(1 / levels))
    }

    /// solarize at `threshold`.
    public static func solarize(threshold: Double) -> ColorStep {
        ColorStep(op: .solarize, a: Float(threshold))
    }

    /// invert: 1 - x.
    public static let invert = ColorStep(op: .invert)
    /// autocontrast (needs the per-channel range of the image).
    public static let autocontrast = ColorStep(op: .autocontrast)
    /// equalize (needs the per-channel histogram of the image).
    public static let equalize = ColorStep(op: .equalize)
}

/// A per-pixel colour pass with one program per sample (family `color`: `Kernels/color.cl`,
/// `CPU/Color.swift`).
///
/// Sample n's pixels go through `programs[n]` in order. Each program may hold at most one step that
/// needs an image statistic (contrast's grayscale mean, autocontrast's per-channel range,
/// equalize's per-channel histogram); that statistic is taken over the image as it is just before
/// the step, by a reduction pass that runs the program's earlier steps on the fly. The pass then
/// applies the whole program: two launches when a statistic is needed, one otherwise, however the
/// programs differ between samples (a colour jitter's per-sample order included).
///
/// The output has `input.channels` channels, except: 3 -> 1 when every program ends with
/// grayscale (all channels are then equal and channel 0 is stored), and 1 -> 3 (the single channel
/// is replicated).
public struct ColorStage: Sendable, Equatable {
    public var count: Int
    public var input: ImageGeometry
    public var outputChannels: Int
    public var programs: [[ColorStep]]
    /// The image channels the programs act on, in this order (the program's channels 0, 1, 2 are
    /// image channels `channelIndices[0]`, ...); the other channels are copied unchanged, bit for bit.
    /// nil: all channels. Multispectral images (RGB + near infrared ...) select their RGB bands.
    public var channelIndices: [Int]? = nil

    /// The longest program a stage may hold; fusion stops there.
    public static let maxSteps = 16

    public init(
        count: Int, input: ImageGeometry, outputChannels: Int, programs: [[ColorStep]],
        channelIndices: [Int]? = nil
    ) {
        self.count = count
        self.input = input
        self.outputChannels = outputChannels
        self.programs = programs
        self.channelIndices = channelIndices
    }

    /// The number of channels the programs see: the selected ones, or all.
    public var colorChannels: Int { channelIndices?.count ?? input.channels }

    public var output: ImageGeometry {
        ImageGeometry(height: input.height, width: input.width, channels: outputChannels)
    }

    /// The length every program is padded to.
    public var stepCount: Int { programs.map(\.count).max() ?? 0 }

    /// Sample n's statistic step: its index in the program, or nil.
    public func statisticStep(sample n: Int) -> Int? {
        programs[n].firstIndex { $0.op.needsStatistic }
    }

    /// Whether any sample needs a statistic (and so a reduction pass).
    public var needsStatistics: Bool {
        programs.contains { $0.contains { $0.op.needsStatistic } }
    }

    /// Whether some sample's statistic is per channel (autocontrast, equalize), so the reduction runs
    /// over every channel rather than once per image.
    public var needsChannelStatistics: Bool {
        programs.contains { $0.contains { $0.op == .autocontrast || $0.op == .equalize } }
    }

    /// Floats per sample in the statistics buffer: `C * 256` (equalize: one lookup table per
    /// channel), `2 * C` (autocontrast: minimum and scale per channel) or 1 (contrast: the mean).
    public var statisticStride: Int {
        let ops = Set(programs.flatMap { $0.map(\.op) })
        if ops.contains(.equalize) { return max(1, colorChannels * 256) }
        if ops.contains(.autocontrast) { return max(1, 2 * colorChannels) }
        return 1
    }

    /// The ops used anywhere in the stage.
    public var ops: Set<ColorOp> { Set(programs.flatMap { $0.map(\.op) }) }

    /// Throws unless the stage is well formed for a float32 NCHW batch of `count` images of `input`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == input, programs.count == count else {
            throw AugmentError.parameterMismatch(
                "the colour stage expects \(self.count) images of \(input) with one program each, got \(count) images of \(geometry) and \(programs.count) programs"
            )
        }
        let channels = colorChannels
        if let channelIndices {
            guard !channelIndices.isEmpty, Set(channelIndices).count == channelIndices.count,
                channelIndices.allSatisfy({ (0..<input.channels).contains($0) }), outputChannels == input.channels
            else {
                throw AugmentError.parameterMismatch(
                    "colour channels \(channelIndices) do not select distinct channels of a \(input.channels)-channel image that the stage keeps"
                )
            }
        }
        for (n, program) in programs.enumerated() {
            guard program.filter({ $0.op.needsStatistic }).count <= 1, program.count <= Self.maxSteps else {
                throw AugmentError.parameterMismatch(
                    "colour program of sample \(n) has \(program.count) steps and more than one statistic step")
            }
            for step in program where step.op.needsOneOrThreeChannels && channels != 1 && channels != 3 {
                throw AugmentError.incompatible(
                    channelIndices == nil
                        ? "colour op \(step.op) needs 1 or 3 channels, the image has \(channels)"
                        : "colour op \(step.op) needs 1 or 3 channels, it is asked to act on \(channels) (\(channelIndices ?? []))"
                )
            }
        }
        switch (input.channels, outputChannels) {
        case (let c, let o) where c == o:
            break
        case (3, 1):
            guard programs.allSatisfy({ $0.last?.op == .grayscale }) else {
                throw AugmentError.parameterMismatch(
                    "a 3 -> 1 channel colour stage must end every program with grayscale")
            }
        case (1, 3):
            break
        default:
            throw AugmentError.parameterMismatch(
                "a colour stage cannot turn \(input.channels) channels into \(outputChannels)")
        }
    }

    /// `self` followed by `next` in one stage, when that computes the same as the two stages one
    /// after the other: same batch, no channel change before the end, at most one statistic step
    /// per sample, at most ``maxSteps`` steps.
    public func fused(with next: ColorStage) -> ColorStage? {
        guard next.count == count, next.input == output, outputChannels == input.channels,
            programs.count == next.programs.count, channelIndices == next.channelIndices
        else { return nil }
        var merged: [[ColorStep]] = []
        merged.reserveCapacity(count)
        for (first, second) in zip(programs, next.programs) {
            let program = first + second
            guard program.count <= Self.maxSteps, program.filter({ $0.op.needsStatistic }).count <= 1 else {
                return nil
            }
            merged.append(program)
        }
        return ColorStage(
            count: count, input: input, outputChannels: next.outputChannels, programs: merged,
            channelIndices: channelIndices)
    }
}

extension PlanBuilder {
    /// The channels colour ops act on: ``colorChannelSelection`` when set (`color_channels`, or a
    /// colour op's `"channels"` argument), else the first three of an image with 4 or more channels
    /// (RGB of RGB + near infrared ..., RGB of RGBA), else all (1 or 3 channels, as torchvision).
    public var colorChannels: [Int] {
        colorChannelSelection ?? Self.defaultColorChannels(geometry.channels)
    }

    /// The default colour channels of a `channels`-channel image: [0, 1, 2] for 4 or more, else all.
    public static func defaultColorChannels(_ channels: Int) -> [Int] {
        channels >= 4 ? [0, 1, 2] : Array(0..<max(0, channels))
    }

    /// Adds per-sample colour programs (one per sample; an empty program leaves that sample
    /// unchanged), fusing them into the previous colour stage when nothing lies between the two.
    /// Nothing is added when every program is empty and the channel count stays.
    public mutating func color(_ programs: [[ColorStep]], outputChannels: Int? = nil) throws {
        guard programs.count == count else {
            throw AugmentError.parameterMismatch("\(programs.count) colour programs for a batch of \(count)")
        }
        guard inputPixelType != .uint16 else { throw AugmentError.uint16ColorInput(op: "a colour op") }
        let selected = colorChannels
        if selected != Array(0..<geometry.channels) {
            // Some channels only (multispectral bands, RGBA): a stage of its own whose other channels
            // are copied unchanged; it fuses only with colour stages on the same channels.
            guard outputChannels == nil || outputChannels == geometry.channels else {
                throw AugmentError.incompatible(
                    "a colour op that changes the channel count (rgb_to_grayscale with num_output_channels \(outputChannels ?? 0)) cannot act on channels \(selected) of a \(geometry.channels)-channel image; use num_output_channels \(selected.count), which writes the luma into the selected channels"
                )
            }
            if programs.allSatisfy(\.isEmpty) { return }
            let stage = ColorStage(
                count: count, input: geometry, outputChannels: geometry.channels, programs: programs,
                channelIndices: selected)
            try stage.check(count: count, geometry: geometry)
            try append(Stage(stage), outputGeometry: stage.output) { previous in
                guard let last = previous.as(ColorStage.self), let fused = last.fused(with: stage) else { return nil }
                return Stage(fused)
            }
            return
        }
        let channels = outputChannels ?? geometry.channels
        if channels == geometry.channels, programs.allSatisfy(\.isEmpty) { return }
        let stage = ColorStage(count: count, input: geometry, outputChannels: channels, programs: programs)
        try stage.check(count: count, geometry: geometry)
        // Right after a colour stage, extend it (the fusing append below: one pass). Otherwise steps
        // without statistics ride in the pending warp group's kernel; the rest is a colour stage.
        var extendsLastColorStage = false
        if nothingPendingSinceLastStage, let last = stages.last?.as(ColorStage.self) {
            extendsLastColorStage = last.fused(with: stage) != nil
        }
        if !extendsLastColorStage, channels == geometry.channels, fuseColorIntoGroup(programs) {
            return
        }
        try append(Stage(stage), outputGeometry: stage.output) { previous in
            guard let last = previous.as(ColorStage.self), let fused = last.fused(with: stage) else { return nil }
            return Stage(fused)
        }
    }
}

extension ColorStage: PlanStage {
    public static let family = "color"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.programs = Array(s.programs[range])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { (needsStatistics ? 2 : 1) * input.elementCount * 4 }
    public var bytesWrittenPerSample: Int { output.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(output, 4) }
    public var detail: String {
        let s = self
        return
            "color program of up to \(s.stepCount) steps (\(s.ops.map { "\($0)" }.sorted().joined(separator: ", ")))\(s.needsStatistics ? " + per-image statistics" : "") \(s.input)\(s.channelIndices.map { " on channels \($0), the others copied" } ?? "")"
    }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        let color = self
        guard color.outputChannels == color.input.channels else {
            throw spread.notMaskable("it changes the channel count")
        }
        if let indices = color.channelIndices, indices != PlanBuilder.defaultColorChannels(color.input.channels) {
            throw spread.notMaskable(
                "it acts on channels \(indices) only; put the per-sample choice inside color_channels instead")
        }
        return [.color(spread.spread(color.programs, identity: []))]
    }
}
