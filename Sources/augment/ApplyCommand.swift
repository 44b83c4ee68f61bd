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

/// Makes the backend a command asked for. `auto` falls back to the CPU with a warning on stderr,
/// but only when no device was named: a device named with `--device` or `AUGMENT_OPENCL_DEVICE`
/// that matches nothing is an error, whatever the backend.
func makeBackend(_ choice: BackendChoice, device: String?) throws -> any Backend {
    let environment = ProcessInfo.processInfo.environment[CLDeviceSelector.environmentVariable]
        .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
    switch choice {
    case .cpu:
        return CPUBackend()
    case .opencl:
        return try OpenCLBackend(selector: device.map(CLDeviceSelector.init(parsing:)) ?? .automatic)
    case .auto:
        do {
            return try OpenCLBackend(selector: device.map(CLDeviceSelector.init(parsing:)) ?? .automatic)
        } catch {
            if let device {
                throw AugmentError.backendUnavailable(
                    "--device \(device) matches no usable OpenCL device (\(describe(error).replacingOccurrences(of: "backend unavailable: ", with: ""))); see `augment devices`, or omit --device to let --backend auto fall back to the CPU"
                )
            }
            if let environment {
                throw AugmentError.backendUnavailable(
                    "\(CLDeviceSelector.environmentVariable)=\(environment) matches no usable OpenCL device (\(describe(error).replacingOccurrences(of: "backend unavailable: ", with: ""))); see `augment devices`, or unset it to let --backend auto fall back to the CPU"
                )
            }
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
            or (N, C, F, T), float32 signals (N, C, T) when the pipeline says "input": "signal"), a PNG/JPEG \
            file, or a folder of PNG/JPEG files (different sizes make a ragged batch; the pipeline must bring \
            them to one size). Outputs: .npy, a PNG/JPEG file (batch of one) or a folder, all written at the \
            end or not at all; an interrupt (Ctrl-C) removes what the run started. A 5-D .npy is a clip batch \
            (uint8 (N, T, H, W, C) or float32 (N, T, C, H, W)): each clip's frames share their parameters, the \
            output is 5-D too. A pipeline file with "views" writes one .npy per view group into the --output \
            folder. docs/pipelines.md lists every op.
            """
    )

    @Option(help: "Pipeline JSON file or built-in pipeline name (see `augment bench --help`).")
    var pipeline: String

    @Option(help: "Input: .npy, .png, .jpg or a folder of images (sizes may differ).")
    var input: String

    @Option(help: "Output: .npy, .png, .jpg or a folder (written all or nothing; see --force).")
    var output: String

    @Flag(
        help: "Replace outputs that exist (a folder is replaced as a whole). Without it an existing output is an error."
    )
    var force = false

    @Option(
        help:
            "Decode images as rgb (3 channels, alpha dropped), gray (1 channel) or unchanged (as stored, alpha kept), like torchvision's read_image."
    )
    var mode: ImageReadMode = .rgb

    @Option(
        help:
            "Largest image (height x width pixels) to decode; larger headers are refused before anything is allocated.")
    var maxPixels: Int = DecodeOptions.defaultMaxPixels

    @Option(
        help:
            "PNG bit depth to read: 8 (16-bit files scaled to 8 bits) or 16 (16-bit PNGs kept as uint16 raw values, e.g. depth in millimetres)."
    )
    var bitDepth: Int = 8

    @Flag(help: "Keep what decodes from truncated or corrupt JPEG data, with a warning, instead of failing.")
    var allowCorruptJpeg = false

    @Option(help: "Backend: auto (OpenCL, else CPU), opencl or cpu.")
    var backend: BackendChoice = .auto

    @Option(help: "OpenCL device (see `augment devices`); one that matches nothing is an error.")
    var device: String?

    @Option(help: "Seed (overrides the pipeline file's seed; default 0), 0 ... 18446744073709551615.")
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

    @Option(
        help:
            "Where to write the output labels, float32 (N, K) .npy (with views: any value; each group writes <output>/<name>_labels.npy)."
    )
    var outputLabels: String?

    @Option(help: "Number of classes for class-id labels (default: the mixing op's num_classes, else largest id + 1).")
    var numClasses: Int?

    func validate() throws {
        if outputLabels != nil, labels == nil {
            throw ValidationError("--output-labels needs --labels")
        }
        if record != nil, replay != nil {
            throw ValidationError("--record and --replay exclude each other")
        }
        if maxPixels < 1 {
            throw ValidationError("--max-pixels must be at least 1")
        }
    }

    func run() throws {
        let outputs = OutputTransaction(force: force)
        do {
            try runApply(outputs)
        } catch let error as ExitCode {
            outputs.rollback()
            throw error
        } catch {
            outputs.rollback()
            fail(describe(error))
        }
    }

    private func runApply(_ outputs: OutputTransaction) throws {
        let named = try NamedPipeline(pipeline)
        let file = named.file
        for warning in file.pipeline.warnings { warn(warning) }
        if file.input == .signal, file.views != nil || ClipFiles.isClipArray(input) {
            throw AugmentError.incompatible(
                "\(pipeline): \"input\": \"signal\" runs one pipeline over an (N, C, T) .npy; views and clips are not supported for signals"
            )
        }
        if let views = file.views {
            return try runViews(views, seed: seed ?? file.seed ?? 0, outputs: outputs)
        }
        if ClipFiles.isClipArray(input) {
            return try runClips(file.pipeline, seed: seed ?? file.seed ?? 0, outputs: outputs)
        }
        // Every destination is checked before any work, and written under a staging name.
        let stagedOutput = try outputs.stage(output, flag: "--output")
        let stagedLabels = try outputLabels.map { try outputs.stage($0, flag: "--output-labels") }
        let stagedRecord = try record.map { try outputs.stage($0, flag: "--record") }
        InterruptCleanup.install()

        let options = DecodeOptions(
            maxPixels: maxPixels, mode: mode, allowCorruptJPEG: allowCorruptJpeg, bitDepth: bitDepth)
        let loaded = try BatchFiles.load(input, options: options, warnings: warn)
        let signals = file.input == .signal  // (N, C, T) arrays: see SignalInput
        var batch = try AugmentBatch(images: signals ? SignalInput.signals(from: loaded, path: input) : loaded.images)
        if !signals, case .imageArray = loaded.kind, let values = loaded.images.float32Values,
            values.contains(where: { $0 > 1.5 })
        {
            warn(
                "\(input) holds float32 values above 1 (largest \(values.max() ?? 0)); float images are read on [0, 1] as in torchvision, so colour ops will clamp them. Divide by 255 first, or save uint8."
            )
        }
        let seed = self.seed ?? file.seed ?? 0
        if let labels {
            // Read before sampling: class-conditioned ops ({"p": {"by_class": ...}}) draw by class.
            batch.labels = try BatchFiles.loadLabels(labels, classCount: numClasses)
            guard batch.labels?.count == loaded.images.count else {
                throw IOError.invalidFile(
                    path: labels,
                    reason:
                        "--labels has \(batch.labels?.count ?? 0) labels for the \(loaded.images.count) samples of --input \(input)"
                )
            }
        }
        let sampled: SampledPipeline
        if let replay {
            sampled = try ParameterRecord.decode(readInput(replay), for: file.pipeline, name: replay)
        } else {
            sampled = try file.pipeline.sample(for: batch, seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex)
        }
        let plan = try sampled.plan(for: batch.images)
        if let labels, numClasses == nil,
            let mixClasses = plan.stages.lazy.compactMap({ stage -> Int? in
                stage.as(MixStage.self)?.classCount
            }).first
        {
            // Class ids take the mixing op's num_classes when --num-classes is not given.
            batch.labels = try BatchFiles.loadLabels(labels, classCount: mixClasses)
        }
        if batch.labels == nil, plan.stages.contains(where: { $0.is(MixStage.self) }) {
            throw AugmentError.incompatible(
                "\(pipeline) mixes labels along with the images (mixup/cutmix), but no labels were given; pass --labels labels.npy (and --output-labels to keep the mixed ones)"
            )
        }
        let runner = try makeBackend(backend, device: device)
        let start = Date()
        let result = try runner.run(plan, on: batch)
        let seconds = Date().timeIntervalSince(start)
        let floats = result.images.float32Values ?? result.images.float16Values?.map(Float.init)
        if let values = floats, ImageFileFormat(path: output) != nil || !output.lowercased().hasSuffix(".npy"),
            values.contains(where: { $0 < 0 || $0 > 1 })
        {
            warn("output values leave [0, 1] (normalized?); image files clamp them. Write a .npy file to keep them.")
        }
        let written = try BatchFiles.write(
            signals ? SignalInput.array(from: result.images) : result.images,
            to: stagedOutput, like: loaded)
        if let stagedLabels, let labels = result.labels {
            try BatchFiles.writeLabels(labels, to: stagedLabels)
        }
        if let stagedRecord {
            let data = try ParameterRecord.encode(
                sampled, seed: replay == nil ? seed : nil, epoch: epoch,
                firstSampleIndex: firstSampleIndex)
            try TemporaryFiles.write(data, to: stagedRecord)
        }
        try outputs.commit()
        if let record { print("parameters: \(record)") }
        if let outputLabels, let labels = result.labels {
            print("labels: \(outputLabels) (\(labels.count) x \(labels.classCount) float32)")
        }
        print(
            "\(batch.count) samples, \(file.pipeline.transforms.count) ops, \(plan.stages.count) passes on \(runner.name) in \(String(format: "%.1f", seconds * 1000)) ms"
        )
        print(
            "wrote \(written.count == 1 ? output : "\(written.count) files to \(output)") (\(result.images.shapeDescription))"
        )
    }

    /// 5-D .npy input: clips, parameters shared by each clip's frames.
    private func runClips(_ pipeline: Pipeline, seed: UInt64, outputs: OutputTransaction) throws {
        guard record == nil, replay == nil else {
            fail(
                "--record and --replay work on image batches; clips are sampled from --seed, --epoch and --first-sample-index (the first clip's index)"
            )
        }
        let stagedOutput = try outputs.stage(output, flag: "--output")
        let stagedLabels = try outputLabels.map { try outputs.stage($0, flag: "--output-labels") }
        InterruptCleanup.install()
        var clips = try ClipFiles.load(input)
        if let labels {
            let loaded = try BatchFiles.loadLabels(labels, classCount: numClasses)
            guard loaded.count == clips.count else {
                fail("\(labels): \(loaded.count) labels for \(clips.count) clips")
            }
            clips.labels = loaded
        }
        let sampled = try pipeline.sample(for: clips, seed: seed, epoch: epoch, firstClipIndex: firstSampleIndex)
        let plan = try sampled.plan(for: clips.frames)
        let runner = try makeBackend(backend, device: device)
        let start = Date()
        let result = try runner.run(plan, on: clips)
        let seconds = Date().timeIntervalSince(start)
        try ClipFiles.write(result, to: stagedOutput)
        if let stagedLabels, let labels = result.labels {
            try BatchFiles.writeLabels(labels, to: stagedLabels)
        }
        try outputs.commit()
        if let outputLabels, let labels = result.labels {
            print("labels: \(outputLabels) (\(labels.count) x \(labels.classCount) float32)")
        }
        print(
            "\(clips.count) clips of \(clips.frameCount) frames, \(pipeline.transforms.count) ops (\(pipeline.perFrameOpIndices.count) per frame), \(plan.stages.count) passes on \(runner.name) in \(String(format: "%.1f", seconds * 1000)) ms"
        )
        print("wrote \(output) (\(result.shapeDescription))")
    }

    /// A pipeline file with "views": one .npy file per view group in the output folder.
    private func runViews(_ views: MultiViewPipeline, seed: UInt64, outputs: OutputTransaction) throws {
        guard record == nil, replay == nil else {
            fail("--record and --replay work on single pipelines, not on view groups")
        }
        guard !output.lowercased().hasSuffix(".npy"), ImageFileFormat(path: output) == nil else {
            fail("--output must be a folder for a pipeline with views (one file per view group), got \(output)")
        }
        // The whole folder is staged and renamed into place at the end: all groups or none.
        let stagedFolder = try outputs.stage(output, flag: "--output")
        InterruptCleanup.install()
        let options = DecodeOptions(
            maxPixels: maxPixels, mode: mode, allowCorruptJPEG: allowCorruptJpeg, bitDepth: bitDepth)
        let loaded = try BatchFiles.load(input, options: options, warnings: warn)
        var batch = try AugmentBatch(images: loaded.images)
        if let labels {
            batch.labels = try BatchFiles.loadLabels(labels, classCount: numClasses)
            guard batch.labels?.count == loaded.images.count else {
                throw IOError.invalidFile(
                    path: labels,
                    reason:
                        "--labels has \(batch.labels?.count ?? 0) labels for the \(loaded.images.count) samples of --input \(input)"
                )
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: stagedFolder, withIntermediateDirectories: false)
        } catch {
            throw IOError.unwritable(path: output, reason: error.localizedDescription)
        }
        let runner = try makeBackend(backend, device: device)
        let start = Date()
        let groups = try runner.apply(views, to: batch, seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex)
        let seconds = Date().timeIntervalSince(start)
        print(
            "\(batch.count) samples, \(groups.count) view groups on \(runner.name) in \(String(format: "%.1f", seconds * 1000)) ms"
        )
        var lines: [String] = []
        for group in groups {
            try BatchFiles.write(group.batch.images, to: "\(stagedFolder)/\(group.name).npy", like: nil)
            lines.append(
                "  \(group.name): \(group.viewCount) views per sample -> \(output)/\(group.name).npy (\(group.batch.images.shapeDescription))"
            )
            if outputLabels != nil, let labels = group.batch.labels {
                try BatchFiles.writeLabels(labels, to: "\(stagedFolder)/\(group.name)_labels.npy")
                lines.append("  \(group.name): labels -> \(output)/\(group.name)_labels.npy")
            }
        }
        try outputs.commit()
        lines.forEach { print($0) }
    }

    private func readInput(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw IOError.unreadable(path: path, reason: error.localizedDescription)
        }
    }
}

extension ImageReadMode: ExpressibleByArgument {}
