/// What flows through a plan: a batch of images and the targets that must stay in sync with them.
///
/// Stages that move pixels between samples (MixUp, CutMix) update ``labels`` with the weights of
/// the pixels they actually mixed. Per-sample targets of geometric ops (masks, boxes, keypoints)
/// join here as those ops land.
public struct AugmentBatch: Sendable, Equatable {
    public var images: ImageBatch
    /// (N, K) soft labels, one row per image; nil when the caller has none.
    public var labels: LabelBatch?
    /// Segmentation masks warped with the images (see ``MaskBatch``).
    public var masks: MaskBatch? = nil
    /// Boxes and their labels, moved with the images (see ``BoxBatch``).
    public var boxes: BoxBatch? = nil
    /// Keypoints moved with the images (see ``KeypointBatch``).
    public var keypoints: KeypointBatch? = nil

    public init(images: ImageBatch, labels: LabelBatch? = nil) throws {
        if let labels, labels.count != images.count {
            throw AugmentError.invalidShape("\(labels.count) label rows for \(images.count) images")
        }
        self.images = images
        self.labels = labels
    }

    public var count: Int { images.count }
}

extension SpectrogramBatch {
    /// The batch as float32 NCHW images with H = frequency bins and W = time frames, the layout
    /// every stage works on (torchaudio's (..., freq, time) order).
    public func asImages() throws -> ImageBatch {
        try ImageBatch(
            pixels: .float32(values), count: count,
            geometry: ImageGeometry(height: frequencyBins, width: timeFrames, channels: channels),
            layout: .nchw)
    }

    /// A spectrogram batch with the values of `images` (float32 NCHW, H = F, W = T), keeping this
    /// batch's (N, F, T) or (N, C, F, T) form.
    public func replacingValues(with images: ImageBatch) throws -> SpectrogramBatch {
        guard let values = images.float32Values, images.layout == .nchw else {
            throw AugmentError.incompatible(
                "spectrograms come back from a float32 NCHW batch, got \(images.shapeDescription)")
        }
        let g = images.geometry
        return hasChannelAxis
            ? try SpectrogramBatch(
                values: values, count: images.count, channels: g.channels, frequencyBins: g.height, timeFrames: g.width)
            : try g.channels == 1
                ? SpectrogramBatch(values: values, count: images.count, frequencyBins: g.height, timeFrames: g.width)
                : SpectrogramBatch(
                    values: values, count: images.count, channels: g.channels, frequencyBins: g.height,
                    timeFrames: g.width)
    }
}
