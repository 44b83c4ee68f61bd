/// A compiled pipeline: the stages a backend runs, in order, for one sampled batch.
///
/// Stages are the unit of device work: each is one kernel launch on the OpenCL backend and one
/// pass over the batch on the CPU backend. Transforms never talk to a backend directly; they lower
/// into stages through ``PlanBuilder``, which fuses what can be fused.
public struct Plan: Sendable, Equatable {
    public var stages: [Stage]
    /// The format the plan produces.
    public var output: OutputFormat
    public var outputGeometry: ImageGeometry
    public var count: Int
}

extension Plan {
    /// Kernel launches (OpenCL) or passes (CPU) per batch: one per stage.
    public var passes: Int { stages.count }

    /// Bytes every stage reads and writes for one sample, summed over the stages: what the plan
    /// moves through memory, to compare with the compulsory input + output bytes. A stage that runs
    /// on more samples than the plan's (between a replicate and a weighted sum) counts that many.
    public var bytesMovedPerSample: Int {
        stages.reduce(0) { $0 + ($1.bytesReadPerSample + $1.bytesWrittenPerSample) * $1.sampleCount / max(count, 1) }
    }

    /// The plan for samples `range` of the batch alone, or nil when a stage mixes samples across
    /// the cut (cross-sample ops such as MixUp cannot be split without changing what they pair).
    public func sliced(_ range: Range<Int>) -> Plan? {
        guard range.lowerBound >= 0, range.upperBound <= count, !range.isEmpty else { return nil }
        var parts: [Stage] = []
        for stage in stages {
            guard let part = stage.sliced(range) else { return nil }
            parts.append(part)
        }
        return Plan(stages: parts, output: output, outputGeometry: outputGeometry, count: range.count)
    }

    /// One line per stage: family, shapes and bytes, for `augment plan`-style views.
    public var summary: [String] {
        stages.enumerated().map { index, stage in
            "pass \(index + 1): \(stage.family) \(stage.detail) — reads \(stage.bytesReadPerSample) B, writes \(stage.bytesWrittenPerSample) B per sample"
        }
    }
}

/// One pass over the batch: a stage of any type, as the protocol every stage type implements.
///
/// `Stage` has no list of stage types: each type conforms to ``PlanStage`` in its own file under
/// `Sources/Augment/Plan/`, and `Stage(s)` (or `s.stage`) wraps one. Code that needs a particular
/// type asks for it by name, `stage.as(WarpStage.self)`; everything else about a stage is asked of
/// its ``body`` through the protocol, so a new stage family adds no case here and no switch
/// elsewhere. Two stages are equal when their bodies have the same type and are equal.
public struct Stage: Sendable, Equatable {
    /// The stage itself, as the protocol every stage type implements.
    public let body: any PlanStage

    /// `body` as one pass over the batch.
    public init(_ body: some PlanStage) {
        self.body = body
    }

    /// The body when it is a `type` (for example `stage.as(WarpStage.self)`), else nil.
    public func `as`<S: PlanStage>(_ type: S.Type) -> S? {
        body as? S
    }

    /// Whether the body is a `type`.
    public func `is`<S: PlanStage>(_ type: S.Type) -> Bool {
        body is S
    }

    /// Same body type and equal bodies.
    public static func == (lhs: Stage, rhs: Stage) -> Bool {
        func equals<S: PlanStage>(_ left: S) -> Bool { (rhs.body as? S) == left }
        return equals(lhs.body)
    }

    /// The stem shared by the kernel file, the CPU reference file and the tests of this stage's
    /// family (`Kernels/warp.cl`, `Sources/Augment/CPU/Warp.swift`, `Tests/.../WarpTests.swift`).
    public var family: String { body.family }

    /// The stage for samples `range` alone (per-sample parameters cut to the range), or nil when
    /// the stage pairs samples and cannot be split.
    public func sliced(_ range: Range<Int>) -> Stage? { body.slicedStage(range) }

    /// Bytes the stage reads per sample (its input batch; per-sample parameters are negligible).
    public var bytesReadPerSample: Int { body.bytesReadPerSample }

    /// Bytes the stage writes per sample.
    public var bytesWrittenPerSample: Int { body.bytesWrittenPerSample }

    /// The bytes the stage allocates for its whole output, or nil when that does not fit in an
    /// `Int` (what a backend checks before allocating; see ``CPUBackend/maxBufferBytes``).
    public var checkedOutputBytes: Int? { body.checkedOutputBytes }

    /// The number of samples the stage runs on (the plan's count, except between a replicate and
    /// a weighted sum); its per-sample bytes are per one of these.
    public var sampleCount: Int { body.count }

    /// A short description of what the stage does.
    public var detail: String { body.detail }
}

/// " + colour (ops)" for a warp or remap stage that runs colour programs in its epilogue, with
/// " after a statistics pre-pass over the input" when a step needs an image statistic.
func colorDetail(_ programs: [[ColorStep]]?) -> String {
    guard let programs, programs.contains(where: { !$0.isEmpty }) else { return "" }
    let ops = Set(programs.flatMap { $0.map(\.op) }).subtracting([.identity]).map { "\($0)" }.sorted()
    let prePass = colorPassReads(programs) > 1 ? " after a statistics pre-pass over the input" : ""
    return " + colour (\(ops.joined(separator: ", ")))\(prePass)"
}

/// How many times a warp or remap stage reads its input: twice when a colour step in its epilogue
/// needs an image statistic (the `warp_color_stats` pre-pass samples the input first; compute only,
/// it writes nothing but the statistics), else once.
func colorPassReads(_ programs: [[ColorStep]]?) -> Int {
    programs?.contains(where: { $0.contains { $0.op.needsStatistic } }) == true ? 2 : 1
}

/// Where one output sample reads its pixels: source pixel (x0 + dx·x, y0 + dy·y) for output pixel
/// (x, y), with dx and dy in {-1, +1}. Crops move the origin, flips negate a step; any chain of
/// crops and flips composes into one such map.
public struct PixelWindow: Sendable, Equatable, Codable {
    public var x0: Int32
    public var y0: Int32
    public var dx: Int32
    public var dy: Int32

    public static let identity = PixelWindow(x0: 0, y0: 0, dx: 1, dy: 1)
}

/// A per-channel affine map `v * scale[c] + bias[c]` (normalize is `scale = 1/std`,
/// `bias = -mean/std`).
public struct ChannelAffine: Sendable, Equatable {
    public var scale: [Float]
    public var bias: [Float]

    /// The map `(v - mean) / std`, computed as `fma(v, 1/std, -mean/std)`.
    public init(mean: [Double], std: [Double]) {
        scale = std.map { Float(1 / $0) }
        bias = zip(mean, std).map { Float(-$0 / $1) }
    }

    init(scale: [Float], bias: [Float]) {
        self.scale = scale
        self.bias = bias
    }

    /// `other` applied after `self`.
    func followed(by other: ChannelAffine) -> ChannelAffine {
        ChannelAffine(
            scale: zip(scale, other.scale).map { $0 * $1 },
            bias: zip(bias, zip(other.scale, other.bias)).map { $1.1.addingProduct($0, $1.0) })
    }
}
