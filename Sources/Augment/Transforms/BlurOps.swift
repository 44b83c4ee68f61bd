/// One sample's Gaussian blur: the standard deviations along x and y, or nil when the sample is
/// left unchanged (`p`).
public struct GaussianBlurParameters: Codable, Sendable, Equatable {
    public var sigmaX: Double?
    public var sigmaY: Double?

    public init(sigmaX: Double?, sigmaY: Double?) {
        self.sigmaX = sigmaX
        self.sigmaY = sigmaY
    }
}

/// `gaussian_blur`: a separable Gaussian blur with reflect-101 borders (torchvision `gaussian_blur`
/// and `GaussianBlur`).
///
/// - `kernel_size`: one odd size for both axes, or [kx, ky] (x = width first, as torchvision), each
///   odd, in 1...1023.
/// - `sigma`: omitted: torchvision's functional default 0.15 k + 0.35 per axis; one number s > 0:
///   that sigma on both axes; [min, max] with 0 < min <= max: sigma ~ U(min, max) drawn per sample
///   and used on both axes (torchvision's class `GaussianBlur(kernel_size, sigma=(0.1, 2.0))`,
///   which draws one per call).
/// - `sigma_xy`: [sx, sy], fixed per-axis values as torchvision's functional
///   `gaussian_blur(img, kernel_size, sigma=[sx, sy])` reads its `sigma` list (x = width first).
///   Excludes `sigma`: a two-number `sigma` here is always the class's range.
/// - `p` (default 1, not in torchvision, where `RandomApply` plays that role): the probability that
///   a sample is blurred.
///
/// Draws per sample: u < p, then sigma when it is a range. Kernel size 1, or a sigma so small that
/// the off-centre weights underflow, gives the input back exactly. A kernel wider than the image
/// folds the reflection again (torchvision raises an error there). Any number of channels.
public struct GaussianBlur: Transform {
    public static let opName = "gaussian_blur"
    public let kernelSizeX: Int
    public let kernelSizeY: Int
    /// nil: the default sigma per axis (or ``sigmaXY``).
    public let sigma: ValueRange?
    /// Fixed sigma per axis [x, y] (torchvision's functional reading of `sigma`), when given.
    public let sigmaXY: [Double]?
    public let p: Double

    /// Fixed per-axis sigmas [sx, sy] (the functional `gaussian_blur`'s meaning), each finite and > 0.
    public init(kernelSize: [Int], sigmaXY: [Double], p: Double = Arguments.p.defaultValue!) throws {
        guard sigmaXY.count == 2, sigmaXY.allSatisfy({ $0.isFinite && $0 > 0 && $0 <= 1e6 }) else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "sigma_xy", value: "\(sigmaXY)",
                allowed: "[sx, sy], two numbers in (0, 1000000] (x = width first)")
        }
        try self.init(kernelSize: kernelSize, sigma: nil, p: p, sigmaXY: sigmaXY)
    }

    /// `kernelSize`: [k] or [kx, ky]; `sigma`: nil, [s] or [min, max].
    public init(kernelSize: [Int], sigma: [Double]? = nil, p: Double = Arguments.p.defaultValue!) throws {
        try self.init(kernelSize: kernelSize, sigma: sigma, p: p, sigmaXY: nil)
    }

    private init(kernelSize: [Int], sigma: [Double]?, p: Double, sigmaXY: [Double]?) throws {
        guard kernelSize.count == 1 || kernelSize.count == 2 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "kernel_size", value: "\(kernelSize)",
                allowed: "one odd size or [kx, ky]")
        }
        let range: ValueRange?
        switch sigma?.count {
        case nil: range = nil
        case 1?: range = sigma.map { .single($0[0]) }
        case 2?: range = sigma.map { ValueRange($0[0], $0[1]) }
        default:
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "sigma", value: "\(sigma ?? [])",
                allowed: "one number or [min, max]")
        }
        try self.init(
            kernelSizeX: kernelSize[0], kernelSizeY: kernelSize.last ?? kernelSize[0], sigma: range, p: p,
            sigmaXY: sigmaXY)
    }

    public init(kernelSizeX: Int, kernelSizeY: Int, sigma: ValueRange?, p: Double = Arguments.p.defaultValue!) throws {
        try self.init(kernelSizeX: kernelSizeX, kernelSizeY: kernelSizeY, sigma: sigma, p: p, sigmaXY: nil)
    }

    private init(kernelSizeX: Int, kernelSizeY: Int, sigma: ValueRange?, p: Double, sigmaXY: [Double]?) throws {
        for (size, name) in [(kernelSizeX, "kernel_size[0]"), (kernelSizeY, "kernel_size[1]")]
        where size < 1 || size > GaussianBlurStage.maxKernelSize || size % 2 == 0 {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: name, value: "\(size)",
                allowed: "an odd integer in [1, \(GaussianBlurStage.maxKernelSize)]")
        }
        if let sigma {
            guard sigma.lower.isFinite, sigma.upper.isFinite, sigma.lower > 0, sigma.lower <= sigma.upper else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "sigma",
                    value: sigma.isSingleValue ? "\(sigma.lower)" : "[\(sigma.lower), \(sigma.upper)]",
                    allowed: "a finite number > 0, or [min, max] with 0 < min <= max")
            }
        }
        try Arguments.p.check(p, op: Self.opName)
        self.kernelSizeX = kernelSizeX
        self.kernelSizeY = kernelSizeY
        self.sigma = sigma
        self.sigmaXY = sigmaXY
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> GaussianBlurParameters {
        guard drawApplied(p, &random) else { return GaussianBlurParameters(sigmaX: nil, sigmaY: nil) }
        if let sigmaXY { return GaussianBlurParameters(sigmaX: sigmaXY[0], sigmaY: sigmaXY[1]) }
        guard let sigma else {
            return GaussianBlurParameters(
                sigmaX: 0.15 * Double(kernelSizeX) + 0.35,
                sigmaY: 0.15 * Double(kernelSizeY) + 0.35)
        }
        let s = sigma.isSingleValue ? sigma.lower : sigma.draw(&random)
        return GaussianBlurParameters(sigmaX: s, sigmaY: s)
    }

    public func validate(_ parameters: GaussianBlurParameters, for input: ImageGeometry) throws {
        for value in [parameters.sigmaX, parameters.sigmaY] {
            if let value, !(value > 0 && value.isFinite) {
                throw AugmentError.parameterMismatch("gaussian_blur: sigma \(value) is not a finite number > 0")
            }
        }
        guard (parameters.sigmaX == nil) == (parameters.sigmaY == nil) else {
            throw AugmentError.parameterMismatch("gaussian_blur: sigma given for one axis only")
        }
    }

    public func lower(_ parameters: [GaussianBlurParameters], into plan: inout PlanBuilder) throws {
        let kernelsX = parameters.map {
            $0.sigmaX.map { GaussianBlurStage.gaussianKernel(size: kernelSizeX, sigma: $0) } ?? [1]
        }
        let kernelsY = parameters.map {
            $0.sigmaY.map { GaussianBlurStage.gaussianKernel(size: kernelSizeY, sigma: $0) } ?? [1]
        }
        // One-tap and underflowed kernels ([0, ..., 1, ..., 0]) change nothing.
        let isIdentity = { (kernel: [Float]) in
            kernel.enumerated().allSatisfy { $0.element == ($0.offset == kernel.count / 2 ? 1 : 0) }
        }
        if kernelsX.allSatisfy(isIdentity), kernelsY.allSatisfy(isIdentity) { return }
        let trim = { (kernel: [Float]) in isIdentity(kernel) ? [Float(1)] : kernel }
        let (count, geometry) = (plan.count, plan.geometry)
        try plan.append(readingPendingFormat: { pixelType, layout in
            Stage(
                GaussianBlurStage(
                    count: count, geometry: geometry, kernelsX: kernelsX.map(trim),
                    kernelsY: kernelsY.map(trim), inputPixelType: pixelType, inputLayout: layout))
        })
    }

    private enum CodingKeys: String, CodingKey { case kernelSize = "kernel_size", sigma, sigmaXY = "sigma_xy", p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let sizes = try read(Arguments.kernelSize).values
        let sigma = try read(Arguments.sigma)?.values
        let p = try read(Arguments.p)
        if let sigmaXY = try read(Arguments.sigmaXY) {
            guard sigma == nil else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "sigma_xy", value: "\(sigmaXY)",
                    allowed:
                        "sigma_xy (fixed [sx, sy]) or sigma (a number, or a [min, max] range to draw from), not both")
            }
            try self.init(kernelSize: sizes, sigmaXY: sigmaXY, p: p)
            return
        }
        try self.init(kernelSize: sizes, sigma: sigma, p: p)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode([kernelSizeX, kernelSizeY], forKey: .kernelSize)
        if let sigma {
            try c.encode(sigma.isSingleValue ? [sigma.lower] : [sigma.lower, sigma.upper], forKey: .sigma)
        }
        try c.encodeIfPresent(sigmaXY, forKey: .sigmaXY)
        try c.encode(p, forKey: .p)
    }
}

/// `adjust_sharpness`: blends each image with a 3x3-smoothed copy
/// (`[[1,1,1],[1,5,1],[1,1,1]] / 13`, border pixels kept): `clamp(x + (1 - f)(smooth - x), 0, 1)`
/// (torchvision `adjust_sharpness`). `sharpness_factor` f >= 0: 0 smooths, 1 gives the input, 2
/// sharpens. Images of height or width <= 2 are returned unchanged. Images with 1 or 3 channels.
public struct AdjustSharpness: Transform {
    public static let opName = "adjust_sharpness"
    public let sharpnessFactor: Double

    public init(sharpnessFactor: Double) throws {
        try SharpnessArguments.sharpnessFactor.check(sharpnessFactor, op: Self.opName)
        self.sharpnessFactor = sharpnessFactor
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSharpnessChannels(input, op: Self.opName)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.append(
            Stage(
                SharpnessStage(
                    count: plan.count, geometry: plan.geometry,
                    factors: Array(repeating: sharpnessFactor, count: plan.count))))
    }

    private enum CodingKeys: String, CodingKey { case sharpnessFactor = "sharpness_factor" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(sharpnessFactor: read(SharpnessArguments.sharpnessFactor))
    }
}

/// `random_adjust_sharpness`: `adjust_sharpness(sharpness_factor)` with probability `p` (default
/// 0.5) per sample (torchvision `RandomAdjustSharpness`).
public struct RandomAdjustSharpness: Transform {
    public static let opName = "random_adjust_sharpness"
    public let sharpnessFactor: Double
    public let p: Double

    public init(sharpnessFactor: Double, p: Double = SharpnessArguments.p.defaultValue!) throws {
        try SharpnessArguments.sharpnessFactor.check(sharpnessFactor, op: Self.opName)
        try SharpnessArguments.p.check(p, op: Self.opName)
        self.sharpnessFactor = sharpnessFactor
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkSharpnessChannels(input, op: Self.opName)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ApplyParameters {
        ApplyParameters(applied: drawApplied(p, &random))
    }

    public func validate(_ parameters: ApplyParameters, for input: ImageGeometry) throws {}

    public func lower(_ parameters: [ApplyParameters], into plan: inout PlanBuilder) throws {
        guard parameters.contains(where: \.applied) else { return }
        try plan.append(
            Stage(
                SharpnessStage(
                    count: plan.count, geometry: plan.geometry,
                    factors: parameters.map { $0.applied ? sharpnessFactor : nil })))
    }

    private enum CodingKeys: String, CodingKey { case sharpnessFactor = "sharpness_factor", p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(sharpnessFactor: read(SharpnessArguments.sharpnessFactor), p: read(SharpnessArguments.p))
    }
}

/// Throws unless the image has 1 or 3 channels (torchvision), or 4 or more (multispectral: every
/// channel is sharpened, as the policies' sharpness steps do on such images).
func checkSharpnessChannels(_ input: ImageGeometry, op: String) throws -> ImageGeometry {
    guard input.channels == 1 || input.channels >= 3 else {
        throw AugmentError.incompatible(
            "\(op): needs an image with 1 or 3 channels (as torchvision), or 4 or more (every channel is sharpened); the image has \(input.channels)"
        )
    }
    return input
}

extension GaussianBlur {
    /// `gaussian_blur`'s arguments, declared once.
    public enum Arguments {
        public static let kernelSize = OpArgument<OneOrList<Int>>(
            "kernel_size", allowed: "one odd integer in [1, \(GaussianBlurStage.maxKernelSize)] or [kx, ky] of them",
            doc: "kernel size for both axes, or [kx, ky] (x = width first, as torchvision)")
        public static let sigma = OpArgument<OneOrList<Double>?>(
            optional: "sigma", allowed: "a number > 0, or [min, max] with 0 < min <= max",
            doc:
                "one sigma for both axes, or [min, max] to draw sigma ~ U(min, max) per sample; absent: 0.15 k + 0.35 per axis (torchvision's default)"
        )
        public static let sigmaXY = OpArgument<[Double]?>(
            optional: "sigma_xy", allowed: "[sx, sy], two numbers in (0, 1000000]",
            doc: "fixed sigmas [sx, sy] per axis (x = width first); not together with `sigma`")
        public static let p = OpArgument<Double>(
            "p", default: 1, range: 0...1, catalog: 0...1, doc: "probability of blurring each sample")
    }
}

/// The sharpness ops' arguments, declared once.
public enum SharpnessArguments {
    public static let sharpnessFactor = OpArgument<Double>(
        "sharpness_factor", range: 0...maxFactor, catalog: 0...3,
        doc: "blends with a smoothed image: 0 gives the smoothed image, 1 the input, 2 sharpens")
    public static let p = OpArgument<Double>(
        "p", default: 0.5, range: 0...1, catalog: 0...1, doc: "probability of sharpening each sample")
}

extension GaussianBlur: DescribedArguments {
    public static let arguments = [
        Arguments.kernelSize.info, Arguments.sigma.info, Arguments.sigmaXY.info, Arguments.p.info,
    ]
    public static let summary =
        "Separable Gaussian blur with reflect-101 borders (torchvision `gaussian_blur` / `GaussianBlur`)."
}

extension AdjustSharpness: DescribedArguments {
    public static let arguments = [SharpnessArguments.sharpnessFactor.info]
    public static let summary =
        "Blends each image with its 3x3-smoothed version, borders kept (torchvision `adjust_sharpness`)."
}

extension RandomAdjustSharpness: DescribedArguments {
    public static let arguments = [SharpnessArguments.sharpnessFactor.info, SharpnessArguments.p.info]
    public static let summary = "`adjust_sharpness` with probability `p` (torchvision `RandomAdjustSharpness`)."
}
