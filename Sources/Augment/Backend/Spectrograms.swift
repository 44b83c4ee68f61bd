extension Backend {
    /// Samples `pipeline` for a spectrogram batch and runs it: the spectrograms are seen as
    /// float32 NCHW images with H = frequency bins, W = time frames and C = channels (1 for an
    /// (N, F, T) batch), which is also the geometry the ops sample for. The result keeps the
    /// batch's (N, F, T) or (N, C, F, T) form. The pipeline's output must be float32 NCHW.
    public func apply(
        _ pipeline: Pipeline, to spectrograms: SpectrogramBatch, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0, options: RunOptions = RunOptions()
    ) throws -> SpectrogramBatch {
        try apply(
            pipeline, to: spectrograms, labels: nil, seed: seed, epoch: epoch,
            firstSampleIndex: firstSampleIndex, options: options
        ).spectrograms
    }

    /// The same with labels, for pipelines that mix samples (MixUp / CutMix on spectrograms, as
    /// audio classifiers use): returns the spectrograms and the mixed (N, K) labels.
    public func apply(
        _ pipeline: Pipeline, to spectrograms: SpectrogramBatch, labels: LabelBatch?, seed: UInt64,
        epoch: UInt64 = 0, firstSampleIndex: UInt64 = 0, options: RunOptions = RunOptions()
    ) throws -> (spectrograms: SpectrogramBatch, labels: LabelBatch?) {
        guard pipeline.output == .float32NCHW else {
            throw AugmentError.incompatible(
                "a pipeline over spectrograms must produce float32 NCHW (the default), not \(pipeline.output)")
        }
        let batch = try AugmentBatch(images: spectrograms.asImages(), labels: labels)
        let output = try apply(
            pipeline, to: batch, seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex,
            options: options)
        return (try spectrograms.replacingValues(with: output.images), output.labels)
    }
}
