import Foundation
import Testing
@testable import Augment

/// The portable float math shared by the kernels and the CPU backend (`Kernels/common.cl`,
/// `CPU/PortableMath.swift`): accuracy against Double-precision libm, and the noise stream.
@Suite struct PortableMathTests {
    /// Inputs spread over many binades, subnormals included.
    static let positives: [Float] = {
        var values: [Float] = [
            Float.leastNonzeroMagnitude, 0x1p-133, 1e-38, 0x1p-126, 1e-30, 1e-10, 1e-5, 0.001, 0.01,
            0.1, 0.25, 0.5, 0.70710677, 0.7071068, 0.9, 0.999, 1, 1.0001, 1.41421, 1.4142137, 2,
            3, 10, 255, 1e10, 1e30, Float.greatestFiniteMagnitude,
        ]
        var random = RandomStream(RandomKey(seed: 11, sampleIndex: 0, opIndex: 0))
        for _ in 0..<20000 {
            values.append(Float(random.uniform()))
            values.append(Float(Foundation.exp(random.uniform(-80, 80))))
        }
        return values
    }()

    @Test func logIsAccurateToAFewUlp() {
        var worst = 0.0
        for x in Self.positives {
            let exact = Foundation.log(Double(x))
            let error = abs(Double(PortableMath.log(x)) - exact) / max(abs(exact), 1e-3)
            worst = max(worst, error)
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(PortableMath.log(1) == 0)
        #expect(PortableMath.log2(0.5) == -1)
        #expect(PortableMath.log2(1024) == 10)
    }

    @Test func exp2IsAccurateAndHandlesTheRangeEnds() {
        var worst = 0.0
        var random = RandomStream(RandomKey(seed: 12, sampleIndex: 0, opIndex: 0))
        for _ in 0..<50000 {
            let y = Float(random.uniform(-125, 127))
            let exact = Foundation.exp2(Double(y))
            worst = max(worst, abs(Double(PortableMath.exp2(y)) - exact) / exact)
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(PortableMath.exp2(0) == 1)
        #expect(PortableMath.exp2(-3) == 0.125)
        #expect(PortableMath.exp2(128) == .infinity)
        #expect(PortableMath.exp2(-200) == 0)
        #expect(PortableMath.exp2(-149) == Float.leastNonzeroMagnitude)
        #expect(PortableMath.exp2(.nan).isNaN)
    }

    /// adjust_gamma's domain: x in [0, 1], gamma in (0, 10]. The error against Double pow stays far
    /// below the 1e-5 agreement required with torchvision.
    @Test func powMatchesDoublePrecisionOnTheUnitInterval() {
        var worst = 0.0
        var random = RandomStream(RandomKey(seed: 13, sampleIndex: 0, opIndex: 0))
        for _ in 0..<100_000 {
            let x = Float(random.uniform())
            let g = Float(random.uniform(0.01, 10))
            let exact = Foundation.pow(Double(x), Double(g))
            worst = max(worst, abs(Double(PortableMath.pow(x, g)) - exact))
        }
        #expect(worst < 2e-7, "worst absolute error \(worst)")
        #expect(PortableMath.pow(0, 2) == 0)
        #expect(PortableMath.pow(0, 0) == 1)
        #expect(PortableMath.pow(.nan, 0) == 1)
        #expect(PortableMath.pow(1, 3.7) == 1)
        #expect(PortableMath.pow(-2, 3) == -8)
        #expect(PortableMath.pow(-2, 2) == 4)
        #expect(PortableMath.pow(-2, 0.5).isNaN)
        #expect(PortableMath.pow(.infinity, 2) == .infinity)
    }

    @Test func sinCosAreAccurateOverTheCircle() {
        var worst = 0.0
        for i in 0..<(1 << 16) {
            let u = Float(i) / Float(1 << 16)
            let (s, c) = PortableMath.sinCos2Pi(u)
            let angle = 2 * Double.pi * Double(u)
            worst = max(worst, abs(Double(s) - Foundation.sin(angle)), abs(Double(c) - Foundation.cos(angle)))
        }
        #expect(worst < 3e-7, "worst absolute error \(worst)")
        #expect(PortableMath.sinCos2Pi(0) == (0, 1))
        #expect(PortableMath.sinCos2Pi(0.25) == (1, 0))
    }

    /// The noise stream is standard normal: moments, tails and independence of neighbours.
    @Test func noiseStreamIsStandardNormal() {
        let key = NoiseKey(RandomKey(seed: 5, epoch: 2, sampleIndex: 77, opIndex: 3))
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0, sumFourth = 0.0, beyondTwo = 0, lagProduct = 0.0
        var previous = 0.0
        var largest: Float = 0
        for i in 0..<n {
            let z = Double(key.normal(i))
            sum += z
            sumSquares += z * z
            sumFourth += z * z * z * z
            if abs(z) > 2 { beyondTwo += 1 }
            lagProduct += z * previous
            previous = z
            largest = max(largest, abs(Float(z)))
        }
        let mean = sum / Double(n)
        let variance = sumSquares / Double(n) - mean * mean
        #expect(abs(mean) < 0.01)  // sd of the mean: 0.0022
        #expect(abs(variance - 1) < 0.015)  // sd: 0.0032
        #expect(abs(sumFourth / Double(n) - 3) < 0.1)
        #expect(abs(Double(beyondTwo) / Double(n) - 0.0455) < 0.003)
        #expect(abs(lagProduct / Double(n)) < 0.01)
        #expect(largest <= 5.77)
    }

    /// Different samples, ops and domains give unrelated streams; the same key gives the same values.
    @Test func noiseStreamsAreKeyed() {
        let a = NoiseKey(RandomKey(seed: 5, sampleIndex: 1, opIndex: 0))
        let b = NoiseKey(RandomKey(seed: 5, sampleIndex: 2, opIndex: 0))
        let c = NoiseKey(RandomKey(seed: 5, sampleIndex: 1, opIndex: 1))
        #expect((0..<64).map(a.normal) == (0..<64).map(a.normal))
        #expect((0..<64).map(a.normal) != (0..<64).map(b.normal))
        #expect((0..<64).map(a.normal) != (0..<64).map(c.normal))
        #expect(a.base0 == 1 << 24)  // op 0, domain noise
        // The parameter stream of the same (sample, op) is a different counter range.
        var parameters = RandomStream(RandomKey(seed: 5, sampleIndex: 1, opIndex: 0))
        let block = Philox4x32.block(counter: (0, a.base0, a.base1, a.base2), key: (a.key0, a.key1))
        #expect(parameters.nextUInt32() != block.0)
    }
}
