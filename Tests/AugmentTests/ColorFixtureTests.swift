import Foundation
import Testing
@testable import Augment

/// Reference fixtures from torchvision (Tests/Fixtures/generate_color.py): the CPU backend, which
/// the OpenCL backend matches bit for bit (ColorParityTests), against torchvision.transforms.v2.functional.
/// Unwraps a fixture field or throws naming it.
func need<T>(_ value: T?, _ what: String) throws -> T {
    guard let value else { throw AugmentError.parameterMismatch("fixture: missing or malformed \(what)") }
    return value
}

struct Fixture {
    struct Case {
        var op: String
        var image: String
        var args: [String: Any]
        var parameters: [String: Any]?
        var shape: [Int]
        var output: Data
        /// uint8 cases: torchvision's float path (to float, op, to uint8) on the same image.
        var floatPath: Data?
    }

    var images: [String: (shape: [Int], data: Data, isFloat: Bool)] = [:]
    var cases: [Case] = []
    var uint8Cases: [Case] = []

    static func load(_ name: String) throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        let root = try need(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], name)
        var fixture = Fixture()
        for (name, value) in try need(root["images"] as? [String: [String: Any]], "images") {
            let shape = try need(value["shape"] as? [Int], "shape of \(name)")
            let isFloat = value["float32"] != nil
            let text = try need((value["float32"] ?? value["uint8"]) as? String, "pixels of \(name)")
            fixture.images[name] = (shape, try need(Data(base64Encoded: text), "base64 of \(name)"), isFloat)
        }
        func cases(_ key: String) throws -> [Case] {
            try (root[key] as? [[String: Any]] ?? []).map { entry in
                let output = try need(entry["output"] as? String, "output")
                return Case(
                    op: try need(entry["op"] as? String, "op"), image: try need(entry["image"] as? String, "image"),
                    args: entry["args"] as? [String: Any] ?? [:], parameters: entry["parameters"] as? [String: Any],
                    shape: try need(entry["shape"] as? [Int], "shape"),
                    output: try need(Data(base64Encoded: output), "output base64"),
                    floatPath: (entry["float_path"] as? String).flatMap { Data(base64Encoded: $0) })
            }
        }
        fixture.cases = try cases("cases")
        fixture.uint8Cases = try cases("uint8_cases")
        return fixture
    }

    /// The named image as a batch of one (CHW, so NCHW).
    func batch(_ name: String) throws -> ImageBatch {
        let image = try need(images[name], "image \(name)")
        let geometry = ImageGeometry(height: image.shape[1], width: image.shape[2], channels: image.shape[0])
        let pixels: PixelBuffer = image.isFloat ? .float32(floats(image.data)) : .uint8([UInt8](image.data))
        return try ImageBatch(pixels: pixels, count: 1, geometry: geometry, layout: .nchw)
    }

    func floats(_ data: Data) -> [Float] {
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - 3, by: 4).map { i -> Float in
            var bits = UInt32(bytes[i])
            bits |= UInt32(bytes[i + 1]) << 8
            bits |= UInt32(bytes[i + 2]) << 16
            bits |= UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    /// Runs a fixture case on the CPU backend: the op decoded from its torchvision arguments, with
    /// explicit per-sample parameters when the case gives them.
    func run(_ c: Case, output: OutputFormat) throws -> ImageBatch {
        let input = try batch(c.image)
        let type = try need(OpRegistry.type(named: c.op), "registered op \(c.op)")
        let transform = try decode(type, JSONSerialization.data(withJSONObject: c.args))
        let pipeline = try Pipeline([transform], output: output)
        var sampled = try pipeline.sample(count: 1, geometry: input.geometry, seed: 1)
        if let parameters = c.parameters {
            let op = try replay(transform, JSONSerialization.data(withJSONObject: parameters))
            sampled = SampledPipeline(pipeline: pipeline, count: 1, inputGeometry: input.geometry, ops: [op])
        }
        return try CPUBackend().run(sampled.plan(for: input), on: input)
    }

    private func decode<T: Transform>(_ type: T.Type, _ data: Data) throws -> any Transform {
        try JSONDecoder().decode(type, from: data)
    }

    private func replay<T: Transform>(_ transform: T, _ data: Data) throws -> SampledOp {
        SampledOp(transform, parameters: [try JSONDecoder().decode(T.Parameters.self, from: data)])
    }
}

@Suite struct ColorFixtureTests {
    /// Every case within `tolerance` of torchvision, on float32 input and output.
    func checkFloatCases(_ file: String, tolerance: Float) throws -> Int {
        let fixture = try Fixture.load(file)
        var checked = 0
        for c in fixture.cases {
            let out = try fixture.run(c, output: .float32NCHW)
            let expected = fixture.floats(c.output)
            let actual = try #require(out.float32Values)
            #expect([out.geometry.channels, out.geometry.height, out.geometry.width] == c.shape, "\(c.op) \(c.args)")
            guard actual.count == expected.count else { continue }
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= tolerance, "\(c.op) \(c.args) \(c.parameters ?? [:]) on \(c.image): max |diff| \(worst)")
            checked += 1
        }
        return checked
    }

    @Test func colorOpsMatchTorchvisionWithin1e5() throws {
        #expect(try checkFloatCases("color.json", tolerance: 1e-5) == 55)
    }

    @Test func blurSharpnessAndEraseMatchTorchvisionWithin1e4() throws {
        #expect(try checkFloatCases("blur.json", tolerance: 1e-4) == 15)
    }

    /// On uint8 images torchvision runs integer or rounding code paths; this library converts to
    /// float (v / 255), runs the float op and converts back (x * 255.999, truncated), which is
    /// torchvision's float path followed by `to_dtype(uint8, scale=True)`. The uint8 results equal
    /// that float path, and differ from torchvision's uint8 path by at most the bound per op that
    /// docs/semantics.md states (measured here).
    @Test func uint8ResultsFollowTheFloatPathAndStayWithinOneOfTorchvisionsUint8Path() throws {
        let fixture = try Fixture.load("color.json")
        // op -> largest |difference| from torchvision's uint8 path, as documented.
        let bounds: [String: Int] = [
            "adjust_brightness": 1, "adjust_contrast": 1, "adjust_saturation": 1, "adjust_hue": 0,
            "rgb_to_grayscale": 1, "adjust_gamma": 0, "adjust_sharpness": 1, "posterize": 1, "solarize": 0,
            "autocontrast": 1, "equalize": 0, "invert": 0, "gaussian_blur": 1,
        ]
        var report: [String] = []
        for c in fixture.uint8Cases {
            let out = try fixture.run(c, output: OutputFormat(pixelType: .uint8, layout: .nchw))
            let actual = try #require(out.uint8Values)
            let expected = [UInt8](c.output)
            let floatPath = [UInt8](try need(c.floatPath, "float_path of \(c.op)"))
            #expect(actual.count == expected.count)
            let differences = zip(actual, expected).map { abs(Int($0) - Int($1)) }
            let worst = differences.max() ?? 0
            let changed = differences.filter { $0 != 0 }.count
            let offFloatPath = zip(actual, floatPath).filter { $0 != $1 }.count
            report.append(
                "\(c.op) \(c.args): uint8 path max \(worst), \(changed)/\(differences.count) differ; float path: \(offFloatPath) differ"
            )
            #expect(
                worst <= bounds[c.op] ?? 0,
                "\(c.op) \(c.args): max |diff| \(worst), \(changed) of \(differences.count) differ")
            #expect(offFloatPath == 0, "\(c.op) \(c.args): \(offFloatPath) values differ from torchvision's float path")
        }
        print("uint8 vs torchvision:\n  " + report.joined(separator: "\n  "))
    }
}
