import ArgumentParser
import Augment
import AugmentIO
import AugmentOpenCL
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure pipeline throughput: end-to-end and kernel-only images/s, bytes, bandwidth.",
        discussion: """
            Built-in pipelines: \(BuiltinPipelines.entries.map(\.name).joined(separator: ", ")). \
            End-to-end time covers sampling, upload, every kernel and download; kernel-only time is the \
            sum of OpenCL profiling events (the CPU backend reports its wall time for both). Bytes per \
            image count what every pass reads and writes; the fraction compares that traffic with the \
            device's measured copy bandwidth. Medians of --repeats runs after warm-up. With --json,             OpenCL objects also give kernel_seconds_per_batch: the median device seconds of each kernel.
            """
    )

    @Option(help: "A built-in pipeline name or a pipeline JSON file (default: all built-in pipelines).")
    var pipeline: String?

    @Option(help: "Images per batch.")
    var batch = 64

    @Option(help: "Input size HxW of images (default 256x256) and FxT of spectrograms (default 80x3000).")
    var size: String?

    @Option(help: "Backend: auto (OpenCL, else CPU), opencl or cpu.")
    var backend: BackendChoice = .auto

    @Option(help: "OpenCL device (see `augment devices`).")
    var device: String?

    @Option(help: "Timed runs per pipeline (the median is reported).")
    var repeats = 15

    @Flag(help: "Print one JSON object per pipeline instead of a table.")
    var json = false

    func validate() throws {
        guard size == nil || parseSize(size) != nil else { throw ValidationError("--size must look like 256x256") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    private func parseSize(_ text: String?) -> (Int, Int)? {
        guard let text else { return nil }
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 1, parts[1] >= 1 else { return nil }
        return (parts[0], parts[1])
    }

    func run() throws {
        do {
            try runBench()
        } catch let error as ExitCode {
            throw error
        } catch {
            fail(describe(error))
        }
    }

    private func runBench() throws {
        let runner = try makeBackend(backend, device: device)
        let opencl = runner as? OpenCLBackend
        let deviceName = opencl?.device.name ?? "cpu (\(ProcessInfo.processInfo.activeProcessorCount) threads)"
        let bandwidth = try opencl?.measureCopyBandwidth() ?? hostCopyBandwidth()

        var selected: [(String, Pipeline, BuiltinPipelines.Entry.Input)] = []
        if let name = pipeline {
            if let entry = BuiltinPipelines.entry(named: name) {
                selected = [(entry.name, try BuiltinPipelines.trainPipeline(entry), entry.input)]
            } else if FileManager.default.fileExists(atPath: name) {
                let file = try PipelineFile.parse(Data(contentsOf: URL(fileURLWithPath: name)), name: name)
                let stem = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
                // A file with views: each group's pipeline, one view per image (a group of count k
                // runs the same plan on k times the images).
                selected =
                    file.views?.groups.map { ("\(stem)/\($0.name)", $0.pipeline, .images) }
                    ?? [(stem, file.pipeline, .images)]
            } else {
                fail(
                    "no built-in pipeline or file named '\(name)'; built-in: \(BuiltinPipelines.entries.map(\.name).joined(separator: ", "))"
                )
            }
        } else {
            selected = try BuiltinPipelines.entries.map { ($0.name, try BuiltinPipelines.trainPipeline($0), $0.input) }
        }
        let (height, width) = parseSize(size) ?? (256, 256)
        let (bins, frames) = parseSize(size) ?? (80, 3000)
        if !json {
            print("device: \(deviceName)   backend: \(runner.name)")
            print(
                "batch \(batch), images \(height)x\(width)x3 uint8, spectrograms \(bins)x\(frames) float32, median of \(repeats) runs; copy bandwidth \(String(format: "%.1f", bandwidth / 1e9)) GB/s (read + write)"
            )
            print("")
            print(pad("pipeline", 22) + "  passes   end-to-end img/s   kernel img/s   bytes/img (moved)   % of copy bw")
            print(String(repeating: "-", count: 100))
        }
        let progress = ProgressBar(total: selected.count * (repeats + 2), enabled: !json && isatty(STDERR_FILENO) != 0)
        for (name, pipeline, input) in selected {
            var data: AugmentBatch
            switch input {
            case .spectrograms:
                data = try AugmentBatch(
                    images: ImageBatch.random(
                        count: batch, geometry: ImageGeometry(height: bins, width: frames, channels: 1),
                        pixelType: .float32, layout: .nchw, seed: 1))
            case .images, .imagesWithLabels:
                data = try AugmentBatch(
                    images: ImageBatch.random(
                        count: batch, geometry: ImageGeometry(height: height, width: width, channels: 3),
                        pixelType: .uint8, layout: .nhwc, seed: 1))
                if case .imagesWithLabels(let classes) = input {
                    data.labels = try LabelBatch(classIDs: (0..<batch).map { $0 % classes }, classCount: classes)
                }
            }
            var wall: [Double] = []
            var kernel: [Double] = []
            var transfer: [Double] = []
            var byKernel: [String: [Double]] = [:]
            var plan: Plan?
            for run in 0..<(repeats + 2) {
                progress.step(label: name)
                let start = DispatchTime.now().uptimeNanoseconds
                let sampled = try pipeline.sample(count: batch, geometry: data.images.geometry, seed: UInt64(run))
                let runPlan = try sampled.plan(for: data.images)
                var kernelSeconds: Double
                var transferSeconds = 0.0
                if let opencl {
                    let (_, timing) = try opencl.runProfiled(runPlan, on: data)
                    kernelSeconds = Double(timing.kernelNanoseconds) / 1e9
                    transferSeconds = Double(timing.uploadNanoseconds + timing.downloadNanoseconds) / 1e9
                    if run >= 2 {
                        for (name, nanoseconds) in timing.kernelNanosecondsByKernel {
                            byKernel[name, default: []].append(Double(nanoseconds) / 1e9)
                        }
                    }
                } else {
                    let kernelStart = DispatchTime.now().uptimeNanoseconds
                    _ = try runner.run(runPlan, on: data)
                    kernelSeconds = Double(DispatchTime.now().uptimeNanoseconds - kernelStart) / 1e9
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if run >= 2 {  // the first runs build kernels and warm caches
                    wall.append(seconds)
                    kernel.append(kernelSeconds)
                    transfer.append(transferSeconds)
                }
                plan = runPlan
            }
            guard let plan else { continue }
            let endToEnd = Double(batch) / median(wall)
            let kernelRate = Double(batch) / median(kernel)
            let compulsory =
                data.images.geometry.elementCount * data.images.pixelType.byteCount
                + plan.outputGeometry.elementCount * plan.output.pixelType.byteCount
            let moved = plan.bytesMovedPerSample
            let fraction = bandwidth > 0 ? kernelRate * Double(moved) / bandwidth : 0
            progress.clear()
            if json {
                var object: [String: Any] = [
                    "pipeline": name, "device": deviceName, "backend": runner.name, "batch": batch,
                    "size": [data.images.geometry.height, data.images.geometry.width],
                    "images_per_second": endToEnd.rounded(), "kernel_images_per_second": kernelRate.rounded(),
                    "passes": plan.passes, "bytes_per_image": compulsory, "bytes_moved_per_image": moved,
                    "copy_bandwidth_bytes_per_second": bandwidth.rounded(),
                    "transfer_seconds_per_batch": (median(transfer) * 1e6).rounded() / 1e6,
                    "fraction_of_copy_bandwidth": (fraction * 1000).rounded() / 1000,
                ]
                if let opencl {
                    // Which implementation produced the figure: compilers differ far more than devices.
                    object["platform"] = opencl.device.platform.name
                    object["platform_version"] = opencl.device.platform.version
                    object["driver_version"] = opencl.device.driverVersion
                    object["device_version"] = opencl.device.version
                    // Median device seconds per batch of each kernel: where the kernel time goes.
                    object["kernel_seconds_per_batch"] = byKernel.mapValues { (median($0) * 1e6).rounded() / 1e6 }
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(
                    pad(name, 22) + "  " + pad("\(plan.passes)", 6) + "   "
                        + pad(String(format: "%10.0f", endToEnd), 16)
                        + "   " + pad(String(format: "%10.0f", kernelRate), 12) + "   "
                        + pad("\(compulsory) (\(moved))", 18) + "   " + String(format: "%5.1f%%", fraction * 100))
            }
        }
        progress.clear()
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    /// memcpy bandwidth of the host (read + write bytes per second), the CPU backend's ceiling.
    private func hostCopyBandwidth() -> Double {
        let count = 64 << 20
        let source = [UInt8](repeating: 1, count: count)
        var destination = [UInt8](repeating: 0, count: count)
        var times: [Double] = []
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            destination.withUnsafeMutableBytes { out in source.withUnsafeBytes { out.copyMemory(from: $0) } }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(2 * count) / median(times)
    }
}

/// A one-line progress bar on stderr, drawn only on a terminal.
final class ProgressBar {
    private let total: Int
    private let enabled: Bool
    private var done = 0

    init(total: Int, enabled: Bool) {
        self.total = max(1, total)
        self.enabled = enabled
    }

    func step(label: String) {
        done += 1
        guard enabled else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) \(label)    ".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(String(repeating: " ", count: 80))\r".utf8))
    }
}
