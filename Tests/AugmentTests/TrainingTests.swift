import Foundation
import Testing
@testable import Augment

/// Epochs, ranks, sharding and the augmented-batch stream, on the CPU backend.
@Suite struct EpochPlanTests {
    @Test(arguments: [1, 2, 3, 4, 7])
    func ranksShareTheEpochDisjointly(worldSize: Int) throws {
        let plans = try (0..<worldSize).map {
            try EpochPlan(datasetSize: 103, batchSize: 8, seed: 5, epoch: 2, rank: $0, worldSize: worldSize)
        }
        let all = plans.flatMap(\.indices)
        #expect(all.count == 103)
        #expect(Set(all) == Set(0..<103), "the union is the epoch")
        let sizes = plans.map(\.indices.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        #expect(plans[0].batches.flatMap { $0 } == plans[0].indices)
        // Reproducible, and a new permutation each epoch.
        #expect(
            try EpochPlan(datasetSize: 103, batchSize: 8, seed: 5, epoch: 2, rank: 0, worldSize: worldSize).indices
                == plans[0].indices)
        if worldSize == 1 {
            #expect(try EpochPlan(datasetSize: 103, batchSize: 8, seed: 5, epoch: 3).indices != plans[0].indices)
            #expect(
                try EpochPlan(datasetSize: 103, batchSize: 8, seed: 5, epoch: 3, shuffle: false).indices
                    == Array(0..<103))
        }
    }

    @Test func padAndDropMatchDistributedSampler() throws {
        let padded = try (0..<4).map {
            try EpochPlan(datasetSize: 10, batchSize: 4, seed: 1, epoch: 0, rank: $0, worldSize: 4, share: .pad)
        }
        #expect(padded.map(\.indices.count) == [3, 3, 3, 3])
        #expect(Set(padded.flatMap(\.indices)) == Set(0..<10))
        let dropped = try (0..<4).map {
            try EpochPlan(datasetSize: 10, batchSize: 4, seed: 1, epoch: 0, rank: $0, worldSize: 4, share: .drop)
        }
        #expect(dropped.map(\.indices.count) == [2, 2, 2, 2])
        #expect(Set(dropped.flatMap(\.indices)).count == 8)
        let last = try EpochPlan(datasetSize: 10, batchSize: 4, seed: 1, epoch: 0, dropLastBatch: true)
        #expect(last.batches.map(\.count) == [4, 4])
    }

    @Test func badArgumentsThrow() {
        #expect(throws: AugmentError.self) { try EpochPlan(datasetSize: 0, batchSize: 4, seed: 1, epoch: 0) }
        #expect(throws: AugmentError.self) { try EpochPlan(datasetSize: 5, batchSize: 0, seed: 1, epoch: 0) }
        #expect(throws: AugmentError.self) {
            try EpochPlan(datasetSize: 5, batchSize: 2, seed: 1, epoch: 0, rank: 2, worldSize: 2)
        }
    }
}

@Suite struct StreamTests {
    static let geometry = ImageGeometry(height: 20, width: 24, channels: 3)

    func dataset(_ count: Int = 37) throws -> InMemorySource {
        let images = try ImageBatch.random(
            count: count, geometry: Self.geometry, pixelType: .uint8, layout: .nhwc, seed: 11)
        return try InMemorySource(
            images: images, labels: LabelBatch(classIDs: (0..<count).map { $0 % 5 }, classCount: 5))
    }

    func pipeline() throws -> Pipeline {
        try Pipeline([RandomCrop(height: 16, width: 16), RandomHorizontalFlip(), Normalize(mean: [0.5], std: [0.25])])
    }

    @Test func streamEqualsTheSynchronousPipelineInOrder() async throws {
        let source = try dataset()
        let epoch = try EpochPlan(datasetSize: source.count, batchSize: 6, seed: 3, epoch: 1)
        let stream = AugmentedBatchStream(
            source: source, pipeline: try pipeline(), epoch: epoch, seed: 9,
            lanes: [CPUBackend(), CPUBackend()], prefetch: 3)
        var steps: [Int] = []
        for try await item in stream {
            steps.append(item.step)
            let expectedInput = try source.batch(item.indices)
            let sampled = try pipeline().sample(
                geometry: Self.geometry, seed: 9, epoch: 1, sampleIndices: item.indices.map { UInt64($0) })
            let expected = try CPUBackend().run(sampled.plan(for: expectedInput.images), on: expectedInput)
            #expect(item.batch == expected)
            #expect(item.indices == epoch.batches[item.step])
        }
        #expect(steps == Array(0..<epoch.batches.count))
    }

    @Test func aSampleIsAugmentedTheSameWhateverItsBatch() async throws {
        let source = try dataset(12)
        func outputs(batchSize: Int, worldSize: Int) async throws -> [Int: [Float]] {
            var result: [Int: [Float]] = [:]
            for rank in 0..<worldSize {
                let epoch = try EpochPlan(
                    datasetSize: 12, batchSize: batchSize, seed: 3, epoch: 0, rank: rank, worldSize: worldSize)
                for try await item in AugmentedBatchStream(
                    source: source, pipeline: try pipeline(), epoch: epoch, seed: 9, lanes: [CPUBackend()])
                {
                    let per = item.batch.images.geometry.elementCount
                    let values = item.batch.images.float32Values ?? []
                    for (i, index) in item.indices.enumerated() {
                        result[index] = Array(values[(i * per)..<((i + 1) * per)])
                    }
                }
            }
            return result
        }
        let single = try await outputs(batchSize: 5, worldSize: 1)
        let split = try await outputs(batchSize: 2, worldSize: 3)
        #expect(single.count == 12 && single == split)
    }

    @Test func leavingEarlyStopsTheProducer() async throws {
        let counter = CountingBackend()
        let source = try dataset(60)
        let epoch = try EpochPlan(datasetSize: 60, batchSize: 2, seed: 1, epoch: 0)
        do {
            var seen = 0
            for try await _ in AugmentedBatchStream(
                source: source, pipeline: try pipeline(), epoch: epoch, seed: 1, lanes: [counter], prefetch: 2)
            {
                seen += 1
                if seen == 3 { break }
            }
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        let runs = counter.runs
        #expect(runs >= 3 && runs <= 3 + 2 + 1, "at most prefetch batches beyond what was consumed, got \(runs)")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(counter.runs == runs, "nothing runs after the consumer left")
    }

    @Test func errorsEndTheStream() async throws {
        let stream = AugmentedBatchStream(
            source: FailingSource(), pipeline: try pipeline(),
            epoch: try EpochPlan(datasetSize: 10, batchSize: 2, seed: 1, epoch: 0), seed: 1, lanes: [CPUBackend()])
        var received = 0
        do {
            for try await _ in stream { received += 1 }
            Issue.record("the stream must throw")
        } catch let error as AugmentError {
            #expect(error.description.contains("sample 6 is unreadable"))
        }
        #expect(received <= 3)
    }

    @Test func shardedBackendEqualsOneBackend() throws {
        let source = try dataset(9)
        let batch = try source.batch(Array(0..<9))
        let sampled = try pipeline().sample(count: 9, geometry: Self.geometry, seed: 4)
        let plan = try sampled.plan(for: batch.images)
        let sharded = try ShardedBackend([CPUBackend(), CPUBackend(), CPUBackend(), CPUBackend()])
        #expect(sharded.shards(count: 9) == [0..<3, 3..<5, 5..<7, 7..<9])
        #expect(sharded.shards(count: 2) == [0..<1, 1..<2])
        #expect(try sharded.run(plan, on: batch) == CPUBackend().run(plan, on: batch))
        #expect(throws: AugmentError.self) { try ShardedBackend([]) }
    }
}

/// A backend that counts its runs (thread-safe).
final class CountingBackend: Backend, @unchecked Sendable {
    let name = "counting cpu"
    private let lock = NSLock()
    private var count = 0

    var runs: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func run(_ plan: Plan, on batch: AugmentBatch, options: RunOptions) throws -> AugmentBatch {
        lock.lock()
        count += 1
        lock.unlock()
        return try CPUBackend().run(plan, on: batch, options: options)
    }
}

/// A source whose sample 6 cannot be read.
struct FailingSource: BatchSource {
    let count = 10
    func batch(_ indices: [Int]) throws -> AugmentBatch {
        if indices.contains(6) { throw AugmentError.invalidShape("sample 6 is unreadable") }
        return try AugmentBatch(
            images: ImageBatch.random(
                count: indices.count, geometry: StreamTests.geometry,
                pixelType: .uint8, layout: .nhwc, seed: 1))
    }
}

/// Sharding with the stages of every family: per-sample stages split, pairing stages run whole.
@Suite struct ShardingFamiliesTests {
    @Test func specAugmentShardsAndMixRunsWhole() throws {
        let spectrograms = try ImageBatch.random(
            count: 7, geometry: ImageGeometry(height: 12, width: 40, channels: 2),
            pixelType: .float32, layout: .nchw, seed: 5)
        let spec = try Pipeline([
            FrequencyMasking(freqMaskParam: 5, numMasks: 2), TimeMasking(timeMaskParam: 10),
            TimeWarp(window: 5, mode: .linear),
        ])
        let plan = try spec.sample(count: 7, geometry: spectrograms.geometry, seed: 3).plan(for: spectrograms)
        #expect(plan.sliced(0..<3) != nil)
        let sharded = try ShardedBackend([CPUBackend(), CPUBackend(), CPUBackend()])
        #expect(try sharded.run(plan, on: spectrograms) == CPUBackend().run(plan, on: spectrograms))

        let images = try ImageBatch.random(
            count: 6, geometry: ImageGeometry(height: 8, width: 8, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 2)
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1, 2, 0, 1, 2], classCount: 3))
        let mix = try Pipeline([MixUp(alpha: 1, numClasses: 3)])
        let mixPlan = try mix.sample(count: 6, geometry: images.geometry, seed: 4).plan(for: images)
        #expect(mixPlan.sliced(0..<3) == nil, "pairs cross the cut")
        #expect(try sharded.run(mixPlan, on: batch) == CPUBackend().run(mixPlan, on: batch))
    }
}
