/// Channels reordered per sample (channel_shuffle): output (n, c, y, x) = input (n,
/// permutations[n][c], y, x), float32 NCHW in and out. Family `shuffle` (`Kernels/shuffle.cl`,
/// `CPU/Shuffle.swift`, `Backend/Shuffle.swift`).
public struct ChannelShuffleStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    /// One permutation of `0..<geometry.channels` per sample.
    public var permutations: [[Int]]

    public init(count: Int, geometry: ImageGeometry, permutations: [[Int]]) {
        self.count = count
        self.geometry = geometry
        self.permutations = permutations
    }

    /// Throws unless the stage fits `count` images of `geometry` and every entry is a permutation.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, permutations.count == count else {
            throw AugmentError.parameterMismatch(
                "the channel shuffle stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)"
            )
        }
        for (n, permutation) in permutations.enumerated() where permutation.sorted() != Array(0..<geometry.channels) {
            throw AugmentError.parameterMismatch(
                "the channel order of sample \(n), \(permutation), is not a permutation")
        }
    }
}

extension ChannelShuffleStage: PlanStage {
    public static let family = "shuffle"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.permutations = Array(s.permutations[range])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "channel_shuffle \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        var s = self
        s.permutations = spread.spread(s.permutations, identity: Array(0..<geometry.channels))
        s.count = spread.count
        return [.stage(Stage(s))]
    }
}
