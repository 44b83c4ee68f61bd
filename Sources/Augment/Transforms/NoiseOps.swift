/// One sample's noise stream.
public struct GaussianNoiseParameters: Codable, Sendable, Equatable {
    public var noise: NoiseKey
    public init(noise: NoiseKey) { self.noise = noise }
}

/// `gaussian_noise`: adds `mean + sigma * z` with z ~ N(0, 1) per element, then clamps to [0, 1]
/// when `clip` is set (torchvision `gaussian_noise` / `GaussianNoise`, float path). `mean` finite,
/// `sigma` >= 0, on the float scale. Any number of channels.
///
/// The noise is drawn on the device (and identically by the CPU backend) from each sample's noise
/// stream: Philox keyed by (seed, epoch, global sample index, op index) in the noise domain, Box-
/// Muller on 24-bit uniforms (|z| <= 5.77). torchvision uses torch's generator, so the values differ
/// while the distribution is the same.
public struct GaussianNoise: Transform {
    public static let opName = "gaussian_noise"
    public let mean: Double
    public let sigma: Double
    public let clip: Bool

    public init(
        mean: Double = Arguments.mean.defaultValue!, sigma: Double = Arguments.sigma.defaultValue!,
        clip: Bool = Arguments.clip.defaultValue!
    ) throws {
        try Arguments.mean.check(mean, op: Self.opName)
        try Arguments.sigma.check(sigma, op: Self.opName)
        self.mean = mean
        self.sigma = sigma
        self.clip = clip
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> GaussianNoiseParameters {
        GaussianNoiseParameters(noise: NoiseKey(random.randomKey))
    }

    public func validate(_ parameters: GaussianNoiseParameters, for input: ImageGeometry) throws {}

    public func lower(_ parameters: [GaussianNoiseParameters], into plan: inout PlanBuilder) throws {
        if clip, plan.inputPixelType == .uint16 {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "clip", value: "true",
                allowed:
                    "false on uint16 input: clip clamps to [0, 1], which would flatten raw values such as depth in millimetres (a uint16 output clamps to 0...65535 itself)"
            )
        }
        try plan.append(
            Stage(
                NoiseStage(
                    count: plan.count, geometry: plan.geometry,
                    mean: Array(repeating: Float(mean), count: plan.count),
                    sigma: Array(repeating: Float(sigma), count: plan.count),
                    clip: clip, keys: parameters.map(\.noise))))
    }

    private enum CodingKeys: String, CodingKey { case mean, sigma, clip }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(mean: read(Arguments.mean), sigma: read(Arguments.sigma), clip: read(Arguments.clip))
    }

    /// The op's arguments, declared once (decoding, checks, catalog draws and docs/reference.md).
    public enum Arguments {
        public static let mean = OpArgument<Double>(
            "mean", default: 0, range: -maxFactor...maxFactor, catalog: -0.1...0.1,
            doc: "mean of the added noise, on the float scale")
        public static let sigma = OpArgument<Double>(
            "sigma", default: 0.1, range: 0...maxFactor, catalog: 0...0.3,
            doc: "standard deviation of the added noise, on the float scale")
        public static let clip = OpArgument<Bool>(
            "clip", default: true, doc: "clamp the result to [0, 1]")
    }
}

extension GaussianNoise: DescribedArguments {
    public static let arguments = [Arguments.mean.info, Arguments.sigma.info, Arguments.clip.info]
    public static let summary =
        "Adds `mean + sigma * z`, z ~ N(0, 1) per element, drawn on the device from each sample's noise stream (torchvision `GaussianNoise`)."
}
