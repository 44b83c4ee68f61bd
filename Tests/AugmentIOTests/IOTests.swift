import Foundation
import Testing
import Augment
@testable import AugmentIO

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/io")

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("augment-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct NPYTests {
    @Test func readsWhatNumPyWrites() throws {
        let u8 = try NPY.decode(Data(contentsOf: fixtures.appendingPathComponent("u8_nhwc.npy")), name: "u8")
        #expect(u8.shape == [2, 3, 4, 3])
        #expect(u8.values == .uint8((0..<72).map { UInt8($0 % 251) }))
        let f32 = try NPY.decode(Data(contentsOf: fixtures.appendingPathComponent("f32_nchw.npy")), name: "f32")
        #expect(f32.shape == [2, 3, 2, 2])
        #expect(f32.values == .float32((0..<24).map { Float($0) / 24 }))
        let ids = try NPY.decode(Data(contentsOf: fixtures.appendingPathComponent("i64_ids.npy")), name: "ids")
        #expect(ids.shape == [3] && ids.values == .int64([3, 0, 2]))
    }

    @Test func roundTripsEveryTypeAndMatchesNumPyBytes() throws {
        for values: NPYArray.Values in [
            .uint8([1, 2, 3, 4, 5, 6]), .int32([-1, 2, 3, 4, 5, 6]),
            .int64([1, -2, 3, 4, 5, 6]), .float32([0.5, -1, 2, 3, 4, .infinity]),
        ] {
            let array = try NPYArray(shape: [2, 3], values: values)
            let data = NPY.encode(array)
            #expect(try NPY.decode(data, name: "x") == array)
            #expect(
                (data.count - array.values.count * array.elementType.byteCount) % 64 == 0, "header is 64-byte aligned")
        }
        // Byte-identical to numpy.save for the same array.
        let numpy = try Data(contentsOf: fixtures.appendingPathComponent("f32_nchw.npy"))
        let ours = NPY.encode(try NPYArray(shape: [2, 3, 2, 2], values: .float32((0..<24).map { Float($0) / 24 })))
        #expect(ours == numpy)
    }

    @Test func rejectsWhatItCannotRead() throws {
        #expect(throws: IOError.self) { try NPY.decode(Data("hello".utf8), name: "hello.npy") }
        do {
            _ = try NPY.decode(Data(contentsOf: fixtures.appendingPathComponent("f64.npy")), name: "f64.npy")
            Issue.record("float64 must be rejected")
        } catch let error as IOError {
            #expect(error.description.contains("f64.npy: dtype <f8 is not supported"))
        }
        #expect(throws: IOError.self) {
            try NPY.decode(Data(contentsOf: fixtures.appendingPathComponent("fortran.npy")), name: "f")
        }
        var truncated = try Data(contentsOf: fixtures.appendingPathComponent("u8_nhwc.npy"))
        truncated.removeLast(5)
        #expect(throws: IOError.self) { try NPY.decode(truncated, name: "t") }
        #expect(throws: AugmentError.self) { try NPYArray(shape: [2, 2], values: .uint8([1, 2, 3])) }
    }
}

@Suite struct ImageCodecTests {
    func gradient(width: Int, height: Int, channels: Int) throws -> DecodedImage {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { for c in 0..<channels { pixels.append(UInt8((x * 7 + y * 3 + c * 40) % 256)) } }
        }
        return try DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test func pngRoundTripsExactly() throws {
        for channels in [1, 3, 4] {
            let image = try gradient(width: 17, height: 9, channels: channels)
            let data = try ImageCodecs.encodePNG(image, name: "g.png")
            #expect(try ImageCodecs.decode(data, name: "g.png") == image)
        }
    }

    @Test func jpegRoundTripsClosely() throws {
        let image = try gradient(width: 32, height: 24, channels: 3)
        let decoded = try ImageCodecs.decode(ImageCodecs.encodeJPEG(image, quality: 100, name: "g.jpg"), name: "g.jpg")
        #expect(decoded.geometry == image.geometry)
        let meanError =
            zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.pixels.count
        #expect(meanError <= 2)
        let gray = try gradient(width: 8, height: 8, channels: 1)
        #expect(try ImageCodecs.decode(ImageCodecs.encodeJPEG(gray, name: "g.jpg"), name: "g.jpg").channels == 1)
    }

    @Test func corruptFilesAreErrorsNamingTheFile() throws {
        let image = try gradient(width: 16, height: 16, channels: 3)
        let png = try ImageCodecs.encodePNG(image, name: "x")
        let jpeg = try ImageCodecs.encodeJPEG(image, name: "x")
        for (data, name) in [
            (Data("not an image".utf8), "text.png"), (png.prefix(40), "cut.png"),
            (Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), "cut.jpg"), (Data(), "empty.jpg"),
        ] {
            do {
                _ = try ImageCodecs.decode(Data(data), name: name)
                Issue.record("\(name) must not decode")
            } catch let error as IOError {
                #expect(error.description.hasPrefix(name))
            }
        }
        #expect(jpeg.count > 100)
    }
}

@Suite struct BatchFilesTests {
    @Test func foldersLoadSortedAndWriteBackUnderTheSameNames() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for (i, name) in ["b.png", "a.png"].enumerated() {
            let image = try DecodedImage(
                width: 5, height: 4, channels: 3, pixels: [UInt8](repeating: UInt8(10 * (i + 1)), count: 60))
            try ImageCodecs.encodePNG(image, name: name).write(to: input.appendingPathComponent(name))
        }
        try Data("ignored".utf8).write(to: input.appendingPathComponent("notes.txt"))
        let loaded = try BatchFiles.load(input.path)
        #expect(loaded.kind == .imageFiles(names: ["a.png", "b.png"]))
        #expect(loaded.images.uint8Values?.first == 20)
        let output = folder.appendingPathComponent("out").path
        let written = try BatchFiles.write(loaded.images, to: output, like: loaded)
        #expect(written == ["\(output)/a.png", "\(output)/b.png"])
        #expect(try BatchFiles.load(output).images == loaded.images)
    }

    @Test func mixedSizesAndBadFilesAreErrorsAndEarlierOutputsSurvive() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ImageCodecs.encodePNG(try DecodedImage(width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4]), name: "a")
            .write(to: folder.appendingPathComponent("a.png"))
        try ImageCodecs.encodePNG(
            try DecodedImage(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6]), name: "b"
        )
        .write(to: folder.appendingPathComponent("b.png"))
        // Different sizes make a ragged batch (the pipeline brings them to one size).
        let ragged = try BatchFiles.load(folder.path)
        #expect(
            ragged.images.sampleGeometries == [
                ImageGeometry(height: 2, width: 2, channels: 1), ImageGeometry(height: 2, width: 3, channels: 1),
            ])
        #expect(ragged.images.uint8Values == [1, 2, 3, 4, 1, 2, 3, 4, 5, 6])
        // Different channel counts cannot share a batch: the message says how to decode them alike.
        try ImageCodecs.encodePNG(try DecodedImage(width: 1, height: 1, channels: 3, pixels: [9, 8, 7]), name: "c")
            .write(to: folder.appendingPathComponent("c.png"))
        do {
            _ = try BatchFiles.load(folder.path)
            Issue.record("1 and 3 channels must not stack")
        } catch let error as IOError {
            #expect(error.description.contains("c.png") && error.description.contains("--mode rgb"), "\(error)")
        }
        #expect(try BatchFiles.load(folder.path, options: DecodeOptions(mode: .rgb)).images.geometry.channels == 3)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("c.png"))
        try Data("junk".utf8).write(to: folder.appendingPathComponent("b.png"))
        do {
            _ = try BatchFiles.load(folder.path)
            Issue.record("a junk file must fail")
        } catch let error as IOError {
            #expect(error.description.contains("b.png"))
        }
        // A float batch with 5 channels cannot become images: sample files before it stay written.
        let existing = folder.appendingPathComponent("keep.npy").path
        try BatchFiles.write(
            try ImageBatch(float32NCHW: [0, 1, 0.5, 0.25], count: 1, channels: 1, height: 2, width: 2), to: existing,
            like: nil)
        let twoChannels = try ImageBatch(
            float32NCHW: [Float](repeating: 0.5, count: 20), count: 1, channels: 5, height: 2, width: 2)
        #expect(throws: IOError.self) {
            try BatchFiles.write(twoChannels, to: folder.appendingPathComponent("x.png").path, like: nil)
        }
        #expect(FileManager.default.fileExists(atPath: existing))
        #expect(try BatchFiles.load(existing).images.float32Values == [0, 1, 0.5, 0.25])
    }

    @Test func arraysMapToBatchesAndSpectrogramsKeepTheirShape() throws {
        let spec = try BatchFiles.load(fixtures.appendingPathComponent("f32_spec.npy").path)
        #expect(spec.kind == .spectrogramArray(hasChannelAxis: false))
        #expect(spec.images.geometry == ImageGeometry(height: 4, width: 5, channels: 1))
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("spec.npy").path
        try BatchFiles.write(spec.images, to: out, like: spec)
        #expect(try NPY.decode(Data(contentsOf: URL(fileURLWithPath: out)), name: out).shape == [2, 4, 5])
        let u8 = try BatchFiles.load(fixtures.appendingPathComponent("u8_nhwc.npy").path)
        #expect(u8.images.shapeDescription == "uint8 NHWC (2, 3, 4, 3)")
        #expect(throws: IOError.self) { try BatchFiles.load(fixtures.appendingPathComponent("i64_ids.npy").path) }
        let labels = try BatchFiles.loadLabels(fixtures.appendingPathComponent("i64_ids.npy").path, classCount: nil)
        #expect(labels.classCount == 4 && Array(labels.row(0)) == [0, 0, 0, 1])
        #expect(throws: IOError.self) {
            try BatchFiles.loadLabels(fixtures.appendingPathComponent("i32_ids.npy").path, classCount: 1)
        }
    }
}

@Suite struct PipelineFileTests {
    func parse(_ json: String) throws -> PipelineFile {
        try PipelineFile.parse(Data(json.utf8), name: "test.json")
    }

    @Test func parsesOpsSeedAndOutput() throws {
        let file = try parse(
            #"{"seed": 7, "output": {"dtype": "uint8", "layout": "nhwc"}, "ops": [{"op": "random_crop", "height": 3, "width": 4}, {"op": "random_horizontal_flip"}, {"op": "hflip"}]}"#
        )
        #expect(file.seed == 7)
        #expect(file.pipeline.output == .uint8NHWC)
        #expect(file.pipeline.transforms.map(\.opName) == ["random_crop", "random_horizontal_flip", "hflip"])
        #expect((file.pipeline.transforms[1] as? RandomHorizontalFlip)?.p == 0.5)
    }

    @Test func errorsNameTheOpTheArgumentAndWhatIsAllowed() throws {
        let cases: [(String, String)] = [
            (
                #"{"ops": [{"op": "random_crp", "height": 3, "width": 4}]}"#,
                "ops[0]: unknown op 'random_crp' (did you mean 'random_crop'?)"
            ),
            (
                #"{"ops": [{"op": "random_crop", "hieght": 3, "width": 4}]}"#,
                "random_crop (ops[0]): unknown argument 'hieght' (did you mean 'height'?)"
            ),
            (
                #"{"ops": [{"op": "random_crop", "height": 3, "width": 4, "size": 2}]}"#,
                "random_crop (ops[0]): unknown argument 'size' (did you mean 'height and width'?); known: fill, height, pad_if_needed, padding, padding_mode, same_on_batch, width"
            ),
            (
                #"{"ops": [{"op": "hflip"}, {"op": "normalize", "mean": [0.5]}]}"#,
                "normalize (ops[1]): argument 'std' is missing"
            ),
            (
                #"{"ops": [{"op": "random_crop", "height": "3", "width": 4}]}"#,
                "random_crop (ops[0]): argument 'height' has the wrong type; expected an integer"
            ),
            (
                #"{"ops": [{"op": "random_vertical_flip", "p": -1}]}"#,
                "random_vertical_flip (ops[0]): argument 'p' = -1 is out of range; allowed: a number in [0, 1]"
            ),
            (
                #"{"ops": [{"op": "normalize", "mean": [0.5], "std": [0]}]}"#,
                "normalize (ops[0]): argument 'std[0]' = 0.0 is out of range"
            ),
            (#"{"ops": [], "sed": 1}"#, "test.json: unknown key 'sed' (did you mean 'seed'?)"),
            (#"{"ops": [], "output": {"dtype": "float64"}}"#, "output: argument 'dtype' = float64 is out of range"),
            (#"{"opz": []}"#, "unknown key 'opz'"),
            (#"[1, 2]"#, "test.json"),
            (#"{"ops": [3]}"#, "ops[0]"),
            (#"{"ops": [{"height": 3}]}"#, "ops[0]: argument 'op' is missing"),
            ("not json", "not valid JSON"),
        ]
        for (json, expected) in cases {
            do {
                _ = try parse(json)
                Issue.record("\(json) must fail")
            } catch let error as AugmentError {
                #expect(error.description.contains(expected), "\(error.description) should contain \(expected)")
            }
        }
    }

    @Test func recordedParametersReplayExactly() throws {
        let pipeline = try parse(
            #"{"ops": [{"op": "random_crop", "height": 5, "width": 6}, {"op": "random_horizontal_flip", "p": 0.5}, {"op": "normalize", "mean": [0.5], "std": [0.2]}]}"#
        ).pipeline
        let images = try ImageBatch.random(
            count: 4, geometry: ImageGeometry(height: 9, width: 11, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 3)
        let sampled = try pipeline.sample(count: 4, geometry: images.geometry, seed: 42, epoch: 1, firstSampleIndex: 8)
        let data = try ParameterRecord.encode(sampled, seed: 42, epoch: 1, firstSampleIndex: 8)
        let replayed = try ParameterRecord.decode(data, for: pipeline)
        let cpu = CPUBackend()
        #expect(try cpu.run(replayed.plan(for: images), on: images) == cpu.run(sampled.plan(for: images), on: images))
        // A record for another pipeline is refused op by op.
        let other = try parse(
            #"{"ops": [{"op": "random_crop", "height": 5, "width": 6}, {"op": "random_vertical_flip"}, {"op": "normalize", "mean": [0.5], "std": [0.2]}]}"#
        ).pipeline
        #expect(throws: AugmentError.self) { try ParameterRecord.decode(data, for: other) }
        #expect(throws: AugmentError.self) { try ParameterRecord.decode(Data("{}".utf8), for: pipeline) }
        // Tampered values are caught when planning.
        let tampered = String(decoding: data, as: UTF8.self).replacingOccurrences(
            of: "\"top\" : ", with: "\"top\" : 10")
        let decoded = try ParameterRecord.decode(Data(tampered.utf8), for: pipeline)
        #expect(throws: AugmentError.self) { try decoded.plan(for: images) }
    }
}
