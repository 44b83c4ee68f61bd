import Augment

extension TransformCatalog {
    /// uint16 depth maps (raw values): geometric ops (nearest and bilinear), random_dropout and
    /// gaussian_noise on uint16 input, checked with uint16 and float32 outputs.
    static let depthEntries: [CatalogEntry] = [
        CatalogEntry(name: "depth_uint16", pixelTypes: [.uint16]) { geometry, random in
            let most = max(1, max(geometry.height, geometry.width))
            let size = [random.integer(in: 1...(most + 2)), random.integer(in: 1...(most + 2))]
            let warp: any Transform =
                random.bernoulli(0.5)
                ? try RandomRotation(degrees: [-30, 30], interpolation: random.bernoulli(0.5) ? .nearest : .bilinear)
                : try Resize(size: size, interpolation: random.bernoulli(0.5) ? .nearest : .bilinear)
            var ops: [any Transform] = [try RandomHorizontalFlip(p: 0.5), warp]
            // Raw values: noise and fill in the sensor's units (millimetres here).
            ops.append(try GaussianNoise(sigma: random.uniform(0, 40), clip: false))
            ops.append(
                random.bernoulli(0.5)
                    ? try RandomDropout(mode: .pixels, p: random.uniform(0, 0.5), value: 0)
                    : try RandomDropout(mode: .patches, numPatches: [0, 3], patchSize: [1, most], value: 0))
            return try Pipeline(ops)
        }
    ]
}

extension TransformCatalog {
    /// Colour ops on some channels (multispectral bands, RGBA): color_channels with a random
    /// selection (statistics ops included), and the default first three bands of a 4+ channel image.
    static let multispectralEntries: [CatalogEntry] = [
        CatalogEntry(name: ColorChannels.opName) { geometry, random in
            let channels = geometry.channels
            var order = Array(0..<channels)
            for i in stride(from: channels - 1, to: 0, by: -1) { order.swapAt(i, random.integer(in: 0...i)) }
            let selected = Array(order.prefix(channels >= 3 && random.bernoulli(0.5) ? 3 : 1))
            let ops: [any Transform] = [
                try ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.3),
                random.bernoulli(0.5) ? Autocontrast() : Equalize(),
                try AdjustGamma(gamma: random.uniform(0.5, 2), gain: 1),
            ]
            return try Pipeline([ColorChannels(ops, channels: selected)])
        },
        CatalogEntry(name: "color_jitter_multispectral", channelCounts: [4, 5, 6]) { _, _ in
            try Pipeline([ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.3), Autocontrast()])
        },
    ]
}
