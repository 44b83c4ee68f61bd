import Foundation
import Testing
import Augment
import AugmentTestSupport

/// The shape in a `.npy` header.
private func npyShape(_ path: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let text = String(decoding: data.prefix(128), as: UTF8.self)
    guard let start = text.range(of: "'shape': ("), let end = text[start.upperBound...].firstIndex(of: ")") else {
        return ""
    }
    return String(text[start.upperBound..<end])
}

/// `augment apply` on clips and view files, `augment tta apply/merge`, as a user runs them.
@Suite(.enabled(if: !TestEnvironment.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
final class ClipViewTTACLITests {
    /// A fresh folder per test (Swift Testing makes one instance per test), removed when the test ends.
    let folder: String = {
        let path = NSTemporaryDirectory() + "augment-clip-cli-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    @Test func applyTakesFiveDimensionalArraysAsClips() throws {
        let clips = "\(folder)/clips.npy", pipeline = "\(folder)/clip.json"
        let clipCount: Int = 2 * 3 * 20 * 24 * 3
        let clipValues: [UInt8] = (0..<clipCount).map { UInt8($0 % 253) }
        try writeNPY(clips, shape: [2, 3, 20, 24, 3], uint8: clipValues)
        try Data(
            #"{"ops": [{"op": "random_crop", "height": 16, "width": 16}, {"op": "random_horizontal_flip", "per_frame": true}]}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: pipeline))
        for backend in ["cpu", "opencl"] {
            let out = "\(folder)/out-\(backend).npy"
            let (status, output) = try runAugmentCLI([
                "apply", "--pipeline", pipeline, "--input", clips, "--output", out, "--backend", backend,
            ])
            #expect(status == 0, "\(output)")
            #expect(output.contains("2 clips of 3 frames") && output.contains("1 per frame"), "\(output)")
            #expect(try npyShape(out) == "2, 3, 3, 16, 16")
        }
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: "\(folder)/out-cpu.npy"))
                == Data(contentsOf: URL(fileURLWithPath: "\(folder)/out-opencl.npy")))
        let empty = "\(folder)/empty.npy"
        try writeNPY(empty, shape: [2, 0, 4, 4, 3], uint8: [])
        let (status, output) = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", empty, "--output", "\(folder)/x.npy",
        ])
        #expect(status != 0 && output.contains("at least one frame"), "\(output)")
    }

    @Test func viewFilesWriteOneFilePerGroup() throws {
        let images = "\(folder)/images.npy", pipeline = "\(folder)/views.json"
        let imageCount: Int = 3 * 24 * 24 * 3
        let imageValues: [UInt8] = (0..<imageCount).map { UInt8($0 % 249) }
        try writeNPY(images, shape: [3, 24, 24, 3], uint8: imageValues)
        try Data(
            #"""
            {"views": [{"name": "global", "count": 2, "ops": [{"op": "random_resized_crop", "size": 16}]},
                       {"name": "local", "count": 5, "ops": [{"op": "random_resized_crop", "size": 8}]}]}
            """#.utf8
        ).write(to: URL(fileURLWithPath: pipeline))
        let (status, output) = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", images, "--output", "\(folder)/views",
        ])
        #expect(status == 0, "\(output)")
        #expect(try npyShape("\(folder)/views/global.npy") == "6, 3, 16, 16")
        #expect(try npyShape("\(folder)/views/local.npy") == "15, 3, 8, 8")
        let bad = try runAugmentCLI(["apply", "--pipeline", pipeline, "--input", images, "--output", "\(folder)/v.npy"])
        #expect(bad.status != 0 && bad.output.contains("must be a folder"), "\(bad.output)")
    }

    @Test func ttaApplyThenMergeGivesTheImageBack() throws {
        let images = "\(folder)/tta-in.npy"
        let valueCount: Int = 2 * 3 * 12 * 12
        let values: [Float] = (0..<valueCount).map { Float($0 % 97) / 96 }
        try writeNPY(images, shape: [2, 3, 12, 12], float32: values)
        let views = "identity,hflip,vflip,rot90:1"
        let (status, output) = try runAugmentCLI([
            "tta", "apply", "--input", images, "--views", views, "--output", "\(folder)/views.npy",
        ])
        #expect(status == 0, "\(output)")
        #expect(try npyShape("\(folder)/views.npy") == "8, 3, 12, 12")
        let merge = try runAugmentCLI([
            "tta", "merge", "--predictions", "\(folder)/views.npy", "--views", views, "--size", "12x12",
            "--reduction", "max", "--output", "\(folder)/merged.npy", "--coverage", "\(folder)/coverage.npy",
        ])
        #expect(merge.status == 0, "\(merge.output)")
        let merged = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/merged.npy"))
        // Max over four exact copies of each pixel: the input itself, bit for bit.
        #expect(merged.suffix(values.count * 4) == values.withUnsafeBytes { Data($0) })
        #expect(try npyShape("\(folder)/coverage.npy") == "2, 12, 12")
        let bad = try runAugmentCLI([
            "tta", "apply", "--input", images, "--views", "identity,five_crop:20", "--output", "\(folder)/x.npy",
        ])
        #expect(bad.status != 0 && bad.output.contains("does not fit"), "\(bad.output)")
    }
}
