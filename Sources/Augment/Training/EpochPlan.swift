/// How an epoch's samples are shared among the ranks of a data-parallel job when the dataset size
/// is not a multiple of the world size.
public enum RankShare: String, Sendable, Codable {
    /// Every sample exactly once: ranks' shares are disjoint, their union is the epoch, and share
    /// sizes differ by at most one (the default).
    case uneven
    /// Like torch's `DistributedSampler(drop_last=False)`: the order is padded with its own first
    /// samples so every rank gets the same number; a few samples appear twice.
    case pad
    /// Like `DistributedSampler(drop_last=True)`: the tail is dropped so every rank gets the same
    /// number; up to worldSize - 1 samples are skipped this epoch.
    case drop
}

/// Which dataset samples a rank augments in an epoch, in which order, cut into batches.
///
/// Every rank computes the same permutation of the dataset from (seed, epoch) with a counter-based
/// Fisher-Yates shuffle and takes every `worldSize`-th position starting at `rank`. The random key
/// of a sample's augmentation is its dataset index, so a sample is augmented the same way whichever
/// rank, batch or device processes it; reruns with the same (seed, epoch, rank, worldSize) are
/// identical.
public struct EpochPlan: Sendable, Equatable {
    public let datasetSize: Int
    public let batchSize: Int
    public let seed: UInt64
    public let epoch: UInt64
    public let rank: Int
    public let worldSize: Int
    /// This rank's dataset indices, in order.
    public let indices: [Int]
    /// Whether the last, smaller batch is dropped.
    public let dropLastBatch: Bool

    public init(
        datasetSize: Int, batchSize: Int, seed: UInt64, epoch: UInt64, shuffle: Bool = true,
        rank: Int = 0, worldSize: Int = 1, share: RankShare = .uneven, dropLastBatch: Bool = false
    ) throws {
        guard datasetSize >= 1 else {
            throw AugmentError.emptyBatch("an epoch needs at least one sample, the dataset has \(datasetSize)")
        }
        guard batchSize >= 1 else {
            throw AugmentError.invalidArgument(
                op: "epoch", argument: "batch_size", value: "\(batchSize)", allowed: "an integer >= 1")
        }
        guard worldSize >= 1 else {
            throw AugmentError.invalidArgument(
                op: "epoch", argument: "world_size", value: "\(worldSize)", allowed: "an integer >= 1")
        }
        guard (0..<worldSize).contains(rank) else {
            throw AugmentError.invalidArgument(
                op: "epoch", argument: "rank", value: "\(rank)", allowed: "0...\(worldSize - 1)")
        }
        var order = Array(0..<datasetSize)
        if shuffle {
            var random = RandomStream(RandomKey(seed: seed, epoch: epoch, sampleIndex: 0, opIndex: 0), domain: .shuffle)
            for i in stride(from: datasetSize - 1, to: 0, by: -1) {
                order.swapAt(i, random.integer(in: 0...i))
            }
        }
        switch share {
        case .uneven:
            break
        case .pad:
            let total = (datasetSize + worldSize - 1) / worldSize * worldSize
            var k = 0
            while order.count < total {
                order.append(order[k % datasetSize])
                k += 1
            }
        case .drop:
            order.removeLast(datasetSize % worldSize)
        }
        indices = stride(from: rank, to: order.count, by: worldSize).map { order[$0] }
        self.datasetSize = datasetSize
        self.batchSize = batchSize
        self.seed = seed
        self.epoch = epoch
        self.rank = rank
        self.worldSize = worldSize
        self.dropLastBatch = dropLastBatch
    }

    /// The batches of this rank, each a list of dataset indices.
    public var batches: [[Int]] {
        var result = stride(from: 0, to: indices.count, by: batchSize).map {
            Array(indices[$0..<min($0 + batchSize, indices.count)])
        }
        if dropLastBatch, let last = result.last, last.count < batchSize { result.removeLast() }
        return result
    }
}
