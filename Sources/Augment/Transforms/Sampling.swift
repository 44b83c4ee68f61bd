/// Where one op's parameters for one batch come from: the batch's place in the epoch and the op's
/// place in the pipeline. Every stream it hands out is a pure function of these numbers.
public struct SamplingContext: Sendable {
    public let count: Int
    /// The geometry of one sample before the op.
    public let geometry: ImageGeometry
    public let seed: UInt64
    public let epoch: UInt64
    /// Global index of the batch's first sample.
    public var firstSampleIndex: UInt64 { sampleIndices.first ?? 0 }
    /// Global index of every sample of the batch (consecutive for a plain batch; any distinct
    /// indices for a shuffled or sharded one).
    public let sampleIndices: [UInt64]
    public let opIndex: UInt32
    /// Each sample's geometry before the op (all equal to ``geometry`` unless the batch is ragged).
    public let sampleGeometries: [ImageGeometry]
    /// Each sample's class id (its label's class, or the argmax of its soft label), when the batch
    /// was sampled with labels; nil otherwise. Read by ops whose `p` or magnitude is given per class.
    public var classIDs: [Int]? = nil

    /// The class id of sample `i`, when the batch has labels.
    public func classID(ofSample i: Int) -> Int? {
        guard let classIDs, classIDs.indices.contains(i) else { return nil }
        return classIDs[i]
    }

    public init(
        count: Int, geometry: ImageGeometry, seed: UInt64, epoch: UInt64, firstSampleIndex: UInt64, opIndex: UInt32,
        sampleGeometries: [ImageGeometry]? = nil
    ) {
        self.init(
            geometry: geometry, seed: seed, epoch: epoch,
            sampleIndices: (0..<UInt64(max(0, count))).map { firstSampleIndex &+ $0 }, opIndex: opIndex,
            sampleGeometries: sampleGeometries)
    }

    public init(
        geometry: ImageGeometry, seed: UInt64, epoch: UInt64, sampleIndices: [UInt64], opIndex: UInt32,
        sampleGeometries: [ImageGeometry]? = nil
    ) {
        self.count = sampleIndices.count
        self.geometry = geometry
        self.seed = seed
        self.epoch = epoch
        self.sampleIndices = sampleIndices
        self.opIndex = opIndex
        self.sampleGeometries = sampleGeometries ?? Array(repeating: geometry, count: sampleIndices.count)
    }

    /// Sample i's geometry before the op.
    public func geometry(ofSample i: Int) -> ImageGeometry {
        i < sampleGeometries.count ? sampleGeometries[i] : geometry
    }

    /// The stream of sample `i` of the batch (its global index `sampleIndices[i]`).
    public func stream(sample i: Int) -> RandomStream {
        RandomStream(RandomKey(seed: seed, epoch: epoch, sampleIndex: sampleIndices[i], opIndex: opIndex))
    }

    /// A stream for draws made once per batch (one MixUp lambda per batch, a same-on-batch op),
    /// keyed by the batch's first sample index in a domain of its own. Unlike per-sample draws,
    /// these depend on how the epoch is cut into batches, as they do in every peer library.
    public func batchStream() -> RandomStream {
        RandomStream(
            RandomKey(seed: seed, epoch: epoch, sampleIndex: firstSampleIndex, opIndex: opIndex), domain: .batch)
    }
}
