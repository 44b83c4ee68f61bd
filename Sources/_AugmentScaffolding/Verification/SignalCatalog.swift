import Augment
extension CatalogEntry {
    /// An entry over signal batches (float32 only; see ``inputGeometry(for:)``).
    static func signal(
        _ name: String, makePipeline: @escaping @Sendable (ImageGeometry, inout RandomStream) throws -> Pipeline
    ) -> CatalogEntry {
        var entry = CatalogEntry(name: name, pixelTypes: [.float32], makePipeline: makePipeline)
        entry.isSignal = true
        return entry
    }
}

extension TransformCatalog {
    /// The signal ops (family `signal`), with random arguments. Names carry a "signal_" prefix where
    /// the op name is shared with an image op (gaussian_noise, time_masking).
    static let signalEntries: [CatalogEntry] = [
        .signal("amplitude_scale") { _, random in
            let a = random.uniform(-2, 2)
            return try Pipeline([AmplitudeScale(factor: ValueRange(a, a + random.uniform(0, 1)))])
        },
        .signal("baseline_wander") { _, random in
            try Pipeline([
                BaselineWander(
                    amplitude: ValueRange(0, random.uniform(0, 2)),
                    frequency: ValueRange(0, random.uniform(0, 40)))
            ])
        },
        .signal("signal_gaussian_noise") { _, random in
            try Pipeline([SignalGaussianNoise(sigma: ValueRange(0, random.uniform(0, 0.5)))])
        },
        .signal("signal_gaussian_noise_relative") { _, random in
            try Pipeline([SignalGaussianNoise(sigma: ValueRange(0, random.uniform(0, 0.5)), relative: true)])
        },
        .signal("time_stretch") { _, random in
            try Pipeline([TimeStretch(factor: ValueRange(random.uniform(0.1, 1), random.uniform(1, 10)))])
        },
        .signal("time_shift_roll") { geometry, random in
            let t = Double(geometry.width)
            return try Pipeline([TimeShift(shift: ValueRange(-2 * t, 2 * t), mode: .roll)])
        },
        .signal("time_shift_pad") { geometry, random in
            let t = Double(geometry.width)
            return try Pipeline([TimeShift(shift: ValueRange(-1.5 * t, 1.5 * t), mode: .pad)])
        },
        .signal("signal_time_masking") { geometry, random in
            try Pipeline([
                TimeMasking(
                    timeMaskParam: random.integer(in: 0...(geometry.width + 2)),
                    iidMasks: random.bernoulli(0.5), numMasks: random.integer(in: 0...3))
            ])
        },
        .signal("channel_dropout") { _, random in
            try Pipeline([ChannelDropout(p: random.uniform(0, 1))])
        },
        .signal("channel_permute") { _, _ in try Pipeline([ChannelPermute()]) },
        .signal("signal_chain (ecg)") { geometry, random in
            try Pipeline([
                TimeStretch(factor: ValueRange(0.9, 1.1)),
                TimeShift(shift: ValueRange(-10, 10), mode: .pad),
                AmplitudeScale(factor: ValueRange(0.8, 1.2)),
                BaselineWander(amplitude: ValueRange(0, 0.2), frequency: ValueRange(0.1, 3)),
                SignalGaussianNoise(sigma: ValueRange(0.01, 0.05), relative: true),
                ChannelDropout(p: 0.2),
            ])
        },
        // One fused pass at the limits: two stretches (four input elements per output element), two
        // relative noises (a reduction each, over the signal just before it), gathers between them.
        .signal("signal_chain (fused program)") { geometry, random in
            try Pipeline([
                TimeStretch(factor: ValueRange(0.5, 2)),
                SignalGaussianNoise(sigma: ValueRange(0.01, 0.3), relative: true),
                TimeShift(
                    shift: ValueRange(-Double(geometry.width), Double(geometry.width)),
                    mode: random.bernoulli(0.5) ? .roll : .pad),
                ChannelPermute(),
                AmplitudeScale(factor: ValueRange(-2, 2)),
                TimeStretch(factor: ValueRange(0.3, 3)),
                SignalGaussianNoise(sigma: ValueRange(0.01, 0.3), relative: true),
                BaselineWander(amplitude: ValueRange(0, 1), frequency: ValueRange(0, 5)),
            ])
        },
    ]
}
