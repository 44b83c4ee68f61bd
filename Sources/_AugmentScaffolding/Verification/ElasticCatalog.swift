import Augment
extension TransformCatalog {
    /// elastic_transform (family `elastic`) with random arguments: strong and weak fields, both
    /// interpolations, per-channel fills, and alpha so large that most points leave the image; and
    /// elastic_transform fused into warp groups (ops before it: the source side of the field; ops
    /// after it: the output side, read bilinearly when they resample).
    static let elasticEntries: [CatalogEntry] = {
        @Sendable func elastic(
            _ geometry: ImageGeometry, _ random: inout RandomStream,
            interpolation: Interpolation? = nil
        ) throws -> ElasticTransform {
            let strong = random.bernoulli(0.2)
            let alpha = strong ? [random.uniform(500, 5000)] : [random.uniform(0, 120), random.uniform(0, 120)]
            let sigma = random.bernoulli(0.2) ? [0] : [random.uniform(0.5, 6), random.uniform(0.5, 6)]
            let fill =
                random.bernoulli(0.5)
                ? [random.uniform(0, 1)] : (0..<geometry.channels).map { _ in random.uniform(0, 1) }
            return try ElasticTransform(
                alpha: alpha, sigma: sigma,
                interpolation: interpolation ?? (random.bernoulli(0.5) ? .bilinear : .nearest), fill: fill)
        }
        return [
            CatalogEntry(name: ElasticTransform.opName) { geometry, random in
                try Pipeline([elastic(geometry, &random)])
            },
            CatalogEntry(name: "\(ElasticTransform.opName) (after random_affine)") { geometry, random in
                let mode: Interpolation = random.bernoulli(0.5) ? .bilinear : .nearest
                let fill = random.bernoulli(0.5) ? [random.uniform(0, 1)] : nil
                return try Pipeline([
                    try RandomAffine(
                        degrees: [25], translate: [0.1, 0.1], scale: [0.8, 1.2], interpolation: mode, fill: fill),
                    try elastic(geometry, &random, interpolation: mode),
                ])
            },
            CatalogEntry(name: "\(ElasticTransform.opName) (crop and flips around it)") { geometry, random in
                let h = random.integer(in: 1...geometry.height), w = random.integer(in: 1...geometry.width)
                return try Pipeline([
                    try RandomCrop(height: h, width: w),
                    try elastic(ImageGeometry(height: h, width: w, channels: geometry.channels), &random),
                    try RandomHorizontalFlip(), try RandomVerticalFlip(),
                ])
            },
            CatalogEntry(name: "\(ElasticTransform.opName) (resized crop before, resize after)") { geometry, random in
                let h = random.integer(in: 1...geometry.height), w = random.integer(in: 1...geometry.width)
                return try Pipeline([
                    try RandomResizedCrop(size: [h, w], interpolation: .bilinear),
                    try elastic(geometry, &random, interpolation: .bilinear),
                    try Resize(
                        size: [random.integer(in: 1...(2 * h)), random.integer(in: 1...(2 * w))],
                        interpolation: .bilinear),
                ])
            },
        ]
    }()
}
