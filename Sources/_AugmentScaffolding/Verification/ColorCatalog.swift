import Augment
/// Catalog entries of the colour, blur, erase and noise ops, with random arguments.
extension TransformCatalog {
    /// Ops defined on 1- and 3-channel images only (as torchvision's colour kernels).
    static let oneOrThree: Set<Int> = [1, 3]

    /// An odd kernel size in 1...11.
    static func oddSize(_ random: inout RandomStream) -> Int {
        2 * random.integer(in: 0...5) + 1
    }

    static let colorEntries: [CatalogEntry] =
        []
        + derivedEntries([
            (AdjustBrightness.self, oneOrThree), (AdjustContrast.self, oneOrThree), (AdjustSaturation.self, oneOrThree),
            (AdjustHue.self, oneOrThree),
        ])
        + [
            CatalogEntry(name: RGBToGrayscale.opName, channelCounts: oneOrThree) { _, random in
                try Pipeline([RGBToGrayscale(numOutputChannels: random.bernoulli(0.5) ? 1 : 3)])
            }
        ]
        + derivedEntries([
            (AdjustGamma.self, nil), (AdjustSharpness.self, oneOrThree), (Posterize.self, nil), (Solarize.self, nil),
            (Autocontrast.self, oneOrThree), (Equalize.self, nil), (Invert.self, nil),
        ])
        + [
            CatalogEntry(name: GaussianBlur.opName) { _, random in
                let sizes = [oddSize(&random), oddSize(&random)]
                switch random.integer(in: 0...3) {
                case 0: return try Pipeline([GaussianBlur(kernelSize: sizes)])
                case 3:  // wider than the one-pass kernels take (maxTileRadius): the two-launch path
                    let wide = 2 * GaussianBlurStage.maxTileRadius + 3
                    return try Pipeline([GaussianBlur(kernelSize: [wide, sizes[0]], sigma: [0.5, 8])])
                case 1: return try Pipeline([GaussianBlur(kernelSize: [sizes[0]], sigma: [random.uniform(0.1, 3)])])
                default: return try Pipeline([GaussianBlur(kernelSize: sizes, sigma: [0.1, 2], p: 0.8)])
                }
            },
            CatalogEntry(name: Erase.opName) { geometry, random in
                let top = random.integer(in: 0...(geometry.height - 1))
                let left = random.integer(in: 0...(geometry.width - 1))
                let values =
                    random.bernoulli(0.5)
                    ? [random.uniform()]
                    : (0..<geometry.channels).map { _ in random.uniform() }
                return try Pipeline([
                    Erase(
                        top: top, left: left, height: random.integer(in: 0...geometry.height),
                        width: random.integer(in: 0...geometry.width), value: values)
                ])
            },
        ]
        + derivedEntries([(GaussianNoise.self, nil)])
        + [
            CatalogEntry(name: ColorJitter.opName, channelCounts: oneOrThree) { _, random in
                try Pipeline([
                    ColorJitter(
                        brightness: random.uniform(0, 0.8), contrast: random.uniform(0, 0.8),
                        saturation: random.uniform(0, 0.8), hue: random.uniform(0, 0.5),
                        p: random.bernoulli(0.5) ? 1 : 0.8)
                ])
            }
        ]
        + derivedEntries([
            (RandomGrayscale.self, oneOrThree), (RandomGamma.self, nil), (RandomPosterize.self, nil),
            (RandomSolarize.self, nil), (RandomEqualize.self, nil), (RandomAutocontrast.self, oneOrThree),
            (RandomAdjustSharpness.self, oneOrThree), (RandomInvert.self, nil),
        ])
        + [
            CatalogEntry(name: RandomErasing.opName) { geometry, random in
                let value: ErasingValue
                switch random.integer(in: 0...2) {
                case 0: value = .random
                case 1: value = .constant([random.uniform()])
                default: value = .constant((0..<geometry.channels).map { _ in random.uniform() })
                }
                return try Pipeline([RandomErasing(p: 0.8, scale: ValueRange(0.02, 0.5), value: value)])
            },
            CatalogEntry(name: "color_program (fused)", channelCounts: oneOrThree) { _, random in
                // Per-sample order with a statistic step, gamma, solarize and grayscale in one stage, then
                // autocontrast and equalize (statistics again) in a second.
                try Pipeline([
                    ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
                    RandomGamma(p: 0.5),
                    RandomSolarize(threshold: random.uniform(0.3, 0.9), p: 0.3),
                    RandomGrayscale(p: 0.3),
                    RandomAutocontrast(p: 0.5),
                    RandomEqualize(p: 0.5),
                    RandomPosterize(bits: 4, p: 0.3),
                    RandomInvert(p: 0.3),
                ])
            },
            CatalogEntry(name: "simclr (crop, jitter, gray, blur, solarize)", channelCounts: oneOrThree) {
                geometry, random in
                let height = random.integer(in: 1...geometry.height)
                let width = random.integer(in: 1...geometry.width)
                return try Pipeline([
                    RandomCrop(height: height, width: width),
                    RandomHorizontalFlip(),
                    ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, p: 0.8),
                    RandomGrayscale(p: 0.2),
                    GaussianBlur(kernelSize: [9], sigma: [0.1, 2], p: 0.5),
                    RandomSolarize(threshold: 0.5, p: 0.2),
                    RandomErasing(p: 0.5, value: .random),
                    GaussianNoise(sigma: 0.05),
                    Normalize(mean: [0.45], std: [0.226]),
                ])
            },
        ]
}
