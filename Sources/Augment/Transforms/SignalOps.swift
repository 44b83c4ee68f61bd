/// Ops on batches of 1-D signals (ECG, accelerometers, audio frames): (N, C, T) float32 arrays,
/// seen by the planner as float32 NCHW images with height 1 (C channels, width T samples), which is
/// the same memory. Pipeline files select them with `"input": "signal"`; ``SignalBatch`` and
/// `Backend.apply(_:to:signals...)` do the same in the library. Family `signal` (`Kernels/signal.cl`,
/// `CPU/Signal.swift`); `time_masking` on signals is the SpecAugment op (``TimeMasking``) unchanged.
///
/// A range argument is `[min, max]` or one number `v` (meaning `[v, v]`), drawn uniformly per sample.

/// Checks that `input` is a signal batch (height 1) and names the op when it is not.
func checkSignalGeometry(_ input: ImageGeometry, op: String) throws {
    guard input.height == 1 else {
        throw AugmentError.incompatible(
            "\(op) works on signal batches (N, C, T) (float32 NCHW with height 1); got images of \(input): pipeline files over 3-D .npy signals say \"input\": \"signal\""
        )
    }
}

/// A range argument of a signal op: one number v means [v, v]; checked against `bounds`.
extension OpArgument where Value == ValueRange {
    /// The checked [min, max] range of a signal op (one number x: [x, x]) inside the declared range.
    func signalRange(_ value: ValueRange, op: String) throws -> ValueRange {
        try Augment.signalRange(value, in: range ?? -signalMaxValue...signalMaxValue, op: op, argument: name)
    }
}

func signalRange(_ range: ValueRange, in bounds: ClosedRange<Double>, op: String, argument: String) throws -> ValueRange
{
    let plain = ValueRange(range.lower, range.upper)
    try plain.check(in: bounds, op: op, argument: argument)
    return plain
}

/// The largest magnitude signal ops accept for amplitudes, sigmas and scale factors.
let signalMaxValue = 1e6

// MARK: - amplitude_scale

/// One sample's scale factor.
public struct AmplitudeScaleParameters: Codable, Sendable, Equatable {
    public var factor: Double
    public init(factor: Double) { self.factor = factor }
}

/// `amplitude_scale`: multiplies every sample of a signal (all channels) by `factor` ~ U[min, max],
/// drawn per signal. `factor` in [-1e6, 1e6] (negative factors invert polarity).
public struct AmplitudeScale: Transform {
    public static let opName = "amplitude_scale"
    public let factor: ValueRange

    public init(factor: ValueRange = Arguments.factor.defaultValue!) throws {
        self.factor = try Arguments.factor.signalRange(factor, op: Self.opName)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> AmplitudeScaleParameters {
        AmplitudeScaleParameters(factor: factor.lower == factor.upper ? factor.lower : factor.draw(&random))
    }

    public func validate(_ parameters: AmplitudeScaleParameters, for input: ImageGeometry) throws {
        try AugmentError.check(
            parameters.factor, in: -signalMaxValue...signalMaxValue, op: Self.opName, argument: "factor")
    }

    public func lower(_ parameters: [AmplitudeScaleParameters], into plan: inout PlanBuilder) throws {
        try plan.appendSignal(
            SignalStage(
                count: plan.count, geometry: plan.geometry, op: .amplitudeScale,
                values: parameters.flatMap { [Float($0.factor), 0, 0, 0] },
                integers: Array(repeating: 0, count: 4 * plan.count)))
    }

    private enum CodingKeys: String, CodingKey { case factor }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(factor: read(Arguments.factor))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let factor = OpArgument<ValueRange>(
            "factor", default: ValueRange(0.8, 1.2), range: -signalMaxValue...signalMaxValue, catalog: -2...3,
            doc: "range [min, max] the per-signal factor is drawn from (uniform); one number: that factor")
    }
}

// MARK: - baseline_wander

/// One sample's wave: amplitude, frequency in cycles per signal length, phase in cycles [0, 1).
public struct BaselineWanderParameters: Codable, Sendable, Equatable {
    public var amplitude: Double
    public var frequencyCyclesPerLength: Double
    public var phaseCycles: Double
    public init(amplitude: Double, frequencyCyclesPerLength: Double, phaseCycles: Double) {
        self.amplitude = amplitude
        self.frequencyCyclesPerLength = frequencyCyclesPerLength
        self.phaseCycles = phaseCycles
    }
}

/// `baseline_wander`: adds `amplitude * sin(2π (f t / T + phase))` to every channel of a signal
/// (the same wave on all channels), t = 0 ..< T the sample index. Per signal: amplitude ~
/// U[amplitude], f ~ U[frequency] in cycles per signal length (a 10 s ECG at 0.3 Hz is f = 3),
/// phase ~ U[0, 1) cycles. amplitude in [0, 1e6] (the signal's units), frequency in [0, 1e6].
/// The sine is `PortableMath.sinCos2Pi` on float32 `u = fma(t, Float(f / T), Float(phase))` on both
/// backends (a few 1e-7 from a double-precision sine).
public struct BaselineWander: Transform {
    public static let opName = "baseline_wander"
    public let amplitude: ValueRange
    public let frequency: ValueRange

    public init(
        amplitude: ValueRange = Arguments.amplitude.defaultValue!,
        frequency: ValueRange = Arguments.frequency.defaultValue!
    ) throws {
        self.amplitude = try Arguments.amplitude.signalRange(amplitude, op: Self.opName)
        self.frequency = try Arguments.frequency.signalRange(frequency, op: Self.opName)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> BaselineWanderParameters {
        let a = amplitude.draw(&random)
        let f = frequency.draw(&random)
        return BaselineWanderParameters(amplitude: a, frequencyCyclesPerLength: f, phaseCycles: random.uniform())
    }

    public func validate(_ parameters: BaselineWanderParameters, for input: ImageGeometry) throws {
        try AugmentError.check(
            parameters.amplitude, in: -signalMaxValue...signalMaxValue, op: Self.opName, argument: "amplitude")
        try AugmentError.check(
            parameters.frequencyCyclesPerLength, in: 0...signalMaxValue, op: Self.opName, argument: "frequency")
        try AugmentError.check(parameters.phaseCycles, in: -1...1, op: Self.opName, argument: "phase")
    }

    public func lower(_ parameters: [BaselineWanderParameters], into plan: inout PlanBuilder) throws {
        let length = Double(plan.geometry.width)
        try plan.appendSignal(
            SignalStage(
                count: plan.count, geometry: plan.geometry, op: .baselineWander,
                values: parameters.flatMap {
                    [Float($0.amplitude), Float($0.frequencyCyclesPerLength / length), Float($0.phaseCycles), 0]
                },
                integers: Array(repeating: 0, count: 4 * plan.count)))
    }

    private enum CodingKeys: String, CodingKey { case amplitude, frequency }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(amplitude: read(Arguments.amplitude), frequency: read(Arguments.frequency))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let amplitude = OpArgument<ValueRange>(
            "amplitude", default: ValueRange(0, 0.1), range: 0...signalMaxValue, catalog: 0...2,
            doc: "range [min, max] of the wave's amplitude, drawn per signal")
        public static let frequency = OpArgument<ValueRange>(
            "frequency", default: ValueRange(0.1, 2), range: 0...signalMaxValue, catalog: 0...40,
            doc: "range [min, max] of the wave's frequency in cycles per signal length, drawn per signal")
    }
}

// MARK: - gaussian_noise (signals)

/// One signal's noise: sigma and its noise stream.
public struct SignalNoiseParameters: Codable, Sendable, Equatable {
    public var sigma: Double
    public var noise: NoiseKey
    public init(sigma: Double, noise: NoiseKey) {
        self.sigma = sigma
        self.noise = noise
    }
}

/// `gaussian_noise` on signals (`"input": "signal"`): adds `sigma * z`, z ~ N(0, 1) per element, no
/// clamping. sigma ~ U[sigma] per signal, in [0, 1e6]; with `relative` it is a fraction of each
/// (signal, channel)'s population standard deviation (numpy `std`, ddof 0), so 0.05 is noise at
/// 5% of the channel's spread. z comes from the signal's device noise stream (element c·T + t), as
/// for images' `gaussian_noise`; the standard deviation is summed left to right in float32 on both
/// backends.
public struct SignalGaussianNoise: Transform {
    public static let opName = "gaussian_noise"
    public let sigma: ValueRange
    public let relative: Bool

    public init(
        sigma: ValueRange = Arguments.sigma.defaultValue!, relative: Bool = Arguments.relative.defaultValue!
    )
        throws
    {
        self.sigma = try Arguments.sigma.signalRange(sigma, op: Self.opName)
        self.relative = relative
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> SignalNoiseParameters {
        let s = sigma.lower == sigma.upper ? sigma.lower : sigma.draw(&random)
        return SignalNoiseParameters(sigma: s, noise: NoiseKey(random.randomKey))
    }

    public func validate(_ parameters: SignalNoiseParameters, for input: ImageGeometry) throws {
        try AugmentError.check(parameters.sigma, in: 0...signalMaxValue, op: Self.opName, argument: "sigma")
    }

    public func lower(_ parameters: [SignalNoiseParameters], into plan: inout PlanBuilder) throws {
        try plan.appendSignal(
            SignalStage(
                count: plan.count, geometry: plan.geometry, op: .gaussianNoise,
                values: parameters.flatMap { [Float($0.sigma), 0, 0, 0] },
                integers: Array(repeating: 0, count: 4 * plan.count),
                keys: parameters.map(\.noise), relative: relative))
    }

    private enum CodingKeys: String, CodingKey { case sigma, relative }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(sigma: read(Arguments.sigma), relative: read(Arguments.relative))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let sigma = OpArgument<ValueRange>(
            "sigma", default: ValueRange(0.01, 0.01), range: 0...signalMaxValue, catalog: 0...0.5,
            doc: "range [min, max] of the noise's standard deviation, drawn per signal; one number: that sigma")
        public static let relative = OpArgument<Bool>(
            "relative", default: false, doc: "sigma as a fraction of each channel's standard deviation")
    }
}

// MARK: - time_stretch

/// One signal's stretch factor.
public struct TimeStretchParameters: Codable, Sendable, Equatable {
    public var factor: Double
    public init(factor: Double) { self.factor = factor }
}

/// `time_stretch`: resamples each signal to L = round(T · factor) samples (round half to even, at
/// least 1) by linear interpolation with the end points aligned — numpy
/// `np.interp(np.arange(L) * (T - 1) / (L - 1), np.arange(T), x)` — then keeps the first T
/// samples (factor > 1: the signal slows down and its end is cropped) or pads with zeros at the end
/// (factor < 1). factor ~ U[factor] per signal, in [0.1, 10]. float32 on both backends: position
/// `t * Float((T - 1) / (L - 1))`, value `fma(frac, x[i + 1] - x[i], x[i])`.
public struct TimeStretch: Transform {
    public static let opName = "time_stretch"
    public let factor: ValueRange

    public init(factor: ValueRange = Arguments.factor.defaultValue!) throws {
        self.factor = try Arguments.factor.signalRange(factor, op: Self.opName)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> TimeStretchParameters {
        TimeStretchParameters(factor: factor.lower == factor.upper ? factor.lower : factor.draw(&random))
    }

    public func validate(_ parameters: TimeStretchParameters, for input: ImageGeometry) throws {
        try AugmentError.check(parameters.factor, in: 0.1...10, op: Self.opName, argument: "factor")
    }

    /// The stretched length L and the float32 source step (T - 1) / (L - 1) (0 when L = 1).
    public static func stretch(length: Int, factor: Double) -> (stretchedLength: Int, step: Float) {
        let stretched = max(1, Int((Double(length) * factor).rounded(.toNearestOrEven)))
        let step = stretched > 1 ? Float(Double(length - 1) / Double(stretched - 1)) : 0
        return (stretched, step)
    }

    public func lower(_ parameters: [TimeStretchParameters], into plan: inout PlanBuilder) throws {
        let length = plan.geometry.width
        let stretches = parameters.map { Self.stretch(length: length, factor: $0.factor) }
        try plan.appendSignal(
            SignalStage(
                count: plan.count, geometry: plan.geometry, op: .timeStretch,
                values: stretches.flatMap { [$0.step, 0, 0, 0] },
                integers: stretches.flatMap { [Int32(min($0.stretchedLength, length)), 0, 0, 0] }))
    }

    private enum CodingKeys: String, CodingKey { case factor }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(factor: read(Arguments.factor))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let factor = OpArgument<ValueRange>(
            "factor", default: ValueRange(0.9, 1.1), range: 0.1...10, catalog: 0.1...10,
            doc: "range [min, max] of the stretch factor, drawn per signal (> 1 slows down)")
    }
}

// MARK: - time_shift

/// One signal's shift in samples (positive: later).
public struct TimeShiftParameters: Codable, Sendable, Equatable {
    public var shiftSamples: Int
    public init(shiftSamples: Int) { self.shiftSamples = shiftSamples }
}

/// What `time_shift` puts where the shifted signal left.
public enum TimeShiftMode: String, Codable, Sendable, CaseIterable {
    /// Wrap around (numpy `np.roll(x, shift, axis=-1)`).
    case roll
    /// Zeros.
    case pad
}

/// `time_shift`: `out[t] = x[t - shift]` on every channel, shift an integer ~ U{min ... max} per
/// signal (samples; positive moves the signal later), wrapped around (`mode` "roll", numpy
/// `np.roll`) or filled with 0 (`mode` "pad"). shift in [-2^30, 2^30].
public struct TimeShift: Transform {
    public static let opName = "time_shift"
    static let maxShift = 1 << 30
    public let shift: ValueRange
    public let mode: TimeShiftMode

    public init(shift: ValueRange, mode: TimeShiftMode = .roll) throws {
        let range = try signalRange(
            shift, in: -Double(Self.maxShift)...Double(Self.maxShift), op: Self.opName, argument: "shift")
        guard range.lower.rounded(.up) <= range.upper.rounded(.down) else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "shift", value: "[\(range.lower), \(range.upper)]",
                allowed: "a range that holds an integer")
        }
        self.shift = range
        self.mode = mode
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> TimeShiftParameters {
        TimeShiftParameters(
            shiftSamples: random.integer(in: Int(shift.lower.rounded(.up))...Int(shift.upper.rounded(.down))))
    }

    public func validate(_ parameters: TimeShiftParameters, for input: ImageGeometry) throws {
        try AugmentError.check(
            parameters.shiftSamples, in: -Self.maxShift...Self.maxShift, op: Self.opName, argument: "shift")
    }

    public func lower(_ parameters: [TimeShiftParameters], into plan: inout PlanBuilder) throws {
        let length = plan.geometry.width
        let shifts = parameters.map { p -> Int32 in
            switch mode {
            case .roll: return Int32(((p.shiftSamples % length) + length) % length)
            case .pad: return Int32(min(max(p.shiftSamples, -length), length))
            }
        }
        try plan.appendSignal(
            SignalStage(
                count: plan.count, geometry: plan.geometry, op: .timeShift,
                values: Array(repeating: 0, count: 4 * plan.count), integers: shifts.flatMap { [$0, 0, 0, 0] },
                roll: mode == .roll))
    }

    private enum CodingKeys: String, CodingKey { case shift, mode }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(shift: read(Arguments.shift), mode: read(Arguments.mode))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let shift = OpArgument<ValueRange>(
            "shift", allowed: "[min, max] in [-2^30, 2^30] holding an integer",
            doc: "range of the shift in samples, an integer drawn uniformly per signal (positive: later)")
        public static let mode = OpArgument<TimeShiftMode>(
            "mode", default: .roll, doc: "\"roll\": wrap around (np.roll); \"pad\": fill with 0")
    }
}

// MARK: - channel_dropout and channel_permute

/// Where each output channel of one signal comes from: a source channel, or -1 for zeros.
public struct ChannelMapParameters: Codable, Sendable, Equatable {
    public var sourceChannels: [Int]
    public init(sourceChannels: [Int]) { self.sourceChannels = sourceChannels }
}

func validateChannelMap(_ parameters: ChannelMapParameters, channels: Int, op: String, permutation: Bool) throws {
    let map = parameters.sourceChannels
    let valid =
        map.count == channels
        && (permutation
            ? Set(map) == Set(0..<channels)
            : map.enumerated().allSatisfy { $0.element == -1 || $0.element == $0.offset })
    guard valid else {
        throw AugmentError.parameterMismatch(
            "\(op): \(map) is not \(permutation ? "a permutation of the \(channels) channels" : "a dropout map of \(channels) channels (each c or -1)")"
        )
    }
}

func lowerChannelMaps(_ parameters: [ChannelMapParameters], into plan: inout PlanBuilder) throws {
    try plan.appendSignal(
        SignalStage(
            count: plan.count, geometry: plan.geometry, op: .channelMap,
            values: Array(repeating: 0, count: 4 * plan.count), integers: Array(repeating: 0, count: 4 * plan.count),
            channelMap: parameters.flatMap { $0.sourceChannels.map(Int32.init) }))
}

/// `channel_dropout`: each channel of each signal is set to 0 with probability `p` (in [0, 1]),
/// independently (no rescaling of the kept channels, unlike `nn.Dropout1d`).
public struct ChannelDropout: Transform {
    public static let opName = "channel_dropout"
    public let p: Double

    public init(p: Double = Arguments.p.defaultValue!) throws {
        try Arguments.p.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ChannelMapParameters {
        ChannelMapParameters(sourceChannels: (0..<input.channels).map { random.bernoulli(p) ? -1 : $0 })
    }

    public func validate(_ parameters: ChannelMapParameters, for input: ImageGeometry) throws {
        try validateChannelMap(parameters, channels: input.channels, op: Self.opName, permutation: false)
    }

    public func lower(_ parameters: [ChannelMapParameters], into plan: inout PlanBuilder) throws {
        try lowerChannelMaps(parameters, into: &plan)
    }

    private enum CodingKeys: String, CodingKey { case p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(Arguments.p))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let p = OpArgument<Double>(
            "p", default: 0.1, range: 0...1, catalog: 0...1, doc: "probability of zeroing each channel of each signal")
    }
}

/// `channel_permute`: the channels of each signal in a uniformly random order (Fisher-Yates on the
/// signal's stream); output channel c is input channel `source_channels[c]`. Only for channels
/// without a fixed meaning (electrodes of a symmetric montage, interchangeable sensors).
public struct ChannelPermute: Transform {
    public static let opName = "channel_permute"

    public init() {}

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSignalGeometry(input, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ChannelMapParameters {
        var order = Array(0..<input.channels)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, random.integer(in: 0...i))
        }
        return ChannelMapParameters(sourceChannels: order)
    }

    public func validate(_ parameters: ChannelMapParameters, for input: ImageGeometry) throws {
        try validateChannelMap(parameters, channels: input.channels, op: Self.opName, permutation: true)
    }

    public func lower(_ parameters: [ChannelMapParameters], into plan: inout PlanBuilder) throws {
        try lowerChannelMaps(parameters, into: &plan)
    }
}

extension TimeShiftMode: OpArgumentValue {}

extension AmplitudeScale: DescribedArguments {
    public static let arguments = [Arguments.factor.info]
    public static let summary =
        "Multiplies each signal by a factor drawn per signal (signals, `\"input\": \"signal\"`)."
}

extension BaselineWander: DescribedArguments {
    public static let arguments = [Arguments.amplitude.info, Arguments.frequency.info]
    public static let summary =
        "Adds a sine wave of random amplitude, frequency and phase to each signal (signals; ECG baseline wander)."
}

extension SignalGaussianNoise: DescribedArguments {
    public static let arguments = [Arguments.sigma.info, Arguments.relative.info]
    public static let summary =
        "`gaussian_noise` on signals: adds `sigma * z`, z ~ N(0, 1), sigma drawn per signal, no clamping."
}

extension TimeStretch: DescribedArguments {
    public static let arguments = [Arguments.factor.info]
    public static let summary =
        "Resamples each signal by a factor drawn per signal (linear, as `np.interp`) and keeps its length (signals)."
}

extension TimeShift: DescribedArguments {
    public static let arguments = [Arguments.shift.info, Arguments.mode.info]
    public static let summary =
        "Shifts each signal in time by an integer drawn per signal, rolled or zero-padded (signals)."
}

extension ChannelDropout: DescribedArguments {
    public static let arguments = [Arguments.p.info]
    public static let summary = "Zeroes each channel of each signal with probability `p` (signals)."
}

extension ChannelPermute: DescribedArguments {
    public static let arguments: [OpArgumentInfo] = []
    public static let summary = "Puts the channels of each signal in a uniformly random order (signals)."
}
