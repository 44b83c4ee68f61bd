import Augment
import AugmentTestSupport
import Foundation
import Testing

private func scratchFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "augment-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

private func listing(_ folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

/// The shape in a .npy file's header.
private func npyShape(_ path: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let header = String(decoding: data.prefix(128), as: UTF8.self)
    guard let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else { return "" }
    return String(header[open...close])
}

/// `augment apply` as a new user runs it: photos of mixed sizes and kinds, built-in names,
/// outputs that exist, missing folders, interrupts.
@Suite struct CLIRobustTests {
    @Test func aFolderOfMixedPhotosRunsTheBuiltInPipelineAsRGB() throws {
        let folder = try scratchFolder("mixed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try uniformPNG(width: 300, height: 240, colorType: 2, fill: 120).write(
            to: photos.appendingPathComponent("a.png"))
        try uniformPNG(width: 256, height: 256, colorType: 6, fill: 200).write(
            to: photos.appendingPathComponent("b.png"))
        try uniformPNG(width: 250, height: 320, colorType: 0, fill: 40).write(
            to: photos.appendingPathComponent("c.png"))
        let out = folder.appendingPathComponent("out.npy").path
        let run = try runAugmentCLI([
            "apply", "--pipeline", "imagenet", "--input", photos.path, "--output", out, "--backend", "cpu",
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(try npyShape(out) == "(3, 3, 224, 224)")
        #expect(try listing(folder) == ["out.npy", "photos"])
        // unchanged keeps 3, 4 and 1 channels: they cannot share a batch, and the message says what to do.
        let unchanged = try runAugmentCLI([
            "apply", "--pipeline", "imagenet", "--input", photos.path, "--output",
            folder.appendingPathComponent("u.npy").path, "--backend", "cpu", "--mode", "unchanged",
        ])
        #expect(unchanged.status == 1)
        #expect(unchanged.output.contains("--mode rgb"), "\(unchanged.output)")
        #expect(try listing(folder) == ["out.npy", "photos"])
    }

    @Test func existingOutputsNeedForceAndAFailedRunWritesNothing() throws {
        let folder = try scratchFolder("force")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png").path
        try uniformPNG(width: 8, height: 6, colorType: 2, fill: 10).write(to: URL(fileURLWithPath: input))
        let pipeline = folder.appendingPathComponent("p.json").path
        try Data(#"{"output": {"dtype": "uint8", "layout": "nhwc"}, "ops": [{"op": "hflip"}]}"#.utf8).write(
            to: URL(fileURLWithPath: pipeline))
        let out = folder.appendingPathComponent("out.png").path
        let base = ["apply", "--pipeline", pipeline, "--input", input, "--output", out, "--backend", "cpu"]
        #expect(try runAugmentCLI(base).status == 0)
        let again = try runAugmentCLI(base)
        #expect(again.status == 1)
        #expect(again.output.contains("already exists; pass --force"), "\(again.output)")
        #expect(try runAugmentCLI(base + ["--force"]).status == 0)
        // --record into a missing folder fails before the work, naming the flag; nothing is written.
        let missing = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output",
            folder.appendingPathComponent("new.png").path, "--backend", "cpu",
            "--record", folder.appendingPathComponent("nowhere/params.json").path,
        ])
        #expect(missing.status == 1)
        #expect(
            missing.output.contains("--record: the folder") && missing.output.contains("does not exist"),
            "\(missing.output)")
        #expect(!missing.output.contains("NSError") && !missing.output.contains("Error Domain"))
        // Labels that do not fit: neither images nor labels are written.
        let labels = folder.appendingPathComponent("labels.npy").path
        var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8))
        npy.append(contentsOf: [UInt8](repeating: 0, count: 16))
        try npy.write(to: URL(fileURLWithPath: labels))
        let mismatch = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output", folder.appendingPathComponent("x.png").path,
            "--labels", labels, "--output-labels", folder.appendingPathComponent("y.npy").path, "--backend", "cpu",
        ])
        #expect(mismatch.status == 1)
        #expect(mismatch.output.contains("--labels has 2 labels for the 1 samples"), "\(mismatch.output)")
        #expect(try listing(folder) == ["in.png", "labels.npy", "out.png", "p.json"])
    }

    @Test func mixingWithoutLabelsNamesTheFlag() throws {
        let folder = try scratchFolder("mix")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png").path
        try uniformPNG(width: 8, height: 8, colorType: 2, fill: 10).write(to: URL(fileURLWithPath: input))
        let run = try runAugmentCLI([
            "apply", "--pipeline", "mixup_cutmix", "--input", input, "--output",
            folder.appendingPathComponent("o.npy").path, "--backend", "cpu",
        ])
        #expect(run.status == 1)
        #expect(run.output.contains("pass --labels") && !run.output.contains("LabelBatch("), "\(run.output)")
    }

    @Test func aNamedDeviceThatMatchesNothingIsAnError() throws {
        let folder = try scratchFolder("device")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png").path
        try uniformPNG(width: 256, height: 256, colorType: 2, fill: 10).write(to: URL(fileURLWithPath: input))
        let out = folder.appendingPathComponent("o.npy").path
        let named = try runAugmentCLI([
            "apply", "--pipeline", "crop_flip_normalize", "--input", input, "--output", out, "--device", "7",
        ])
        #expect(named.status == 1)
        #expect(named.output.contains("--device 7 matches no usable OpenCL device"), "\(named.output)")
        let environment = try runAugmentCLI(
            ["apply", "--pipeline", "crop_flip_normalize", "--input", input, "--output", out],
            environment: ["AUGMENT_OPENCL_DEVICE": "no-such-device-anywhere"])
        #expect(environment.status == 1)
        #expect(
            environment.output.contains(
                "AUGMENT_OPENCL_DEVICE=no-such-device-anywhere matches no usable OpenCL device"),
            "\(environment.output)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func floatInputOn0To255AndColourAfterNormalizeAreReported() throws {
        let folder = try scratchFolder("scale")
        defer { try? FileManager.default.removeItem(at: folder) }
        var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 2, 2), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8))
        [Float](repeating: 200, count: 12).withUnsafeBytes { npy.append(contentsOf: $0) }
        let input = folder.appendingPathComponent("in.npy").path
        try npy.write(to: URL(fileURLWithPath: input))
        let pipeline = folder.appendingPathComponent("p.json").path
        try Data(
            #"{"ops": [{"op": "normalize", "mean": [0.5, 0.5, 0.5], "std": [0.2, 0.2, 0.2]}, {"op": "adjust_contrast", "contrast_factor": 1.5}]}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: pipeline))
        let run = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output",
            folder.appendingPathComponent("o.npy").path, "--backend", "cpu",
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(
            run.output.contains("holds float32 values above 1 (largest 200.0)") && run.output.contains("Divide by 255"),
            "\(run.output)")
        #expect(run.output.contains("ops[1] (adjust_contrast) comes after normalize (ops[0])"), "\(run.output)")
    }

    @Test func planOfSpecAugmentPlansASpectrogram() throws {
        let run = try runAugmentCLI(["plan", "--pipeline", "specaugment"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("input: float32 NCHW 80x300x1"), "\(run.output)")
    }

    @Test func anInterruptedRunLeavesNoOutputAndNoTemporaryFile() throws {
        let folder = try scratchFolder("interrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for i in 0..<48 {
            try uniformPNG(width: 160, height: 128, colorType: 2, fill: UInt8(i * 5)).write(
                to: photos.appendingPathComponent(String(format: "%03d.png", i)))
        }
        let pipeline = folder.appendingPathComponent("slow.json").path
        try Data(
            #"{"output": {"dtype": "uint8", "layout": "nhwc"}, "ops": [{"op": "gaussian_blur", "kernel_size": 31, "sigma": 9}, {"op": "gaussian_blur", "kernel_size": 31, "sigma": 9}, {"op": "gaussian_blur", "kernel_size": 31, "sigma": 9}]}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: pipeline))
        let out = folder.appendingPathComponent("out")
        for signal in [SIGINT, SIGTERM] {
            let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let executable = try #require(
                [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("augment") }
                    .first { FileManager.default.isExecutableFile(atPath: $0.path) })
            let process = Process()
            process.executableURL = executable
            process.arguments = [
                "apply", "--pipeline", pipeline, "--input", photos.path, "--output", out.path, "--backend", "cpu",
                "--record", folder.appendingPathComponent("params.json").path,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(700_000)
            #expect(process.isRunning, "the run must still be working when interrupted")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            #expect(process.terminationStatus == 128 + signal)
            #expect(try listing(folder) == ["photos", "slow.json"])
        }
    }
}
