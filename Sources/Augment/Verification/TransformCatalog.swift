/// One registered transform, with a recipe for exercising it on random arguments.
public struct CatalogEntry: Sendable {
    /// The op name (or a chain's name) shown by `augment verify`.
    public let name: String
    /// When set, the entry runs on batches with (N, K) soft labels of this many classes.
    public let labelClasses: Int?
    /// The input element types the entry is checked on (spectrogram ops: float32 only).
    public let pixelTypes: [PixelType]
    /// Builds a pipeline that exercises this entry on images of `geometry`, with arguments drawn
    /// from `random`.
    public let makePipeline: @Sendable (ImageGeometry, inout RandomStream) throws -> Pipeline
    /// The channel counts the entry is checked on (nil: any), for ops that torchvision defines on
    /// 1- or 3-channel images only.
    public let channelCounts: Set<Int>?

    public init(
        name: String, labelClasses: Int? = nil, pixelTypes: [PixelType] = [.uint8, .float32],
        channelCounts: Set<Int>? = nil,
        makePipeline: @escaping @Sendable (ImageGeometry, inout RandomStream) throws -> Pipeline
    ) {
        self.name = name
        self.labelClasses = labelClasses
        self.pixelTypes = pixelTypes
        self.channelCounts = channelCounts
        self.makePipeline = makePipeline
    }

    /// Whether the entry applies to images of `geometry` (its channel count).
    public func supports(_ geometry: ImageGeometry) -> Bool {
        channelCounts?.contains(geometry.channels) ?? true
    }

    /// A random input batch for this entry: images, plus random soft labels when the entry wants them.
    public func makeBatch(count: Int, geometry: ImageGeometry, pixelType: PixelType, layout: ImageLayout,
                          seed: UInt64) throws -> AugmentBatch {
        let images = try ImageBatch.random(count: count, geometry: geometry, pixelType: pixelType, layout: layout, seed: seed)
        guard let classes = labelClasses else { return try AugmentBatch(images: images) }
        var random = RandomStream(RandomKey(seed: seed, sampleIndex: 0, opIndex: 0x00FF_FFFE))
        let ids = (0..<count).map { _ in random.integer(in: 0...(classes - 1)) }
        return try AugmentBatch(images: images, labels: LabelBatch(classIDs: ids, classCount: classes))
    }
}

/// Every transform the library registers, for `augment verify` and the parity sweep. A new
/// transform family adds its entries here; both the CLI and the tests pick them up.
public enum TransformCatalog {
    public static let entries: [CatalogEntry] = [
        CatalogEntry(name: "to_float32") { _, _ in try Pipeline([]) },
        CatalogEntry(name: Normalize.opName) { geometry, random in
            let mean = (0..<geometry.channels).map { _ in random.uniform(0.2, 0.6) }
            let std = (0..<geometry.channels).map { _ in random.uniform(0.1, 0.4) }
            return try Pipeline([Normalize(mean: mean, std: std)])
        },
        CatalogEntry(name: HorizontalFlip.opName) { _, _ in try Pipeline([HorizontalFlip()]) },
        CatalogEntry(name: VerticalFlip.opName) { _, _ in try Pipeline([VerticalFlip()]) },
        CatalogEntry(name: RandomHorizontalFlip.opName) { _, _ in try Pipeline([RandomHorizontalFlip(p: 0.5)]) },
        CatalogEntry(name: RandomVerticalFlip.opName) { _, _ in try Pipeline([RandomVerticalFlip(p: 0.5)]) },
        CatalogEntry(name: Crop.opName) { geometry, random in
            let height = random.integer(in: 1...geometry.height)
            let width = random.integer(in: 1...geometry.width)
            return try Pipeline([Crop(top: random.integer(in: 0...(geometry.height - height)),
                                      left: random.integer(in: 0...(geometry.width - width)),
                                      height: height, width: width)])
        },
        CatalogEntry(name: CenterCrop.opName) { geometry, random in
            try Pipeline([CenterCrop(height: random.integer(in: 1...geometry.height),
                                     width: random.integer(in: 1...geometry.width))])
        },
        CatalogEntry(name: RandomCrop.opName) { geometry, random in
            try Pipeline([RandomCrop(height: random.integer(in: 1...geometry.height),
                                     width: random.integer(in: 1...geometry.width))])
        },
        CatalogEntry(name: "crop_flip_normalize (fused)") { geometry, random in
            let height = random.integer(in: 1...geometry.height)
            let width = random.integer(in: 1...geometry.width)
            return try Pipeline([
                RandomCrop(height: height, width: width),
                RandomHorizontalFlip(p: 0.5),
                RandomVerticalFlip(p: 0.5),
                CenterCrop(height: max(1, height - 1), width: max(1, width - 2)),
                Normalize(mean: [0.45], std: [0.226]),
            ])
        },
    ] + colorEntries

    /// The entry named `name`, if registered.
    public static func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name }
    }
}
