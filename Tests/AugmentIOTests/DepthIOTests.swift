import Foundation
import Testing
import Augment
@testable import AugmentIO

/// uint16 in and out: `.npy` `<u2` (what NumPy writes), 16-bit PNG kept at 16 bits with
/// `bitDepth: 16` (what Pillow and a hand-made RGB file hold), and the default 8-bit reading unchanged.
@Suite struct DepthIOTests {
    let depthValues: [UInt16] = [0, 1, 255, 256, 1000, 4095, 65534, 65535, 12345, 7, 40000, 2]

    @Test func readsNumPyUInt16DepthMapsAndWritesThemBack() throws {
        let path = fixtures.appendingPathComponent("u16_depth.npy").path
        let loaded = try BatchFiles.load(path)
        #expect(loaded.kind == .depthArray)
        #expect(loaded.images.uint16Values == depthValues)
        #expect(loaded.images.count == 2 && loaded.images.geometry == ImageGeometry(height: 2, width: 3, channels: 1))
        #expect(loaded.images.layout == .nhwc)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.npy").path
        try BatchFiles.write(loaded.images, to: out, like: loaded)
        // Byte for byte what NumPy wrote: same header (shape (2, 2, 3), '<u2') and payload.
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func npyRoundTripsUInt16AndRefusesTruncatedData() throws {
        let array = try NPYArray(shape: [1, 2, 2, 1], values: .uint16([1, 2, 65535, 0]))
        let data = NPY.encode(array)
        #expect(try NPY.decode(data, name: "x") == array)
        #expect(throws: IOError.self) { try NPY.decode(data.dropLast(), name: "x") }
    }

    @Test func sixteenBitPNGKeepsSixteenBitsOnlyWhenAsked() throws {
        let gray = fixtures.appendingPathComponent("gray16.png").path
        let raw: [UInt16] = [0, 1, 256, 65535, 1000, 4095, 40000, 7, 2, 3, 5, 8]
        let sixteen = try BatchFiles.load(gray, options: DecodeOptions(mode: .unchanged, bitDepth: 16))
        #expect(sixteen.images.uint16Values == raw)
        #expect(sixteen.images.geometry == ImageGeometry(height: 3, width: 4, channels: 1))
        // Default: scaled to 8 bits exactly, as before.
        let eight = try BatchFiles.load(gray, options: DecodeOptions(mode: .unchanged))
        #expect(eight.images.uint8Values == raw.map { UInt8((Double($0) * 255 / 65535).rounded()) })

        let rgb = try BatchFiles.load(
            fixtures.appendingPathComponent("rgb16.png").path,
            options: DecodeOptions(mode: .unchanged, bitDepth: 16))
        #expect(rgb.images.uint16Values == [0, 1, 2, 300, 65535, 4, 1000, 2000, 3000, 65534, 7, 8])
        // rgb mode on a grey file repeats the channel.
        let repeated = try BatchFiles.load(gray, options: DecodeOptions(mode: .rgb, bitDepth: 16))
        #expect(repeated.images.uint16Values == raw.flatMap { [$0, $0, $0] })
    }

    @Test func sixteenBitPNGRoundTripsThroughAFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let batch = try ImageBatch(
            pixels: .uint16([0, 65535, 1234, 7, 40000, 1, 2, 3, 4, 5, 6, 9]), count: 2,
            geometry: ImageGeometry(height: 2, width: 3, channels: 1), layout: .nhwc)
        let written = try BatchFiles.write(batch, to: folder.appendingPathComponent("pngs").path, like: nil)
        #expect(written.count == 2)
        let back = try BatchFiles.load(
            folder.appendingPathComponent("pngs").path, options: DecodeOptions(mode: .unchanged, bitDepth: 16))
        #expect(back.images.uint16Values == batch.uint16Values)
        // JPEG has 8 bits: refused with a reason.
        #expect(throws: IOError.self) {
            try BatchFiles.write(batch.slice(0..<1), to: folder.appendingPathComponent("x.jpg").path, like: nil)
        }
    }

    @Test func sixteenBitReadingRefusesEightBitFilesWithAReason() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let eight = try ImageCodecs.encodePNG(
            DecodedImage(width: 2, height: 1, channels: 1, pixels: [1, 2]), name: "e")
        let path = folder.appendingPathComponent("e.png").path
        try eight.write(to: URL(fileURLWithPath: path))
        do {
            _ = try BatchFiles.load(path, options: DecodeOptions(bitDepth: 16))
            Issue.record("an 8-bit PNG was read with --bit-depth 16")
        } catch let error as IOError {
            #expect("\(error)".contains("8-bit PNG"))
        }
    }
}
