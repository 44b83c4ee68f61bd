import Foundation
import Testing
import Augment
import AugmentTestSupport

/// `augment apply` with a class-conditioned probability: the labels are read before sampling.
@Suite(.enabled(if: !TestEnvironment.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ClassConditionedCLITests {
    @Test func applyDrawsPerClassProbabilitiesFromTheLabels() throws {
        let folder = NSTemporaryDirectory() + "augment-class-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Two 1x4 grey images; class 0 is never flipped, class 1 always.
        let row: [UInt8] = [10, 20, 30, 40]
        try writeNPY("\(folder)/in.npy", shape: [2, 1, 4, 1], uint8: row + row)
        var labels = Data()
        let header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"
        var padded = header
        while (10 + padded.utf8.count + 1) % 64 != 0 { padded += " " }
        padded += "\n"
        labels.append(Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(padded.utf8.count), 0]))
        labels.append(Data(padded.utf8))
        for id: Int64 in [0, 1] { withUnsafeBytes(of: id.littleEndian) { labels.append(contentsOf: $0) } }
        try labels.write(to: URL(fileURLWithPath: "\(folder)/labels.npy"))
        let pipeline = #"{"ops": [{"op": "random_horizontal_flip", "p": {"by_class": [0.0, 1.0]}}]}"#
        try pipeline.write(toFile: "\(folder)/p.json", atomically: true, encoding: .utf8)
        for backend in ["cpu", "opencl"] {
            let (status, output) = try runAugmentCLI([
                "apply", "--pipeline", "\(folder)/p.json", "--input", "\(folder)/in.npy",
                "--labels", "\(folder)/labels.npy", "--backend", backend,
                "--output", "\(folder)/out-\(backend).npy",
            ])
            #expect(status == 0, "\(output)")
            let values = try readNPYFloats("\(folder)/out-\(backend).npy")
            let unit = row.map { Float($0) * (1 / 255) }  // torchvision: to_dtype(scale=True)
            #expect(values == unit + unit.reversed(), "\(backend): class 0 kept, class 1 flipped")
        }
    }
}
