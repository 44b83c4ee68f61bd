/// What every stage type says about itself: the protocol a new stage family implements.
///
/// ``Stage`` wraps any conforming value and forwards every question to its ``Stage/body``; the
/// answers live with the stage type, in its own file under `Sources/Augment/Plan/`, and no central
/// list names the stage types. A new stage type that leaves a requirement out does not compile, so
/// the compiler (not a `default:` somewhere) lists what it lacks. The backends find the stage's
/// implementation by conformance, one per stage type: `CPUStageRunner` in
/// `Sources/Augment/CPU/<Family>.swift` and `OpenCLStageRunner` in
/// `Sources/AugmentOpenCL/Backend/<Family>.swift` (StageCompletenessTests checks that every stage
/// type the catalog's plans use has both, and that its family has a kernel file, a CPU twin and a
/// parity suite).
public protocol PlanStage: Sendable, Equatable {
    /// The stem shared by the kernel file, the CPU reference file and the tests of this stage's
    /// family (`Kernels/warp.cl`, `Sources/Augment/CPU/Warp.swift`, `Tests/.../WarpTests.swift`).
    static var family: String { get }
    /// The number of samples the stage runs on (the plan's count, except between a replicate and
    /// a weighted sum); its per-sample bytes are per one of these.
    var count: Int { get }
    /// The stage for samples `range` alone (per-sample parameters cut to the range), or nil when
    /// the stage pairs samples and cannot be split. `range` lies inside `0..<count`.
    func slicedStage(_ range: Range<Int>) -> Stage?
    /// Bytes the stage reads per sample (its input batch; per-sample parameters are negligible).
    var bytesReadPerSample: Int { get }
    /// Bytes the stage writes per sample.
    var bytesWrittenPerSample: Int { get }
    /// The bytes the stage allocates for its whole output, or nil when that does not fit in an
    /// `Int` (what a backend checks before allocating); see ``outputBytes(_:_:copies:)``.
    var checkedOutputBytes: Int? { get }
    /// A short description of what the stage does.
    var detail: String { get }
    /// This stage, planned for the samples `spread.applied` alone, as effects on the whole batch in
    /// which the other samples are identities (what random_apply, one_of and the RandAugment family
    /// use to apply an op to some samples without a launch per choice). A stage with no per-sample
    /// identity throws `spread.notMaskable(...)`.
    func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect]
}

extension PlanStage {
    /// The family of this stage's type.
    public var family: String { Self.family }

    /// This stage as one pass over the batch, `Stage(self)`.
    public var stage: Stage { Stage(self) }

    /// `copies` outputs of `geometry` with `byteCount` bytes per element for each of the stage's
    /// samples, in bytes, or nil on overflow.
    public func outputBytes(_ geometry: ImageGeometry, _ byteCount: Int, copies: Int = 1) -> Int? {
        var result = 1
        for f in [geometry.height, geometry.width, geometry.channels, byteCount, copies, count] {
            let (p, overflow) = result.multipliedReportingOverflow(by: f)
            if overflow || f < 0 { return nil }
            result = p
        }
        return result
    }
}

/// The samples an op applies to when it applies to some samples only, for
/// ``PlanStage/maskedEffects(_:)``: per-sample values planned for those samples are spread over
/// the whole batch with identities for the others.
public struct SampleSpread: Sendable {
    /// The indices (in the whole batch) of the samples the stage was planned for, ascending.
    public let applied: [Int]
    /// The whole batch's sample count.
    public let count: Int
    /// The op's name, for the effects it produces.
    public let opName: String
    /// The op as errors name it (for example "one_of: ops[1] (time_warp)").
    let label: String

    init(applied: [Int], count: Int, opName: String, label: String) {
        self.applied = applied
        self.count = count
        self.opName = opName
        self.label = label
    }

    /// `values` (one per applied sample) spread over the batch, `identity` elsewhere.
    public func spread<V>(_ values: [V], identity: V) -> [V] {
        var all = Array(repeating: identity, count: count)
        for (k, i) in applied.enumerated() { all[i] = values[k] }
        return all
    }

    /// The error for an op that cannot be applied to some samples only, saying why.
    public func notMaskable(_ why: String) -> AugmentError {
        .incompatible("\(label) cannot be applied to some samples only: \(why)")
    }
}
