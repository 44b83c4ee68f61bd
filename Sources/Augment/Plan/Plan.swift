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

/// One pass over the batch.
public enum Stage: Sendable, Equatable {
    /// Crop / flip / layout / dtype conversion / per-channel affine (normalize): see ``RemapStage``.
    case remap(RemapStage)
    /// MixUp / CutMix between samples, with their labels: see ``MixStage``.
    case mix(MixStage)
    /// SpecAugment frequency or time masking: see ``MaskStage``.
    case specMask(MaskStage)
    /// SpecAugment time warping: see ``TimeWarpStage``.
    case timeWarp(TimeWarpStage)
    /// A general geometric warp (projective matrix per sample, interpolation, border, ragged input):
    /// see ``WarpStage``.
    case warp(WarpStage)
    /// Per-pixel colour programs, one per sample: see ``ColorStage``.
    case color(ColorStage)
    /// Separable Gaussian blur, one kernel per sample: see ``GaussianBlurStage``.
    case gaussianBlur(GaussianBlurStage)
    /// torchvision's adjust_sharpness, one factor per sample: see ``SharpnessStage``.
    case sharpness(SharpnessStage)
    /// A box per sample filled with values or noise: see ``EraseStage``.
    case erase(EraseStage)
    /// Additive Gaussian noise from the device noise streams: see ``NoiseStage``.
    case noise(NoiseStage)
    /// One op over (N, C, T) signals (float32 NCHW, height 1): see ``SignalStage``.
    case signal(SignalStage)
    /// Pixels or patches set to a value (random_dropout): see ``DropoutStage``.
    case dropout(DropoutStage)
    /// Every sample copied several times (the plan continues on the larger batch): see
    /// ``ReplicateStage``.
    case replicate(ReplicateStage)
    /// Runs of consecutive samples folded into weighted sums: see ``WeightedSumStage``.
    case weightedSum(WeightedSumStage)

    /// The stem shared by the kernel file, the CPU reference file and the tests of this stage's
    /// family (`Kernels/warp.cl`, `Sources/Augment/CPU/Warp.swift`, `Tests/.../WarpTests.swift`).
    public var family: String {
        switch self {
        case .remap: return "warp"
        case .warp: return "warp"
        case .mix: return "mix"
        case .specMask, .timeWarp: return "specaugment"
        case .color: return "color"
        case .gaussianBlur, .sharpness: return "blur"
        case .erase: return "erase"
        case .noise: return "noise"
        case .signal: return "signal"
        case .dropout: return "dropout"
        case .replicate, .weightedSum: return "fanout"
        }
    }

    /// The stage for samples `range` alone (per-sample parameters cut to the range), or nil when
    /// the stage pairs samples and cannot be split.
    public func sliced(_ range: Range<Int>) -> Stage? {
        switch self {
        case .remap(var s):
            s.windows = Array(s.windows[range])
            s.colorPrograms = s.colorPrograms.map { Array($0[range]) }
            s.count = range.count
            return .remap(s)
        case .warp(var s):
            guard !s.inputIsRagged else { return nil }  // ragged batches are not cut
            s.matrices = Array(s.matrices[range])
            s.regions = Array(s.regions[range])
            s.inputGeometries = Array(s.inputGeometries[range])
            s.colorPrograms = s.colorPrograms.map { Array($0[range]) }
            s.displacement = s.displacement?.sliced(range)
            s.count = range.count
            return .warp(s)
        case .mix:
            return nil  // partners may lie on the other side of the cut
        case .specMask(var s):
            let per = s.geometry.channels * s.bandsPerChannel * 2
            s.bands = Array(s.bands[(range.lowerBound * per)..<(range.upperBound * per)])
            s.count = range.count
            return .specMask(s)
        case .timeWarp(var s):
            s.centers = Array(s.centers[range])
            s.warpedCenters = Array(s.warpedCenters[range])
            s.count = range.count
            return .timeWarp(s)
        case .color(var s):
            s.programs = Array(s.programs[range])
            s.count = range.count
            return .color(s)
        case .gaussianBlur(var s):
            s.kernelsX = Array(s.kernelsX[range])
            s.kernelsY = Array(s.kernelsY[range])
            s.count = range.count
            return .gaussianBlur(s)
        case .sharpness(var s):
            s.factors = Array(s.factors[range])
            s.count = range.count
            return .sharpness(s)
        case .erase(var s):
            s.boxes = Array(s.boxes[range])
            s.fills = Array(s.fills[range])
            s.count = range.count
            return .erase(s)
        case .noise(var s):
            s.mean = Array(s.mean[range])
            s.sigma = Array(s.sigma[range])
            s.keys = Array(s.keys[range])
            s.count = range.count
            return .noise(s)
        case .signal(let s):
            return .signal(s.sliced(range))
        case .dropout(let s):
            return .dropout(s.sliced(range))
        case .replicate, .weightedSum:
            return nil  // the stages between them run on a batch of another size
        }
    }

    /// Bytes the stage reads per sample (its input batch; per-sample parameters are negligible).
    public var bytesReadPerSample: Int {
        switch self {
        case .remap(let s): return s.input.elementCount * s.inputPixelType.byteCount
        case .warp(let s):
            let total = s.inputGeometries.reduce(0) { $0 + $1.elementCount }
            return total / max(1, s.count) * s.inputPixelType.byteCount + (s.displacement?.bytesReadPerSample ?? 0)
        case .mix(let s): return 2 * s.geometry.elementCount * 4  // the sample and its partner
        case .specMask(let s): return (s.fill == .mean && s.masksAnything ? 2 : 1) * s.geometry.elementCount * 4
        case .timeWarp(let s): return s.geometry.elementCount * 4
        case .color(let s): return (s.needsStatistics ? 2 : 1) * s.input.elementCount * 4
        case .gaussianBlur(let s): return 2 * s.geometry.elementCount * 4  // two passes
        case .sharpness(let s): return s.geometry.elementCount * 4
        case .erase(let s): return s.geometry.elementCount * 4
        case .noise(let s): return s.geometry.elementCount * 4
        case .signal(let s): return s.bytesReadPerSample
        case .dropout(let s): return s.geometry.elementCount * 4
        case .replicate(let s): return s.geometry.elementCount * 4
        case .weightedSum(let s): return s.terms * s.geometry.elementCount * 4
        }
    }

    /// Bytes the stage writes per sample.
    public var bytesWrittenPerSample: Int {
        switch self {
        case .remap(let s): return s.output.elementCount * s.outputFormat.pixelType.byteCount
        case .warp(let s):
            return s.output.elementCount * s.outputFormat.pixelType.byteCount + (s.displacement?.bytesWrittenPerSample ?? 0)
        case .mix(let s): return s.geometry.elementCount * 4
        case .specMask(let s): return s.geometry.elementCount * 4
        case .timeWarp(let s): return s.geometry.elementCount * 4
        case .color(let s): return s.output.elementCount * 4
        case .gaussianBlur(let s): return 2 * s.geometry.elementCount * 4
        case .sharpness(let s): return s.geometry.elementCount * 4
        case .erase(let s): return s.geometry.elementCount * 4
        case .noise(let s): return s.geometry.elementCount * 4
        case .signal(let s): return s.geometry.elementCount * 4
        case .dropout(let s): return s.geometry.elementCount * 4
        case .replicate(let s): return s.copies * s.geometry.elementCount * 4
        case .weightedSum(let s): return s.geometry.elementCount * 4
        }
    }

    /// The bytes the stage allocates for its whole output, or nil when that does not fit in an
    /// `Int` (what a backend checks before allocating; see ``CPUBackend/maxBufferBytes``).
    public var checkedOutputBytes: Int? {
        func product(_ factors: Int...) -> Int? {
            var result = 1
            for f in factors {
                let (p, overflow) = result.multipliedReportingOverflow(by: f)
                if overflow || f < 0 { return nil }
                result = p
            }
            return result
        }
        func bytes(_ g: ImageGeometry, _ byteCount: Int, copies: Int = 1) -> Int? {
            product(g.height, g.width, g.channels, byteCount, copies, sampleCount)
        }
        switch self {
        case .remap(let s): return bytes(s.output, s.outputFormat.pixelType.byteCount)
        case .warp(let s): return bytes(s.output, s.outputFormat.pixelType.byteCount)
        case .mix(let s): return bytes(s.geometry, 4)
        case .specMask(let s): return bytes(s.geometry, 4)
        case .timeWarp(let s): return bytes(s.geometry, 4)
        case .color(let s): return bytes(s.output, 4)
        case .gaussianBlur(let s): return bytes(s.geometry, 4, copies: 2)
        case .sharpness(let s): return bytes(s.geometry, 4)
        case .erase(let s): return bytes(s.geometry, 4)
        case .noise(let s): return bytes(s.geometry, 4)
        case .replicate(let s): return bytes(s.geometry, 4, copies: s.copies)
        case .weightedSum(let s): return bytes(s.geometry, 4)
        case .signal(let s): return bytes(s.geometry, 4)
        case .dropout(let s): return bytes(s.geometry, 4)
        }
    }

    /// The number of samples the stage runs on (the plan's count, except between a replicate and
    /// a weighted sum); its per-sample bytes are per one of these.
    public var sampleCount: Int {
        switch self {
        case .remap(let s): return s.count
        case .warp(let s): return s.count
        case .mix(let s): return s.count
        case .specMask(let s): return s.count
        case .timeWarp(let s): return s.count
        case .color(let s): return s.count
        case .gaussianBlur(let s): return s.count
        case .sharpness(let s): return s.count
        case .erase(let s): return s.count
        case .noise(let s): return s.count
        case .signal(let s): return s.count
        case .dropout(let s): return s.count
        case .replicate(let s): return s.count
        case .weightedSum(let s): return s.count
        }
    }

    /// A short description of what the stage does.
    public var detail: String {
        switch self {
        case .remap(let s):
            return "remap \(s.inputPixelType.rawValue) \(s.inputLayout.rawValue.uppercased()) \(s.input) -> \(s.outputFormat) \(s.output)\(colorDetail(s.colorPrograms))\(s.epilogue == nil ? "" : " + per-channel affine")"
        case .warp(let s):
            return "warp (\(s.interpolation.rawValue), \(s.isAffine ? "affine" : "projective")) \(s.inputPixelType.rawValue) \(s.inputLayout.rawValue.uppercased()) \(s.inputIsRagged ? "ragged" : "\(s.inputGeometries.first.map { "\($0)" } ?? "")") -> \(s.outputFormat) \(s.output)\(s.displacement.map { " + elastic field \($0.field.isDrawn ? "drawn on the device" : "given") \($0.grid.height)x\($0.grid.width)" } ?? "")\(colorDetail(s.colorPrograms))\(s.epilogue == nil ? "" : " + per-channel affine")"
        case .mix(let s): return "\(s.op) \(s.geometry)"
        case .specMask(let s): return "\(s.op) along \(s.axis) \(s.geometry)"
        case .timeWarp(let s): return "time_warp (\(s.interpolation.rawValue)) \(s.geometry)"
        case .color(let s):
            return "color program of up to \(s.stepCount) steps (\(s.ops.map { "\($0)" }.sorted().joined(separator: ", ")))\(s.needsStatistics ? " + per-image statistics" : "") \(s.input)"
        case .gaussianBlur(let s): return "gaussian_blur (2 passes, radius up to \(s.maxRadius.x)x\(s.maxRadius.y)) \(s.geometry)"
        case .sharpness(let s): return "adjust_sharpness \(s.geometry)"
        case .erase(let s): return "erase \(s.geometry)"
        case .noise(let s): return "gaussian_noise \(s.geometry)"
        case .dropout(let s): return "random_dropout (\(s.thresholds == nil ? "up to \(s.boxesPerSample) patches" : "pixels")) \(s.geometry)"
        case .signal(let s): return "\(s.op.name)\(s.relative ? " (relative)" : "") signal C=\(s.geometry.channels) T=\(s.geometry.width)"
        case .replicate(let s): return "replicate x\(s.copies) \(s.geometry) (\(s.outputCount) samples follow)"
        case .weightedSum(let s): return "weighted sum of \(s.terms) samples each \(s.geometry) (\(s.count) samples follow)"
        }
    }
}

/// " + colour (ops)" for a warp or remap stage that runs colour programs in its epilogue.
func colorDetail(_ programs: [[ColorStep]]?) -> String {
    guard let programs, programs.contains(where: { !$0.isEmpty }) else { return "" }
    let ops = Set(programs.flatMap { $0.map(\.op) }).subtracting([.identity]).map { "\($0)" }.sorted()
    return " + colour (\(ops.joined(separator: ", ")))"
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

/// The fused crop-flip-convert-normalize pass (the integer special case of a geometric warp).
///
/// For output pixel (n, c, y, x), with window w = windows[n] and v the input value at
/// (n, c, w.y0 + w.dy·y, w.x0 + w.dx·x) read as float (uint8 input times 1/255, as torchvision's
/// `to_dtype(float32, scale=True)`):
///
///     out = fma(v, scale[c], bias[c])                          (float32 output)
///     out = uint8(clamp(fma(v, scale[c], bias[c]), 0, 1) * 255.999)   (uint8 output, truncating
///                                                               like torchvision's float->uint8)
///
/// with uint8 -> uint8 and no epilogue reduced to a plain copy.
public struct RemapStage: Sendable, Equatable {
    public var count: Int
    public var input: ImageGeometry
    public var inputPixelType: PixelType
    public var inputLayout: ImageLayout
    public var output: ImageGeometry
    public var outputFormat: OutputFormat
    /// One window per sample.
    public var windows: [PixelWindow]
    /// Per-channel affine epilogue `v * scale + bias`; nil means identity.
    public var epilogue: ChannelAffine?
    /// Per-sample colour programs run on each pixel before the epilogue (steps without image
    /// statistics, fused by the planner); nil when none.
    public var colorPrograms: [[ColorStep]]? = nil

    public init(count: Int, input: ImageGeometry, inputPixelType: PixelType, inputLayout: ImageLayout,
                output: ImageGeometry, outputFormat: OutputFormat, windows: [PixelWindow], epilogue: ChannelAffine?,
                colorPrograms: [[ColorStep]]? = nil) {
        self.count = count
        self.input = input
        self.inputPixelType = inputPixelType
        self.inputLayout = inputLayout
        self.output = output
        self.outputFormat = outputFormat
        self.windows = windows
        self.epilogue = epilogue
        self.colorPrograms = colorPrograms
    }
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
        ChannelAffine(scale: zip(scale, other.scale).map { $0 * $1 },
                      bias: zip(bias, zip(other.scale, other.bias)).map { $1.1.addingProduct($0, $1.0) })
    }
}
