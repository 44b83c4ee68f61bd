import Augment
extension TransformCatalog {
    /// channel_shuffle (family `shuffle`) inside random_apply: per-sample masking with identity
    /// permutations. Its plain entry is derived from its argument declarations
    /// (``TransformCatalog/automaticEntries(besides:)``), so this file holds only the composition.
    static let shuffleEntries: [CatalogEntry] = [
        CatalogEntry(name: "random_apply (channel_shuffle)") { _, random in
            try Pipeline([
                RandomApply([ChannelShuffle(p: 1), GaussianNoise(sigma: 0.1)], p: random.uniform(0.2, 0.8))
            ])
        }
    ]
}
