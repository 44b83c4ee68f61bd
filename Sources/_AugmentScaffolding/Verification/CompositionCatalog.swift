import Augment
/// Catalog entries of the composition ops and the automatic augmentation policies, with random
/// arguments (children chosen so that every shape, down to 1x1 and 16 channels, is valid).
extension TransformCatalog {
    static let compositionEntries: [CatalogEntry] = {
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
        return [
            CatalogEntry(name: Compose.opName) { g, random in
                let h = random.integer(in: 1...g.height), w = random.integer(in: 1...g.width)
                return try Pipeline([
                    Compose([
                        try RandomCrop(height: h, width: w), try RandomHorizontalFlip(),
                        try AdjustGamma(gamma: random.uniform(0.5, 2)),
                        try GaussianBlur(kernelSize: [3], sigma: [0.3, 1.2]),
                    ])
                ])
            },
            CatalogEntry(name: RandomApply.opName) { g, random in
                try Pipeline([
                    RandomApply(
                        [
                            try RandomAffine(
                                degrees: [30], translate: [0.1, 0.1], interpolation: interpolation(&random),
                                fill: fill(&random, g.channels)),
                            try RandomInvert(p: 0.5), try Posterize(bits: random.integer(in: 1...7)),
                        ], p: random.uniform(0.3, 0.8))
                ])
            },
            CatalogEntry(name: OneOf.opName) { g, random in
                let weights = (0..<7).map { _ in random.uniform(0.2, 1) }
                return try Pipeline([
                    OneOf(
                        [
                            try Rotate(
                                angleDegrees: random.uniform(-45, 45), interpolation: interpolation(&random),
                                fill: fill(&random, g.channels)),
                            HorizontalFlip(),
                            try RandomResizedCrop(size: [g.height, g.width], interpolation: .bilinear),
                            try AdjustGamma(gamma: random.uniform(0.5, 2)),
                            try Solarize(threshold: random.uniform(0.2, 0.8)),
                            try GaussianBlur(kernelSize: [5], sigma: [0.5, 2]), try RandomErasing(p: 1, value: .random),
                        ], p: weights)
                ])
            },
            CatalogEntry(name: SomeOf.opName) { g, random in
                try Pipeline([
                    SomeOf(
                        [
                            VerticalFlip(), Invert(), try GaussianNoise(sigma: random.uniform(0.01, 0.1)),
                            try RandomAffine(
                                degrees: [20], scale: [0.8, 1.2], interpolation: .bilinear,
                                fill: fill(&random, g.channels)),
                            Equalize(),
                        ], n: [0, 3])
                ])
            },
            CatalogEntry(name: "one_of (nested compose, random_apply)") { _, random in
                try Pipeline([
                    OneOf([
                        Compose([HorizontalFlip(), try AdjustGamma(gamma: random.uniform(0.5, 2))]),
                        try RandomApply([try Rot90(k: 2), Equalize()], p: 0.5),
                        try SomeOf([Invert(), try Posterize(bits: 3)], n: [1, 2]),
                    ])
                ])
            },
            CatalogEntry(name: RandAugment.opName, channelCounts: oneOrThree) { g, random in
                try Pipeline([
                    RandAugment(
                        numOps: random.integer(in: 1...3), magnitude: random.integer(in: 0...30),
                        interpolation: interpolation(&random), fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: "rand_augment (exact_order)", channelCounts: oneOrThree) { g, random in
                try Pipeline([
                    RandAugment(
                        numOps: random.integer(in: 1...3), magnitude: random.integer(in: 0...30),
                        interpolation: interpolation(&random), fill: fill(&random, g.channels), exactOrder: true)
                ])
            },
            CatalogEntry(name: TrivialAugmentWide.opName, channelCounts: oneOrThree) { g, random in
                try Pipeline([
                    TrivialAugmentWide(interpolation: interpolation(&random), fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: AugMix.opName, channelCounts: oneOrThree) { g, random in
                try Pipeline([
                    AugMix(
                        severity: random.integer(in: 1...10), mixtureWidth: random.integer(in: 1...3),
                        chainDepth: random.bernoulli(0.5) ? -1 : random.integer(in: 1...3),
                        alpha: random.uniform(0.5, 2),
                        allOps: random.bernoulli(0.7), interpolation: interpolation(&random),
                        fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: "aug_mix (exact_order)", channelCounts: oneOrThree) { _, random in
                try Pipeline([AugMix(mixtureWidth: random.integer(in: 1...3), exactOrder: true)])
            },
            CatalogEntry(name: AutoAugment.opName, channelCounts: oneOrThree) { g, random in
                let policy = AutoAugmentPolicy.allCases[random.integer(in: 0...(AutoAugmentPolicy.allCases.count - 1))]
                return try Pipeline([
                    AutoAugment(policy: policy, interpolation: interpolation(&random), fill: fill(&random, g.channels))
                ])
            },
            CatalogEntry(name: "auto_augment (exact_order)", channelCounts: oneOrThree) { g, random in
                let policy = AutoAugmentPolicy.allCases[random.integer(in: 0...(AutoAugmentPolicy.allCases.count - 1))]
                return try Pipeline([
                    AutoAugment(
                        policy: policy, interpolation: interpolation(&random), fill: fill(&random, g.channels),
                        exactOrder: true)
                ])
            },
            CatalogEntry(name: ClassConditionedApply.opName, labelClasses: 3, channelCounts: oneOrThree) { _, random in
                let p: ClassValue =
                    random.bernoulli(0.5)
                    ? .byClass([0, 1, random.uniform(0, 1)])
                    : .classBalanced(counts: [500, 40, 3], min: 0.1, max: 0.9)
                return try Pipeline([
                    ClassConditionedApply([RandomHorizontalFlip(p: 1), try RandomGrayscale(p: 1)], p: p),
                    ClassConditionedApply([try RandomInvert(p: 1)], p: .byClass([0.5, 0.2, 0.9])),
                ])
            },
            CatalogEntry(name: "rand_augment (magnitude by class)", labelClasses: 3, channelCounts: oneOrThree) {
                g, random in
                try Pipeline([
                    RandAugment(
                        numOps: random.integer(in: 1...3), interpolation: interpolation(&random),
                        fill: fill(&random, g.channels),
                        magnitudeByClass: .classBalanced(counts: [1000, 50, 2], min: 3, max: 27))
                ])
            },
            CatalogEntry(name: "rrc_one_of_policies_normalize", channelCounts: oneOrThree) { _, random in
                try Pipeline([
                    RandomResizedCrop(
                        size: [random.integer(in: 1...20), random.integer(in: 1...20)], interpolation: .bilinear),
                    OneOf([try RandAugment(interpolation: .bilinear), try TrivialAugmentWide(interpolation: .bilinear)]
                    ),
                    Normalize(mean: [0.45], std: [0.226]),
                ])
            },
        ]
    }()
}
