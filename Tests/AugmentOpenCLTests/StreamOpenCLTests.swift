import Foundation
import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// The training stream and sharding on OpenCL: pooled buffers, early exit, two contexts.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct StreamOpenCLTests {
    let geometry = ImageGeometry(height: 30, width: 34, channels: 3)

    func pipeline() throws -> Pipeline {
        try Pipeline([RandomCrop(height: 24, width: 24), RandomHorizontalFlip(), Normalize(mean: [0.45], std: [0.22])])
    }

    @Test func poolReusesBuffersAcrossBatches() throws {
        let backend = try OpenCLBackend(device: Shared.backend().device)
        let images = try ImageBatch.random(count: 8, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 2)
        for seed in 0..<3 {
            _ = try backend.apply(pipeline(), to: images, seed: UInt64(seed))
        }
        let warm = backend.pool.statistics
        for seed in 3..<20 {
            _ = try backend.apply(pipeline(), to: images, seed: UInt64(seed))
        }
        let stats = backend.pool.statistics
        #expect(stats.outstanding == 0)
        #expect(stats.allocations == warm.allocations, "after the first batches every buffer is reused: \(stats)")
        #expect(stats.allocations <= 12)
        #expect(stats.reuses >= 17 * 5)
    }

    @Test func leavingTheStreamEarlyReturnsEveryBuffer() async throws {
        let lanes = try (0..<2).map { _ in try OpenCLBackend(device: Shared.backend().device) }
        let source = try InMemorySource(
            images: ImageBatch.random(count: 40, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 3))
        let epoch = try EpochPlan(datasetSize: 40, batchSize: 4, seed: 1, epoch: 0)
        var seen = 0
        for try await item in AugmentedBatchStream(
            source: source, pipeline: try pipeline(), epoch: epoch, seed: 5, lanes: lanes, prefetch: 3)
        {
            #expect(item.batch.images.shapeDescription == "float32 NCHW (4, 3, 24, 24)")
            seen += 1
            if seen == 2 { break }
        }
        var outstanding = -1
        for _ in 0..<50 {
            outstanding = lanes.map { $0.pool.statistics.outstanding }.reduce(0, +)
            if outstanding == 0 { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(outstanding == 0)
    }

    @Test func streamOnOpenCLEqualsTheCPUReference() async throws {
        let source = try InMemorySource(
            images: ImageBatch.random(count: 10, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 4))
        let epoch = try EpochPlan(datasetSize: 10, batchSize: 4, seed: 2, epoch: 3)
        let gpu = AugmentedBatchStream(
            source: source, pipeline: try pipeline(), epoch: epoch, seed: 8, lanes: [try Shared.backend()])
        let cpu = AugmentedBatchStream(
            source: source, pipeline: try pipeline(), epoch: epoch, seed: 8, lanes: [CPUBackend()])
        var gpuItems: [AugmentedBatch<AugmentBatch>] = []
        for try await item in gpu { gpuItems.append(item) }
        var index = 0
        for try await item in cpu {
            #expect(Parity.compare(item.batch.images, gpuItems[index].batch.images).passed)
            index += 1
        }
        #expect(index == gpuItems.count && index == 3)
    }

    @Test func deviceOutputStaysOnTheDeviceUntilReleased() async throws {
        let lanes = try (0..<2).map { _ in try OpenCLBackend(device: Shared.backend().device) }
        let labels = try LabelBatch(classIDs: (0..<12).map { $0 % 3 }, classCount: 3)
        let source = try InMemorySource(
            images: ImageBatch.random(
                count: 12, geometry: geometry, pixelType: .uint8,
                layout: .nhwc, seed: 7), labels: labels)
        let epoch = try EpochPlan(datasetSize: 12, batchSize: 4, seed: 3, epoch: 1)
        var held: [AugmentedBatch<DeviceAugmentBatch>] = []
        for try await item in AugmentedBatchStream(
            source: source, pipeline: try pipeline(), epoch: epoch, seed: 6,
            deviceLanes: lanes, prefetch: 2)
        {
            #expect(item.batch.images.pixelType == .float32 && item.batch.images.count == 4)
            #expect(item.batch.buffer.byteCount == 4 * 3 * 24 * 24 * 4)
            held.append(item)
        }
        #expect(held.count == 3)
        #expect(
            lanes.map { $0.pool.statistics.outstanding }.reduce(0, +) == 3, "one leased output buffer per held batch")
        // The same content as the host stream.
        var index = 0
        for try await item in AugmentedBatchStream(
            source: source, pipeline: try pipeline(), epoch: epoch, seed: 6,
            lanes: [CPUBackend()])
        {
            let downloaded = try held[index].batch.download()
            #expect(Parity.compare(item.batch.images, downloaded.images).passed)
            #expect(downloaded.labels == item.batch.labels)
            index += 1
        }
        held[0].batch.release()
        held[0].batch.release()  // twice is harmless
        #expect(lanes.map { $0.pool.statistics.outstanding }.reduce(0, +) == 2)
        held.removeAll()  // deinit gives the rest back
        // A producer's child task can still hold its last result for a moment after delivering it
        // (seen under load): the buffers must come back, so wait a bounded time for them.
        var outstanding = lanes.map { $0.pool.statistics.outstanding }.reduce(0, +)
        for _ in 0..<100 where outstanding != 0 {
            try await Task.sleep(nanoseconds: 50_000_000)
            outstanding = lanes.map { $0.pool.statistics.outstanding }.reduce(0, +)
        }
        #expect(outstanding == 0, "every leased buffer returns once the batches are released")
    }

    @Test func shardingOverTwoContextsEqualsOneDevice() throws {
        let device = try Shared.backend().device
        let sharded = try ShardedBackend([try OpenCLBackend(device: device), try OpenCLBackend(device: device)])
        let images = try ImageBatch.random(count: 7, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 6)
        let plan = try pipeline().sample(count: 7, geometry: geometry, seed: 12).plan(for: images)
        #expect(try sharded.run(plan, on: images) == Shared.backend().run(plan, on: images))
    }
}
