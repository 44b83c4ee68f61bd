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
            keys.count == count
        else {
            throw AugmentError.parameterMismatch(
                "the noise stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)")
        }
    }
}

extension NoiseStage: PlanStage {
    public static let family = "noise"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.mean = Array(s.mean[range])
        s.sigma = Array(s.sigma[range])
        s.keys = Array(s.keys[range])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "gaussian_noise \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        var s = self
        guard let key = s.keys.first else { return [] }
        s.mean = spread.spread(s.mean, identity: 0)
        s.sigma = spread.spread(s.sigma, identity: nil)
        s.keys = spread.spread(s.keys, identity: key)
        s.count = spread.count
        return [.stage(Stage(s))]
    }
}
