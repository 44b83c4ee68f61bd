/// `normalize`: `(x - mean[c]) / std[c]` per channel, on float values in [0, 1] (uint8 input is
/// scaled by 1/255 first, as torchvision's `to_dtype(float32, scale=True)`).
///
/// Matches `torchvision.transforms.v2.functional.normalize`. `mean` and `std` hold one value per
/// channel, or a single value used for every channel; every `std` must be finite and non-zero.
/// Computed as `fma(x, 1/std, -mean/std)` in float32: within one float32 ulp of
/// max(|x/std|, |mean/std|) of torchvision's `(x - mean) / std` (about 5e-7 for ImageNet constants).
public struct Normalize: Transform {
    public static let opName = "normalize"
    public let mean: [Double]
    public let std: [Double]

    public init(mean: [Double], std: [Double]) throws {
        guard !mean.isEmpty else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "mean", value: "[]",
                allowed: "one value per channel (or one for all)")
        }
        guard mean.count == std.count else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "std", value: "\(std.count) values",
                allowed: "as many values as mean (\(mean.count))")
        }
        for (i, m) in mean.enumerated() where !m.isFinite {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "mean[\(i)]", value: "\(m)",
                allowed: "a finite number")
        }
        for (i, s) in std.enumerated()
        where !s.isFinite || s == 0 || !Float(1 / s).isFinite
            || !Float(mean.count == 1 ? mean[0] / s : mean[i] / s).isFinite
        {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "std[\(i)]", value: "\(s)",
                allowed: "a finite non-zero number whose 1/std and mean/std fit in float32")
        }
        self.mean = mean
        self.std = std
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        guard mean.count == 1 || mean.count == input.channels else {
            throw AugmentError.incompatible(
                "normalize: mean and std have \(mean.count) values but the image has \(input.channels) channels")
        }
        return input
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.affine(ChannelAffine(mean: mean, std: std))
    }

    private enum CodingKeys: String, CodingKey { case mean, std }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(mean: read(Arguments.mean), std: read(Arguments.std))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let mean = OpArgument<[Double]>(
            "mean", allowed: "finite numbers, one per channel (or one for all)",
            doc: "subtracted per channel, on the float scale [0, 1]")
        public static let std = OpArgument<[Double]>(
            "std", allowed: "finite non-zero numbers, as many as mean",
            doc: "divides per channel after the mean is subtracted")
    }
}

extension Normalize: DescribedArguments {
    public static let arguments = [Arguments.mean.info, Arguments.std.info]
    public static let summary =
        "`(x - mean[c]) / std[c]` per channel on the float scale (torchvision `normalize` / `Normalize`)."
}
