import Augment
extension TransformCatalog {
    /// channel_shuffle (family `shuffle`): any probability, and inside random_apply (per-sample
    /// masking with identity permutations).
    static let shuffleEntries: [CatalogEntry] = [
        CatalogEntry(name: ChannelShuffle.opName) { _, random in
            try Pipeline([ChannelShuffle(p: ChannelShuffle.Arguments.p.draw(&random))])
        },
        CatalogEntry(name: "channel_shuffle (random_apply)") { _, random in
            try Pipeline([RandomApply([ChannelShuffle(p: 1), GaussianNoise(sigma: 0.1)], p: random.uniform(0.2, 0.8))])
        },
    ]
}
