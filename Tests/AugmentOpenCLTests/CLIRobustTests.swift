import Augment
import Foundation
import Testing

/// A PNG with its rows in stored deflate blocks (8-bit; colour type 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA).
private func png(width: Int, height: Int, colorType: UInt8, fill: UInt8) -> Data {
    let channels = [0: 1, 2: 3, 4: 2, 6: 4][Int(colorType)]!
    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
    func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return be32(UInt32(body.count)) + typed + be32(crc32(typed))
    }
    var raw: [UInt8] = []
    for _ in 0..<height { raw += [0] + [UInt8](repeating: fill, count: width * channels) }
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
    var stream: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let n = min(65535, raw.count - offset)
        let last: UInt8 = offset + n == raw.count ? 1 : 0
        let length = UInt16(n)
        stream += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        stream += raw[offset..<(offset + n)]
        offset += n
    } while offset < raw.count
    stream += be32(b << 16 | a)
    let header: [UInt8] = be32(UInt32(width)) + be32(UInt32(height)) + [8, colorType, 0, 0, 0]
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    return Data(signature + chunk("IHDR", header) + chunk("IDAT", stream) + chunk("IEND", []))
}

private func scratchFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("augment-\(name)-\(UInt32.random(in: 0...UInt32.max))")
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
        try png(width: 300, height: 240, colorType: 2, fill: 120).write(to: photos.appendingPathComponent("a.png"))
        try png(width: 256, height: 256, colorType: 6, fill: 200).write(to: photos.appendingPathComponent("b.png"))
        try png(width: 250, height: 320, colorType: 0, fill: 40).write(to: photos.appendingPathComponent("c.png"))
        let out = folder.appendingPathComponent("out.npy").path
        let run = try runAugmentCLI(["apply", "--pipeline", "imagenet", "--input", photos.path, "--output", out, "--backend", "cpu"])
        #expect(run.status == 0, "\(run.output)")
        #expect(try npyShape(out) == "(3, 3, 224, 224)")
        #expect(try listing(folder) == ["out.npy", "photos"])
        // unchanged keeps 3, 4 and 1 channels: they cannot share a batch, and the message says what to do.
        let unchanged = try runAugmentCLI(["apply", "--pipeline", "imagenet", "--input", photos.path, "--output",
                                           folder.appendingPathComponent("u.npy").path, "--backend", "cpu", "--mode", "unchanged"])
        #expect(unchanged.status == 1)
        #expect(unchanged.output.contains("--mode rgb"), "\(unchanged.output)")
        #expect(try listing(folder) == ["out.npy", "photos"])
    }

    @Test func existingOutputsNeedForceAndAFailedRunWritesNothing() throws {
        let folder = try scratchFolder("force")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png").path
        try png(width: 8, height: 6, colorType: 2, fill: 10).write(to: URL(fileURLWithPath: input))
        let pipeline = folder.appendingPathComponent("p.json").path
        try Data(#"{"output": {"dtype": "uint8", "layout": "nhwc"}, "ops": [{"op": "hflip"}]}"#.utf8).write(to: URL(fileURLWithPath: pipeline))
        let out = folder.appendingPathComponent("out.png").path
        let base = ["apply", "--pipeline", pipeline, "--input", input, "--output", out, "--backend", "cpu"]
        #expect(try runAugmentCLI(base).status == 0)
        let again = try runAugmentCLI(base)
        #expect(again.status == 1)
        #expect(again.output.contains("already exists; pass --force"), "\(again.output)")
        #expect(try runAugmentCLI(base + ["--force"]).status == 0)
        // --record into a missing folder fails before the work, naming the flag; nothing is written.
        let missing = try runAugmentCLI(["apply", "--pipeline", pipeline, "--input", input, "--output",
                                         folder.appendingPathComponent("new.png").path, "--backend", "cpu",
                                         "--record", folder.appendingPathComponent("nowhere/params.json").path])
        #expect(missing.status == 1)
        #expect(missing.output.contains("--record: the folder") && missing.output.contains("does not exist"), "\(missing.output)")
        #expect(!missing.output.contains("NSError") && !missing.output.contains("Error Domain"))
        // Labels that do not fit: neither images nor labels are written.
        let labels = folder.appendingPathComponent("labels.npy").path
        var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8))
        npy.append(contentsOf: [UInt8](repeating: 0, count: 16))
        try npy.write(to: URL(fileURLWithPath: labels))
        let mismatch = try runAugmentCLI(["apply", "--pipeline", pipeline, "--input", input, "--output", folder.appendingPathComponent("x.png").path,
                                          "--labels", labels, "--output-labels", folder.appendingPathComponent("y.npy").path, "--backend", "cpu"])
        #expect(mismatch.status == 1)
        #expect(mismatch.output.contains("--labels has 2 labels for the 1 samples"), "\(mismatch.output)")
        #expect(try listing(folder) == ["in.png", "labels.npy", "out.png", "p.json"])
    }

    @Test func mixingWithoutLabelsNamesTheFlag() throws {
        let folder = try scratchFolder("mix")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png").path
        try png(width: 8, height: 8, colorType: 2, fill: 10).write(to: URL(fileURLWithPath: input))
        let run = try runAugmentCLI(["apply", "--pipeline", "mixup_cutmix", "--input", input, "--output",
                                     folder.appendingPathComponent("o.npy").path, "--backend", "cpu"])
        #expect(run.status == 1)
        #expect(run.output.contains("pass --labels") && !run.output.contains("LabelBatch("), "\(run.output)")
    }

    @Test func aNamedDeviceThatMatchesNothingIsAnError() throws {
        let folder = try scratchFolder("device")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png").path
        try png(width: 256, height: 256, colorType: 2, fill: 10).write(to: URL(fileURLWithPath: input))
        let out = folder.appendingPathComponent("o.npy").path
        let named = try runAugmentCLI(["apply", "--pipeline", "crop_flip_normalize", "--input", input, "--output", out, "--device", "7"])
        #expect(named.status == 1)
        #expect(named.output.contains("--device 7 matches no usable OpenCL device"), "\(named.output)")
        let environment = try runAugmentCLI(["apply", "--pipeline", "crop_flip_normalize", "--input", input, "--output", out],
                                            environment: ["AUGMENT_OPENCL_DEVICE": "no-such-device-anywhere"])
        #expect(environment.status == 1)
        #expect(environment.output.contains("AUGMENT_OPENCL_DEVICE=no-such-device-anywhere matches no usable OpenCL device"), "\(environment.output)")
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
        try Data(#"{"ops": [{"op": "normalize", "mean": [0.5, 0.5, 0.5], "std": [0.2, 0.2, 0.2]}, {"op": "adjust_contrast", "contrast_factor": 1.5}]}"#.utf8)
            .write(to: URL(fileURLWithPath: pipeline))
        let run = try runAugmentCLI(["apply", "--pipeline", pipeline, "--input", input, "--output",
                                     folder.appendingPathComponent("o.npy").path, "--backend", "cpu"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("holds float32 values above 1 (largest 200.0)") && run.output.contains("Divide by 255"), "\(run.output)")
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
            try png(width: 160, height: 128, colorType: 2, fill: UInt8(i * 5)).write(to: photos.appendingPathComponent(String(format: "%03d.png", i)))
        }
        let pipeline = folder.appendingPathComponent("slow.json").path
        try Data(#"{"output": {"dtype": "uint8", "layout": "nhwc"}, "ops": [{"op": "gaussian_blur", "kernel_size": 31, "sigma": 9}, {"op": "gaussian_blur", "kernel_size": 31, "sigma": 9}, {"op": "gaussian_blur", "kernel_size": 31, "sigma": 9}]}"#.utf8)
            .write(to: URL(fileURLWithPath: pipeline))
        let out = folder.appendingPathComponent("out")
        for signal in [SIGINT, SIGTERM] {
            let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let executable = try #require([directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("augment") }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) })
            let process = Process()
            process.executableURL = executable
            process.arguments = ["apply", "--pipeline", pipeline, "--input", photos.path, "--output", out.path, "--backend", "cpu",
                                 "--record", folder.appendingPathComponent("params.json").path]
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
