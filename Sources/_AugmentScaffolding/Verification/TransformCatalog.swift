import Augment
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
    /// Whether the entry runs on signal batches (N, C, T): `augment verify` and the parity sweep
    /// turn each test shape into signals with ``inputGeometry(for:)``.
    public var isSignal = false

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

    /// The batch geometry the entry runs on for a test shape: the shape itself, or for signal
    /// entries C channels of H·W samples (height 1).
    public func inputGeometry(for shape: ImageGeometry) -> ImageGeometry {
        isSignal ? ImageGeometry(height: 1, width: shape.height * shape.width, channels: shape.channels) : shape
    }

    /// Whether the entry applies to images of `geometry` (its channel count).
    public func supports(_ geometry: ImageGeometry) -> Bool {
        channelCounts?.contains(geometry.channels) ?? true
    }

    /// A random input batch for this entry: images, plus random soft labels when the entry wants them.
    public func makeBatch(
        count: Int, geometry: ImageGeometry, pixelType: PixelType, layout: ImageLayout,
        seed: UInt64
    ) throws -> AugmentBatch {
        let images = try ImageBatch.random(
            count: count, geometry: geometry, pixelType: pixelType, layout: layout, seed: seed)
        guard let classes = labelClasses else { return try AugmentBatch(images: images) }
        var random = RandomStream(RandomKey(seed: seed, sampleIndex: 0, opIndex: 0x00FF_FFFE))
        let ids = (0..<count).map { _ in random.integer(in: 0...(classes - 1)) }
        return try AugmentBatch(images: images, labels: LabelBatch(classIDs: ids, classCount: classes))
    }
}

/// Every transform the library registers, for `augment verify` and the parity sweep: the entries
/// listed here and in the family catalog files, plus one derived from its argument declarations for
/// every registered op that none of them names (so a new op needs no catalog code unless its draws
/// depend on the image or on each other); both the CLI and the tests pick them up.
public enum TransformCatalog {
    public static let entries: [CatalogEntry] = listedEntries + automaticEntries(besides: listedEntries)

    /// Whether `entry` is named after `op` (possibly with a variant: "affine (edge, reflect)",
    /// "time_shift_roll"; signal ops that share an image op's name carry a "signal_" prefix).
    public static func entry(_ entry: String, isNamedAfter op: String) -> Bool {
        entry == op || entry.hasPrefix(op + " ") || entry.hasPrefix(op + "_") || entry.hasPrefix("signal_" + op)
    }

    /// A derived entry (``derivedEntry(for:name:channelCounts:input:)``) for every registered op
    /// with declared arguments that no entry in `listed` names: image ops on images, signal ops on
    /// signals. An op whose required arguments have no catalog span gets none (CompletenessTests
    /// then asks for a hand-written entry).
    static func automaticEntries(besides listed: [CatalogEntry]) -> [CatalogEntry] {
        let kinds: [(types: [any Transform.Type], input: PipelineInput)] = [
            (OpRegistry.types, .image), (OpRegistry.signalTypes, .signal),
        ]
        var result: [CatalogEntry] = []
        for (types, input) in kinds {
            for case let type as any DescribedArguments.Type in types
            where !(listed + result).contains(where: { entry($0.name, isNamedAfter: type.opName) }) {
                if let derived = derivedEntry(for: type, input: input) { result.append(derived) }
            }
        }
        return result
    }

    static let listedEntries: [CatalogEntry] =
        [
            CatalogEntry(name: "to_float32") { _, _ in try Pipeline([]) },
            CatalogEntry(name: Normalize.opName) { geometry, random in
                let mean = (0..<geometry.channels).map { _ in random.uniform(0.2, 0.6) }
                let std = (0..<geometry.channels).map { _ in random.uniform(0.1, 0.4) }
                return try Pipeline([Normalize(mean: mean, std: std)])
            },
        ]
        + derivedEntries([
            (HorizontalFlip.self, nil), (VerticalFlip.self, nil), (RandomHorizontalFlip.self, nil),
            (RandomVerticalFlip.self, nil),
        ])
        + [
            CatalogEntry(name: Crop.opName) { geometry, random in
                let height = random.integer(in: 1...geometry.height)
                let width = random.integer(in: 1...geometry.width)
                return try Pipeline([
                    Crop(
                        top: random.integer(in: 0...(geometry.height - height)),
                        left: random.integer(in: 0...(geometry.width - width)),
                        height: height, width: width)
                ])
            },
            CatalogEntry(name: CenterCrop.opName) { geometry, random in
                try Pipeline([
                    CenterCrop(
                        height: random.integer(in: 1...geometry.height),
                        width: random.integer(in: 1...geometry.width))
                ])
            },
            CatalogEntry(name: RandomCrop.opName) { geometry, random in
                try Pipeline([
                    RandomCrop(
                        height: random.integer(in: 1...geometry.height),
                        width: random.integer(in: 1...geometry.width))
                ])
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
                return try Pipeline([
                    CutMix(
                        alpha: random.uniform(0.2, 2), numClasses: 5, mode: mode, partner: partner,
                        boxRule: rule)
                ])
            },
            CatalogEntry(name: MixUpCutMix.opName, labelClasses: 7) { _, random in
                let (mode, partner) = randomMixPairing(&random)
                let mixupAlpha = random.bernoulli(0.2) ? 0 : random.uniform(0.1, 1.5)
                return try Pipeline([
                    MixUpCutMix(
                        mixupAlpha: mixupAlpha,
                        cutmixAlpha: mixupAlpha > 0 && random.bernoulli(0.3) ? 0 : random.uniform(0.1, 1.5),
                        prob: random.uniform(0.5, 1), switchProb: random.uniform(0, 1), mode: mode,
                        labelSmoothing: random.uniform(0, 0.2), numClasses: 7, partner: partner)
                ])
            },
            CatalogEntry(name: SaliencyMix.opName, labelClasses: 5) { _, random in
                let (mode, partner) = randomMixPairing(&random)
                return try Pipeline([
                    SaliencyMix(
                        alpha: random.uniform(0.2, 2), prob: random.uniform(0.7, 1), numClasses: 5, mode: mode,
                        partner: partner)
                ])
            },
            CatalogEntry(name: "crop_flip_mix_normalize", labelClasses: 3) { geometry, random in
                try Pipeline([
                    RandomCrop(
                        height: random.integer(in: 1...geometry.height), width: random.integer(in: 1...geometry.width)),
                    RandomHorizontalFlip(p: 0.5),
                    MixUpCutMix(mixupAlpha: 0.8, cutmixAlpha: 1.0, switchProb: 0.5, mode: .elem, labelSmoothing: 0.1),
                    Normalize(mean: [0.45], std: [0.226]),
                ])
            },
            CatalogEntry(name: FrequencyMasking.opName, pixelTypes: [.float32]) { geometry, random in
                try Pipeline([
                    FrequencyMasking(
                        freqMaskParam: random.integer(in: 0...(geometry.height + 2)), iidMasks: random.bernoulli(0.5),
                        p: random.bernoulli(0.5) ? 1 : random.uniform(0, 1), numMasks: random.integer(in: 0...3),
                        maskValue: randomMaskValue(&random))
                ])
            },
            CatalogEntry(name: TimeMasking.opName, pixelTypes: [.float32]) { geometry, random in
                try Pipeline([
                    TimeMasking(
                        timeMaskParam: random.integer(in: 0...(geometry.width + 2)), iidMasks: random.bernoulli(0.5),
                        p: random.bernoulli(0.5) ? 1 : random.uniform(0, 1), numMasks: random.integer(in: 0...3),
                        maskValue: randomMaskValue(&random))
                ])
            },
            CatalogEntry(name: TimeWarp.opName, pixelTypes: [.float32]) { geometry, random in
                try Pipeline([
                    TimeWarp(
                        window: random.integer(in: 0...max(1, geometry.width / 2)),
                        mode: random.bernoulli(0.5) ? .bicubic : .linear)
                ])
            },
            policyEntry(.libriSpeechBasic),
            policyEntry(.libriSpeechDouble),
            policyEntry(.switchboardMild),
            policyEntry(.switchboardStrong),
            CatalogEntry(name: "rrc_jitter_normalize (colour in the warp)", channelCounts: [3]) { g, random in
                try Pipeline([
                    RandomResizedCrop(
                        size: [max(1, g.height - 1), max(1, g.width + 2)], scale: [0.2, 1], interpolation: .bilinear),
                    RandomHorizontalFlip(p: 0.5),
                    ColorJitter(brightness: 0.4, saturation: 0.4, hue: random.uniform(0, 0.5)),
                    RandomGamma(),
                    Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
                ])
            },
        ] + geometricEntries + colorEntries + compositionEntries + signalEntries + elasticEntries + dropoutEntries
        + shuffleEntries + depthEntries + multispectralEntries

    /// Entries of the geometric warps (affine, perspective, resize, crops, pad; random versions; a
    /// fused chain). Arguments are drawn so every shape, down to 1x1, is valid.
    static let geometricEntries: [CatalogEntry] = {
        @Sendable func interpolation(_ random: inout RandomStream) -> Interpolation {
            random.bernoulli(0.5) ? .bilinear : .nearest
        }
        @Sendable func fill(_ random: inout RandomStream, _ channels: Int) -> [Double]? {
            switch random.integer(in: 0...2) {
            case 0: return nil
            case 1: return [random.uniform()]
            default: return (0..<channels).map { _ in random.uniform() }
            }
        }
        @Sendable func mode(_ random: inout RandomStream) -> BorderMode {
            BorderMode.allCases[random.integer(in: 0...2)]
        }
        return [
            CatalogEntry(name: Affine.opName) { g, random in
                try Pipeline([
                    Affine(
                        angleDegrees: random.uniform(-180, 180),
                        translatePixels: [random.uniform(-3, 3), random.uniform(-3, 3)],
                        scale: random.uniform(0.6, 1.5),
                        shearDegrees: [random.uniform(-30, 30), random.uniform(-20, 20)],
                        interpolation: interpolation(&random), fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: "affine (edge, reflect)") { g, random in
                try Pipeline([
                    Affine(
                        angleDegrees: random.uniform(-60, 60), scale: random.uniform(0.5, 1.2),
                        center: [random.uniform(0, Double(g.width)), random.uniform(0, Double(g.height))],
                        interpolation: interpolation(&random), paddingMode: random.bernoulli(0.5) ? .edge : .reflect)
                ])
            },
            CatalogEntry(name: Rotate.opName) { g, random in
                try Pipeline([
                    Rotate(
                        angleDegrees: random.uniform(-180, 180), interpolation: interpolation(&random),
                        expand: random.bernoulli(0.5), fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: Perspective.opName) { g, random in
                let w = Double(g.width), h = Double(g.height)
                let start = [[0, 0], [w, 0], [w, h], [0, h]]
                let end = start.map { [$0[0] + random.uniform(-0.3, 0.3) * w, $0[1] + random.uniform(-0.3, 0.3) * h] }
                return try Pipeline([
                    Perspective(
                        startpoints: start, endpoints: end, interpolation: interpolation(&random),
                        fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: Resize.opName) { g, random in
                try Pipeline([
                    Resize(
                        size: [random.integer(in: 1...(2 * g.height + 3)), random.integer(in: 1...(2 * g.width + 3))],
                        interpolation: interpolation(&random))
                ])
            },
            CatalogEntry(name: "resize (smaller edge)") { _, random in
                try Pipeline([Resize(size: [random.integer(in: 1...40)], interpolation: interpolation(&random))])
            },
            CatalogEntry(name: ResizedCrop.opName) { g, random in
                let h = random.integer(in: 1...g.height), w = random.integer(in: 1...g.width)
                return try Pipeline([
                    ResizedCrop(
                        top: random.integer(in: 0...(g.height - h)), left: random.integer(in: 0...(g.width - w)),
                        height: h, width: w, size: [random.integer(in: 1...30), random.integer(in: 1...30)],
                        interpolation: interpolation(&random))
                ])
            },
            CatalogEntry(name: Rot90.opName) { _, random in try Pipeline([Rot90(k: random.integer(in: -2...5))]) },
            CatalogEntry(name: Pad.opName) { g, random in
                try Pipeline([
                    Pad(
                        padding: [
                            random.integer(in: 0...4), random.integer(in: 0...4), random.integer(in: 0...4),
                            random.integer(in: 0...4),
                        ],
                        fill: fill(&random, g.channels) ?? [0], paddingMode: mode(&random))
                ])
            },
            CatalogEntry(name: RandomAffine.opName) { g, random in
                try Pipeline([
                    RandomAffine(
                        degrees: [random.uniform(0, 180)], translate: [0.2, 0.1], scale: [0.7, 1.3],
                        shear: [-10, 10, -5, 5],
                        interpolation: interpolation(&random), fill: fill(&random, g.channels),
                        sameOnBatch: random.bernoulli(0.3))
                ])
            },
            CatalogEntry(name: RandomRotation.opName) { g, random in
                try Pipeline([
                    RandomRotation(
                        degrees: [random.uniform(0, 180)], interpolation: interpolation(&random),
                        fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: RandomPerspective.opName) { g, random in
                try Pipeline([
                    RandomPerspective(
                        distortionScale: random.uniform(0, 1), p: 0.8, interpolation: interpolation(&random),
                        fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: RandomResizedCrop.opName) { _, random in
                try Pipeline([
                    RandomResizedCrop(
                        size: [random.integer(in: 1...32), random.integer(in: 1...32)],
                        interpolation: interpolation(&random), sameOnBatch: random.bernoulli(0.3))
                ])
            },
            CatalogEntry(name: "random_crop (padding)") { g, random in
                try Pipeline([
                    RandomCrop(
                        height: g.height + random.integer(in: 0...3), width: max(1, g.width - 1),
                        padding: [random.integer(in: 0...2)], padIfNeeded: true, fill: fill(&random, g.channels) ?? [0],
                        paddingMode: mode(&random))
                ])
            },
            CatalogEntry(name: "resize (antialias false)") { g, random in
                try Pipeline([
                    Resize(
                        size: [random.integer(in: 1...(2 * g.height + 3)), random.integer(in: 1...(2 * g.width + 3))],
                        antialias: false)
                ])
            },
            CatalogEntry(name: "resize (antialias, strong downscale)") { g, random in
                try Pipeline([
                    Resize(
                        size: [
                            max(1, g.height / random.integer(in: 2...7)), max(1, g.width / random.integer(in: 2...9)),
                        ],
                        antialias: true)
                ])
            },
            CatalogEntry(name: "resized_crop (antialias false)") { g, random in
                let h = random.integer(in: 1...g.height), w = random.integer(in: 1...g.width)
                return try Pipeline([
                    ResizedCrop(
                        top: random.integer(in: 0...(g.height - h)), left: random.integer(in: 0...(g.width - w)),
                        height: h, width: w, size: [random.integer(in: 1...30), random.integer(in: 1...30)],
                        antialias: false)
                ])
            },
            CatalogEntry(name: "rrc_flips_normalize (antialias)") { g, random in
                try Pipeline([
                    RandomResizedCrop(
                        size: [random.integer(in: 1...24), random.integer(in: 1...24)], scale: [0.08, 1],
                        antialias: true),
                    RandomHorizontalFlip(p: 0.5),
                    RandomVerticalFlip(p: 0.5),
                    Normalize(mean: [0.5], std: [0.25]),
                ])
            },
            CatalogEntry(name: "scale_translate (axis-aligned bilinear, edge)") { g, random in
                try Pipeline([
                    Affine(
                        translatePixels: [random.uniform(-3, 3), random.uniform(-3, 3)],
                        scale: random.uniform(0.4, 2.5),
                        interpolation: .bilinear, paddingMode: random.bernoulli(0.5) ? .edge : .reflect),
                    RandomHorizontalFlip(p: 0.5),
                ])
            },
            CatalogEntry(name: "rrc_affine_hflip_normalize (fused)") { g, random in
                try Pipeline([
                    RandomResizedCrop(
                        size: [random.integer(in: 1...24), random.integer(in: 1...24)], interpolation: .bilinear,
                        antialias: false),
                    RandomAffine(
                        degrees: [30], translate: [0.1, 0.1], scale: [0.8, 1.2], interpolation: .bilinear,
                        fill: fill(&random, g.channels)),
                    RandomHorizontalFlip(p: 0.5),
                    Normalize(mean: [0.5], std: [0.25]),
                ])
            },
        ]
    }()

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
