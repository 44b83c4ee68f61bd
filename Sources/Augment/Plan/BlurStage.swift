import Foundation

/// A separable Gaussian blur with one kernel per sample (family `blur`: `Kernels/blur.cl`,
/// `CPU/Blur.swift`).
///
/// The stage reads its input in `inputPixelType` and `inputLayout` (uint8 scaled by 1/255, uint16
/// raw, float32 as is: the conversion a remap would make, done as values are loaded) and writes
/// float32 NCHW. Two passes: along rows with `kernelsX[n]`, then along columns with `kernelsY[n]`, each
/// `out(x) = sum_k w[k] * in(reflect101(x + k - r))` accumulated with fused multiply-adds from
/// k = 0 (leftmost tap) upwards, where r = (len - 1) / 2. Borders reflect without repeating the edge
/// pixel (OpenCV's BORDER_REFLECT_101, torchvision's `reflect` padding), folding again when the
/// kernel is wider than the image. A pass whose kernels all have one tap is skipped.
public struct GaussianBlurStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    /// One odd-length kernel per sample along x (width); weights sum to 1.
    public var kernelsX: [[Float]]
    /// One odd-length kernel per sample along y (height).
    public var kernelsY: [[Float]]
    /// The element type of the input batch: uint8, uint16 or float32.
    public var inputPixelType: PixelType
    /// The layout of the input batch.
    public var inputLayout: ImageLayout

    public init(
        count: Int, geometry: ImageGeometry, kernelsX: [[Float]], kernelsY: [[Float]],
        inputPixelType: PixelType = .float32, inputLayout: ImageLayout = .nchw
    ) {
        self.count = count
        self.geometry = geometry
        self.kernelsX = kernelsX
        self.kernelsY = kernelsY
        self.inputPixelType = inputPixelType
        self.inputLayout = inputLayout
    }

    /// The largest radius either pass may have for the one-pass path (OpenCL: `blur_strip`, whose
    /// work-items hold 16 + 2 r row sums in registers and unroll (2 r + 1) taps per row). Wider
    /// kernels run as two passes (`blur_rows`, `blur_columns`) through an intermediate batch.
    public static let maxTileRadius = 16

    /// Whether the blur runs as one pass over memory (both radii up to ``maxTileRadius``).
    public var isSinglePass: Bool { max(maxRadius.x, maxRadius.y) <= Self.maxTileRadius }

    /// The largest radius along x and along y over the batch.
    public var maxRadius: (x: Int, y: Int) {
        ((kernelsX.map(\.count).max() ?? 1) / 2, (kernelsY.map(\.count).max() ?? 1) / 2)
    }

    /// The normalised 1-D Gaussian of `size` taps (odd) and standard deviation `sigma` > 0:
    /// `exp(-d^2 / (2 sigma^2))` at d = -(size-1)/2 ... (size-1)/2, divided by the sum; computed in
    /// Double and rounded once (torchvision's `_get_gaussian_kernel1d` computes the same in float32).
    public static func gaussianKernel(size: Int, sigma: Double) -> [Float] {
        let radius = size / 2
        let raw = (-radius...radius).map { d in
            let t = Double(d) / sigma
            return (-0.5 * t * t).isFinite ? Foundation.exp(-0.5 * t * t) : 0
        }
        let sum = raw.reduce(0, +)
        return raw.map { Float($0 / sum) }
    }

    /// Throws unless the stage fits a batch of `count` images of `geometry` in its input format.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, kernelsX.count == count, kernelsY.count == count else {
            throw AugmentError.parameterMismatch(
                "the blur stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)")
        }
        guard [.uint8, .uint16, .float32].contains(inputPixelType) else {
            throw AugmentError.parameterMismatch(
                "the blur stage reads uint8, uint16 or float32 images, not \(inputPixelType.rawValue)")
        }
        for kernel in kernelsX + kernelsY where kernel.count % 2 == 0 || kernel.count > Self.maxKernelSize {
            throw AugmentError.parameterMismatch(
                "a blur kernel has \(kernel.count) taps; it needs an odd number up to \(Self.maxKernelSize)")
        }
    }

    /// The widest kernel a stage accepts.
    public static let maxKernelSize = 1023
}

/// torchvision's `adjust_sharpness` with one factor per sample (family `blur`).
///
/// For a sample with a factor f and an image larger than 2x2: interior pixels become
/// `clamp(fma(s - x, 1 - f, x), 0, 1)`, where s is the 3x3 smoothing `[[1,1,1],[1,5,1],[1,1,1]] / 13`
/// summed row by row from the top-left tap with fused multiply-adds; border pixels become
/// `clamp(x, 0, 1)`. Samples without a factor, and images of height or width <= 2, are copied.
public struct SharpnessStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    /// One factor per sample, nil where the sample is left unchanged.
    public var factors: [Double?]

    public init(count: Int, geometry: ImageGeometry, factors: [Double?]) {
        self.count = count
        self.geometry = geometry
        self.factors = factors
    }

    /// Throws unless the stage fits a float32 NCHW batch of `count` images of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, factors.count == count else {
            throw AugmentError.parameterMismatch(
                "the sharpness stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)"
            )
        }
    }

    /// The weights torchvision builds in float32: 1/13 off centre, 5/13 at the centre.
    static let edgeWeight = Float(1.0 / 13.0)
    static let centreWeight = Float(5.0 / 13.0)
}

extension GaussianBlurStage: PlanStage {
    public static let family = "blur"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.kernelsX = Array(s.kernelsX[range])
        s.kernelsY = Array(s.kernelsY[range])
        s.count = range.count
        return Stage(s)
    }
    /// One pass reads the input once and writes the output; two passes also write and read an
    /// intermediate float32 batch.
    public var bytesReadPerSample: Int {
        geometry.elementCount * (inputPixelType.byteCount + (isSinglePass ? 0 : 4))
    }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 * (isSinglePass ? 1 : 2) }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4, copies: isSinglePass ? 1 : 2) }
    public var detail: String {
        let source =
            inputPixelType == .float32 && inputLayout == .nchw
            ? "" : " \(inputPixelType.rawValue) \(inputLayout.rawValue.uppercased()) ->"
        return
            "gaussian_blur (\(isSinglePass ? "1 pass" : "2 passes"), radius up to \(maxRadius.x)x\(maxRadius.y))\(source) \(geometry)"
    }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        var s = self
        s.kernelsX = spread.spread(s.kernelsX, identity: [1])
        s.kernelsY = spread.spread(s.kernelsY, identity: [1])
        s.count = spread.count
        return [.stage(Stage(s))]
    }
}

extension SharpnessStage: PlanStage {
    public static let family = "blur"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.factors = Array(s.factors[range])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "adjust_sharpness \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        var s = self
        s.factors = spread.spread(s.factors, identity: nil)
        s.count = spread.count
        return [.stage(Stage(s))]
    }
}
