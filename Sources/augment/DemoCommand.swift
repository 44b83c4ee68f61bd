import ArgumentParser
import Augment
import AugmentIO
import AugmentOpenCL
import Foundation
import _AugmentScaffolding

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Augment built-in synthetic scenes and spectrograms; write PNG contact sheets.",
        discussion: """
            Runs the standard pipelines on the OpenCL device (the CPU backend, with a warning, when there \
            is none) and writes one contact sheet per pipeline: originals in the first column, augmented \
            versions (different seeds) beside them; then a clip sheet (frames in a row), views and a \
            test-time augmentation round trip. Prints the paths and the throughput.
            """
    )

    @Option(help: "Folder for the pictures.")
    var output = "augment-demo"

    @Option(help: "Backend: auto (OpenCL, else CPU), opencl or cpu.")
    var backend: BackendChoice = .auto

    @Option(help: "OpenCL device (see `augment devices`).")
    var device: String?

    @Option(help: "Augmented versions per scene.")
    var variants = 6

    @Flag(help: "Write the pictures and skip the throughput measurement.")
    var picturesOnly = false

    func run() throws {
        do {
            try runDemo()
        } catch let error as ExitCode {
            throw error
        } catch {
            fail(describe(error))
        }
    }

    private func runDemo() throws {
        let runner = try makeBackend(backend, device: device)
        print("backend: \(runner.name)")
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw IOError.unwritable(path: output, reason: error.localizedDescription)
        }
        let rows = 4
        let scenes = try SyntheticScenes.batch(count: rows, height: 256, width: 256, seed: 2026)
        let sceneLabels = try LabelBatch(
            classIDs: (0..<rows).map {
                SyntheticScenes.scene(index: $0, height: 8, width: 8, seed: 2026).label.rawValue
            }, classCount: 4)
        var written: [String] = []

        for entry in BuiltinPipelines.entries {
            let path = "\(output)/\(entry.name).png"
            switch entry.input {
            case .spectrograms:
                continue  // drawn below with its own sheet
            case .images, .imagesWithLabels:
                let pipeline = try BuiltinPipelines.displayPipeline(entry)
                var outputs: [ImageBatch] = []
                for variant in 0..<variants {
                    var batch = try AugmentBatch(images: scenes)
                    if case .imagesWithLabels = entry.input { batch.labels = sceneLabels }
                    outputs.append(try runner.apply(pipeline, to: batch, seed: 1000 + UInt64(variant)).images)
                }
                let cell = max(256, outputs.map { max($0.geometry.height, $0.geometry.width) }.max() ?? 256)
                var sheet = ContactSheet(
                    rows: rows, columns: variants + 1, cellWidth: cell, cellHeight: cell,
                    title: "\(entry.name): " + pipeline.transforms.map(\.opName).joined(separator: " + "),
                    columnCaptions: ["original"] + (0..<variants).map { "seed \(1000 + $0)" })
                for row in 0..<rows {
                    sheet.place(try BatchFiles.decoded(scenes, sample: row, path: path), row: row, column: 0)
                    for (column, images) in outputs.enumerated() {
                        sheet.place(
                            try BatchFiles.decoded(images, sample: row, path: path), row: row, column: column + 1)
                    }
                }
                try ImageCodecs.encodePNG(sheet.image, name: path).write(
                    to: URL(fileURLWithPath: path), options: .atomic)
                written.append(path)
            }
        }
        // Spectrograms before and after SpecAugment.
        if let entry = BuiltinPipelines.entries.first(where: {
            if case .spectrograms = $0.input { return true } else { return false }
        }) {
            let path = "\(output)/\(entry.name).png"
            let speech = try SyntheticSpeech.batch(count: rows, melBins: 80, frames: 300, seed: 2026)
            let pipeline = try BuiltinPipelines.displayPipeline(entry)
            let spectrogramVariants = min(variants, 3)
            let outputs = try (0..<spectrogramVariants).map {
                try runner.apply(pipeline, to: speech, seed: 1000 + UInt64($0))
            }
            let low: Float = -12, high: Float = 1
            var sheet = ContactSheet(
                rows: rows, columns: spectrogramVariants + 1, cellWidth: 300, cellHeight: 160,
                title: "\(entry.name): " + pipeline.transforms.map(\.opName).joined(separator: " + "),
                columnCaptions: ["original (log-mel, 80 x 300)"] + (0..<spectrogramVariants).map { "seed \(1000 + $0)" }
            )
            for row in 0..<rows {
                let per = 80 * 300
                sheet.place(
                    try Colormap.image(
                        speech.values[(row * per)..<((row + 1) * per)], rows: 80, columns: 300, low: low, high: high
                    )
                    .scaledVertically(by: 2), row: row, column: 0)
                for (column, result) in outputs.enumerated() {
                    sheet.place(
                        try Colormap.image(
                            result.values[(row * per)..<((row + 1) * per)], rows: 80, columns: 300, low: low, high: high
                        )
                        .scaledVertically(by: 2), row: row, column: column + 1)
                }
            }
            try ImageCodecs.encodePNG(sheet.image, name: path).write(to: URL(fileURLWithPath: path), options: .atomic)
            written.append(path)
        }
        // Clips (frames in a row), views and test-time augmentation.
        written.append(try MultiImageDemo.clips(runner: runner, output: output))
        written.append(try MultiImageDemo.views(runner: runner, output: output))
        written.append(try MultiImageDemo.tta(runner: runner, output: output))
        written.append(try MultiImageDemo.saliencyMix(runner: runner, output: output))
        written.append(try SignalDemo.sheet(runner: runner, output: output))
        print("pictures:")
        for path in written { print("  \(path)") }

        if picturesOnly { return }
        print(
            "throughput (batch 64: 256x256 uint8 images or 80x300 spectrograms -> training pipeline, end to end incl. transfers):"
        )
        let benchScenes = try SyntheticScenes.batch(count: 64, height: 256, width: 256, seed: 7)
        let benchLabels = try LabelBatch(classIDs: (0..<64).map { $0 % 1000 }, classCount: 1000)
        let benchSpeech = try SyntheticSpeech.batch(count: 64, melBins: 80, frames: 300, seed: 7)
        for entry in BuiltinPipelines.entries {
            let pipeline = try BuiltinPipelines.trainPipeline(entry)
            let run: (UInt64) throws -> Void
            switch entry.input {
            case .images: run = { _ = try runner.apply(pipeline, to: benchScenes, seed: $0) }
            case .imagesWithLabels:
                let batch = try AugmentBatch(images: benchScenes, labels: benchLabels)
                run = { _ = try runner.apply(pipeline, to: batch, seed: $0) }
            case .spectrograms: run = { _ = try runner.apply(pipeline, to: benchSpeech, seed: $0) }
            }
            try run(0)  // warm-up: builds the kernels
            var times: [Double] = []
            for seed in 1...5 {
                let start = Date()
                try run(UInt64(seed))
                times.append(Date().timeIntervalSince(start))
            }
            let median = times.sorted()[times.count / 2]
            print("  \(pad(entry.name, 22)) \(String(format: "%8.0f", 64 / median)) images/s")
        }
    }
}
