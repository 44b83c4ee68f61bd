// Soak test of the training stream: 10,000 batches through AugmentedBatchStream on the OpenCL
// device, printing resident memory and device-buffer pool figures at intervals; they must stay flat.
// Run: swift run -c release AugmentSoak [--batches 10000] [--batch 32] [--size 64]
import Augment
import AugmentOpenCL
import Foundation
import _AugmentScaffolding

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let value = Int(args[i + 1]) else { return fallback }
    return value
}

/// Resident set size of this process in MiB, from /proc/self/statm.
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return .nan }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return .nan }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// A dataset of `count` samples that repeats a small pool of images (cheap to index, any length).
struct RepeatingSource: BatchSource {
    let pool: AugmentBatch
    let count: Int
    func batch(_ indices: [Int]) throws -> AugmentBatch {
        try pool.gather(indices.map { $0 % pool.count })
    }
}

let batches = option("--batches", 10_000)
let batchSize = option("--batch", 32)
let size = option("--size", 64)
let pool = try AugmentBatch(
    images: SyntheticScenes.batch(count: 128, height: size, width: size, seed: 3),
    labels: LabelBatch(classIDs: (0..<128).map { $0 % 10 }, classCount: 10))
let source = RepeatingSource(pool: pool, count: batches * batchSize)
let pipeline = try Pipeline([
    RandomCrop(height: size * 7 / 8, width: size * 7 / 8), RandomHorizontalFlip(),
    Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
])
let lanes = [try OpenCLBackend(), try OpenCLBackend()]
let epoch = try EpochPlan(datasetSize: source.count, batchSize: batchSize, seed: 1, epoch: 0)
print(
    "soak: \(batches) batches of \(batchSize) x \(size)x\(size)x3 through AugmentedBatchStream on \(lanes[0].device.name), 2 lanes, prefetch 3"
)
print(" batches   resident MiB   pool allocations   pool reuses   outstanding   bytes held (MiB)   batches/s")
let start = Date()
var done = 0
var checksum: Float = 0
@MainActor func report() {
    let stats = lanes.map(\.pool.statistics)
    let rate = Double(done) / Date().timeIntervalSince(start)
    print(
        String(
            format: "%8d   %12.1f   %16d   %11d   %11d   %16.1f   %9.0f", done, residentMiB(),
            stats.map(\.allocations).reduce(0, +), stats.map(\.reuses).reduce(0, +),
            stats.map(\.outstanding).reduce(0, +), Double(stats.map(\.bytesHeld).reduce(0, +)) / 1_048_576, rate))
}
for try await item in AugmentedBatchStream(
    source: source, pipeline: pipeline, epoch: epoch, seed: 5, lanes: lanes, prefetch: 3)
{
    checksum += item.batch.images.float32Values?.first ?? 0
    done += 1
    if done == 1 || done % max(1, batches / 10) == 0 { report() }
}
print("checksum \(checksum)")
