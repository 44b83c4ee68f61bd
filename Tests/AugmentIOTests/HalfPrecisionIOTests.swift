import Foundation
import Testing
import Augment
@testable import AugmentIO

/// float16 outputs in .npy files ('<f2').
@Suite struct HalfPrecisionIOTests {
    let expectedBits: [UInt16] = [0, 13653, 14336, 15360, 15360, 1, 31743, 49408]

    @Test func readsAndWritesWhatNumPyWrites() throws {
        let numpy = try Data(contentsOf: fixtures.appendingPathComponent("f16_nchw.npy"))
        let array = try NPY.decode(numpy, name: "f16")
        #expect(array.shape == [1, 2, 2, 2])
        #expect(array.elementType == .float16)
        guard case .float16(let values) = array.values else {
            Issue.record("float16 values expected")
            return
        }
        #expect(values.map(\.bitPattern) == expectedBits)
        // Byte-identical to numpy.save.
        #expect(NPY.encode(array) == numpy)
    }

    @Test func float16BatchesBecomeF2Arrays() throws {
        let values = expectedBits.map(Float16.init(bitPattern:))
        let images = try ImageBatch(
            pixels: .float16(values), count: 1, geometry: ImageGeometry(height: 2, width: 2, channels: 2),
            layout: .nchw)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.npy").path
        try BatchFiles.write(images, to: path, like: nil)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(written == (try Data(contentsOf: fixtures.appendingPathComponent("f16_nchw.npy"))))
        let header = String(decoding: written.prefix(64), as: UTF8.self)
        #expect(header.contains("'descr': '<f2'"))
    }
}
