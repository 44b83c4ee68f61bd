import Foundation
import Testing
import Augment
import AugmentTestSupport

/// The `augment` command as a user runs it.
@Suite(.enabled(if: !TestEnvironment.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct CLITests {
    @Test func devicesListsThePlatformAndDevice() throws {
        let (status, output) = try runAugmentCLI(["devices"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("platform 0:"))
        #expect(output.contains("#0 [0:0]"))
        #expect(output.contains("compute units"))
        #expect(output.contains("default device"))
    }

    @Test func missingPlatformIsAClearError() throws {
        // An ICD loader pointed at an empty vendor folder finds no platform.
        let (status, output) = try runAugmentCLI(
            ["devices"], environment: ["OCL_ICD_VENDORS": "/nonexistent-augment-vendors"])
        #expect(status != 0)
        #expect(output.contains("no OpenCL platform found"), "\(output)")
        #expect(output.contains("pocl-opencl-icd"))
        let verify = try runAugmentCLI(
            ["verify", "--only", "hflip"], environment: ["OCL_ICD_VENDORS": "/nonexistent-augment-vendors"])
        #expect(verify.status != 0)
        #expect(verify.output.contains("no OpenCL platform found"), "\(verify.output)")
    }

    @Test func verifyPrintsTheTableAndPasses() throws {
        let (status, output) = try runAugmentCLI(["verify", "--only", "flip"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("random_horizontal_flip"))
        #expect(output.contains("agree"))
        #expect(!output.contains("MISMATCH"))
    }

    @Test func verifyFailsOnAWrongKernel() throws {
        // A warp.cl whose flip reads the wrong column must make verify exit 1.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "augment-bad-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let kernels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Kernels")
        for name in ["common.cl", "random.cl"] {
            try FileManager.default.copyItem(
                at: kernels.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let warp = try String(contentsOf: kernels.appendingPathComponent("warp.cl"), encoding: .utf8)
            .replacingOccurrences(of: "row + DX * (ptrdiff_t)(x * CHANNELS)", with: "row + (ptrdiff_t)(x * CHANNELS)")
        try warp.write(to: folder.appendingPathComponent("warp.cl"), atomically: true, encoding: .utf8)
        let (status, output) = try runAugmentCLI(
            ["verify", "--only", "hflip"], environment: ["AUGMENT_KERNELS_DIR": folder.path])
        #expect(status == 1, "\(output)")
        #expect(output.contains("MISMATCH"))
    }
}
