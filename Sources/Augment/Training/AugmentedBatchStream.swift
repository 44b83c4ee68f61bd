import Dispatch
import Foundation

/// One augmented batch of a training stream.
public struct AugmentedBatch: Sendable {
    /// Position of the batch in this rank's epoch (0, 1, 2, ...).
    public let step: Int
    /// Dataset indices of its samples, in order.
    public let indices: [Int]
    /// Augmented images (host arrays, in the pipeline's output format) and labels.
    public let batch: AugmentBatch
}

/// An `AsyncSequence` of augmented batches for one epoch of one rank: loads each batch from a
/// ``BatchSource``, samples the pipeline with every sample's dataset index as its key, and runs it
/// on one of the `lanes` (backends with their own queues, e.g. two `OpenCLBackend`s on one device,
/// or one per device), keeping up to `prefetch` batches loading, running or waiting.
///
///     let stream = AugmentedBatchStream(source: data, pipeline: pipeline, epoch: plan, seed: 7,
///                                       lanes: [try OpenCLBackend(), try OpenCLBackend()], prefetch: 3)
///     for try await item in stream { model.step(item.batch.images, item.batch.labels) }
///
/// Batches come out in step order and equal what `Pipeline.sample(geometry:seed:epoch:sampleIndices:)`
/// followed by `Backend.run` gives for the same indices. While the consumer works on batch k, the
/// lanes load and augment batches k+1 ... k+prefetch, so transfers and kernels of neighbouring
/// batches overlap on devices that can overlap them. Leaving the loop early cancels the work not yet
/// started; work in flight finishes and returns its device buffers to the backends' pools. An error
/// (a bad file, a device failure) ends the stream with that error.
public struct AugmentedBatchStream: AsyncSequence, Sendable {
    public typealias Element = AugmentedBatch

    public let source: any BatchSource
    public let pipeline: Pipeline
    public let epoch: EpochPlan
    public let seed: UInt64
    public let lanes: [any Backend]
    public let prefetch: Int

    public init(source: any BatchSource, pipeline: Pipeline, epoch: EpochPlan, seed: UInt64,
                lanes: [any Backend], prefetch: Int = 2) {
        self.source = source
        self.pipeline = pipeline
        self.epoch = epoch
        self.seed = seed
        self.lanes = lanes
        self.prefetch = Swift.max(1, prefetch)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(core: StreamCore(self))
    }

    public struct Iterator: AsyncIteratorProtocol {
        let core: StreamCore
        var inner: AsyncThrowingStream<AugmentedBatch, any Error>.Iterator

        init(core: StreamCore) {
            self.core = core
            inner = core.stream.makeAsyncIterator()
        }

        public mutating func next() async throws -> AugmentedBatch? {
            let item = try await inner.next()
            if item != nil { await core.gate.release() }
            return item
        }
    }
}

/// The machinery behind one iteration of a stream.
final class StreamCore: Sendable {
    let stream: AsyncThrowingStream<AugmentedBatch, any Error>
    let gate: CreditGate

    init(_ config: AugmentedBatchStream) {
        let (stream, continuation) = AsyncThrowingStream<AugmentedBatch, any Error>.makeStream()
        self.stream = stream
        let gate = CreditGate(credits: config.prefetch)
        self.gate = gate
        let batches = config.epoch.batches
        let lanes = config.lanes
        let laneQueues = lanes.indices.map { DispatchQueue(label: "swift-augment.lane\($0)") }
        let loader = DispatchQueue(label: "swift-augment.loader", attributes: .concurrent)
        let reorder = InOrderDelivery(continuation: continuation)
        let producer = Task {
            guard !lanes.isEmpty else {
                continuation.finish(throwing: AugmentError.backendUnavailable("a stream needs at least one backend lane"))
                return
            }
            // A discarding group frees each finished child at once; a plain group would keep every
            // finished child until the end of the epoch (memory growing with the number of batches).
            await withDiscardingTaskGroup { group in
                for (step, indices) in batches.enumerated() {
                    guard await gate.acquire(), !Task.isCancelled else { break }
                    group.addTask {
                        let result: Result<AugmentedBatch, any Error> = await Result.catching {
                            let data = try await onQueue(loader) { try config.source.batch(indices) }
                            try Task.checkCancellation()
                            let output = try await onQueue(laneQueues[step % lanes.count]) { () throws -> AugmentBatch in
                                let sampled = try config.pipeline.sample(
                                    for: data.images, seed: config.seed, epoch: config.epoch.epoch,
                                    sampleIndices: indices.map { UInt64($0) })
                                return try lanes[step % lanes.count].run(sampled.plan(for: data.images), on: data)
                            }
                            return AugmentedBatch(step: step, indices: indices, batch: output)
                        }
                        await reorder.deliver(step: step, result)
                    }
                }
            }
            await reorder.finish(total: batches.count)
        }
        continuation.onTermination = { _ in
            producer.cancel()
            Task { await gate.cancelAll() }
        }
    }
}

/// Runs blocking work on a dispatch queue and awaits it, keeping Swift's cooperative threads free.
func onQueue<T: Sendable>(_ queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        queue.async { continuation.resume(with: Result { try body() }) }
    }
}

extension Result where Failure == any Error {
    static func catching(_ body: () async throws -> Success) async -> Result<Success, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}

/// Counts batches that may be in flight or waiting: the producer takes a credit per batch, the
/// consumer gives one back per batch it receives.
actor CreditGate {
    private var credits: Int
    private var waiters: [CheckedContinuation<Bool, Never>] = []
    private var cancelled = false

    init(credits: Int) {
        self.credits = credits
    }

    /// Waits for a credit; false once the stream is cancelled.
    func acquire() async -> Bool {
        if cancelled { return false }
        if credits > 0 {
            credits -= 1
            return true
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if let waiter = waiters.first {
            waiters.removeFirst()
            waiter.resume(returning: !cancelled)
        } else {
            credits += 1
        }
    }

    func cancelAll() {
        cancelled = true
        for waiter in waiters { waiter.resume(returning: false) }
        waiters.removeAll()
    }
}

/// Yields results in step order; the first error ends the stream.
actor InOrderDelivery {
    private let continuation: AsyncThrowingStream<AugmentedBatch, any Error>.Continuation
    private var pending: [Int: Result<AugmentedBatch, any Error>] = [:]
    private var next = 0
    private var done = false

    init(continuation: AsyncThrowingStream<AugmentedBatch, any Error>.Continuation) {
        self.continuation = continuation
    }

    func deliver(step: Int, _ result: Result<AugmentedBatch, any Error>) {
        guard !done else { return }
        pending[step] = result
        while let ready = pending.removeValue(forKey: next) {
            switch ready {
            case .success(let item):
                continuation.yield(item)
                next += 1
            case .failure(let error):
                done = true
                continuation.finish(throwing: error is CancellationError ? nil : error)
                return
            }
        }
    }

    func finish(total: Int) {
        guard !done else { return }
        done = true
        continuation.finish()
    }
}
