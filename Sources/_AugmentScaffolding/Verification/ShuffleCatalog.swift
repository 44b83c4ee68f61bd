import Augment
extension TransformCatalog {
    /// channel_shuffle (family `shuffle`): derived from its declarations, and inside random_apply (per-sample
    /// masking with identity permutations).
    static let shuffleEntries: [CatalogEntry] =
        derivedEntries([(ChannelShuffle.self, nil)]) + [
            CatalogEntry(name: "channel_shuffle (random_apply)") { _, random in
                try Pipeline([
                    RandomApply([ChannelShuffle(p: 1), GaussianNoise(sigma: 0.1)], p: random.uniform(0.2, 0.8))
                ])
            }
        ]
}
