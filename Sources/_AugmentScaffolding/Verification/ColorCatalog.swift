import Augment
/// Catalog entries of the colour, blur, erase and noise ops, with random arguments.
extension TransformCatalog {
    /// Ops defined on 1- and 3-channel images only (as torchvision's colour kernels).
    static let oneOrThree: Set<Int> = [1, 3]

    /// An odd kernel size in 1...11.
    static func oddSize(_ random: inout RandomStream) -> Int {
        2 * random.integer(in: 0...5) + 1
    }

    static let colorEntries: [CatalogEntry] = [
        CatalogEntry(name: AdjustBrightness.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([AdjustBrightness(brightnessFactor: random.uniform(0, 2))])
        },
        CatalogEntry(name: AdjustContrast.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([AdjustContrast(contrastFactor: random.uniform(0, 2))])
        },
        CatalogEntry(name: AdjustSaturation.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([AdjustSaturation(saturationFactor: random.uniform(0, 2))])
        },
        CatalogEntry(name: AdjustHue.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([AdjustHue(hueFactor: random.uniform(-0.5, 0.5))])
        },
        CatalogEntry(name: RGBToGrayscale.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([RGBToGrayscale(numOutputChannels: random.bernoulli(0.5) ? 1 : 3)])
        },
        CatalogEntry(name: AdjustGamma.opName) { _, random in
            try Pipeline([
                AdjustGamma(gamma: random.uniform(0.2, 3), gain: random.bernoulli(0.5) ? 1 : random.uniform(0.5, 1.5))
            ])
        },
        CatalogEntry(name: AdjustSharpness.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([AdjustSharpness(sharpnessFactor: random.uniform(0, 3))])
        },
        CatalogEntry(name: Posterize.opName) { _, random in
            try Pipeline([Posterize(bits: random.integer(in: 0...8))])
        },
        CatalogEntry(name: Solarize.opName) { _, random in
            try Pipeline([Solarize(threshold: random.uniform(0, 1))])
        },
        CatalogEntry(name: Autocontrast.opName, channelCounts: oneOrThree) { _, _ in try Pipeline([Autocontrast()]) },
        CatalogEntry(name: Equalize.opName) { _, _ in try Pipeline([Equalize()]) },
        CatalogEntry(name: Invert.opName) { _, _ in try Pipeline([Invert()]) },
        CatalogEntry(name: GaussianBlur.opName) { _, random in
            let sizes = [oddSize(&random), oddSize(&random)]
            switch random.integer(in: 0...3) {
            case 0: return try Pipeline([GaussianBlur(kernelSize: sizes)])
            case 3:  // wider than blur_tile's tile: the two-launch path
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
        CatalogEntry(name: GaussianNoise.opName) { _, random in
            try Pipeline([
                GaussianNoise(
                    mean: GaussianNoise.Arguments.mean.draw(&random, within: -0.1...0.1),
                    sigma: GaussianNoise.Arguments.sigma.draw(&random, within: 0...0.3),
                    clip: GaussianNoise.Arguments.clip.draw(&random))
            ])
        },
        CatalogEntry(name: ColorJitter.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([
                ColorJitter(
                    brightness: random.uniform(0, 0.8), contrast: random.uniform(0, 0.8),
                    saturation: random.uniform(0, 0.8), hue: random.uniform(0, 0.5),
                    p: random.bernoulli(0.5) ? 1 : 0.8)
            ])
        },
        CatalogEntry(name: RandomGrayscale.opName, channelCounts: oneOrThree) { _, _ in
            try Pipeline([RandomGrayscale(p: 0.5)])
        },
        CatalogEntry(name: RandomGamma.opName) { _, random in
            try Pipeline([RandomGamma(gamma: ValueRange(0.5, 2), gain: random.bernoulli(0.5) ? 1 : 1.2, p: 0.7)])
        },
        CatalogEntry(name: RandomPosterize.opName) { _, random in
            try Pipeline([RandomPosterize(bits: random.integer(in: 1...7), p: 0.5)])
        },
        CatalogEntry(name: RandomSolarize.opName) { _, random in
            try Pipeline([RandomSolarize(threshold: random.uniform(0, 1), p: 0.5)])
        },
        CatalogEntry(name: RandomEqualize.opName) { _, _ in try Pipeline([RandomEqualize(p: 0.5)]) },
        CatalogEntry(name: RandomAutocontrast.opName, channelCounts: oneOrThree) { _, _ in
            try Pipeline([RandomAutocontrast(p: 0.5)])
        },
        CatalogEntry(name: RandomAdjustSharpness.opName, channelCounts: oneOrThree) { _, random in
            try Pipeline([RandomAdjustSharpness(sharpnessFactor: random.uniform(0, 3), p: 0.5)])
        },
        CatalogEntry(name: RandomInvert.opName) { _, _ in try Pipeline([RandomInvert(p: 0.5)]) },
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
