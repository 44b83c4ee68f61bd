import ArgumentParser
import Augment
import AugmentOpenCL
import Foundation

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show how a pipeline compiles: passes (kernel launches), and bytes moved per sample.",
        discussion: """
            Geometric chains become one warp, per-pixel ops ride in its epilogue; neighbourhood ops, \
            per-image reductions and cross-sample ops add passes. Compare the bytes moved with the \
            compulsory bytes (input read once, output written once).
            """
    )

    @Option(help: "A pipeline JSON file or a built-in pipeline name.")
    var pipeline: String

    @Option(help: "Input size HxW (images; default 256x256) or FxT (spectrograms; default 80x300).")
    var size: String?

    @Option(help: "Input channels (default 3 for images, 1 for spectrograms).")
    var channels: Int?

    @Option(help: "Input element type: uint8 or float32 (default uint8 for images, float32 for spectrograms).")
    var dtype: String?

    @Flag(help: "Also run the plan once on the OpenCL device and report the kernel launches it took.")
    var launches = false

    @Option(help: "OpenCL device for --launches (see `augment devices`).")
    var device: String?

    @Option(help: "Samples to draw parameters for: per-sample choices (one_of, rand_augment, ...) shape the plan.")
    var batch = 1

    func run() throws {
        do {
            let named = try NamedPipeline(pipeline)
            let parsed = named.file.pipeline
            if let views = named.file.views, views.groups.count > 1 {
                warn(
                    "\(pipeline) declares \(views.groups.count) view groups; planning the first ('\(views.groups[0].name)'), one view per image"
                )
            }
            for warning in parsed.warnings { warn(warning) }
            let spectrogram: Bool
            if case .spectrograms = named.input { spectrogram = true } else { spectrogram = false }
            let size = self.size ?? (spectrogram ? "80x300" : "256x256")
            let channels = self.channels ?? (spectrogram ? 1 : 3)
            let dtype = self.dtype ?? (spectrogram ? "float32" : "uint8")
            let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts.allSatisfy({ (1...65536).contains($0) }),
                let pixelType = PixelType(rawValue: dtype),
                pixelType != .float16, (1...64).contains(channels)
            else {
                fail(
                    "--size must look like 256x256 (height x width, each 1...65536), --channels be 1...64 and --dtype be uint8 or float32"
                )
            }
            if spectrogram { print("input: a spectrogram batch (frequency bins x time frames)") }
            let geometry = ImageGeometry(height: parts[0], width: parts[1], channels: channels)
            let layout: ImageLayout = pixelType == .uint8 ? .nhwc : .nchw
            let sampled = try parsed.sample(count: max(1, batch), geometry: geometry, seed: 0)
            let plan = try sampled.plan(inputPixelType: pixelType, inputLayout: layout)
            let compulsory =
                geometry.elementCount * pixelType.byteCount + plan.outputGeometry.elementCount
                * plan.output.pixelType.byteCount
            print("pipeline: " + parsed.transforms.map(\.opName).joined(separator: " -> "))
            print(
                "input: \(pixelType.rawValue) \(layout.rawValue.uppercased()) \(geometry); output: \(plan.output) \(plan.outputGeometry)"
            )
            for line in plan.summary { print("  " + line) }
            print(
                "\(plan.passes) pass\(plan.passes == 1 ? "" : "es") over memory, \(plan.bytesMovedPerSample) bytes moved per sample; compulsory \(compulsory) (\(String(format: "%.2f", Double(plan.bytesMovedPerSample) / Double(max(1, compulsory))))x)"
            )
            if launches {
                // A pass may take more than one launch on some devices (per flip direction; on CPU
                // devices a general warp carrying colour runs as three kernels): measure it.
                let backend = try OpenCLBackend(selector: device.map(CLDeviceSelector.init(parsing:)) ?? .automatic)
                let input = try ImageBatch.random(
                    count: batch, geometry: geometry, pixelType: pixelType, layout: layout, seed: 1)
                let realPlan = try parsed.sample(count: batch, geometry: geometry, seed: 0).plan(for: input)
                let (_, timing) = try backend.runProfiled(realPlan, on: input)
                print("on \(backend.device.name): \(timing.launches) kernel launches for a batch of \(batch)")
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            fail(describe(error))
        }
    }
}
