/// Where a training loop's samples come from: random access by dataset index, so an epoch can be
/// shuffled, cut into batches and shared among ranks.
public protocol BatchSource: Sendable {
    /// Samples in the dataset.
    var count: Int { get }
    /// The samples at `indices` (dataset indices, in that order) with their labels, if any.
    func batch(_ indices: [Int]) throws -> AugmentBatch
}

/// A dataset held in memory: one image batch with optional labels.
public struct InMemorySource: BatchSource {
    public let data: AugmentBatch

    public init(_ data: AugmentBatch) {
        self.data = data
    }

    public init(images: ImageBatch, labels: LabelBatch? = nil) throws {
        data = try AugmentBatch(images: images, labels: labels)
    }

    public var count: Int { data.count }

    public func batch(_ indices: [Int]) throws -> AugmentBatch {
        try data.gather(indices)
    }
}
