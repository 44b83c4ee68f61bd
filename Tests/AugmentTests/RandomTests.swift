import Testing
@testable import Augment

/// Philox4x32-10 and the per-sample streams built on it.
@Suite struct RandomTests {
    // Known-answer vectors from Random123's tests/kat_vectors ("philox4x32 10" lines).
    @Test func philoxMatchesRandom123KnownAnswers() {
        let zero = Philox4x32.block(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = Philox4x32.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = Philox4x32.block(
            counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
            key: (0xA409_3822, 0x299F_31D0))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }

    @Test func streamsAreDeterministicAndDistinctPerKeyPart() {
        func first(_ key: RandomKey) -> [UInt32] {
            var stream = RandomStream(key)
            return (0..<8).map { _ in stream.nextUInt32() }
        }
        let base = RandomKey(seed: 42, epoch: 3, sampleIndex: 1000, opIndex: 2)
        #expect(first(base) == first(base))
        var others = [RandomKey]()
        for change in 0..<4 {
            var key = base
            switch change {
            case 0: key.seed += 1
            case 1: key.epoch += 1
            case 2: key.sampleIndex += 1
            default: key.opIndex += 1
            }
            others.append(key)
        }
        for key in others { #expect(first(key) != first(base), "changing \(key) must change the stream") }
        var noise = RandomStream(base, domain: .noise)
        #expect((0..<8).map { _ in noise.nextUInt32() } != first(base))
    }

    @Test func integersStayInRangeAndCoverItEvenly() {
        var stream = RandomStream(RandomKey(seed: 9, sampleIndex: 0, opIndex: 0))
        var counts = [Int](repeating: 0, count: 7)
        let draws = 70_000
        for _ in 0..<draws {
            let value = stream.integer(in: 3...9)
            #expect((3...9).contains(value))
            counts[value - 3] += 1
        }
        // Each bucket expects 10,000; 5 standard deviations is about 470.
        for count in counts { #expect(abs(count - 10_000) < 470, "bucket count \(count)") }
        #expect(stream.integer(in: 5...5) == 5)
        #expect((0..<100).allSatisfy { _ in (Int.min...Int.max).contains(stream.integer(in: Int.min...Int.max)) })
    }

    @Test func uniformMeanAndBernoulliRate() {
        var stream = RandomStream(RandomKey(seed: 1, sampleIndex: 5, opIndex: 0))
        let n = 100_000
        var sum = 0.0
        var hits = 0
        for _ in 0..<n {
            let u = stream.uniform()
            #expect(u >= 0 && u < 1)
            sum += u
            if stream.bernoulli(0.3) { hits += 1 }
        }
        #expect(abs(sum / Double(n) - 0.5) < 0.005)  // sd of the mean is 0.0009
        #expect(abs(Double(hits) / Double(n) - 0.3) < 0.008)  // sd is 0.0015
    }
}
