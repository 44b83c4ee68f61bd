import Foundation
import Testing
@testable import Augment

/// uint16 images (depth in millimetres) on the CPU backend: raw values through geometric ops,
/// noise and dropout; rounding and clamping of uint16 outputs; the refusals (colour ops, clip,
/// conversions that would clip or flatten values).
@Suite struct DepthTests {
    static let geometry = ImageGeometry(height: 5, width: 7, channels: 1)

    func depthBatch(count: Int = 2) throws -> ImageBatch {
        try ImageBatch(
            pixels: .uint16((0..<(count * 35)).map { UInt16(($0 * 1931) % 65536) }), count: count,
            geometry: Self.geometry, layout: .nhwc)
    }

    @Test func geometricOpsKeepRawValues() throws {
        let input = try depthBatch()
        let raw = try #require(input.uint16Values)
        let flipped = try CPUBackend().apply(Pipeline([HorizontalFlip()], output: .uint16NHWC), to: input, seed: 1)
        var expected: [UInt16] = []
        for n in 0..<2 {
            for y in 0..<5 {
                for x in 0..<7 { expected.append(raw[n * 35 + y * 7 + (6 - x)]) }
            }
        }
        #expect(flipped.uint16Values == expected)
        // float32 output: the raw values, not divided by 65535.
        let floats = try #require(
            try CPUBackend().apply(Pipeline([HorizontalFlip()]), to: input, seed: 1).float32Values)
        #expect(floats == expected.map(Float.init))
        // Nearest rotation by 90 degrees moves values without blending them.
        let rotated = try #require(
            try CPUBackend().apply(
                Pipeline([Rotate(angleDegrees: 180)], output: .uint16NHWC),
                to: input, seed: 1
            ).uint16Values)
        #expect(Set(rotated).isSubset(of: Set(raw + [0])))
    }

    @Test func uint16OutputRoundsToNearestEvenAndClamps() {
        #expect(UInt16.fromUnitValue(2.5) == 2)
        #expect(UInt16.fromUnitValue(3.5) == 4)
        #expect(UInt16.fromUnitValue(-7) == 0)
        #expect(UInt16.fromUnitValue(70000) == 65535)
        #expect(UInt16.fromUnitValue(.nan) == 0)
        #expect(UInt16.fromUnitValue(.infinity) == 65535)
    }

    @Test func noiseAndDropoutWorkInMillimetres() throws {
        let input = try depthBatch(count: 3)
        let raw = try #require(input.uint16Values)
        let noisy = try #require(
            try CPUBackend().apply(
                Pipeline([GaussianNoise(sigma: 3, clip: false)], output: .uint16NHWC),
                to: input, seed: 4
            ).uint16Values)
        let worst = zip(noisy, raw).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst > 0 && worst <= 18, "noise of sigma 3 mm moved a value by \(worst)")  // |z| <= 5.77
        let holes = try #require(
            try CPUBackend().apply(
                Pipeline([RandomDropout(p: 0.5, value: 0)], output: .uint16NHWC),
                to: input, seed: 4
            ).uint16Values)
        #expect(zip(holes, raw).allSatisfy { $0 == 0 || $0 == $1 })
        #expect(holes.filter { $0 == 0 }.count > 20)
    }

    @Test func refusalsNameTheOpAndTheWayOut() throws {
        let input = try depthBatch()
        func message(_ pipeline: Pipeline) -> String {
            do {
                _ = try CPUBackend().apply(pipeline, to: input, seed: 1)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let colour = message(try Pipeline([AdjustBrightness(brightnessFactor: 1.2)], output: .uint16NHWC))
        #expect(colour.contains("adjust_brightness") && colour.contains("uint16"), "\(colour)")
        let jitter = message(try Pipeline([OneOf([ColorJitter(brightness: 0.3)])], output: .uint16NHWC))
        #expect(jitter.contains("uint16"), "\(jitter)")
        let clip = message(try Pipeline([GaussianNoise(sigma: 3)], output: .uint16NHWC))
        #expect(clip.contains("clip"), "\(clip)")
        let toBytes = message(try Pipeline([HorizontalFlip()], output: .uint8NHWC))
        #expect(toBytes.contains("uint16 or float32 output"), "\(toBytes)")
        let normalized = message(try Pipeline([Normalize(mean: [1000], std: [500])], output: .uint16NHWC))
        #expect(normalized.contains("float32 output"), "\(normalized)")
        // uint8 input into a uint16 output would flatten [0, 1] values.
        let bytes = try ImageBatch.random(count: 1, geometry: Self.geometry, pixelType: .uint8, layout: .nhwc, seed: 2)
        #expect(throws: AugmentError.self) {
            try CPUBackend().apply(Pipeline([HorizontalFlip()], output: .uint16NHWC), to: bytes, seed: 1)
        }
    }

    @Test func pipelineFilesTakeUInt16Outputs() throws {
        let file =
            #"{"input": "depth", "output": {"dtype": "uint16", "layout": "nhwc"}, "ops": [{"op": "random_dropout", "p": 0.1}]}"#
        #expect(try PipelineFile.parse(Data(file.utf8)).pipeline.output == .uint16NHWC)
    }
}
