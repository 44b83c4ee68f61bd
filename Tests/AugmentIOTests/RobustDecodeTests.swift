import Augment
@testable import AugmentIO
import AugmentTestSupport
import Foundation
import Testing

@Suite struct RobustDecodeTests {
    @Test func npyShapesThatOverflowAreErrorsNotTraps() throws {
        for (descr, shape) in [
            ("|u1", "(4611686018427387904, 4, 1, 1)"), ("<f4", "(1152921504606846976, 2, 1, 1)"),
            ("<i8", "(9223372036854775807, 2)"), ("<i4", "(4611686018427387904,)"),
        ] {
            let data = handMadeNPY(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }")
            do {
                _ = try NPY.decode(data, name: "bomb.npy")
                Issue.record("\(shape) must be refused")
            } catch let error as IOError {
                #expect(
                    error.description.contains("bomb.npy") && error.description.contains("fit in memory"), "\(error)")
            }
        }
        // A shape that fits but does not match the payload still names both sizes.
        let short = handMadeNPY(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", payload: [1, 2])
        #expect(
            throws: IOError.invalidFile(
                path: "s.npy", reason: "shape [2, 3] of |u1 needs 6 bytes of data, the file has 2")
        ) {
            try NPY.decode(short, name: "s.npy")
        }
    }

    @Test func labelFilesAreCheckedBeforeTheOneHotMatrixIsMade() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bomb = folder.appendingPathComponent("bomb.npy")
        try handMadeNPY(header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1152921504606846976,), }").write(
            to: bomb)
        #expect(throws: IOError.self) { try BatchFiles.loadLabels(bomb.path, classCount: nil) }
        // Int64.max as a class id would make Int64.max + 1 classes.
        let huge = folder.appendingPathComponent("huge.npy")
        try NPY.encode(NPYArray(shape: [2], values: .int64([0, Int64.max]))).write(to: huge)
        do {
            _ = try BatchFiles.loadLabels(huge.path, classCount: nil)
            Issue.record("a class id of Int64.max must be refused")
        } catch let error as IOError {
            #expect(error.description.contains("huge.npy") && error.description.contains("at most 1048576"), "\(error)")
        }
        let negative = folder.appendingPathComponent("negative.npy")
        try NPY.encode(NPYArray(shape: [2], values: .int32([0, -3]))).write(to: negative)
        #expect(
            throws: IOError.invalidFile(
                path: negative.path, reason: "class id -3 is negative; --labels takes class ids 0, 1, 2, ...")
        ) {
            try BatchFiles.loadLabels(negative.path, classCount: nil)
        }
        let ids = folder.appendingPathComponent("ids.npy")
        try NPY.encode(NPYArray(shape: [2], values: .int32([0, 4]))).write(to: ids)
        do {
            _ = try BatchFiles.loadLabels(ids.path, classCount: 3)
            Issue.record("id 4 with 3 classes must fail")
        } catch let error as IOError {
            #expect(
                error.description.contains("but there are 3 (--num-classes")
                    && !error.description.contains("LabelBatch"), "\(error)")
        }
        #expect(try BatchFiles.loadLabels(ids.path, classCount: nil).values == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    }

    @Test func imageHeadersAreCheckedAgainstThePixelBudgetBeforeAllocating() throws {
        // An 80-byte PNG declaring 65535x65535.
        let bomb = handMadePNG(width: 65535, height: 65535, colorType: 2, bitDepth: 8, rows: [[0, 0, 0]])
        #expect(bomb.count < 100)
        do {
            _ = try ImageCodecs.decode(bomb, name: "bomb.png")
            Issue.record("a 65535x65535 PNG must be refused")
        } catch let error as IOError {
            #expect(
                error.description.contains("65535x65535 (height x width)")
                    && error.description.contains("--max-pixels"), "\(error)")
        }
        // Within the budget but too small to hold the declared rows: corrupt, refused before allocating.
        let thin = handMadePNG(width: 4000, height: 4000, colorType: 0, bitDepth: 8, rows: [[0]])
        do {
            _ = try ImageCodecs.decode(thin, name: "thin.png")
            Issue.record("a 4000x4000 PNG of a few bytes must be refused")
        } catch let error as IOError {
            #expect(error.description.contains("cannot hold them"), "\(error)")
        }
        // The budget is a parameter: a 3x2 image passes 6 pixels and fails 5.
        let small = handMadePNG(width: 3, height: 2, colorType: 0, bitDepth: 8, rows: [[1, 2, 3], [4, 5, 6]])
        #expect(
            try ImageCodecs.decode(small, name: "s.png", options: DecodeOptions(maxPixels: 6)).pixels == [
                1, 2, 3, 4, 5, 6,
            ])
        #expect(throws: IOError.self) {
            try ImageCodecs.decode(small, name: "s.png", options: DecodeOptions(maxPixels: 5))
        }
        // A JPEG header declaring 65500x65500: the JPEG's size fields sit in its SOF0 segment.
        var jpeg = [UInt8](
            try ImageCodecs.encodeJPEG(
                DecodedImage(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 9, count: 64)), name: "j"))
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xFF; jpeg[sof + 6] = 0xDC; jpeg[sof + 7] = 0xFF; jpeg[sof + 8] = 0xDC
        do {
            _ = try ImageCodecs.decode(Data(jpeg), name: "bomb.jpg")
            Issue.record("a 65500x65500 JPEG must be refused")
        } catch let error as IOError {
            #expect(error.description.contains("65500x65500"), "\(error)")
        }
    }

    @Test func sixteenBitPNGIsScaledExactlyNotGammaConverted() throws {
        // 64 * 257 is 8-bit 64 exactly; the old linear-light reading made it 136.
        let rows: [[UInt8]] = [[0x40, 0x40, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0x00]]
        let image = try ImageCodecs.decode(
            handMadePNG(width: 4, height: 1, colorType: 0, bitDepth: 16, rows: rows), name: "g16.png")
        // 0x8000 = 32768 -> round(32768 * 255 / 65535) = 128.
        #expect(image.pixels == [64, 255, 0, 128])
        let rgb = try ImageCodecs.decode(
            handMadePNG(width: 1, height: 1, colorType: 2, bitDepth: 16, rows: [[0x40, 0x40, 0x10, 0x10, 0xC8, 0xC8]]),
            name: "rgb16.png")
        #expect(rgb.pixels == [64, 16, 200])
    }

    @Test func alphaIsKeptUnchangedAndDroppedNotCompositedOtherwise() throws {
        let greyAlpha = handMadePNG(width: 2, height: 1, colorType: 4, bitDepth: 8, rows: [[100, 0, 200, 128]])
        let unchanged = try ImageCodecs.decode(greyAlpha, name: "ga.png", options: DecodeOptions(mode: .unchanged))
        #expect(unchanged.channels == 2 && unchanged.pixels == [100, 0, 200, 128])
        // Composited onto black, 100 with alpha 0 would read 0; dropping alpha keeps 100.
        #expect(
            try ImageCodecs.decode(greyAlpha, name: "ga.png", options: DecodeOptions(mode: .gray)).pixels == [100, 200])
        #expect(
            try ImageCodecs.decode(greyAlpha, name: "ga.png", options: DecodeOptions(mode: .rgb)).pixels == [
                100, 100, 100, 200, 200, 200,
            ])
        let rgba = handMadePNG(width: 1, height: 1, colorType: 6, bitDepth: 8, rows: [[10, 20, 30, 0]])
        #expect(
            try ImageCodecs.decode(rgba, name: "rgba.png", options: DecodeOptions(mode: .rgb)).pixels == [10, 20, 30])
        // torchvision's grey weights: 0.2989 * 10 + 0.587 * 20 + 0.114 * 30 = 18.149 -> 18.
        #expect(try ImageCodecs.decode(rgba, name: "rgba.png", options: DecodeOptions(mode: .gray)).pixels == [18])
        #expect(try ImageCodecs.decode(rgba, name: "rgba.png").pixels == [10, 20, 30, 0])
        // A grey + alpha image round-trips through PNG.
        let written = try ImageCodecs.encodePNG(unchanged, name: "ga")
        #expect(try ImageCodecs.decode(written, name: "ga").pixels == [100, 0, 200, 128])
    }

    @Test func truncatedJPEGIsAnErrorOrAWarningWhenAllowed() throws {
        let pixels = (0..<(32 * 32 * 3)).map { UInt8(truncatingIfNeeded: $0 * 37) }
        let jpeg = try ImageCodecs.encodeJPEG(
            DecodedImage(width: 32, height: 32, channels: 3, pixels: pixels), name: "j")
        let truncated = jpeg.prefix(jpeg.count * 2 / 3)
        do {
            _ = try ImageCodecs.decode(truncated, name: "cut.jpg", options: DecodeOptions())
            Issue.record("a truncated JPEG must be an error")
        } catch let error as IOError {
            #expect(
                error.description.contains("cut.jpg") && error.description.contains("--allow-corrupt-jpeg"), "\(error)")
        }
        var warnings: [String] = []
        let kept = try ImageCodecs.decode(truncated, name: "cut.jpg", options: DecodeOptions(allowCorruptJPEG: true)) {
            warnings.append($0)
        }
        #expect(kept.width == 32 && kept.height == 32)
        #expect(warnings.count == 1 && warnings[0].contains("cut.jpg"), "\(warnings)")
        // The intact file decodes without a warning.
        warnings = []
        _ = try ImageCodecs.decode(jpeg, name: "ok.jpg", options: DecodeOptions(allowCorruptJPEG: true)) {
            warnings.append($0)
        }
        #expect(warnings.isEmpty)
    }

    @Test func cmykJPEGIsRefusedByName() throws {
        // Tests/Fixtures/io/cmyk_8x8.jpg: 8x8 CMYK written by TurboJPEG's tjCompress2(TJPF_CMYK).
        let data = try Data(contentsOf: fixtures.appendingPathComponent("cmyk_8x8.jpg"))
        do {
            _ = try ImageCodecs.decode(data, name: "cmyk.jpg")
            Issue.record("CMYK must be refused")
        } catch let error as IOError {
            #expect(error.description.contains("CMYK") && error.description.contains("convert it to RGB"), "\(error)")
        }
    }
}

@Suite struct OutputTransactionTests {
    @Test func outputsAppearOnlyOnCommitAndExistingOnesNeedForce() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out.npy").path
        let transaction = OutputTransaction(force: false)
        let staged = try transaction.stage(out, flag: "--output")
        #expect(staged != out && URL(fileURLWithPath: staged).deletingLastPathComponent().path == folder.path)
        #expect(TemporaryFiles.registered.contains(staged))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: staged))
        #expect(!FileManager.default.fileExists(atPath: out))
        try transaction.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data([1, 2, 3]))
        #expect(!FileManager.default.fileExists(atPath: staged) && !TemporaryFiles.registered.contains(staged))
        // An existing output is an error before any work; --force replaces it.
        do {
            _ = try OutputTransaction(force: false).stage(out, flag: "--output")
            Issue.record("an existing output must need --force")
        } catch let error as IOError {
            #expect(error.description.contains("already exists; pass --force"), "\(error)")
        }
        let forced = OutputTransaction(force: true)
        try Data([9]).write(to: URL(fileURLWithPath: forced.stage(out, flag: "--output")))
        try forced.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data([9]))
    }

    @Test func aReplacedFolderKeepsNoStaleFilesAndRollbackLeavesNothing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("images").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data([1]).write(to: URL(fileURLWithPath: out + "/stale.png"))
        let forced = OutputTransaction(force: true)
        let staged = try forced.stage(out + "/", flag: "--output")
        let batch = try ImageBatch(uint8NHWC: [1, 2, 3, 4], count: 1, height: 2, width: 2, channels: 1)
        try BatchFiles.write(batch, to: staged, like: nil)
        try forced.commit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["sample_00000.png"])
        // Rollback: nothing new, nothing hidden left.
        let failed = OutputTransaction(force: false)
        let labels = try failed.stage(folder.appendingPathComponent("labels.npy").path, flag: "--output-labels")
        try Data([1]).write(to: URL(fileURLWithPath: labels))
        failed.rollback()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["images"])
    }

    @Test func aMissingFolderFailsEarlyNamingTheFlag() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("missing/params.json").path
        do {
            _ = try OutputTransaction(force: false).stage(path, flag: "--record")
            Issue.record("a missing folder must fail")
        } catch let error as IOError {
            #expect(
                error.description.contains("--record: the folder")
                    && error.description.contains("does not exist; create it first"), "\(error)")
        }
    }
}
