import Dispatch
import Foundation

/// One augmented batch of a training stream.
public struct AugmentedBatch<Output: Sendable>: Sendable {
    /// Position of the batch in this rank's epoch (0, 1, 2, ...).
    public let step: Int
    /// Dataset indices of its samples, in order.
    public let indices: [Int]
    /// The augmented batch: host arrays (`AugmentBatch`, images in the pipeline's output format,
    /// with labels) or, from OpenCL lanes, device buffers (`DeviceAugmentBatch`).
    public let batch: Output
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
public struct AugmentedBatchStream<Output: Sendable>: AsyncSequence, Sendable {
    public typealias Element = AugmentedBatch<Output>

    public let source: any BatchSource
    public let pipeline: Pipeline
    public let epoch: EpochPlan
    public let seed: UInt64
    /// Number of lanes (backends with their own queues).
    public let laneCount: Int
    public let prefetch: Int
    /// Runs a plan on lane `i`: the only place the output type matters.
    let run: @Sendable (_ lane: Int, _ plan: Plan, _ batch: AugmentBatch) throws -> Output

    /// A stream whose lanes produce `Output` with `run` (see the host and device initialisers).
    public init(
        source: any BatchSource, pipeline: Pipeline, epoch: EpochPlan, seed: UInt64, laneCount: Int,
        prefetch: Int = 2, run: @escaping @Sendable (_ lane: Int, _ plan: Plan, _ batch: AugmentBatch) throws -> Output
    ) {
        self.source = source
        self.pipeline = pipeline
        self.epoch = epoch
        self.seed = seed
        self.laneCount = laneCount
        self.prefetch = Swift.max(1, prefetch)
        self.run = run
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(core: StreamCore(self))
    }

    public struct Iterator: AsyncIteratorProtocol {
        let core: StreamCore<Output>
        var inner: AsyncThrowingStream<AugmentedBatch<Output>, any Error>.Iterator

        init(core: StreamCore<Output>) {
            self.core = core
            inner = core.stream.makeAsyncIterator()
        }

        public mutating func next() async throws -> AugmentedBatch<Output>? {
            let item = try await inner.next()
            if item != nil { await core.gate.release() }
            return item
        }
    }
}

extension AugmentedBatchStream where Output == AugmentBatch {
    /// A stream of host batches run on `lanes` (any backends; two `OpenCLBackend`s on one device
    /// give two queues).
    public init(
        source: any BatchSource, pipeline: Pipeline, epoch: EpochPlan, seed: UInt64,
        lanes: [any Backend], prefetch: Int = 2
    ) {
        self.init(
            source: source, pipeline: pipeline, epoch: epoch, seed: seed, laneCount: lanes.count,
            prefetch: prefetch
        ) { lane, plan, batch in
            try lanes[lane].run(plan, on: batch)
        }
    }
}

/// The machinery behind one iteration of a stream.
final class StreamCore<Output: Sendable>: Sendable {
    let stream: AsyncThrowingStream<AugmentedBatch<Output>, any Error>
    let gate: CreditGate

    init(_ config: AugmentedBatchStream<Output>) {
        let (stream, continuation) = AsyncThrowingStream<AugmentedBatch<Output>, any Error>.makeStream()
        self.stream = stream
        let gate = CreditGate(credits: config.prefetch)
        self.gate = gate
        let batches = config.epoch.batches
        let laneCount = config.laneCount
        let laneQueues = (0..<laneCount).map { DispatchQueue(label: "swift-augment.lane\($0)") }
        let loader = DispatchQueue(label: "swift-augment.loader", attributes: .concurrent)
        let reorder = InOrderDelivery<Output>(continuation: continuation)
        let producer = Task {
            guard laneCount > 0 else {
                continuation.finish(
                    throwing: AugmentError.backendUnavailable("a stream needs at least one backend lane"))
                return
            }
            // A discarding group frees each finished child at once; a plain group would keep every
            // finished child until the end of the epoch (memory growing with the number of batches).
            await withDiscardingTaskGroup { group in
                for (step, indices) in batches.enumerated() {
                    guard await gate.acquire(), !Task.isCancelled else { break }
                    group.addTask {
                        let result: Result<AugmentedBatch<Output>, any Error> = await Result.catching {
                            let data = try await onQueue(loader) { try config.source.batch(indices) }
                            try Task.checkCancellation()
                            let lane = step % laneCount
                            let output = try await onQueue(laneQueues[lane]) { () throws -> Output in
                                let sampled = try config.pipeline.sample(
                                    for: data, seed: config.seed, epoch: config.epoch.epoch,
                                    sampleIndices: indices.map { UInt64($0) })
                                return try config.run(lane, sampled.plan(for: data.images), data)
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
actor InOrderDelivery<Output: Sendable> {
    private let continuation: AsyncThrowingStream<AugmentedBatch<Output>, any Error>.Continuation
    private var pending: [Int: Result<AugmentedBatch<Output>, any Error>] = [:]
    private var next = 0
    private var done = false

    init(continuation: AsyncThrowingStream<AugmentedBatch<Output>, any Error>.Continuation) {
        self.continuation = continuation
    }

    func deliver(step: Int, _ result: Result<AugmentedBatch<Output>, any Error>) {
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
