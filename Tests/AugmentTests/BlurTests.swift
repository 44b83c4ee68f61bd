import Foundation
import Testing
@testable import Augment

/// Gaussian blur and sharpness on the CPU reference, against an independent Double-precision 2-D
/// convolution with reflect-101 borders.
@Suite struct BlurTests {
    func floats(count: Int = 2, _ geometry: ImageGeometry, seed: UInt64 = 4) throws -> ImageBatch {
        try ImageBatch.random(count: count, geometry: geometry, pixelType: .float32, layout: .nchw, seed: seed)
    }

    func run(_ transforms: [any Transform], _ images: ImageBatch, seed: UInt64 = 3) throws -> ImageBatch {
        try CPUBackend().apply(Pipeline(transforms), to: images, seed: seed)
    }

    /// Direct 2-D convolution in Double with the outer product of two 1-D Gaussians, reflecting
    /// indices without repeating the edge (folding as often as needed).
    func reference(_ images: ImageBatch, kx: Int, ky: Int, sx: Double, sy: Double) -> [Double] {
        func kernel(_ size: Int, _ sigma: Double) -> [Double] {
            let raw = (0..<size).map { Foundation.exp(-Foundation.pow(Double($0 - size / 2) / sigma, 2) / 2) }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
        func reflect(_ i: Int, _ n: Int) -> Int {
            if n == 1 { return 0 }
            var i = i
            while i < 0 || i >= n { i = i < 0 ? -i : 2 * (n - 1) - i }
            return i
        }
        let wx = kernel(kx, sx), wy = kernel(ky, sy)
        let g = images.geometry
        var out: [Double] = []
        for n in 0..<images.count {
            for c in 0..<g.channels {
                for y in 0..<g.height {
                    for x in 0..<g.width {
                        var sum = 0.0
                        for j in 0..<ky {
                            for i in 0..<kx {
                                sum +=
                                    wy[j] * wx[i]
                                    * Double(
                                        images.value(
                                            sample: n, channel: c, y: reflect(y + j - ky / 2, g.height),
                                            x: reflect(x + i - kx / 2, g.width)))
                            }
                        }
                        out.append(sum)
                    }
                }
            }
        }
        return out
    }

    @Test func kernelsAreNormalisedSymmetricGaussians() {
        let k = GaussianBlurStage.gaussianKernel(size: 7, sigma: 1.4)
        #expect(k.count == 7)
        #expect(abs(k.reduce(0, +) - 1) < 1e-6)
        for i in 0..<3 { #expect(k[i] == k[6 - i]) }
        #expect(abs(Double(k[2] / k[3]) - Foundation.exp(-1 / (2 * 1.4 * 1.4))) < 1e-6)
        #expect(GaussianBlurStage.gaussianKernel(size: 5, sigma: 1e-30) == [0, 0, 1, 0, 0])
        #expect(GaussianBlurStage.gaussianKernel(size: 1, sigma: 3) == [1])
    }

    @Test func separableBlurMatchesTheDirectConvolution() throws {
        let images = try floats(ImageGeometry(height: 13, width: 17, channels: 3))
        for (kx, ky, sx, sy) in [(3, 3, 0.8, 0.8), (5, 9, 1.2, 2.5), (11, 1, 3.0, 1.0), (7, 7, 1.4, 1.4)] {
            let blur = try GaussianBlur(kernelSizeX: kx, kernelSizeY: ky, sigma: nil)
            let sampled = SampledPipeline(
                pipeline: try Pipeline([blur]), count: 2, inputGeometry: images.geometry,
                ops: [
                    SampledOp(
                        blur, parameters: Array(repeating: GaussianBlurParameters(sigmaX: sx, sigmaY: sy), count: 2))
                ])
            let out = try #require(try CPUBackend().run(sampled.plan(for: images), on: images).float32Values)
            let expected = reference(images, kx: kx, ky: ky, sx: sx, sy: sy)
            let worst = zip(out, expected).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(worst < 1e-6, "k=(\(kx), \(ky)) sigma=(\(sx), \(sy)): \(worst)")
        }
    }

    @Test func kernelsWiderThanTheImageFoldTheReflection() throws {
        let images = try floats(ImageGeometry(height: 3, width: 2, channels: 1))
        let out = try #require(try run([GaussianBlur(kernelSize: [9], sigma: [2])], images).float32Values)
        let expected = reference(images, kx: 9, ky: 9, sx: 2, sy: 2)
        #expect(zip(out, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        let single = try floats(ImageGeometry(height: 1, width: 1, channels: 3))
        let blurredSingle = try run([GaussianBlur(kernelSize: [5], sigma: [1])], single)
        #expect(zip(blurredSingle.float32Values ?? [], single.float32Values ?? []).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(CPUBlur.reflect101(-1, 5) == 1 && CPUBlur.reflect101(5, 5) == 3 && CPUBlur.reflect101(-9, 3) == 1)
        #expect(CPUBlur.reflect101(7, 1) == 0)
    }

    @Test func identityCases() throws {
        let images = try floats(ImageGeometry(height: 8, width: 9, channels: 3))
        #expect(try run([GaussianBlur(kernelSize: [1])], images) == images)
        #expect(try run([GaussianBlur(kernelSize: [9], sigma: [1e-9])], images) == images)
        #expect(try run([GaussianBlur(kernelSize: [5], p: 0)], images) == images)
        let plan = try Pipeline([GaussianBlur(kernelSize: [1, 1])]).sample(count: 2, geometry: images.geometry, seed: 1)
            .plan(for: images)
        #expect(!plan.stages.contains { $0.family == "blur" })
        // A constant image stays constant (weights sum to 1 within float rounding).
        let constant = try ImageBatch(
            float32NCHW: [Float](repeating: 0.7, count: 2 * 3 * 72), count: 2, channels: 3,
            height: 8, width: 9)
        let blurred = try #require(try run([GaussianBlur(kernelSize: [7], sigma: [1.5])], constant).float32Values)
        #expect(blurred.allSatisfy { abs($0 - 0.7) < 1e-6 })
    }

    @Test func perSampleSigmasInOneStage() throws {
        let images = try floats(count: 6, ImageGeometry(height: 10, width: 12, channels: 3))
        let blur = try GaussianBlur(kernelSize: [9], sigma: [0.1, 2.0])
        let sampled = try Pipeline([blur]).sample(count: 6, geometry: images.geometry, seed: 8)
        let sigmas = try #require(sampled.ops[0].parameters as? [GaussianBlurParameters]).compactMap(\.sigmaX)
        #expect(Set(sigmas).count == 6)
        #expect(sigmas.allSatisfy { (0.1..<2.0).contains($0) })
        let plan = try sampled.plan(for: images)
        #expect(plan.stages.filter { $0.family == "blur" }.count == 1)
        let out = try CPUBackend().run(plan, on: images)
        // Each sample equals blurring it alone with its own sigma.
        let values = try #require(images.float32Values)
        let per = images.geometry.elementCount
        for n in 0..<6 {
            let one = try ImageBatch(
                float32NCHW: Array(values[(n * per)..<((n + 1) * per)]), count: 1, channels: 3,
                height: 10, width: 12)
            let alone = try run([GaussianBlur(kernelSize: [9], sigma: [sigmas[n]])], one)
            #expect(Array((out.float32Values ?? [])[(n * per)..<((n + 1) * per)]) == alone.float32Values)
        }
        // Defaults follow torchvision: 0.15 k + 0.35 per axis, one draw for both axes from a range.
        var random = RandomStream(RandomKey(seed: 1, sampleIndex: 0, opIndex: 0))
        let defaults = try GaussianBlur(kernelSize: [7, 3]).sampleParameters(for: images.geometry, random: &random)
        #expect(defaults == GaussianBlurParameters(sigmaX: 0.15 * 7 + 0.35, sigmaY: 0.15 * 3 + 0.35))
    }

    @Test func sharpnessKeepsBordersAndBlendsTheInterior() throws {
        let geometry = ImageGeometry(height: 6, width: 7, channels: 3)
        let images = try floats(geometry)
        #expect(try run([AdjustSharpness(sharpnessFactor: 1)], images) == images)
        let out = try run([AdjustSharpness(sharpnessFactor: 0.3)], images)
        for n in 0..<2 {
            for c in 0..<3 {
                for y in 0..<6 {
                    for x in 0..<7 {
                        let v = Double(images.value(sample: n, channel: c, y: y, x: x))
                        let o = Double(out.value(sample: n, channel: c, y: y, x: x))
                        if y == 0 || x == 0 || y == 5 || x == 6 {
                            #expect(o == v)
                        } else {
                            var smooth = 0.0
                            for dy in -1...1 {
                                for dx in -1...1 {
                                    smooth +=
                                        (dy == 0 && dx == 0 ? 5 : 1)
                                        * Double(images.value(sample: n, channel: c, y: y + dy, x: x + dx))
                                }
                            }
                            smooth /= 13
                            #expect(abs(o - min(1, max(0, v + 0.7 * (smooth - v)))) < 1e-6)
                        }
                    }
                }
            }
        }
        // Images of height or width <= 2 are returned unchanged (torchvision), even outside [0, 1].
        let tiny = try ImageBatch(float32NCHW: [1.5, -0.5, 0.2, 0.4], count: 1, channels: 1, height: 2, width: 2)
        #expect(try run([AdjustSharpness(sharpnessFactor: 3)], tiny) == tiny)
        // random_adjust_sharpness: per-sample application, nothing when no sample is chosen.
        let none = try Pipeline([RandomAdjustSharpness(sharpnessFactor: 2, p: 0)]).sample(
            count: 2, geometry: geometry, seed: 1)
        #expect(try none.plan(for: images).stages.count == 1)
    }

    @Test func badArgumentsThrow() throws {
        #expect(
            throws: AugmentError.invalidArgument(
                op: "gaussian_blur", argument: "kernel_size[0]", value: "4",
                allowed: "an odd integer in [1, 1023]")
        ) {
            try GaussianBlur(kernelSize: [4])
        }
        #expect(throws: AugmentError.self) { try GaussianBlur(kernelSize: [3, 0]) }
        #expect(throws: AugmentError.self) { try GaussianBlur(kernelSize: [3, 3, 3]) }
        #expect(throws: AugmentError.self) { try GaussianBlur(kernelSize: [3], sigma: [0]) }
        #expect(throws: AugmentError.self) { try GaussianBlur(kernelSize: [3], sigma: [2, 1]) }
        #expect(throws: AugmentError.self) { try GaussianBlur(kernelSize: [3], sigma: [.nan]) }
        #expect(throws: AugmentError.self) { try GaussianBlur(kernelSize: [3], p: 1.2) }
        #expect(throws: AugmentError.self) { try AdjustSharpness(sharpnessFactor: -1) }
        #expect(throws: AugmentError.self) { try RandomAdjustSharpness(sharpnessFactor: 1, p: -0.1) }
        let decoded = try JSONDecoder().decode(
            GaussianBlur.self, from: Data(#"{"kernel_size": 23, "sigma": [0.1, 2.0], "p": 0.5}"#.utf8))
        #expect(
            decoded.kernelSizeX == 23 && decoded.kernelSizeY == 23 && decoded.sigma == ValueRange(0.1, 2)
                && decoded.p == 0.5)
        let fixed = try JSONDecoder().decode(
            GaussianBlur.self, from: Data(#"{"kernel_size": [5, 3], "sigma": 1.5}"#.utf8))
        #expect(fixed.kernelSizeX == 5 && fixed.kernelSizeY == 3 && fixed.sigma == .single(1.5))
        let replay = try JSONDecoder().decode(GaussianBlur.self, from: JSONEncoder().encode(fixed))
        #expect(replay.sigma == .single(1.5) && replay.kernelSizeY == 3)
    }
}
