/// An axis of a spectrogram seen as an image (H = frequency bins, W = time frames).
public enum SpectrogramAxis: String, Codable, Sendable, CaseIterable {
    /// Rows (H): frequency masking masks whole rows.
    case frequency
    /// Columns (W): time masking masks whole columns.
    case time
}

/// The value written into masked elements.
///
/// In pipeline files: a number (`"mask_value": 0`) or the string `"mean"`.
public enum MaskValue: Sendable, Equatable, Codable {
    /// A constant (torchaudio's `mask_value`, default 0).
    case constant(Float)
    /// The mean of the example being masked, over all its channels, bins and frames, as the op
    /// receives it (torchaudio `SpecAugment(zero_masking=False)` uses the mean of the whole batch
    /// instead; see docs/semantics.md).
    case mean

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            guard value.isFinite, Float(value).isFinite else {
                throw AugmentError.invalidArgument(
                    op: "masking", argument: "mask_value", value: "\(value)",
                    allowed: "a finite float32 number or \"mean\"")
            }
            self = .constant(Float(value))
            return
        }
        let text = try container.decode(String.self)
        guard text == "mean" else {
            throw AugmentError.invalidArgument(
                op: "masking", argument: "mask_value", value: "\"\(text)\"",
                allowed: "a finite number or \"mean\"")
        }
        self = .mean
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .constant(let value): try container.encode(Double(value))
        case .mean: try container.encode("mean")
        }
    }
}

/// One masked band along an axis: indices `start..<start + width`.
public struct MaskBand: Codable, Sendable, Equatable {
    public var start: Int
    public var width: Int

    public init(start: Int, width: Int) {
        self.start = start
        self.width = width
    }
}

/// The masking pass of `frequency_masking` / `time_masking`: element (n, c, y, x) of a float32
/// NCHW batch becomes the fill value when its index along `axis` (y for frequency, x for time)
/// lies in any band of (n, c), and is copied otherwise. The fill is a constant or the mean of
/// example n (see ``MaskValue``), computed in a fixed order on both backends:
///
///     row[n, c, y] = ((v[n,c,y,0] + v[n,c,y,1]) + ...) + v[n,c,y,W-1]      float32, left to right
///     sum[n]       = (row[n,0,0] + row[n,0,1]) + ... + row[n,C-1,H-1]       float32, in that order
///     mean[n]      = sum[n] * Float(1 / (C H W))                            the factor from Double
public struct MaskStage: Sendable, Equatable {
    public var op: String
    public var count: Int
    public var geometry: ImageGeometry
    public var axis: SpectrogramAxis
    /// Bands per (sample, channel); shorter lists are padded with empty bands.
    public var bandsPerChannel: Int
    /// (start, end) pairs, end exclusive, at index ((n C + c) bandsPerChannel + m) * 2.
    public var bands: [Int32]
    public var fill: MaskValue

    public init(
        op: String, count: Int, geometry: ImageGeometry, axis: SpectrogramAxis, bandsPerChannel: Int,
        bands: [Int32], fill: MaskValue
    ) {
        self.op = op
        self.count = count
        self.geometry = geometry
        self.axis = axis
        self.bandsPerChannel = bandsPerChannel
        self.bands = bands
        self.fill = fill
    }

    /// Length of the masked axis.
    public var axisLength: Int { axis == .frequency ? geometry.height : geometry.width }

    /// Throws unless the stage is consistent and was planned for `count` images of `geometry`.
    public func checkInput(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, bandsPerChannel >= 0,
            bands.count == count * geometry.channels * bandsPerChannel * 2
        else {
            throw AugmentError.parameterMismatch(
                "\(op): the plan masks \(self.count) images of \(self.geometry) with \(bands.count / 2) bands, got \(count) images of \(geometry)"
            )
        }
        let length = axisLength
        for i in stride(from: 0, to: bands.count, by: 2)
        where !(0 <= bands[i] && bands[i] <= bands[i + 1] && Int(bands[i + 1]) <= length) {
            throw AugmentError.parameterMismatch(
                "\(op): band [\(bands[i]), \(bands[i + 1])) leaves an axis of \(length)")
        }
    }

    /// Whether any band is non-empty (when none is, the pass is a copy and a mean fill is not
    /// computed).
    public var masksAnything: Bool {
        stride(from: 0, to: bands.count, by: 2).contains { bands[$0] < bands[$0 + 1] }
    }

    /// The factor that turns an example's sum into its mean: Float(1 / (C H W)), from Double.
    public var meanFactor: Float { Float(1 / Double(geometry.elementCount)) }
}

/// How the two halves of a time warp are resampled.
public enum TimeWarpInterpolation: String, Codable, Sendable, CaseIterable {
    /// PyTorch `interpolate(mode="bicubic", align_corners=False)` along time (A = -0.75, indices
    /// clamped to the half): ESPnet's default.
    case bicubic
    /// PyTorch `interpolate(mode="bilinear", align_corners=False)` along time.
    case linear
}

/// The time-warp pass: for sample n with centre c and warped centre w (W = T frames), output
/// frames [0, w) resample input frames [0, c) and output frames [w, T) resample input frames
/// [c, T), each half as PyTorch's `interpolate(..., align_corners=False)` does along one axis.
/// A sample with c == w is copied. Every channel and frequency bin of a sample gets the same warp.
///
/// For output frame t of a half with `in` input and `out` output frames, scale = Float(in) /
/// Float(out) (one float32 division on the host) and the source position is
/// `s = fma(scale, Float(t) + 0.5, -0.5)`; linear clamps s to >= 0 and blends frames floor(s)
/// and floor(s) + 1 (clamped to the half) as `fma(v1, l1, v0 * (1 - l1))`; bicubic uses the
/// four frames floor(s) - 1 ... floor(s) + 2 (clamped to the half) with PyTorch's A = -0.75
/// weights, evaluated with the same fma sequence on both backends.
public struct TimeWarpStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    /// (c, w) per sample.
    public var centers: [Int32]
    public var warpedCenters: [Int32]
    public var interpolation: TimeWarpInterpolation

    public init(
        count: Int, geometry: ImageGeometry, centers: [Int32], warpedCenters: [Int32],
        interpolation: TimeWarpInterpolation
    ) {
        self.count = count
        self.geometry = geometry
        self.centers = centers
        self.warpedCenters = warpedCenters
        self.interpolation = interpolation
    }

    /// Throws unless the stage is consistent and was planned for `count` images of `geometry`.
    public func checkInput(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, centers.count == count, warpedCenters.count == count
        else {
            throw AugmentError.parameterMismatch(
                "time_warp: the plan warps \(self.count) images of \(self.geometry), got \(count) images of \(geometry)"
            )
        }
        for n in 0..<count {
            try TimeWarpParameters(center: Int(centers[n]), warpedCenter: Int(warpedCenters[n]))
                .validate(frames: geometry.width)
        }
    }

    /// Per-sample scales (in / out) of the left and right halves, Float division on the host;
    /// (1, 1) for a copied sample.
    public var scales: [Float] {
        let frames = geometry.width
        return (0..<count).flatMap { n -> [Float] in
            let c = Int(centers[n]), w = Int(warpedCenters[n])
            guard c != w else { return [1, 1] }
            return [Float(c) / Float(w), Float(frames - c) / Float(frames - w)]
        }
    }
}

/// Where one sample's time warp moves its centre frame: input frames [0, c) are stretched onto
/// [0, w) and [c, T) onto [w, T). `center == warpedCenter` means no warp.
public struct TimeWarpParameters: Codable, Sendable, Equatable {
    public var center: Int
    public var warpedCenter: Int

    public init(center: Int, warpedCenter: Int) {
        self.center = center
        self.warpedCenter = warpedCenter
    }

    /// No warp.
    public static let identity = TimeWarpParameters(center: 0, warpedCenter: 0)

    /// Throws unless this is no warp, or both centres lie in [1, frames - 1] (each half keeps at
    /// least one frame).
    public func validate(frames: Int) throws {
        let inside = { (frame: Int) in frame >= 1 && frame <= frames - 1 }
        guard center == warpedCenter || (inside(center) && inside(warpedCenter)) else {
            throw AugmentError.parameterMismatch(
                "time_warp: centre \(center) -> \(warpedCenter) needs both in [1, \(frames - 1)] for \(frames) frames")
        }
    }
}

extension MaskStage: PlanStage {
    public static let family = "specaugment"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        let per = s.geometry.channels * s.bandsPerChannel * 2
        s.bands = Array(s.bands[(range.lowerBound * per)..<(range.upperBound * per)])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { (fill == .mean && masksAnything ? 2 : 1) * geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "\(op) along \(axis) \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}

extension TimeWarpStage: PlanStage {
    public static let family = "specaugment"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.centers = Array(s.centers[range])
        s.warpedCenters = Array(s.warpedCenters[range])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "time_warp (\(interpolation.rawValue)) \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}
