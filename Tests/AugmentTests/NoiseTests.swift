import Foundation
import Testing
@testable import Augment

/// gaussian_noise on the CPU reference: the distribution, clipping, and the noise streams.
@Suite struct NoiseTests {
    let geometry = ImageGeometry(height: 20, width: 30, channels: 3)

    func constant(_ value: Float, count: Int = 4) throws -> ImageBatch {
        try ImageBatch(
            float32NCHW: [Float](repeating: value, count: count * geometry.elementCount), count: count,
            channels: 3, height: 20, width: 30)
    }

    @Test func addsNormalNoiseWithTheGivenMeanAndSigma() throws {
        let images = try constant(0.5)
        let out = try #require(
            try CPUBackend().apply(
                Pipeline([GaussianNoise(mean: 0.05, sigma: 0.1, clip: false)]),
                to: images, seed: 4
            ).float32Values)
        let noise = out.map { Double($0) - 0.5 }
        let mean = noise.reduce(0, +) / Double(noise.count)
        let sd = (noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(noise.count)).squareRoot()
        #expect(abs(mean - 0.05) < 0.003)  // sd of the mean: 0.0014
        #expect(abs(sd - 0.1) < 0.003)
        // Samples get different noise.
        let per = geometry.elementCount
        #expect(Array(out[0..<per]) != Array(out[per..<(2 * per)]))
    }

    @Test func noiseIsTheSampleStreamElementByElement() throws {
        let images = try constant(0)
        let out = try #require(
            try CPUBackend().apply(
                Pipeline([Invert(), GaussianNoise(mean: 0, sigma: 1, clip: false)]),
                to: images, seed: 21, epoch: 3, firstSampleIndex: 100
            ).float32Values)
        let per = geometry.elementCount
        for n in 0..<4 {
            let key = NoiseKey(RandomKey(seed: 21, epoch: 3, sampleIndex: UInt64(100 + n), opIndex: 1))
            for e in stride(from: 0, to: per, by: 97) { #expect(out[n * per + e] == 1 + key.normal(e)) }
        }
    }

    @Test func clipAndIdentity() throws {
        let images = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 2)
        let clipped = try #require(
            try CPUBackend().apply(Pipeline([GaussianNoise(sigma: 0.5)]), to: images, seed: 1).float32Values)
        #expect(clipped.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(clipped.contains(0) && clipped.contains(1))
        #expect(try CPUBackend().apply(Pipeline([GaussianNoise(sigma: 0)]), to: images, seed: 1) == images)
    }

    @Test func independentOfBatchSplitAndReproducible() throws {
        let images = try constant(0.5, count: 6)
        let pipeline = try Pipeline([GaussianNoise(sigma: 0.2)])
        let whole = try #require(
            try CPUBackend().apply(pipeline, to: images, seed: 9, firstSampleIndex: 40).float32Values)
        let again = try #require(
            try CPUBackend().apply(pipeline, to: images, seed: 9, firstSampleIndex: 40).float32Values)
        #expect(whole == again)
        let tail = try #require(
            try CPUBackend().apply(
                pipeline, to: constant(0.5, count: 2), seed: 9,
                firstSampleIndex: 44
            ).float32Values)
        #expect(Array(whole[(4 * geometry.elementCount)...]) == tail)
        let otherSeed = try #require(
            try CPUBackend().apply(pipeline, to: images, seed: 10, firstSampleIndex: 40).float32Values)
        #expect(otherSeed != whole)
    }

    @Test func argumentsAndDecoding() throws {
        #expect(
            throws: AugmentError.invalidArgument(
                op: "gaussian_noise", argument: "sigma", value: "-0.1",
                allowed: "a number >= 0")
        ) {
            try GaussianNoise(sigma: -0.1)
        }
        #expect(throws: AugmentError.self) { try GaussianNoise(mean: .nan) }
        let decoded = try JSONDecoder().decode(GaussianNoise.self, from: Data(#"{"sigma": 0.2, "clip": false}"#.utf8))
        #expect(decoded.mean == 0 && decoded.sigma == 0.2 && !decoded.clip)
        #expect(try JSONDecoder().decode(GaussianNoise.self, from: Data("{}".utf8)).sigma == 0.1)
    }
}
