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

/// One pass over the batch.
public enum Stage: Sendable, Equatable {
    /// Crop / flip / layout / dtype conversion / per-channel affine (normalize): see ``RemapStage``.
    case remap(RemapStage)
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

    /// The stem shared by the kernel file, the CPU reference file and the tests of this stage's
    /// family (`Kernels/warp.cl`, `Sources/Augment/CPU/Warp.swift`, `Tests/.../WarpTests.swift`).
    public var family: String {
        switch self {
        case .remap: return "warp"
        case .color: return "color"
        case .gaussianBlur, .sharpness: return "blur"
        case .erase: return "erase"
        case .noise: return "noise"
        }
    }
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
