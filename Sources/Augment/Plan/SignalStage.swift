/// What one ``SignalStage`` does to every sample (one op per stage; the kernel is built per op).
/// The raw values are the `SIGNAL_OP` define of `Kernels/signal.cl`.
public enum SignalOp: Int32, Sendable, Equatable, CaseIterable {
    /// `out = x * values[0]`.
    case amplitudeScale = 0
    /// `out = fma(values[0], sin(2π (t * values[1] + values[2])), x)`, the same wave on every channel
    /// (`values[1]`: cycles per sample, `values[2]`: phase in cycles; `PortableMath.sinCos2Pi`).
    case baselineWander = 1
    /// `out = fma(z, sigma, x)` with z the sample's noise stream element `c * T + t` and sigma
    /// `values[0]`, or `values[0]` times the (sample, channel) standard deviation when `relative`.
    case gaussianNoise = 2
    /// Linear interpolation at `t * values[0]` for `t < integers[0]` (the stretched length), 0 after.
    case timeStretch = 3
    /// `out = x[t - integers[0]]`: wrapped around when `roll`, 0 outside the signal otherwise.
    case timeShift = 4
    /// `out[c] = x[channelMap[c]]`, 0 where the map holds -1 (channel permutation and dropout).
    case channelMap = 5

    /// The op name a pipeline file uses for this stage's ops.
    public var name: String {
        switch self {
        case .amplitudeScale: return "amplitude_scale"
        case .baselineWander: return "baseline_wander"
        case .gaussianNoise: return "gaussian_noise"
        case .timeStretch: return "time_stretch"
        case .timeShift: return "time_shift"
        case .channelMap: return "channel_map"
        }
    }
}

/// Signal ops over a batch of signals in one pass (family `signal`: `Kernels/signal.cl`,
/// `CPU/Signal.swift`): this stage's own op, then the ops of ``following`` (consecutive signal ops
/// fuse into one per-sample program, see ``fused(with:)``).
///
/// Signals are float32 NCHW batches with height 1: C channels, T = width samples (the memory of an
/// (N, C, T) array). Per sample n the stage holds `values[4n ..< 4n + 4]` (Float) and
/// `integers[4n ..< 4n + 4]` (Int32) whose meaning depends on ``op`` (see ``SignalOp``), a channel
/// map of C entries for ``SignalOp/channelMap``, and a noise key for ``SignalOp/gaussianNoise``.
/// Every output element is written.
public struct SignalStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    public var op: SignalOp
    public var values: [Float]
    public var integers: [Int32]
    /// C source channels per sample (-1: zero), for ``SignalOp/channelMap``; empty otherwise.
    public var channelMap: [Int32]
    /// One noise key per sample for ``SignalOp/gaussianNoise``; empty otherwise.
    public var keys: [NoiseKey]
    /// ``SignalOp/gaussianNoise``: sigma is a fraction of each (sample, channel) standard
    /// deviation (population, ddof 0), from 64-bit fixed-point sums (order-free) on both backends.
    public var relative: Bool
    /// ``SignalOp/timeShift``: wrap around (true) or fill with 0 (false).
    public var roll: Bool
    /// The ops run after this one in the same pass, in order: stages of one op each (empty
    /// ``following``), with this stage's count and geometry. A relative gaussian_noise among them
    /// gets its standard deviations from a reduction over the signal just before it (one
    /// `signal_std` launch per such op).
    public var following: [SignalStage] = []

    /// The most ops one pass holds.
    public static let maxSteps = 8
    /// The most time_stretch ops one pass holds: each doubles the input elements an output element
    /// reads (interpolation).
    public static let maxStretches = 2

    /// This pass's ops in order: this stage's own op, then ``following``.
    public var steps: [SignalStage] {
        var first = self
        first.following = []
        return [first] + following
    }

    /// `self` followed by `next` in one pass, or nil when that would exceed ``maxSteps`` or
    /// ``maxStretches`` or the batches differ.
    public func fused(with next: SignalStage) -> SignalStage? {
        guard next.count == count, next.geometry == geometry else { return nil }
        let all = steps + next.steps
        guard all.count <= Self.maxSteps, all.filter({ $0.op == .timeStretch }).count <= Self.maxStretches else {
            return nil
        }
        var fused = self
        fused.following = Array(all.dropFirst())
        return fused
    }

    /// The ops, as `augment plan` shows them ("amplitude_scale + gaussian_noise (relative)").
    public var programDescription: String {
        steps.map { "\($0.op.name)\($0.relative ? " (relative)" : "")" }.joined(separator: " + ")
    }

    /// The pass as `augment plan` shows it: its ops, and the standard-deviation pre-passes of its
    /// relative noise ops (one `signal_std` launch each, before the pass).
    public var planDescription: String {
        let reductions = steps.filter { $0.op == .gaussianNoise && $0.relative }.count
        return "\(programDescription) in one pass"
            + (reductions == 0 ? "" : " + \(reductions) signal_std pre-pass\(reductions == 1 ? "" : "es")")
    }

    public init(
        count: Int, geometry: ImageGeometry, op: SignalOp, values: [Float], integers: [Int32],
        channelMap: [Int32] = [], keys: [NoiseKey] = [], relative: Bool = false, roll: Bool = false
    ) {
        self.count = count
        self.geometry = geometry
        self.op = op
        self.values = values
        self.integers = integers
        self.channelMap = channelMap
        self.keys = keys
        self.relative = relative
        self.roll = roll
    }

    /// Throws unless the stage fits a float32 NCHW signal batch of `count` samples of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard steps.count <= Self.maxSteps, steps.filter({ $0.op == .timeStretch }).count <= Self.maxStretches,
            following.allSatisfy({ $0.following.isEmpty })
        else {
            throw AugmentError.parameterMismatch(
                "a signal pass holds at most \(Self.maxSteps) ops and \(Self.maxStretches) time_stretch ops, got \(programDescription)"
            )
        }
        for step in steps { try step.checkStep(count: count, geometry: geometry) }
    }

    /// ``check(count:geometry:)`` for this stage's own op.
    private func checkStep(count: Int, geometry: ImageGeometry) throws {
        let channels = geometry.channels
        guard count == self.count, geometry == self.geometry, geometry.height == 1,
            values.count == 4 * count, integers.count == 4 * count,
            op != .channelMap || channelMap.count == count * channels,
            op != .gaussianNoise || keys.count == count,
            channelMap.allSatisfy({ $0 >= -1 && $0 < channels })
        else {
            throw AugmentError.parameterMismatch(
                "the \(op.name) signal stage expects \(self.count) signals of \(self.geometry), got \(count) of \(geometry)"
            )
        }
        let length = geometry.width
        let perSampleValid = (0..<count).allSatisfy { n in
            let v = values[(4 * n)..<(4 * n + 4)]
            let i = Int(integers[4 * n])
            guard v.allSatisfy(\.isFinite) else { return false }
            switch op {
            case .timeStretch: return v[4 * n] >= 0 && v[4 * n] <= Float(length) && (0...length).contains(i)
            case .timeShift: return roll ? (0..<length).contains(i) : (-length...length).contains(i)
            default: return true
            }
        }
        guard perSampleValid else {
            throw AugmentError.parameterMismatch(
                "the \(op.name) signal stage holds a non-finite value, a stretch scale outside [0, T], a stretched length outside [0, T] or a shift outside the signal"
            )
        }
        guard geometry.width < Int(Int32.max), geometry.channels * geometry.width < Int(Int32.max) else {
            throw AugmentError.invalidShape(
                "\(op.name): signals of \(geometry.channels) x \(geometry.width) samples are too long (2^31 elements per signal at most)"
            )
        }
    }

    /// The stage for samples `range` alone.
    func sliced(_ range: Range<Int>) -> SignalStage {
        var s = self
        s.following = following.map { $0.sliced(range) }
        s.values = Array(values[(4 * range.lowerBound)..<(4 * range.upperBound)])
        s.integers = Array(integers[(4 * range.lowerBound)..<(4 * range.upperBound)])
        if !channelMap.isEmpty {
            let c = geometry.channels
            s.channelMap = Array(channelMap[(c * range.lowerBound)..<(c * range.upperBound)])
        }
        if !keys.isEmpty { s.keys = Array(keys[range]) }
        s.count = range.count
        return s
    }

    /// Bits of the 64-bit fixed-point sums of the relative noise's standard deviation for signals
    /// of `length` samples: values get 62 - ceil(log2 T) bits, deviations half that (rounded down),
    /// so that T of them (or of their squares) sum without overflow.
    public static func fixedPointBits(length: Int) -> (sum: Int32, square: Int32) {
        var bits = 0
        while bits < 62 && (1 << bits) < length { bits += 1 }
        return (Int32(62 - bits), Int32((62 - bits) / 2))
    }

    /// Bytes read per sample: each relative noise reads the signal three more times for its statistics.
    public var bytesReadPerSample: Int {
        (1 + 3 * steps.filter { $0.op == .gaussianNoise && $0.relative }.count) * geometry.elementCount * 4
    }
}

extension SignalStage: PlanStage {
    public static let family = "signal"
    public func slicedStage(_ range: Range<Int>) -> Stage? { Stage(sliced(range)) }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "\(planDescription) signal C=\(geometry.channels) T=\(geometry.width)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}

extension PlanBuilder {
    /// Adds a signal op, fused into the signal pass right before it when nothing lies between them
    /// (one pass for a run of signal ops; see ``SignalStage/fused(with:)``).
    public mutating func appendSignal(_ stage: SignalStage) throws {
        try append(Stage(stage)) { previous in
            guard let last = previous.as(SignalStage.self), let fused = last.fused(with: stage) else { return nil }
            return Stage(fused)
        }
    }
}
