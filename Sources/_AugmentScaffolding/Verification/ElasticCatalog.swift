import Augment
extension TransformCatalog {
    /// elastic_transform (family `elastic`) with random arguments: strong and weak fields, both
    /// interpolations, per-channel fills, and alpha so large that most points leave the image.
    static let elasticEntries: [CatalogEntry] = [
        CatalogEntry(name: ElasticTransform.opName) { geometry, random in
            let strong = random.bernoulli(0.2)
            let alpha = strong ? [random.uniform(500, 5000)] : [random.uniform(0, 120), random.uniform(0, 120)]
            let sigma = random.bernoulli(0.2) ? [0] : [random.uniform(0.5, 6), random.uniform(0.5, 6)]
            let fill = random.bernoulli(0.5) ? [random.uniform(0, 1)] : (0..<geometry.channels).map { _ in random.uniform(0, 1) }
            return try Pipeline([ElasticTransform(alpha: alpha, sigma: sigma,
                                                  interpolation: random.bernoulli(0.5) ? .bilinear : .nearest, fill: fill)])
        },
    ]
}
