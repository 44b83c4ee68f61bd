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
    /// The entry of a signal op derived from its argument declarations.
    static func signalEntry(_ type: any DescribedArguments.Type, name: String? = nil) -> CatalogEntry {
        guard let entry = derivedEntry(for: type, name: name, input: .signal) else {
            preconditionFailure("\(type.opName): a required argument has no catalog span in its declaration")
        }
        return entry
    }

    /// The signal ops (family `signal`), with random arguments. Names carry a "signal_" prefix where
    /// the op name is shared with an image op (gaussian_noise, time_masking).
    static let signalEntries: [CatalogEntry] = [
        signalEntry(AmplitudeScale.self), signalEntry(BaselineWander.self),
        signalEntry(SignalGaussianNoise.self, name: "signal_gaussian_noise"),
        .signal("signal_gaussian_noise_relative") { _, random in
            try Pipeline([SignalGaussianNoise(sigma: ValueRange(0, random.uniform(0, 0.5)), relative: true)])
        },
        signalEntry(TimeStretch.self),
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
        signalEntry(ChannelDropout.self), signalEntry(ChannelPermute.self),
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
