/// The masks one sample got: one band list per channel (iid masks), or a single list shared by
/// every channel.
public struct SpectrogramMaskParameters: Codable, Sendable, Equatable {
    public var channelBands: [[MaskBand]]

    public init(channelBands: [[MaskBand]]) {
        self.channelBands = channelBands
    }
}

/// The sampling shared by `frequency_masking` and `time_masking` (torchaudio
/// `mask_along_axis_iid`), per mask:
///
///     max_width = mask_param                           if p == 1
///                 min(mask_param, int(L * p))          otherwise (no masks when < 1)
///     v     = uniform() * max_width                    width = floor(v), in [0, max_width - 1]
///     start = trunc(uniform() * (L - v))               torchaudio uses L - v, not L - width
///     band  = [start, start + floor(v)) clipped to [0, L)
///
/// For each channel (or once, when masks are shared across channels), `num_masks` masks are
/// drawn in that order from the sample's stream. Draws are in Double; torchaudio draws in the
/// spectrogram's dtype (float32), which can move a boundary by one in rare cases.
struct AxisMasking: Sendable {
    var op: String
    var axis: SpectrogramAxis
    var maskParam: Int
    var iidMasks: Bool
    var p: Double
    var numMasks: Int
    var maskValue: MaskValue

    static func checkArguments(
        op: String, paramName: String, maskParam: Int, p: Double, numMasks: Int,
        maskValue: MaskValue
    ) throws {
        try AugmentError.check(maskParam, in: 0...Int(Int32.max), op: op, argument: paramName)
        try AxisMaskingArguments.p.check(p, op: op)
        try AxisMaskingArguments.numMasks.check(numMasks, op: op)
        if case .constant(let value) = maskValue, !value.isFinite {
            throw AugmentError.invalidArgument(
                op: op, argument: "mask_value", value: "\(value)",
                allowed: "a finite float32 number or \"mean\"")
        }
    }

    func length(of geometry: ImageGeometry) -> Int {
        axis == .frequency ? geometry.height : geometry.width
    }

    /// The largest width + 1 a mask may draw (torchaudio `_get_mask_param`).
    func maxWidth(length: Int) -> Int {
        p == 1 ? maskParam : min(maskParam, Int(Double(length) * p))
    }

    func sample(for geometry: ImageGeometry, random: inout RandomStream) -> SpectrogramMaskParameters {
        let length = length(of: geometry)
        let maxWidth = maxWidth(length: length)
        guard maxWidth >= 1, numMasks > 0 else { return SpectrogramMaskParameters(channelBands: [[]]) }
        let lists = iidMasks ? geometry.channels : 1
        var channelBands: [[MaskBand]] = []
        for _ in 0..<lists {
            var bands: [MaskBand] = []
            for _ in 0..<numMasks {
                let u1 = random.uniform()
                let u2 = random.uniform()
                bands.append(Self.band(u1: u1, u2: u2, length: length, maxWidth: maxWidth))
            }
            channelBands.append(bands)
        }
        return SpectrogramMaskParameters(channelBands: channelBands)
    }

    /// torchaudio's band for uniforms u1, u2 in [0, 1): v = u1 max_width, start = trunc(u2 (L - v))
    /// (toward zero, as `Tensor.long()`), end = start + floor(v), clipped to [0, L]. When
    /// mask_param exceeds L, start can be negative and the band is cut at 0, as torchaudio's
    /// comparison-based mask does.
    static func band(u1: Double, u2: Double, length: Int, maxWidth: Int) -> MaskBand {
        let value = u1 * Double(maxWidth)
        let start = Int(u2 * (Double(length) - value))
        let end = start + Int(value)
        let low = min(max(start, 0), length)
        let high = min(max(end, 0), length)
        return MaskBand(start: low, width: high - low)
    }

    func validate(_ parameters: SpectrogramMaskParameters, for geometry: ImageGeometry) throws {
        let lists = parameters.channelBands.count
        guard lists == 1 || lists == geometry.channels else {
            throw AugmentError.parameterMismatch(
                "\(op): \(lists) band lists for \(geometry.channels) channels (give 1 or one per channel)")
        }
        let length = length(of: geometry)
        for band in parameters.channelBands.joined()
        where !(band.start >= 0 && band.width >= 0 && band.start <= length && band.width <= length - band.start) {
            throw AugmentError.parameterMismatch(
                "\(op): band start \(band.start) width \(band.width) leaves an axis of \(length)")
        }
    }

    func lower(_ parameters: [SpectrogramMaskParameters], into plan: inout PlanBuilder) throws {
        let geometry = plan.geometry
        guard parameters.count == plan.count else {
            throw AugmentError.parameterMismatch(
                "\(op): \(parameters.count) parameter values for a batch of \(plan.count)")
        }
        let perChannel = parameters.flatMap(\.channelBands).map(\.count).max() ?? 0
        var bands: [Int32] = []
        bands.reserveCapacity(plan.count * geometry.channels * perChannel * 2)
        for sample in parameters {
            for c in 0..<geometry.channels {
                let list = sample.channelBands.count == 1 ? sample.channelBands[0] : sample.channelBands[c]
                for band in list {
                    bands += [Int32(clamping: band.start), Int32(clamping: band.start + band.width)]
                }
                bands += Array(repeating: 0, count: (perChannel - list.count) * 2)
            }
        }
        let stage = MaskStage(
            op: op, count: plan.count, geometry: geometry, axis: axis, bandsPerChannel: perChannel,
            bands: bands, fill: maskValue)
        try stage.checkInput(count: plan.count, geometry: geometry)
        try plan.append(Stage(stage))
    }
}

/// `frequency_masking`: masks `num_masks` bands of consecutive frequency bins (whole rows of the
/// spectrogram, all frames) per example and channel (torchaudio `FrequencyMasking` /
/// `mask_along_axis_iid` on axis F; see ``AxisMasking`` for the draws).
///
/// Works on float32 NCHW batches with H = frequency bins and W = time frames (what
/// ``SpectrogramBatch/asImages()`` gives). Defaults: `iid_masks` true (a mask per example and
/// channel; false shares one per example across its channels), `p` 1, one mask, fill 0.
public struct FrequencyMasking: AxisMaskingTransform {
    public static let opName = "frequency_masking"
    /// Masks are narrower than this (widths 0 ... freq_mask_param - 1), in [0, 2^31 - 1].
    public let freqMaskParam: Int
    public let iidMasks: Bool
    /// Cap on the mask width as a fraction of the bins, in [0, 1]: with p < 1 masks are narrower
    /// than min(freq_mask_param, int(F p)).
    public let p: Double
    /// Masks per example (and channel), in [0, 256].
    public let numMasks: Int
    public let maskValue: MaskValue

    public init(
        freqMaskParam: Int, iidMasks: Bool = AxisMaskingArguments.iidMasks.defaultValue!,
        p: Double = AxisMaskingArguments.p.defaultValue!, numMasks: Int = AxisMaskingArguments.numMasks.defaultValue!,
        maskValue: MaskValue = AxisMaskingArguments.maskValue.defaultValue!
    ) throws {
        try AxisMasking.checkArguments(
            op: Self.opName, paramName: "freq_mask_param", maskParam: freqMaskParam, p: p,
            numMasks: numMasks, maskValue: maskValue)
        self.freqMaskParam = freqMaskParam
        self.iidMasks = iidMasks
        self.p = p
        self.numMasks = numMasks
        self.maskValue = maskValue
    }

    var masking: AxisMasking {
        AxisMasking(
            op: Self.opName, axis: .frequency, maskParam: freqMaskParam, iidMasks: iidMasks, p: p,
            numMasks: numMasks, maskValue: maskValue)
    }

    private enum CodingKeys: String, CodingKey {
        case freqMaskParam = "freq_mask_param", iidMasks = "iid_masks", p, numMasks = "num_masks", maskValue =
            "mask_value"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            freqMaskParam: read(Self.maskParamArgument), iidMasks: read(AxisMaskingArguments.iidMasks),
            p: read(AxisMaskingArguments.p), numMasks: read(AxisMaskingArguments.numMasks),
            maskValue: read(AxisMaskingArguments.maskValue))
    }

    /// The mask-width argument (the others are ``AxisMaskingArguments``).
    public static let maskParamArgument = OpArgument<Int>(
        "freq_mask_param", range: 0...Double(Int32.max),
        doc: "masks are narrower than this (widths 0 ... freq_mask_param - 1)")
}

/// `time_masking`: masks `num_masks` bands of consecutive time frames (whole columns of the
/// spectrogram, all bins) per example and channel (torchaudio `TimeMasking` /
/// `mask_along_axis_iid` on axis T; see ``AxisMasking`` for the draws). Defaults as for
/// ``FrequencyMasking``.
public struct TimeMasking: AxisMaskingTransform {
    public static let opName = "time_masking"
    /// Masks are narrower than this (widths 0 ... time_mask_param - 1), in [0, 2^31 - 1].
    public let timeMaskParam: Int
    public let iidMasks: Bool
    /// Cap on the mask width as a fraction of the frames, in [0, 1] (the SpecAugment paper's p):
    /// with p < 1 masks are narrower than min(time_mask_param, int(T p)).
    public let p: Double
    /// Masks per example (and channel), in [0, 256].
    public let numMasks: Int
    public let maskValue: MaskValue

    public init(
        timeMaskParam: Int, iidMasks: Bool = AxisMaskingArguments.iidMasks.defaultValue!,
        p: Double = AxisMaskingArguments.p.defaultValue!, numMasks: Int = AxisMaskingArguments.numMasks.defaultValue!,
        maskValue: MaskValue = AxisMaskingArguments.maskValue.defaultValue!
    ) throws {
        try AxisMasking.checkArguments(
            op: Self.opName, paramName: "time_mask_param", maskParam: timeMaskParam, p: p,
            numMasks: numMasks, maskValue: maskValue)
        self.timeMaskParam = timeMaskParam
        self.iidMasks = iidMasks
        self.p = p
        self.numMasks = numMasks
        self.maskValue = maskValue
    }

    var masking: AxisMasking {
        AxisMasking(
            op: Self.opName, axis: .time, maskParam: timeMaskParam, iidMasks: iidMasks, p: p,
            numMasks: numMasks, maskValue: maskValue)
    }

    private enum CodingKeys: String, CodingKey {
        case timeMaskParam = "time_mask_param", iidMasks = "iid_masks", p, numMasks = "num_masks", maskValue =
            "mask_value"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            timeMaskParam: read(Self.maskParamArgument), iidMasks: read(AxisMaskingArguments.iidMasks),
            p: read(AxisMaskingArguments.p), numMasks: read(AxisMaskingArguments.numMasks),
            maskValue: read(AxisMaskingArguments.maskValue))
    }

    /// The mask-width argument (the others are ``AxisMaskingArguments``).
    public static let maskParamArgument = OpArgument<Int>(
        "time_mask_param", range: 0...Double(Int32.max),
        doc: "masks are narrower than this (widths 0 ... time_mask_param - 1)")
}

/// The Transform members shared by the two masking ops: everything comes from their
/// ``AxisMasking`` (axis, widths, draws, lowering).
protocol AxisMaskingTransform: Transform where Parameters == SpectrogramMaskParameters {
    var masking: AxisMasking { get }
}

extension AxisMaskingTransform {
    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> SpectrogramMaskParameters {
        masking.sample(for: input, random: &random)
    }

    public func validate(_ parameters: SpectrogramMaskParameters, for input: ImageGeometry) throws {
        try masking.validate(parameters, for: input)
    }

    public func lower(_ parameters: [SpectrogramMaskParameters], into plan: inout PlanBuilder) throws {
        try masking.lower(parameters, into: &plan)
    }
}

/// `time_warp`: SpecAugment's time warping with ESPnet's semantics (espnet2/layers/time_warp.py),
/// per sample. With T frames and W = `window`: when T - W <= W (or W = 0) nothing is warped;
/// otherwise the centre c = integer(W...T-W-1) and the new centre w = integer(c-W...c+W-1) + 1
/// (ESPnet's `randint(c - W, c + W) + 1`, so w is in [c-W+1, c+W] and both halves keep a frame),
/// and frames [0, c) are resampled onto [0, w), frames [c, T) onto [w, T) (see ``TimeWarpStage``).
///
/// Deviations: ESPnet draws one warp per batch; here every sample draws its own (the library's
/// convention). `mode` "bicubic" (the default, as ESPnet) or "linear"; both match PyTorch's
/// `interpolate(align_corners=False)` within float32 rounding and agree exactly between backends.
public struct TimeWarp: Transform {
    public static let opName = "time_warp"
    /// ESPnet's `window` (the paper's W), in frames, in [0, 2^31 - 1].
    public let window: Int
    public let mode: TimeWarpInterpolation

    public init(
        window: Int = Arguments.window.defaultValue!, mode: TimeWarpInterpolation = Arguments.mode.defaultValue!
    ) throws {
        try Arguments.window.check(window, op: Self.opName)
        self.window = window
        self.mode = mode
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> TimeWarpParameters {
        let frames = input.width
        guard window > 0, frames - window > window else { return .identity }
        let center = random.integer(in: window...(frames - window - 1))
        let warped = random.integer(in: (center - window)...(center + window - 1)) + 1
        return TimeWarpParameters(center: center, warpedCenter: warped)
    }

    public func validate(_ parameters: TimeWarpParameters, for input: ImageGeometry) throws {
        try parameters.validate(frames: input.width)
    }

    public func lower(_ parameters: [TimeWarpParameters], into plan: inout PlanBuilder) throws {
        let stage = TimeWarpStage(
            count: plan.count, geometry: plan.geometry,
            centers: parameters.map { Int32(clamping: $0.center) },
            warpedCenters: parameters.map { Int32(clamping: $0.warpedCenter) },
            interpolation: mode)
        try stage.checkInput(count: plan.count, geometry: plan.geometry)
        try plan.append(Stage(stage))
    }

    private enum CodingKeys: String, CodingKey { case window, mode }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(window: read(Arguments.window), mode: read(Arguments.mode))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let window = OpArgument<Int>(
            "window", default: 80, range: 0...Double(Int32.max),
            doc: "the paper's W in frames: the warp point moves by at most W, and stays W from either end")
        public static let mode = OpArgument<TimeWarpInterpolation>(
            "mode", default: .bicubic, doc: "how frames are resampled along time (the paper's bicubic, or linear)")
    }
}

extension TimeWarpInterpolation: OpArgumentValue {}

extension TimeWarp: DescribedArguments {
    public static let arguments = [Arguments.window.info, Arguments.mode.info]
    public static let summary =
        "Warps each example along time around a random point (SpecAugment time warping, ESPnet `time_warp`)."
}

/// The hand-crafted policies of the SpecAugment paper (Park et al., "SpecAugment: A Simple Data
/// Augmentation Method for Automatic Speech Recognition", Interspeech 2019, Table 1), as
/// `time_warp(W)`, then `frequency_masking(F)` mF times, then `time_masking(T, p)` mT times.
///
/// | Policy | W | F | mF | T | p | mT |
/// | --- | --- | --- | --- | --- | --- | --- |
/// | LibriSpeech basic (LB) | 80 | 27 | 1 | 100 | 1.0 | 1 |
/// | LibriSpeech double (LD) | 80 | 27 | 2 | 100 | 1.0 | 2 |
/// | Switchboard mild (SM) | 40 | 15 | 2 | 70 | 0.2 | 2 |
/// | Switchboard strong (SS) | 40 | 27 | 2 | 70 | 0.2 | 2 |
///
/// The paper's p bounds the time masks only (a time mask is at most p times the number of frames
/// wide), which is torchaudio's `p` on `time_masking`; frequency masks keep p = 1.
public enum SpecAugmentPolicy: String, CaseIterable, Sendable {
    case libriSpeechBasic = "LB"
    case libriSpeechDouble = "LD"
    case switchboardMild = "SM"
    case switchboardStrong = "SS"

    /// (W, F, mF, T, p, mT) of Table 1.
    public var parameters:
        (
            timeWarpWindow: Int, freqMaskParam: Int, freqMasks: Int, timeMaskParam: Int,
            timeMaskP: Double, timeMasks: Int
        )
    {
        switch self {
        case .libriSpeechBasic: return (80, 27, 1, 100, 1.0, 1)
        case .libriSpeechDouble: return (80, 27, 2, 100, 1.0, 2)
        case .switchboardMild: return (40, 15, 2, 70, 0.2, 2)
        case .switchboardStrong: return (40, 27, 2, 70, 0.2, 2)
        }
    }

    /// The policy as three ops. The paper fills masks with 0 on mean-normalised log-mel features
    /// (equivalent to the mean); `maskValue: .mean` fills with each example's mean instead.
    public func transforms(
        maskValue: MaskValue = .constant(0), timeWarpMode: TimeWarpInterpolation = .bicubic,
        iidMasks: Bool = true
    ) throws -> [any Transform] {
        let p = parameters
        return [
            try TimeWarp(window: p.timeWarpWindow, mode: timeWarpMode),
            try FrequencyMasking(
                freqMaskParam: p.freqMaskParam, iidMasks: iidMasks, p: 1, numMasks: p.freqMasks,
                maskValue: maskValue),
            try TimeMasking(
                timeMaskParam: p.timeMaskParam, iidMasks: iidMasks, p: p.timeMaskP, numMasks: p.timeMasks,
                maskValue: maskValue),
        ]
    }

    /// The policy as a pipeline producing float32 NCHW (what spectrogram batches need).
    public func pipeline(
        maskValue: MaskValue = .constant(0), timeWarpMode: TimeWarpInterpolation = .bicubic,
        iidMasks: Bool = true
    ) throws -> Pipeline {
        try Pipeline(transforms(maskValue: maskValue, timeWarpMode: timeWarpMode, iidMasks: iidMasks))
    }
}

/// The arguments `frequency_masking` and `time_masking` share, declared once for both.
public enum AxisMaskingArguments {
    public static let iidMasks = OpArgument<Bool>(
        "iid_masks", default: true,
        doc: "a mask per example and channel (false: one per example, shared by its channels)")
    public static let p = OpArgument<Double>(
        "p", default: 1, range: 0...1,
        doc: "cap on the mask width as a fraction of the axis: widths below min(mask param, int(length p))")
    public static let numMasks = OpArgument<Int>(
        "num_masks", default: 1, range: 0...256, doc: "masks per example (and channel)")
    public static let maskValue = OpArgument<MaskValue>(
        "mask_value", default: .constant(0), doc: "the fill: a finite number, or \"mean\" (the example's mean)")
}

extension MaskValue: OpArgumentValue {
    public var numericValue: Double? { nil }
    public static var referenceTypeName: String { "number or \"mean\"" }
    public var referenceText: String {
        switch self {
        case .constant(let value): return AugmentError.formatNumber(Double(value))
        case .mean: return "\"mean\""
        }
    }
    public var jsonValue: Any {
        switch self {
        case .constant(let value): return Double(value)
        case .mean: return "mean"
        }
    }
}

extension FrequencyMasking: DescribedArguments {
    public static let arguments = [
        maskParamArgument.info, AxisMaskingArguments.iidMasks.info, AxisMaskingArguments.p.info,
        AxisMaskingArguments.numMasks.info, AxisMaskingArguments.maskValue.info,
    ]
    public static let summary =
        "Masks `num_masks` bands of consecutive frequency bins per example and channel (torchaudio `FrequencyMasking`)."
}

extension TimeMasking: DescribedArguments {
    public static let arguments = [
        maskParamArgument.info, AxisMaskingArguments.iidMasks.info, AxisMaskingArguments.p.info,
        AxisMaskingArguments.numMasks.info, AxisMaskingArguments.maskValue.info,
    ]
    public static let summary =
        "Masks `num_masks` bands of consecutive time frames per example and channel (torchaudio `TimeMasking`)."
}
