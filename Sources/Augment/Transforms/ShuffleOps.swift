/// One sample's channel order: output channel c reads input channel `permutation[c]` (the
/// identity when the op skipped the sample).
public struct ChannelShuffleParameters: Codable, Sendable, Equatable {
    public var permutation: [Int]
    public init(permutation: [Int]) { self.permutation = permutation }
}

/// `channel_shuffle`: with probability `p` in [0, 1], reorders each sample's channels by a uniformly
/// random permutation (Albumentations `ChannelShuffle`: `img[..., perm]` with `perm` a shuffled
/// `range(C)`). Any number of channels; one channel is left as it is. Exact on every backend: values
/// are copied, never computed. The permutation comes from this library's generator (Fisher-Yates on
/// the sample's stream), so the draws differ from Albumentations' while the distribution is the
/// same.
public struct ChannelShuffle: Transform {
    public static let opName = "channel_shuffle"
    public let p: Double

    public init(p: Double = Arguments.p.defaultValue!) throws {
        try Arguments.p.check(p, op: Self.opName)
        self.p = p
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ChannelShuffleParameters {
        var permutation = Array(0..<input.channels)
        guard random.bernoulli(p) else { return ChannelShuffleParameters(permutation: permutation) }
        // Fisher-Yates: position i takes a uniform pick among positions 0...i.
        for i in stride(from: permutation.count - 1, to: 0, by: -1) {
            permutation.swapAt(i, random.integer(in: 0...i))
        }
        return ChannelShuffleParameters(permutation: permutation)
    }

    public func validate(_ parameters: ChannelShuffleParameters, for input: ImageGeometry) throws {
        guard parameters.permutation.sorted() == Array(0..<input.channels) else {
            throw AugmentError.parameterMismatch(
                "\(Self.opName): \(parameters.permutation) is not a permutation of the \(input.channels) channels")
        }
    }

    public func lower(_ parameters: [ChannelShuffleParameters], into plan: inout PlanBuilder) throws {
        try plan.append(
            Stage(
                ChannelShuffleStage(
                    count: plan.count, geometry: plan.geometry,
                    permutations: parameters.map(\.permutation))))
    }

    private enum CodingKeys: String, CodingKey { case p }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(Arguments.p))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let p = OpArgument<Double>(
            "p", default: 0.5, range: 0...1, doc: "probability of shuffling each sample's channels")
    }
}

extension ChannelShuffle: DescribedArguments {
    public static let arguments = [Arguments.p.info]
    public static let summary =
        "Reorders each sample's channels by a random permutation with probability `p` (Albumentations `ChannelShuffle`)."
}
