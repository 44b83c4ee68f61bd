import Dispatch
import Foundation

/// Runs each batch on several backends at once (several OpenCL devices, or several queues of one),
/// giving each a contiguous shard of the samples, and concatenates the results.
///
/// Because every sample's parameters are drawn from its own key and every per-sample stage reads
/// only its own sample, the result is identical to running the whole batch on one backend. A plan
/// whose stages pair samples across the cut (MixUp, CutMix) cannot be split that way; it runs whole
/// on the first backend, which gives the same result too.
public final class ShardedBackend: Backend, @unchecked Sendable {
    // Safety: immutable after init; each member backend is thread-safe.
    public let backends: [any Backend]
    public let name: String

    public init(_ backends: [any Backend]) throws {
        guard !backends.isEmpty else {
            throw AugmentError.backendUnavailable("a sharded backend needs at least one backend")
        }
        self.backends = backends
        name = "sharded[" + backends.map(\.name).joined(separator: ", ") + "]"
    }

    /// The contiguous shard of each backend for a batch of `count` samples: sizes differ by at most
    /// one, earlier backends take the extra samples, backends beyond `count` get none.
    public func shards(count: Int) -> [Range<Int>] {
        let parts = min(backends.count, count)
        var ranges: [Range<Int>] = []
        var start = 0
        for part in 0..<parts {
            let size = count / parts + (part < count % parts ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }

    public func run(_ plan: Plan, on batch: AugmentBatch, options: RunOptions) throws -> AugmentBatch {
        let ranges = shards(count: batch.count)
        let pieces = ranges.map { plan.sliced($0) }
        guard ranges.count > 1, pieces.allSatisfy({ $0 != nil }) else {
            return try backends[0].run(plan, on: batch, options: options)
        }
        let inputs = try ranges.map { try batch.slice($0) }
        let results = ShardResults(count: ranges.count)
        let backends = self.backends
        DispatchQueue.concurrentPerform(iterations: ranges.count) { shard in
            guard let piece = pieces[shard] else { return }
            results.set(shard, Result { try backends[shard].run(piece, on: inputs[shard], options: options) })
        }
        return try AugmentBatch.concatenate(results.values())
    }
}

/// Results of concurrently running shards, one slot each.
private final class ShardResults: @unchecked Sendable {
    // Safety: every slot is written by one shard under `lock` and read after all shards finished.
    private var slots: [Result<AugmentBatch, any Error>?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<AugmentBatch, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func values() throws -> [AugmentBatch] {
        try slots.map { slot in
            guard let slot else { throw AugmentError.backendUnavailable("a shard did not run") }
            return try slot.get()
        }
    }
}
