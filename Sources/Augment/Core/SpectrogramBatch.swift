/// A batch of float32 spectrograms, (N, F, T) or (N, C, F, T), stored densely.
///
/// F is the number of frequency bins and T the number of time frames, as torchaudio's
/// `Spectrogram` produces them. A batch built without a channel axis reports `channels == 1`
/// and `hasChannelAxis == false`, so it round-trips to the same shape.
public struct SpectrogramBatch: Sendable, Equatable {
    public let count: Int
    public let channels: Int
    public let frequencyBins: Int
    public let timeFrames: Int
    /// Whether the batch was given as (N, C, F, T) rather than (N, F, T).
    public let hasChannelAxis: Bool
    public private(set) var values: [Float]

    /// An (N, F, T) batch.
    public init(values: [Float], count: Int, frequencyBins: Int, timeFrames: Int) throws {
        try self.init(
            values: values, count: count, channels: 1, frequencyBins: frequencyBins,
            timeFrames: timeFrames, hasChannelAxis: false)
    }

    /// An (N, C, F, T) batch.
    public init(values: [Float], count: Int, channels: Int, frequencyBins: Int, timeFrames: Int) throws {
        try self.init(
            values: values, count: count, channels: channels, frequencyBins: frequencyBins,
            timeFrames: timeFrames, hasChannelAxis: true)
    }

    private init(
        values: [Float], count: Int, channels: Int, frequencyBins: Int, timeFrames: Int,
        hasChannelAxis: Bool
    ) throws {
        guard count >= 1 else {
            throw AugmentError.emptyBatch("a spectrogram batch needs at least one example, got \(count)")
        }
        guard channels >= 1, frequencyBins >= 1, timeFrames >= 1 else {
            throw AugmentError.invalidShape(
                "spectrogram batch: channels, frequency bins and time frames must be at least 1, got C=\(channels) F=\(frequencyBins) T=\(timeFrames)"
            )
        }
        let expected = try checkedProduct(
            [count, channels, frequencyBins, timeFrames],
            what: "spectrogram batch")
        guard values.count == expected else {
            let shape =
                hasChannelAxis
                ? "(N=\(count), C=\(channels), F=\(frequencyBins), T=\(timeFrames))"
                : "(N=\(count), F=\(frequencyBins), T=\(timeFrames))"
            throw AugmentError.invalidShape(
                "spectrogram shape \(shape) needs \(expected) values, buffer has \(values.count)")
        }
        self.count = count
        self.channels = channels
        self.frequencyBins = frequencyBins
        self.timeFrames = timeFrames
        self.hasChannelAxis = hasChannelAxis
        self.values = values
    }

    /// The shape as the user gave it: [N, F, T] or [N, C, F, T].
    public var shape: [Int] {
        hasChannelAxis ? [count, channels, frequencyBins, timeFrames] : [count, frequencyBins, timeFrames]
    }
}
