import Augment
extension TransformCatalog {
    /// random_dropout (family `dropout`): pixel mode with any probability, patch mode with small and
    /// image-sized patches, fills inside and outside [0, 1].
    static let dropoutEntries: [CatalogEntry] = [
        CatalogEntry(name: RandomDropout.opName) { geometry, random in
            let value = random.bernoulli(0.5) ? 0 : random.uniform(-2, 2)
            if random.bernoulli(0.5) {
                return try Pipeline([RandomDropout(mode: .pixels, p: random.uniform(0, 1), value: value)])
            }
            let most = max(1, max(geometry.height, geometry.width))
            let low = random.integer(in: 1...most)
            return try Pipeline([
                RandomDropout(
                    mode: .patches, numPatches: [0, random.integer(in: 0...6)],
                    patchSize: [low, random.integer(in: low...(most + 3))], value: value)
            ])
        }
    ]
}
