import Foundation
import Testing
@testable import Augment

/// erase and random_erasing on the CPU reference: boxes, fills and torchvision's sampling.
@Suite struct EraseTests {
    func floats(count: Int = 2, _ geometry: ImageGeometry, seed: UInt64 = 6) throws -> ImageBatch {
        try ImageBatch.random(count: count, geometry: geometry, pixelType: .float32, layout: .nchw, seed: seed)
    }

    func run(_ transforms: [any Transform], _ images: ImageBatch, seed: UInt64 = 3) throws -> ImageBatch {
        try CPUBackend().apply(Pipeline(transforms), to: images, seed: seed)
    }

    @Test func eraseFillsTheClippedBox() throws {
        let geometry = ImageGeometry(height: 6, width: 8, channels: 3)
        let images = try floats(geometry)
        let out = try run([Erase(top: 4, left: 5, height: 10, width: 2, value: [0.1, 0.2, 0.3])], images)
        for n in 0..<2 {
            for c in 0..<3 {
                for y in 0..<6 {
                    for x in 0..<8 {
                        let inside = y >= 4 && x >= 5 && x < 7
                        let expected =
                            inside ? Float([0.1, 0.2, 0.3][c]) : images.value(sample: n, channel: c, y: y, x: x)
                        #expect(out.value(sample: n, channel: c, y: y, x: x) == expected)
                    }
                }
            }
        }
        #expect(try run([Erase(top: 0, left: 0, height: 0, width: 5)], images) == images)
        let one = try run([Erase(top: 0, left: 0, height: 6, width: 8, value: [0.5])], images)
        #expect(one.float32Values?.allSatisfy { $0 == 0.5 } == true)
        #expect(throws: AugmentError.self) {
            try run([Erase(top: 0, left: 0, height: 1, width: 1, value: [0, 1])], images)
        }
        #expect(throws: AugmentError.self) { try Erase(top: -1, left: 0, height: 1, width: 1) }
        #expect(throws: AugmentError.self) { try Erase(top: 0, left: 0, height: 1, width: 1, value: [.nan]) }
        let decoded = try JSONDecoder().decode(
            Erase.self, from: Data(#"{"i": 1, "j": 2, "h": 3, "w": 4, "v": 0.5}"#.utf8))
        #expect(
            decoded.top == 1 && decoded.left == 2 && decoded.height == 3 && decoded.width == 4 && decoded.value == [0.5]
        )
    }

    @Test func randomErasingSamplesLikeTorchvision() throws {
        let geometry = ImageGeometry(height: 40, width: 60, channels: 3)
        let erasing = try RandomErasing(p: 0.6, scale: ValueRange(0.05, 0.2), ratio: ValueRange(0.5, 2))
        let sampled = try Pipeline([erasing]).sample(count: 3000, geometry: geometry, seed: 12)
        let parameters = try #require(sampled.ops[0].parameters as? [RandomErasingParameters])
        let boxes = parameters.compactMap(\.box)
        #expect(abs(boxes.count - 1800) < 110)  // sd 27
        for box in boxes {
            #expect(box.top >= 0 && box.left >= 0 && box.top + box.height <= 40 && box.left + box.width <= 60)
            #expect(box.height < 40 && box.width < 60)
            // Rounding h and w moves the area a little around H W U(scale).
            let fraction = Double(box.height * box.width) / 2400
            #expect(fraction > 0.03 && fraction < 0.24, "\(box)")
            let aspect = Double(box.height) / Double(box.width)
            #expect(aspect > 0.35 && aspect < 2.8, "\(box)")
        }
        // log-uniform aspect: as many boxes taller than wide as wider than tall.
        let tall = boxes.filter { $0.height > $0.width }.count, wide = boxes.filter { $0.height < $0.width }.count
        #expect(abs(tall - wide) < 200)
        #expect(Set(boxes.map { $0.top * 100 + $0.left }).count > 700)  // 938 measured
        #expect(parameters.allSatisfy { $0.noise == nil })
    }

    @Test func randomErasingGivesUpWhenNoBoxFits() throws {
        // Every try needs h < 4 and w < 4 with h w about 16: impossible, so nothing is erased.
        let images = try floats(ImageGeometry(height: 4, width: 4, channels: 1))
        let erasing = try RandomErasing(p: 1, scale: ValueRange(1, 1), ratio: ValueRange(1, 1))
        let sampled = try Pipeline([erasing]).sample(count: 2, geometry: images.geometry, seed: 1)
        #expect((sampled.ops[0].parameters as? [RandomErasingParameters])?.allSatisfy { $0.box == nil } == true)
        #expect(try sampled.plan(for: images).stages.count == 1)
        #expect(try run([RandomErasing(p: 0)], images) == images)
    }

    @Test func randomErasingFills() throws {
        let geometry = ImageGeometry(height: 30, width: 30, channels: 3)
        let images = try floats(count: 4, geometry)
        for value in [ErasingValue.constant([0.25]), .constant([0.1, 0.5, 0.9]), .random] {
            let erasing = try RandomErasing(p: 1, scale: ValueRange(0.2, 0.3), value: value)
            let sampled = try Pipeline([erasing]).sample(count: 4, geometry: geometry, seed: 2)
            let parameters = try #require(sampled.ops[0].parameters as? [RandomErasingParameters])
            let out = try CPUBackend().run(sampled.plan(for: images), on: images)
            var noise: [Double] = []
            for (n, p) in parameters.enumerated() {
                let box = try #require(p.box)
                for c in 0..<3 {
                    for y in 0..<30 {
                        for x in 0..<30 {
                            let inside =
                                y >= box.top && y < box.top + box.height && x >= box.left && x < box.left + box.width
                            let v = out.value(sample: n, channel: c, y: y, x: x)
                            switch (inside, value) {
                            case (false, _): #expect(v == images.value(sample: n, channel: c, y: y, x: x))
                            case (true, .constant(let values)):
                                #expect(v == Float(values.count == 1 ? values[0] : values[c]))
                            case (true, .random):
                                #expect(v == p.noise?.normal((c * 30 + y) * 30 + x))
                                noise.append(Double(v))
                            }
                        }
                    }
                }
            }
            if value == .random {
                let mean = noise.reduce(0, +) / Double(noise.count)
                let variance = noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(noise.count)
                #expect(
                    abs(mean) < 0.05 && abs(variance - 1) < 0.08,
                    "\(noise.count) values: mean \(mean), variance \(variance)")
            }
        }
    }

    @Test func randomErasingArgumentsAndDecoding() throws {
        #expect(throws: AugmentError.self) { try RandomErasing(scale: ValueRange(0.5, 1.5)) }
        #expect(throws: AugmentError.self) { try RandomErasing(ratio: ValueRange(0, 2)) }
        #expect(throws: AugmentError.self) { try RandomErasing(p: 2) }
        #expect(throws: AugmentError.self) { try RandomErasing(value: .constant([])) }
        let images = try floats(ImageGeometry(height: 5, width: 5, channels: 3))
        #expect(throws: AugmentError.self) { try run([RandomErasing(value: .constant([1, 2]))], images) }
        let decoder = JSONDecoder()
        let random = try decoder.decode(RandomErasing.self, from: Data(#"{"value": "random", "p": 1}"#.utf8))
        #expect(
            random.value == .random && random.scale == ValueRange(0.02, 0.33) && random.ratio == ValueRange(0.3, 3.3))
        let constant = try decoder.decode(RandomErasing.self, from: Data(#"{"value": [0.485, 0.456, 0.406]}"#.utf8))
        #expect(constant.value == .constant([0.485, 0.456, 0.406]) && constant.p == 0.5)
        #expect(throws: AugmentError.self) {
            try decoder.decode(RandomErasing.self, from: Data(#"{"value": "noise"}"#.utf8))
        }
        let again = try decoder.decode(RandomErasing.self, from: JSONEncoder().encode(random))
        #expect(again.value == .random && again.p == 1)
    }
}
