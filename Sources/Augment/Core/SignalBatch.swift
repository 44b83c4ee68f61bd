/// A batch of float32 signals, (N, C, T): C channels (leads, axes, sensors) of T samples each,
/// stored densely as numpy stores an (N, C, T) array.
///
/// Ops see a signal batch as float32 NCHW images with height 1 and width T (``asImages()``), which
/// is the same memory; the signal ops (``OpRegistry/signalTypes``) require that height.
public struct SignalBatch: Sendable, Equatable {
    public let count: Int
    public let channels: Int
    /// T, samples per channel.
    public let length: Int
    public private(set) var values: [Float]

    public init(values: [Float], count: Int, channels: Int, length: Int) throws {
        guard count >= 1 else {
            throw AugmentError.emptyBatch("a signal batch needs at least one signal, got \(count)")
        }
        guard channels >= 1, length >= 1 else {
            throw AugmentError.invalidShape(
                "signal batch: channels and length must be at least 1, got C=\(channels) T=\(length)")
        }
        let expected = try checkedProduct([count, channels, length], what: "signal batch")
        guard values.count == expected else {
            throw AugmentError.invalidShape(
                "signal shape (N=\(count), C=\(channels), T=\(length)) needs \(expected) values, buffer has \(values.count)"
            )
        }
        self.count = count
        self.channels = channels
        self.length = length
        self.values = values
    }

    /// [N, C, T].
    public var shape: [Int] { [count, channels, length] }

    /// The geometry ops sample for: height 1, width T, C channels.
    public var geometry: ImageGeometry { ImageGeometry(height: 1, width: length, channels: channels) }

    /// The same values as float32 NCHW images of height 1.
    public func asImages() throws -> ImageBatch {
        try ImageBatch(pixels: .float32(values), count: count, geometry: geometry, layout: .nchw)
    }

    /// A signal batch with the values of `images` (float32 NCHW, height 1).
    public init(images: ImageBatch) throws {
        guard let values = images.float32Values, images.layout == .nchw, images.geometry.height == 1,
            images.raggedGeometries == nil
        else {
            throw AugmentError.incompatible(
                "signals come back from a float32 NCHW batch of height 1, got \(images.shapeDescription)")
        }
        try self.init(
            values: values, count: images.count, channels: images.geometry.channels, length: images.geometry.width)
    }
}

extension Backend {
    /// Samples `pipeline` for a signal batch and runs it; the pipeline's output must be float32
    /// NCHW (the default). Returns the (N, C, T) result and the mixed labels, if any were given.
    public func apply(
        _ pipeline: Pipeline, to signals: SignalBatch, labels: LabelBatch? = nil, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0, options: RunOptions = RunOptions()
    ) throws -> (signals: SignalBatch, labels: LabelBatch?) {
        guard pipeline.output == .float32NCHW else {
            throw AugmentError.incompatible(
                "a pipeline over signals must produce float32 NCHW (the default), not \(pipeline.output)")
        }
        let batch = try AugmentBatch(images: signals.asImages(), labels: labels)
        let output = try apply(
            pipeline, to: batch, seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex,
            options: options)
        return (try SignalBatch(images: output.images), output.labels)
    }
}
