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

    public init(
        name: String, labelClasses: Int? = nil, pixelTypes: [PixelType] = [.uint8, .float32],
        makePipeline: @escaping @Sendable (ImageGeometry, inout RandomStream) throws -> Pipeline
    ) {
        self.name = name
        self.labelClasses = labelClasses
        self.pixelTypes = pixelTypes
        self.makePipeline = makePipeline
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
        CatalogEntry(name: MixUp.opName, labelClasses: 5) { _, random in
            let (mode, partner) = randomMixPairing(&random)
            return try Pipeline([MixUp(alpha: random.uniform(0.2, 2), numClasses: 5, mode: mode, partner: partner)])
        },
        CatalogEntry(name: CutMix.opName, labelClasses: 5) { _, random in
            let (mode, partner) = randomMixPairing(&random)
            let rule = CutMixBoxRule.allCases[random.integer(in: 0...(CutMixBoxRule.allCases.count - 1))]
            return try Pipeline([CutMix(alpha: random.uniform(0.2, 2), numClasses: 5, mode: mode, partner: partner,
                                        boxRule: rule)])
        },
        CatalogEntry(name: MixUpCutMix.opName, labelClasses: 7) { _, random in
            let (mode, partner) = randomMixPairing(&random)
            let mixupAlpha = random.bernoulli(0.2) ? 0 : random.uniform(0.1, 1.5)
            return try Pipeline([MixUpCutMix(
                mixupAlpha: mixupAlpha, cutmixAlpha: mixupAlpha > 0 && random.bernoulli(0.3) ? 0 : random.uniform(0.1, 1.5),
                prob: random.uniform(0.5, 1), switchProb: random.uniform(0, 1), mode: mode,
                labelSmoothing: random.uniform(0, 0.2), numClasses: 7, partner: partner)])
        },
        CatalogEntry(name: "crop_flip_mix_normalize", labelClasses: 3) { geometry, random in
            try Pipeline([
                RandomCrop(height: random.integer(in: 1...geometry.height), width: random.integer(in: 1...geometry.width)),
                RandomHorizontalFlip(p: 0.5),
                MixUpCutMix(mixupAlpha: 0.8, cutmixAlpha: 1.0, switchProb: 0.5, mode: .elem, labelSmoothing: 0.1),
                Normalize(mean: [0.45], std: [0.226]),
            ])
        },
        CatalogEntry(name: FrequencyMasking.opName, pixelTypes: [.float32]) { geometry, random in
            try Pipeline([FrequencyMasking(
                freqMaskParam: random.integer(in: 0...(geometry.height + 2)), iidMasks: random.bernoulli(0.5),
                p: random.bernoulli(0.5) ? 1 : random.uniform(0, 1), numMasks: random.integer(in: 0...3),
                maskValue: randomMaskValue(&random))])
        },
        CatalogEntry(name: TimeMasking.opName, pixelTypes: [.float32]) { geometry, random in
            try Pipeline([TimeMasking(
                timeMaskParam: random.integer(in: 0...(geometry.width + 2)), iidMasks: random.bernoulli(0.5),
                p: random.bernoulli(0.5) ? 1 : random.uniform(0, 1), numMasks: random.integer(in: 0...3),
                maskValue: randomMaskValue(&random))])
        },
        CatalogEntry(name: TimeWarp.opName, pixelTypes: [.float32]) { geometry, random in
            try Pipeline([TimeWarp(window: random.integer(in: 0...max(1, geometry.width / 2)),
                                   mode: random.bernoulli(0.5) ? .bicubic : .linear)])
        },
        policyEntry(.libriSpeechBasic),
        policyEntry(.libriSpeechDouble),
        policyEntry(.switchboardMild),
        policyEntry(.switchboardStrong),
    ]

    /// The entry named `name`, if registered.
    public static func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name }
    }
}

// Argument recipes of the mix and specaugment entries.
extension TransformCatalog {
    /// A mode and a partner rule that go together (pair mode needs mutual partners).
    static func randomMixPairing(_ random: inout RandomStream) -> (MixMode, MixPartner) {
        let mode = MixMode.allCases[random.integer(in: 0...(MixMode.allCases.count - 1))]
        let partners: [MixPartner] = mode == .pair ? [.reversed, .permutation] : MixPartner.allCases
        return (mode, partners[random.integer(in: 0...(partners.count - 1))])
    }

    /// A constant (0 or -1.5) or the example's mean.
    static func randomMaskValue(_ random: inout RandomStream) -> MaskValue {
        switch random.integer(in: 0...2) {
        case 0: return .constant(0)
        case 1: return .constant(-1.5)
        default: return .mean
        }
    }

    /// A SpecAugment policy of the paper, with zero or mean fill.
    static func policyEntry(_ policy: SpecAugmentPolicy) -> CatalogEntry {
        CatalogEntry(name: "specaugment_\(policy.rawValue)", pixelTypes: [.float32]) { _, random in
            try policy.pipeline(maskValue: random.bernoulli(0.5) ? .mean : .constant(0))
        }
    }
}
