import Foundation
import Testing
import Augment
import AugmentOpenCL

/// Antialiased resampling and the axis-aligned (separable) warp path: the OpenCL kernel against
/// torchvision's fixtures (Tests/Fixtures/warp_antialias.json, within 1e-5) and against the CPU twin
/// (float32 within 1e-5, uint8 exactly) over down- and upscaling, odd sizes, batch 1, 1/3/4
/// channels, uint8 and float inputs, flips.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct AntialiasParityTests {
    struct Fixture: Decodable {
        struct Input: Decodable {
            let shape: [Int]
            let values: [Float]
        }
        struct Case: Decodable {
            let name: String
            let input: Int
            let op: String
            let args: [String: AnyArgument]
            let shape: [Int]
            let expected: [Float]
        }
        let inputs: [Input]
        let cases: [Case]
    }

    /// A JSON argument (numbers, booleans, strings and arrays of numbers are all the fixture holds).
    enum AnyArgument: Codable {
        case number(Double), bool(Bool), string(String), numbers([Double])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else {
                self = .numbers(try c.decode([Double].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n): try c.encode(n)
            case .bool(let b): try c.encode(b)
            case .string(let s): try c.encode(s)
            case .numbers(let a): try c.encode(a)
            }
        }
    }

    @Test func openCLMatchesTorchvisionAntialiasFixtures() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/warp_antialias.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count >= 30)
        var worst = 0.0
        for fixtureCase in fixture.cases {
            let input = fixture.inputs[fixtureCase.input]
            let images = try ImageBatch(
                float32NCHW: input.values, count: 1, channels: input.shape[0], height: input.shape[1],
                width: input.shape[2])
            let type = try #require(OpRegistry.type(named: fixtureCase.op))
            let transform = try JSONDecoder().decode(type, from: JSONEncoder().encode(fixtureCase.args))
            let out = try Shared.backend().apply(Pipeline([transform]), to: AugmentBatch(images: images), seed: 0)
                .images
            let values = try #require(out.float32Values)
            #expect(values.count == fixtureCase.expected.count, "\(fixtureCase.name)")
            let d = zip(values, fixtureCase.expected).map { Double(abs($0 - $1)) }.max() ?? 0
            #expect(d <= 1e-5, "\(fixtureCase.name): max |diff| \(d)")
            worst = max(worst, d)
        }
        #expect(worst <= 1e-5)
    }

    /// A batch whose crops up- and downscale: each sample reads only its own tap counts (2 when it
    /// upscales), the kernel launches once per pair of counts, and the result is the CPU twin's.
    @Test func samplesOfEachTapCountLaunchTogether() throws {
        let input = try ImageBatch.random(
            count: 24, geometry: ImageGeometry(height: 48, width: 40, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 31)
        let pipeline = try Pipeline([
            RandomResizedCrop(size: [24, 20], scale: [0.05, 1.0]), Normalize(mean: [0.4], std: [0.3]),
        ])
        try expectParity(pipeline, on: input, seed: 32, "mixed tap counts")
        let plan = try pipeline.sample(for: input, seed: 32).plan(for: input)
        let warp = try #require(plan.stages.first?.as(WarpStage.self))
        let tables = warp.separableTables
        for axis in [tables.columns, tables.rows] {
            #expect(axis.sampleTaps.contains(2) && axis.sampleTaps.contains { $0 > 2 })
            #expect(axis.taps == axis.sampleTaps.max())
        }
        #expect(warp.tapCountLaunches > 1)
        #expect(try Shared.backend().runProfiled(plan, on: input).timing.launches == warp.tapCountLaunches)
    }

    @Test func antialiasedAndAxisAlignedWarpsMatchTheCPUTwin() throws {
        let shapes: [(Int, ImageGeometry)] = [
            (1, ImageGeometry(height: 1, width: 1, channels: 1)),
            (1, ImageGeometry(height: 37, width: 53, channels: 3)),
            (4, ImageGeometry(height: 15, width: 9, channels: 1)),
            (3, ImageGeometry(height: 24, width: 70, channels: 4)),
        ]
        let formats: [(PixelType, ImageLayout, OutputFormat)] = [
            (.uint8, .nhwc, .float32NCHW), (.float32, .nchw, .float32NCHW), (.uint8, .nhwc, .uint8NHWC),
            (.float32, .nhwc, .uint8NHWC), (.uint8, .nchw, .float16NCHW),
        ]
        var seed: UInt64 = 77
        for (count, g) in shapes {
            let pipelines: [Pipeline] = try [
                Pipeline([Resize(size: [max(1, g.height / 3), max(1, g.width * 2 / 5)])]),  // downscale
                Pipeline([Resize(size: [g.height * 2 + 1, g.width + 5])]),  // upscale
                Pipeline([Resize(size: [max(1, g.height - 2), g.width * 3], antialias: false)]),  // plain, separable
                Pipeline([
                    RandomResizedCrop(size: [11, 13]), RandomHorizontalFlip(), RandomVerticalFlip(p: 0.5),
                    Normalize(mean: [0.4], std: [0.3]),
                ]),
                Pipeline([
                    ResizedCrop(top: 0, left: 0, height: g.height, width: g.width, size: [5, 7]), HorizontalFlip(),
                ]),
                Pipeline([
                    Affine(translatePixels: [1.5, -2.25], scale: 0.7, interpolation: .bilinear, paddingMode: .reflect)
                ]),
            ]
            for pipeline in pipelines {
                for (pixelType, layout, output) in formats {
                    if output.pixelType == .uint8, pipeline.transforms.contains(where: { $0 is Normalize }) { continue }
                    seed &+= 1
                    var p = pipeline
                    p.output = output
                    let input = try ImageBatch.random(
                        count: count, geometry: g, pixelType: pixelType, layout: layout, seed: seed)
                    let plan = try p.sample(for: input, seed: seed).plan(for: input)
                    if pipeline.transforms.first is Resize || pipeline.transforms.first is Affine, g.width > 1 {
                        if let warp = plan.stages.first?.as(WarpStage.self) { #expect(warp.isSeparable) }
                    }
                    try expectParity(p, on: input, seed: seed, "\(pipeline.transforms.map(\.opName)) \(pixelType)")
                }
            }
        }
    }
}
