import ArgumentParser
import Augment
import AugmentOpenCL
import Foundation
import _AugmentScaffolding

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run every registered transform on the CPU and OpenCL backends and compare.",
        discussion: """
            Each transform runs on random batches of several shapes (batch 1, odd sizes, 1, 3 and 4 \
            channels) and input/output formats, with the same sampled parameters on both backends and \
            outputs poisoned first. Float outputs must agree within 1e-5 (float16: or one float16 step), \
            uint8 outputs exactly. Exits 1 \
            on any mismatch.
            """
    )

    @Option(help: "OpenCL device: index from `augment devices`, PLATFORM:DEVICE, gpu, cpu or part of a name.")
    var device: String?

    @Option(help: "Seed for the random inputs and parameters.")
    var seed: UInt64 = 2024

    @Option(help: "Only transforms whose name contains this text.")
    var only: String?

    @Option(
        help:
            "Input shapes: full (batch 1, odd sizes, 1, 3 and 4 channels, up to 65x70), or small (the same kinds of shape, at most 9x11: for slow devices such as the Oclgrind simulator). Never fewer transforms or formats."
    )
    var shapes: ShapeSet = .full

    enum ShapeSet: String, ExpressibleByArgument, CaseIterable {
        case full, small
    }

    func run() throws {
        let backend: OpenCLBackend
        do {
            backend = try OpenCLBackend(selector: device.map(CLDeviceSelector.init(parsing:)) ?? .automatic)
        } catch {
            fail(describe(error))
        }
        print("reference: cpu    candidate: \(backend.name)")
        print("kernels: \(backend.kernels.origin)")
        print("")

        let shapes: [(count: Int, geometry: ImageGeometry)]
        switch self.shapes {
        case .full:
            shapes = [
                (1, ImageGeometry(height: 1, width: 1, channels: 3)),
                (1, ImageGeometry(height: 37, width: 53, channels: 3)),
                (4, ImageGeometry(height: 17, width: 29, channels: 1)),
                (3, ImageGeometry(height: 24, width: 31, channels: 4)),
                (2, ImageGeometry(height: 65, width: 70, channels: 3)),
            ]
        case .small:
            shapes = [
                (1, ImageGeometry(height: 1, width: 1, channels: 3)),
                (1, ImageGeometry(height: 9, width: 11, channels: 3)),
                (3, ImageGeometry(height: 5, width: 7, channels: 1)),
                (2, ImageGeometry(height: 6, width: 5, channels: 4)),
            ]
        }
        let launchesBefore = backend.context.launchCount
        let formats: [(input: (PixelType, ImageLayout), output: OutputFormat)] = [
            ((.uint8, .nhwc), .float32NCHW),
            ((.float32, .nchw), .float32NCHW),
            ((.uint8, .nhwc), .uint8NHWC),
            ((.float32, .nchw), .uint8NHWC),
            ((.uint8, .nchw), OutputFormat(pixelType: .float32, layout: .nhwc)),
            ((.uint8, .nhwc), .float16NCHW),
            // uint16 (raw values, depth maps): only entries that list it (depth_uint16).
            ((.uint16, .nhwc), .uint16NHWC),
            ((.uint16, .nhwc), .float32NCHW),
        ]

        let entries = TransformCatalog.entries.filter { only == nil || $0.name.contains(only!) }
        guard !entries.isEmpty else { fail("no registered transform matches '\(only ?? "")'") }
        let nameWidth = max(28, entries.map(\.name.count).max() ?? 0)
        print(pad("transform", nameWidth) + "  cases   max|diff| float32   uint8 mismatches   result")
        print(String(repeating: "-", count: nameWidth + 58))

        var failures = 0
        var caseSeed = seed
        for entry in entries {
            var cases = 0
            var floatMax = 0.0
            var byteMismatches = 0
            var problems: [String] = []
            for shape in shapes {
                for format in formats {
                    caseSeed &+= 1
                    let geometry = entry.inputGeometry(for: shape.geometry)  // signals: C x (H·W)
                    do {
                        var random = RandomStream(RandomKey(seed: caseSeed, sampleIndex: 0, opIndex: 1))
                        var pipeline = try entry.makePipeline(geometry, &random)
                        pipeline.output = format.output
                        if pipeline.transforms.contains(where: { $0 is Normalize }), format.output.pixelType == .uint8 {
                            continue  // normalize needs a float output (an error by design)
                        }
                        if !entry.pixelTypes.contains(format.input.0) { continue }
                        if !entry.supports(geometry) { continue }
                        let input = try entry.makeBatch(
                            count: shape.count, geometry: geometry,
                            pixelType: format.input.0, layout: format.input.1, seed: caseSeed)
                        let (result, _, _) = try Parity.check(
                            pipeline, on: input, seed: caseSeed,
                            reference: CPUBackend(), candidate: backend)
                        cases += 1
                        if format.output.pixelType == .uint8 || format.output.pixelType == .uint16 {
                            byteMismatches += result.elementsOverTolerance
                        } else {
                            floatMax = max(floatMax, result.maxAbsDifference)
                        }
                        if !result.passed {
                            problems.append(
                                "\(shape.count)x\(geometry) \(format.input.0.rawValue)->\(format.output): \(result)")
                        }
                    } catch {
                        problems.append("\(shape.count)x\(geometry): \(describe(error))")
                    }
                }
            }
            let ok = problems.isEmpty
            if !ok { failures += 1 }
            print(
                pad(entry.name, nameWidth) + "  " + pad("\(cases)", 5) + "   "
                    + pad(String(format: "%.3g", floatMax), 17) + "   " + pad("\(byteMismatches)", 16)
                    + "   " + (ok ? "ok" : "MISMATCH"))
            for problem in problems.prefix(5) { print("    \(problem)") }
        }
        print("")
        let launches = backend.context.launchCount - launchesBefore
        print(
            "\(launches) kernel launches on \(backend.device.name) (\(backend.device.platform.name), driver \(backend.device.driverVersion))"
        )
        if launches == 0 {
            print("no kernel ran on the device: nothing was compared")
            throw ExitCode(1)
        }
        if failures > 0 {
            print("\(failures) of \(entries.count) transforms disagree between cpu and opencl")
            throw ExitCode(1)
        }
        print(
            "all \(entries.count) transforms agree (float32 within \(Parity.floatTolerance), float16 within it or one float16 step, uint8 and uint16 exact)"
        )
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
