/// Additive Gaussian noise with per-sample mean and sigma (family `noise`: `Kernels/noise.cl`,
/// `CPU/Noise.swift`).
///
/// Element e = c·H·W + y·W + x of sample n becomes `x + fma(z, sigma[n], mean[n])`, clamped to
/// [0, 1] when `clip` is set, where z = `keys[n].normal(e)` is drawn from the sample's device noise
/// stream by both backends alike. Samples whose sigma is nil are copied unchanged.
public struct NoiseStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    public var mean: [Float]
    public var sigma: [Float?]
    public var clip: Bool
    public var keys: [NoiseKey]

    public init(count: Int, geometry: ImageGeometry, mean: [Float], sigma: [Float?], clip: Bool, keys: [NoiseKey]) {
        self.count = count
        self.geometry = geometry
        self.mean = mean
        self.sigma = sigma
        self.clip = clip
        self.keys = keys
    }

    /// Throws unless the stage fits a float32 NCHW batch of `count` images of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, mean.count == count, sigma.count == count,
              keys.count == count else {
            throw AugmentError.parameterMismatch(
                "the noise stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)")
        }
    }
}
