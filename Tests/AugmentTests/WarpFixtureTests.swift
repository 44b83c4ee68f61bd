import Foundation
import Testing
@testable import Augment

/// The geometric warps against torchvision.transforms.v2.functional (fixtures made by
/// Tests/Fixtures/generate_warp.py): images within 1e-4 (nearest: pixels at exact ties excluded, as
/// listed by the generator), boxes and keypoints within 1e-3 pixels.
@Suite struct WarpFixtureTests {
    struct Fixture: Decodable {
        struct Input: Decodable {
            let shape: [Int]
            let values: [Float]
        }
        struct Case: Decodable {
            let name: String
            let input: Int
            let op: String
            let args: JSONValue
            let shape: [Int]
            let expected: [Float]
            let exclude: [Int]
            let boxes: [[Float]]?
            let keypoints: [[Float]]?
        }
        let torch: String
        let torchvision: String
        let inputs: [Input]
        let boxes: [[Float]]
        let keypoints: [[Float]]
        let cases: [Case]
    }

    /// Any JSON value, kept to re-encode an op's arguments.
    indirect enum JSONValue: Codable {
        case number(Double), string(String), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([JSONValue].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: JSONValue].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n): try c.encode(n)
            case .string(let s): try c.encode(s)
            case .bool(let b): try c.encode(b)
            case .null: try c.encodeNil()
            case .array(let a): try c.encode(a)
            case .object(let o): try c.encode(o)
            }
        }
    }

    static func load(_ name: String) throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func decode<T: Transform>(_ type: T.Type, _ data: Data) throws -> any Transform {
        try JSONDecoder().decode(type, from: data)
    }

    /// Runs every case of a fixture file on the CPU reference and returns the worst differences.
    func check(_ file: String, tolerance: Double = 1e-4) throws -> (cases: Int, maxImage: Double, maxTarget: Double) {
        let fixture = try Self.load(file)
        var worstImage = 0.0, worstTarget = 0.0
        for fixtureCase in fixture.cases {
            let input = fixture.inputs[fixtureCase.input]
            let (c, h, w) = (input.shape[0], input.shape[1], input.shape[2])
            let images = try ImageBatch(float32NCHW: input.values, count: 1, channels: c, height: h, width: w)
            let type = try #require(OpRegistry.type(named: fixtureCase.op), "\(fixtureCase.op) is registered")
            let transform = try Self.decode(type, JSONEncoder().encode(fixtureCase.args))
            let boxes = try BoxBatch(
                boxes: [fixture.boxes.map { BoundingBox(x0: $0[0], y0: $0[1], x1: $0[2], y1: $0[3]) }],
                labels: [Array(0..<fixture.boxes.count)])
            let points = try KeypointBatch(points: [fixture.keypoints.map { Keypoint(x: $0[0], y: $0[1]) }])
            let batch = try AugmentBatch(images: images, masks: nil, boxes: boxes, keypoints: points)
            let out = try CPUBackend().apply(Pipeline([transform]), to: batch, seed: 0)
            #expect(
                [out.images.geometry.channels, out.images.geometry.height, out.images.geometry.width]
                    == fixtureCase.shape,
                "\(fixtureCase.name)")
            let values = try #require(out.images.float32Values)
            guard values.count == fixtureCase.expected.count else { continue }
            let plane = fixtureCase.shape[1] * fixtureCase.shape[2]
            let excluded = Set(fixtureCase.exclude)
            var worst = 0.0
            for (i, (a, b)) in zip(values, fixtureCase.expected).enumerated() where !excluded.contains(i % plane) {
                worst = max(worst, Double(abs(a - b)))
            }
            #expect(worst <= tolerance, "\(fixtureCase.name): max |diff| \(worst)")
            worstImage = max(worstImage, worst)
            if let expectedBoxes = fixtureCase.boxes {
                let got = try #require(out.boxes)
                // torchvision keeps boxes clamped to nothing; this library drops them.
                let kept = expectedBoxes.enumerated().filter {
                    ($0.element[2] - $0.element[0]) * ($0.element[3] - $0.element[1]) > 0
                }
                #expect(got.labels[0] == kept.map(\.offset), "\(fixtureCase.name): kept boxes")
                for (box, expected) in zip(got.boxes[0], kept.map(\.element)) {
                    let d = zip([box.x0, box.y0, box.x1, box.y1], expected).map { Double(abs($0 - $1)) }.max() ?? 0
                    #expect(d <= 1e-3, "\(fixtureCase.name): box \(box) vs \(expected)")
                    worstTarget = max(worstTarget, d)
                }
            }
            if let expectedPoints = fixtureCase.keypoints {
                let got = try #require(out.keypoints).points[0]
                for (p, e) in zip(got, expectedPoints) {
                    let d = max(Double(abs(p.x - e[0])), Double(abs(p.y - e[1])))
                    #expect(d <= 1e-3, "\(fixtureCase.name): keypoint \(p) vs \(e)")
                    worstTarget = max(worstTarget, d)
                }
            }
        }
        return (fixture.cases.count, worstImage, worstTarget)
    }

    @Test func affineRotatePerspectiveMatchTorchvision() throws {
        let (cases, image, target) = try check("warp_geometry.json")
        #expect(cases >= 50)
        #expect(image <= 1e-4)
        #expect(target <= 1e-3)
    }

    /// resize and resized_crop with antialias=True (torch's `_upsample_bilinear2d_aa` on float32):
    /// within 1e-5 (our weights are made in Double and rounded once, torch's in float).
    @Test func antialiasedResizeMatchesTorchvision() throws {
        let (cases, image, _) = try check("warp_antialias.json", tolerance: 1e-5)
        #expect(cases >= 30)
        #expect(image <= 1e-5)
    }

    @Test func resizeCropsPadFlipsMatchTorchvision() throws {
        let (cases, image, target) = try check("warp_resize.json")
        #expect(cases >= 40)
        #expect(image <= 1e-4)
        #expect(target <= 1e-3)
    }
}
