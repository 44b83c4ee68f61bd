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

    public init(mean: Double = 0, sigma: Double = 0.1, clip: Bool = true) throws {
        try AugmentError.check(mean, in: -maxFactor...maxFactor, op: Self.opName, argument: "mean")
        try checkFactor(sigma, op: Self.opName, argument: "sigma")
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
            throw AugmentError.invalidArgument(op: Self.opName, argument: "clip", value: "true",
                                               allowed: "false on uint16 input: clip clamps to [0, 1], which would flatten raw values such as depth in millimetres (a uint16 output clamps to 0...65535 itself)")
        }
        try plan.append(.noise(NoiseStage(count: plan.count, geometry: plan.geometry,
                                          mean: Array(repeating: Float(mean), count: plan.count),
                                          sigma: Array(repeating: Float(sigma), count: plan.count),
                                          clip: clip, keys: parameters.map(\.noise))))
    }

    private enum CodingKeys: String, CodingKey { case mean, sigma, clip }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(mean: c.decodeIfPresent(Double.self, forKey: .mean) ?? 0,
                      sigma: c.decodeIfPresent(Double.self, forKey: .sigma) ?? 0.1,
                      clip: c.decodeIfPresent(Bool.self, forKey: .clip) ?? true)
    }
}
