import ArgumentParser
import Augment
import AugmentIO
import AugmentOpenCL
import Foundation

/// Which backend a command runs on.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable {
    /// OpenCL when a device exists, else the CPU backend with a warning.
    case auto
    case opencl
    case cpu
}

/// Makes the backend a command asked for. `auto` falls back to the CPU with a warning on stderr.
func makeBackend(_ choice: BackendChoice, device: String?) throws -> any Backend {
    switch choice {
    case .cpu:
        return CPUBackend()
    case .opencl:
        return try OpenCLBackend(selector: device.map(CLDeviceSelector.init(parsing:)) ?? .automatic)
    case .auto:
        do {
            return try OpenCLBackend(selector: device.map(CLDeviceSelector.init(parsing:)) ?? .automatic)
        } catch {
            warn("no usable OpenCL device (\(describe(error))); running on the CPU backend")
            return CPUBackend()
        }
    }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("augment: warning: \(message)\n".utf8))
}

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run a pipeline file on .npy arrays, PNG/JPEG images or folders of them.",
        discussion: """
            Inputs: .npy (uint8 NHWC images, float32 NCHW images in [0, 1], float32 spectrograms (N, F, T) \
            or (N, C, F, T), float32 signals (N, C, T) when the pipeline says "input": "signal"), a PNG/JPEG file, or a folder of PNG/JPEG files of one size. Outputs: .npy, a \
            PNG/JPEG file (batch of one) or a folder. A 5-D .npy is a clip batch (uint8 (N, T, H, W, C) or \
            float32 (N, T, C, H, W)): each clip's frames share their parameters, the output is 5-D too. A \
            pipeline file with "views" writes one .npy per view group into the --output folder. \
            docs/pipelines.md lists every op.
            """
    )

    @Option(help: "Pipeline JSON file.")
    var pipeline: String

    @Option(help: "Input: .npy, .png, .jpg or a folder of images.")
    var input: String

    @Option(help: "Output: .npy, .png, .jpg or a folder.")
    var output: String

    @Option(help: "Backend: auto (OpenCL, else CPU), opencl or cpu.")
    var backend: BackendChoice = .auto

    @Option(help: "OpenCL device (see `augment devices`).")
    var device: String?

    @Option(help: "Seed (overrides the pipeline file's seed; default 0).")
    var seed: UInt64?

    @Option(help: "Epoch, part of every sample's random key.")
    var epoch: UInt64 = 0

    @Option(help: "Global index of the first sample, part of every sample's random key.")
    var firstSampleIndex: UInt64 = 0

    @Option(help: "Write the sampled parameters of every op and sample to this JSON file.")
    var record: String?

    @Option(help: "Replay parameters recorded with --record instead of sampling.")
    var replay: String?

    @Option(help: "Labels: int32/int64 class ids (N,) or float32 soft labels (N, K) in a .npy file.")
    var labels: String?

    @Option(help: "Where to write the output labels, float32 (N, K) .npy (with views: any value; each group writes <output>/<name>_labels.npy).")
    var outputLabels: String?

    @Option(help: "Number of classes for class-id labels (default: largest id + 1).")
    var numClasses: Int?

    func validate() throws {
        if outputLabels != nil, labels == nil {
            throw ValidationError("--output-labels needs --labels")
        }
        if record != nil, replay != nil {
            throw ValidationError("--record and --replay exclude each other")
        }
    }

    func run() throws {
        do {
            try runApply()
        } catch let error as ExitCode {
            throw error
        } catch {
            fail(describe(error))
        }
    }

    private func runApply() throws {
        let file = try PipelineFile.parse(readInput(pipeline), name: pipeline)
        if file.input == .signal, file.views != nil || ClipFiles.isClipArray(input) {
            fail("\(pipeline): \"input\": \"signal\" runs one pipeline over an (N, C, T) .npy; views and clips are not supported for signals")
        }
        if let views = file.views {
            return try runViews(views, seed: seed ?? file.seed ?? 0)
        }
        if ClipFiles.isClipArray(input) {
            return try runClips(file.pipeline, seed: seed ?? file.seed ?? 0)
        }
        let loaded = try BatchFiles.load(input)
        let signals = file.input == .signal  // (N, C, T) arrays: see SignalInput
        var batch = try AugmentBatch(images: signals ? SignalInput.signals(from: loaded, path: input) : loaded.images)
        if let labels {
            batch.labels = try BatchFiles.loadLabels(labels, classCount: numClasses)
            guard batch.labels?.count == loaded.images.count else {
                fail("\(labels): \(batch.labels?.count ?? 0) labels for \(loaded.images.count) samples")
            }
        }
        let seed = self.seed ?? file.seed ?? 0
        let sampled: SampledPipeline
        if let replay {
            sampled = try ParameterRecord.decode(readInput(replay), for: file.pipeline, name: replay)
        } else {
            sampled = try file.pipeline.sample(count: batch.count, geometry: batch.images.geometry, seed: seed,
                                               epoch: epoch, firstSampleIndex: firstSampleIndex)
        }
        let plan = try sampled.plan(for: batch.images)
        let runner = try makeBackend(backend, device: device)
        let start = Date()
        let result = try runner.run(plan, on: batch)
        let seconds = Date().timeIntervalSince(start)
        if let record {
            try ParameterRecord.encode(sampled, seed: replay == nil ? seed : nil, epoch: epoch,
                                       firstSampleIndex: firstSampleIndex)
                .write(to: URL(fileURLWithPath: record), options: .atomic)
            print("parameters: \(record)")
        }
        let floats = result.images.float32Values ?? result.images.float16Values?.map(Float.init)
        if let values = floats, ImageFileFormat(path: output) != nil || !output.lowercased().hasSuffix(".npy"),
           values.contains(where: { $0 < 0 || $0 > 1 }) {
            warn("output values leave [0, 1] (normalized?); image files clamp them. Write a .npy file to keep them.")
        }
        let written = try BatchFiles.write(signals ? SignalInput.array(from: result.images) : result.images,
                                           to: output, like: loaded)
        if let outputLabels, let labels = result.labels {
            try BatchFiles.writeLabels(labels, to: outputLabels)
            print("labels: \(outputLabels) (\(labels.count) x \(labels.classCount) float32)")
        }
        print("\(batch.count) samples, \(file.pipeline.transforms.count) ops, \(plan.stages.count) passes on \(runner.name) in \(String(format: "%.1f", seconds * 1000)) ms")
        print("wrote \(written.count == 1 ? written[0] : "\(written.count) files to \(output)") (\(result.images.shapeDescription))")
    }

    /// 5-D .npy input: clips, parameters shared by each clip's frames.
    private func runClips(_ pipeline: Pipeline, seed: UInt64) throws {
        guard record == nil, replay == nil else {
            fail("--record and --replay work on image batches; clips are sampled from --seed, --epoch and --first-sample-index (the first clip's index)")
        }
        var clips = try ClipFiles.load(input)
        if let labels {
            let loaded = try BatchFiles.loadLabels(labels, classCount: numClasses)
            guard loaded.count == clips.count else { fail("\(labels): \(loaded.count) labels for \(clips.count) clips") }
            clips.labels = loaded
        }
        let sampled = try pipeline.sample(for: clips, seed: seed, epoch: epoch, firstClipIndex: firstSampleIndex)
        let plan = try sampled.plan(for: clips.frames)
        let runner = try makeBackend(backend, device: device)
        let start = Date()
        let result = try runner.run(plan, on: clips)
        let seconds = Date().timeIntervalSince(start)
        try ClipFiles.write(result, to: output)
        if let outputLabels, let labels = result.labels {
            try BatchFiles.writeLabels(labels, to: outputLabels)
            print("labels: \(outputLabels) (\(labels.count) x \(labels.classCount) float32)")
        }
        print("\(clips.count) clips of \(clips.frameCount) frames, \(pipeline.transforms.count) ops (\(pipeline.perFrameOpIndices.count) per frame), \(plan.stages.count) passes on \(runner.name) in \(String(format: "%.1f", seconds * 1000)) ms")
        print("wrote \(output) (\(result.shapeDescription))")
    }

    /// A pipeline file with "views": one .npy file per view group in the output folder.
    private func runViews(_ views: MultiViewPipeline, seed: UInt64) throws {
        guard record == nil, replay == nil else {
            fail("--record and --replay work on single pipelines, not on view groups")
        }
        guard !output.lowercased().hasSuffix(".npy"), ImageFileFormat(path: output) == nil else {
            fail("--output must be a folder for a pipeline with views (one file per view group), got \(output)")
        }
        let loaded = try BatchFiles.load(input)
        var batch = try AugmentBatch(images: loaded.images)
        if let labels {
            batch.labels = try BatchFiles.loadLabels(labels, classCount: numClasses)
            guard batch.labels?.count == loaded.images.count else {
                fail("\(labels): \(batch.labels?.count ?? 0) labels for \(loaded.images.count) samples")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw IOError.unwritable(path: output, reason: error.localizedDescription)
        }
        let runner = try makeBackend(backend, device: device)
        let start = Date()
        let groups = try runner.apply(views, to: batch, seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex)
        let seconds = Date().timeIntervalSince(start)
        print("\(batch.count) samples, \(groups.count) view groups on \(runner.name) in \(String(format: "%.1f", seconds * 1000)) ms")
        for group in groups {
            let path = "\(output)/\(group.name).npy"
            try BatchFiles.write(group.batch.images, to: path, like: nil)
            print("  \(group.name): \(group.viewCount) views per sample -> \(path) (\(group.batch.images.shapeDescription))")
            if outputLabels != nil, let labels = group.batch.labels {
                let labelPath = "\(output)/\(group.name)_labels.npy"
                try BatchFiles.writeLabels(labels, to: labelPath)
                print("  \(group.name): labels -> \(labelPath)")
            }
        }
    }

    private func readInput(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw IOError.unreadable(path: path, reason: error.localizedDescription)
        }
    }
}
