/// Ragged batches: images of different sizes packed in one buffer.
///
/// Decoded photos are not all one size. A ragged ``ImageBatch`` holds N images with their own
/// height and width (one channel count), stored back to back in one buffer in the batch's layout
/// (HWC per sample for `.nhwc`, CHW per sample for `.nchw`); sample i starts at the sum of the element
/// counts of samples 0..<i. Random ops draw each sample's parameters from its own size (a
/// `random_resized_crop` box is drawn inside each photo), and the first warp of the plan reads every
/// sample at its own offset and writes one dense batch, in a single launch. The pipeline must bring
/// every sample to one size (resize, resized crops, fixed-size crops) before any op that needs a
/// dense batch (normalize is fine: it rides in the warp); otherwise planning throws `incompatible`.
extension ImageBatch {
    /// A ragged batch: `geometries[i]` is sample i's size (every channel count equal), `pixels` holds
    /// the samples back to back in `layout`.
    public init(ragged pixels: PixelBuffer, geometries: [ImageGeometry], layout: ImageLayout) throws {
        guard !geometries.isEmpty else {
            throw AugmentError.emptyBatch("a ragged image batch needs at least one image")
        }
        var total = 0
        for (i, g) in geometries.enumerated() {
            try g.validate("ragged image batch, sample \(i)")
            guard g.channels == geometries[0].channels else {
                throw AugmentError.invalidShape(
                    "ragged image batch: sample \(i) has \(g.channels) channels, sample 0 has \(geometries[0].channels)"
                )
            }
            let (sum, overflow) = total.addingReportingOverflow(g.elementCount)
            guard !overflow else { throw AugmentError.invalidShape("ragged image batch: too many elements") }
            total = sum
        }
        guard pixels.count == total else {
            throw AugmentError.invalidShape(
                "ragged image batch: \(geometries.count) images need \(total) values, buffer has \(pixels.count)")
        }
        self.init(validatedRagged: pixels, geometries: geometries, layout: layout)
    }

    /// A ragged uint8 batch from decoded HWC images (each `images[i]` holds height x width x channels
    /// values).
    public init(uint8HWC images: [[UInt8]], sizes: [(height: Int, width: Int)], channels: Int) throws {
        guard images.count == sizes.count else {
            throw AugmentError.invalidShape("\(images.count) images but \(sizes.count) sizes")
        }
        try self.init(
            ragged: .uint8(images.flatMap { $0 }),
            geometries: sizes.map { ImageGeometry(height: $0.height, width: $0.width, channels: channels) },
            layout: .nhwc)
    }

    /// Whether the samples have sizes of their own (see ``raggedGeometries``).
    public var isRagged: Bool { raggedGeometries != nil }

    /// The size of every sample (all equal to ``geometry`` for a dense batch).
    public var sampleGeometries: [ImageGeometry] {
        raggedGeometries ?? Array(repeating: geometry, count: count)
    }
}
