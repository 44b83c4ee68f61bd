// Trains a small classifier on built-in synthetic shapes with few labelled samples, once without and
// once with on-device augmentation from AugmentedBatchStream, and prints both validation accuracies
// and the time the training loop spent waiting for augmented batches.
//
// Run: swift run -c release TrainingExample [--train 64] [--epochs 60] [--backend opencl|cpu]
import Augment
import AugmentOpenCL
import Foundation
import _AugmentScaffolding

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let value = Int(args[i + 1]) else { return fallback }
    return value
}

let trainCount = option("--train", 64)
let validationCount = option("--validation", 800)
let epochs = option("--epochs", 60)
let batchSize = 16
let stored = 40, side = 32  // images are stored at 40x40 and cropped to 32x32
let classes = SyntheticScenes.ShapeClass.allCases.count
let useCPU = CommandLine.arguments.contains("cpu")

// MARK: - Data

let train = try SyntheticScenes.classificationSet(count: trainCount, size: stored, seed: 100)
let validation = try SyntheticScenes.classificationSet(count: validationCount, size: stored, seed: 200)
let normalize = try Normalize(mean: [0.5], std: [0.25])
let plain = try Pipeline([CenterCrop(height: side, width: side), normalize])
let augmented = try Pipeline([
    RandomCrop(height: side, width: side), RandomHorizontalFlip(p: 0.5), RandomVerticalFlip(p: 0.5), normalize,
])

let lanes: [any Backend]
if useCPU {
    lanes = [CPUBackend()]
} else {
    do {
        lanes = [try OpenCLBackend(), try OpenCLBackend()]
    } catch {
        print("no OpenCL device (\(error)); augmenting on the CPU backend")
        lanes = [CPUBackend()]
    }
}
print("augmentation backend: \(lanes[0].name) x\(lanes.count) lanes")
print(
    "data: \(trainCount) labelled training images (\(trainCount / classes) per class), \(validationCount) validation images, \(classes) classes, \(side)x\(side) RGB"
)

let trainInput = try CPUBackend().run(
    plain.sample(count: trainCount, geometry: train.images.geometry, seed: 0).plan(for: train.images), on: train)
let validationInput = try CPUBackend().run(
    plain.sample(count: validationCount, geometry: validation.images.geometry, seed: 0).plan(for: validation.images),
    on: validation)

// MARK: - Model: a two-layer perceptron in plain Swift

struct MLP {
    let inputs: Int, hidden: Int, outputs: Int
    var w1: [Float], b1: [Float], w2: [Float], b2: [Float]
    var m1: [Float], mb1: [Float], m2: [Float], mb2: [Float]  // momentum

    init(inputs: Int, hidden: Int, outputs: Int, seed: UInt64) {
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        var random = RandomStream(RandomKey(seed: seed, sampleIndex: 0, opIndex: 0))
        func normal() -> Float {
            Float((-2 * log(max(random.uniform(), 1e-12))).squareRoot() * cos(2 * .pi * random.uniform()))
        }
        w1 = (0..<(inputs * hidden)).map { _ in normal() * (2 / Float(inputs)).squareRoot() }
        w2 = (0..<(hidden * outputs)).map { _ in normal() * (2 / Float(hidden)).squareRoot() }
        b1 = Array(repeating: 0, count: hidden)
        b2 = Array(repeating: 0, count: outputs)
        m1 = Array(repeating: 0, count: w1.count)
        m2 = Array(repeating: 0, count: w2.count)
        mb1 = b1
        mb2 = b2
    }

    /// Hidden activations and class scores for one input.
    func forward(_ x: UnsafeBufferPointer<Float>) -> (hidden: [Float], scores: [Float]) {
        var h = b1
        w1.withUnsafeBufferPointer { w in
            for j in 0..<hidden {
                var sum: Float = 0
                let row = j * inputs
                for i in 0..<inputs { sum += w[row + i] * x[i] }
                h[j] = max(0, h[j] + sum)
            }
        }
        var scores = b2
        for k in 0..<outputs {
            for j in 0..<hidden { scores[k] += w2[k * hidden + j] * h[j] }
        }
        return (h, scores)
    }

    /// One SGD-with-momentum step on a batch (row-major inputs), softmax cross-entropy with soft labels.
    mutating func step(_ inputs: [Float], labels: [Float], count: Int, rate: Float, decay: Float = 5e-4) -> Float {
        var g1 = [Float](repeating: 0, count: w1.count), gb1 = [Float](repeating: 0, count: hidden)
        var g2 = [Float](repeating: 0, count: w2.count), gb2 = [Float](repeating: 0, count: outputs)
        var loss: Float = 0
        inputs.withUnsafeBufferPointer { all in
            for n in 0..<count {
                let x = UnsafeBufferPointer(rebasing: all[(n * self.inputs)..<((n + 1) * self.inputs)])
                let (h, scores) = forward(x)
                let top = scores.max() ?? 0
                let exps = scores.map { exp($0 - top) }
                let total = exps.reduce(0, +)
                var dScores = [Float](repeating: 0, count: outputs)
                for k in 0..<outputs {
                    let p = exps[k] / total
                    let y = labels[n * outputs + k]
                    dScores[k] = p - y
                    if y > 0 { loss -= y * log(max(p, 1e-12)) }
                }
                var dh = [Float](repeating: 0, count: hidden)
                for k in 0..<outputs {
                    gb2[k] += dScores[k]
                    for j in 0..<hidden {
                        g2[k * hidden + j] += dScores[k] * h[j]
                        dh[j] += dScores[k] * w2[k * hidden + j]
                    }
                }
                g1.withUnsafeMutableBufferPointer { g in
                    for j in 0..<hidden where h[j] > 0 {
                        gb1[j] += dh[j]
                        let row = j * self.inputs
                        for i in 0..<self.inputs { g[row + i] += dh[j] * x[i] }
                    }
                }
            }
        }
        let scale = 1 / Float(count)
        func update(_ w: inout [Float], _ m: inout [Float], _ g: [Float], _ decayed: Bool) {
            for i in w.indices {
                m[i] = 0.9 * m[i] + g[i] * scale + (decayed ? decay * w[i] : 0)
                w[i] -= rate * m[i]
            }
        }
        update(&w1, &m1, g1, true)
        update(&b1, &mb1, gb1, false)
        update(&w2, &m2, g2, true)
        update(&b2, &mb2, gb2, false)
        return loss * scale
    }

    func accuracy(_ batch: AugmentBatch) -> Double {
        guard let values = batch.images.float32Values, let labels = batch.labels else { return 0 }
        var correct = 0
        values.withUnsafeBufferPointer { all in
            for n in 0..<batch.count {
                let x = UnsafeBufferPointer(rebasing: all[(n * inputs)..<((n + 1) * inputs)])
                let scores = forward(x).scores
                let predicted = scores.indices.max { scores[$0] < scores[$1] } ?? 0
                let truth = labels.row(n).indices.max { labels.row(n)[$0] < labels.row(n)[$1] } ?? 0
                if predicted == truth - labels.row(n).startIndex { correct += 1 }
            }
        }
        return Double(correct) / Double(batch.count)
    }
}

// MARK: - Training

func trainModel(pipeline: Pipeline, name: String) async throws -> (accuracy: Double, waiting: Double, total: Double) {
    var model = MLP(inputs: 3 * side * side, hidden: 128, outputs: classes, seed: 42)
    let source = InMemorySource(train)
    var waiting = 0.0
    let start = Date()
    for epoch in 0..<epochs {
        let plan = try EpochPlan(datasetSize: source.count, batchSize: batchSize, seed: 7, epoch: UInt64(epoch))
        let stream = AugmentedBatchStream(
            source: source, pipeline: pipeline, epoch: plan, seed: 7, lanes: lanes, prefetch: 3)
        var iterator = stream.makeAsyncIterator()
        let rate: Float = epoch < epochs * 3 / 4 ? 0.01 : 0.001
        while true {
            let before = Date()
            guard let item = try await iterator.next() else { break }
            waiting += Date().timeIntervalSince(before)
            guard let inputs = item.batch.images.float32Values, let labels = item.batch.labels else { continue }
            _ = model.step(inputs, labels: labels.values, count: item.batch.count, rate: rate)
        }
        if (epoch + 1) % 20 == 0 {
            print(
                String(
                    format: "  %@ epoch %3d: training accuracy %5.1f%%, validation accuracy %5.1f%%", name, epoch + 1,
                    model.accuracy(trainInput) * 100, model.accuracy(validationInput) * 100))
        }
    }
    return (model.accuracy(validationInput), waiting, Date().timeIntervalSince(start))
}

print("training without augmentation (center crop):")
let baseline = try await trainModel(pipeline: plain, name: "plain    ")
print("training with on-device augmentation (random crop + flips, per sample):")
let withAugmentation = try await trainModel(pipeline: augmented, name: "augmented")
print("")
print(String(format: "validation accuracy without augmentation: %.1f%%", baseline.accuracy * 100))
print(String(format: "validation accuracy with augmentation:    %.1f%%", withAugmentation.accuracy * 100))
print(
    String(
        format: "time waiting for augmented batches: %.2f s of %.2f s training (%.1f%%)",
        withAugmentation.waiting, withAugmentation.total, withAugmentation.waiting / withAugmentation.total * 100))
