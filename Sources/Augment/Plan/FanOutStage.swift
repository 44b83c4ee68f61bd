/// Copies every sample of a float32 NCHW batch `copies` times, the copies of one sample next to
/// each other: output sample `n * copies + j` is input sample `n` (family `fanout`:
/// `Kernels/fanout.cl`, `CPU/FanOut.swift`). The plan then runs on `count * copies` samples until a
/// ``WeightedSumStage`` folds them back (aug_mix's chains run as one batch this way).
public struct ReplicateStage: Sendable, Equatable {
    /// Input samples.
    public var count: Int
    public var copies: Int
    public var geometry: ImageGeometry

    public init(count: Int, copies: Int, geometry: ImageGeometry) {
        self.count = count
        self.copies = copies
        self.geometry = geometry
    }

    /// Output samples: `count * copies`.
    public var outputCount: Int { count * copies }

    /// Throws unless the stage fits a float32 NCHW batch of `count` images of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, copies >= 1 else {
            throw AugmentError.parameterMismatch(
                "the replicate stage expects \(self.count) images of \(self.geometry) (\(copies) copies), got \(count) images of \(geometry)"
            )
        }
        _ = try checkedProduct([count, copies, geometry.elementCount], what: "replicated batch")
    }
}

/// Folds each run of `terms` consecutive samples into one weighted sum (family `fanout`): output
/// sample n is
///
///     acc = weights[n][0] * x[n * terms]
///     acc = acc + weights[n][k] * x[n * terms + k]      for k = 1 ..< terms, in order
///
/// with every product and sum rounded to float32 separately (no fma), as torchvision's AugMix
/// computes `mix = m0 * image; mix.add_(w_k * aug_k)`. The weights are float32, rounded once on the
/// host. No clamping.
public struct WeightedSumStage: Sendable, Equatable {
    /// Output samples.
    public var count: Int
    public var terms: Int
    public var geometry: ImageGeometry
    /// Per output sample, `terms` weights.
    public var weights: [[Float]]

    public init(count: Int, terms: Int, geometry: ImageGeometry, weights: [[Float]]) {
        self.count = count
        self.terms = terms
        self.geometry = geometry
        self.weights = weights
    }

    /// Input samples: `count * terms`.
    public var inputCount: Int { count * terms }

    /// Throws unless the stage fits a float32 NCHW batch of `count * terms` images of `geometry`.
    public func check(count inputCount: Int, geometry: ImageGeometry) throws {
        guard terms >= 1, inputCount == count * terms, geometry == self.geometry, weights.count == count,
            weights.allSatisfy({ $0.count == terms && $0.allSatisfy(\.isFinite) })
        else {
            throw AugmentError.parameterMismatch(
                "the weighted sum expects \(count * terms) images of \(self.geometry) and \(terms) finite weights per output, got \(inputCount) images of \(geometry)"
            )
        }
    }
}

extension PlanBuilder {
    /// Copies every sample `copies` times (consecutively); the ops lowered next see a batch of
    /// `count * copies` samples.
    public mutating func replicate(copies: Int) throws {
        guard copies >= 1 else {
            throw AugmentError.parameterMismatch("cannot replicate samples \(copies) times")
        }
        let stage = ReplicateStage(count: count, copies: copies, geometry: geometry)
        try append(Stage(stage), outputGeometry: geometry, outputCount: stage.outputCount)
    }

    /// Folds each run of `weights[n].count` consecutive samples into their weighted sum; the ops
    /// lowered next see `weights.count` samples.
    public mutating func weightedSum(_ weights: [[Float]]) throws {
        let terms = weights.first?.count ?? 0
        guard terms >= 1, weights.count * terms == count, weights.allSatisfy({ $0.count == terms }) else {
            throw AugmentError.parameterMismatch("\(weights.count) weight rows of \(terms) for a batch of \(count)")
        }
        let stage = WeightedSumStage(count: weights.count, terms: terms, geometry: geometry, weights: weights)
        try append(Stage(stage), outputGeometry: geometry, outputCount: weights.count)
    }
}

extension ReplicateStage {
    /// Throws when the batch carries masks, boxes or keypoints: the replicated samples are mixed
    /// back into one, which has no meaning for them (torchvision's AugMix rejects them too).
    public static func checkNoTargets(_ batch: AugmentBatch) throws {
        guard batch.masks == nil, batch.boxes == nil, batch.keypoints == nil else {
            throw AugmentError.incompatible(
                "aug_mix cannot carry masks, boxes or keypoints: it blends several augmented copies of each image (torchvision's AugMix rejects them as well)"
            )
        }
    }
}

extension ReplicateStage: PlanStage {
    public static let family = "fanout"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        nil  // the stages between a replicate and a weighted sum run on a batch of another size
    }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { copies * geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4, copies: copies) }
    public var detail: String { "replicate x\(copies) \(geometry) (\(outputCount) samples follow)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}

extension WeightedSumStage: PlanStage {
    public static let family = "fanout"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        nil  // the stages between a replicate and a weighted sum run on a batch of another size
    }
    public var bytesReadPerSample: Int { terms * geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "weighted sum of \(terms) samples each \(geometry) (\(count) samples follow)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}
