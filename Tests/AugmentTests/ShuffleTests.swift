import Foundation
import Testing
@testable import Augment

/// channel_shuffle (the `shuffle` family) on the CPU: every sample's channels are a permutation of
/// its input's, p = 0 is the identity, and the sampled orders cover more than one permutation.
struct ChannelShuffleTests {
    @Test func outputChannelsArePermutedInputChannels() throws {
        let geometry = ImageGeometry(height: 5, width: 4, channels: 4)
        let input = try ImageBatch.random(count: 16, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1)
        let pipeline = try Pipeline([ChannelShuffle(p: 1)])
        let sampled = try pipeline.sample(for: input, seed: 5)
        let output = try CPUBackend().run(sampled.plan(for: input), on: input)
        let a = input.float32Values!, b = output.float32Values!
        let plane = geometry.height * geometry.width
        var orders: Set<[Int]> = []
        for n in 0..<input.count {
            var order: [Int] = []
            for c in 0..<geometry.channels {
                let out = Array(b[((n * 4 + c) * plane)..<((n * 4 + c + 1) * plane)])
                let source = (0..<4).first { Array(a[((n * 4 + $0) * plane)..<((n * 4 + $0 + 1) * plane)]) == out }
                #expect(source != nil)
                order.append(source ?? -1)
            }
            #expect(order.sorted() == [0, 1, 2, 3])
            orders.insert(order)
        }
        #expect(orders.count > 1)
        let identity = try CPUBackend().run(
            Pipeline([ChannelShuffle(p: 0)]).sample(for: input, seed: 5).plan(for: input), on: input)
        #expect(identity.float32Values == input.float32Values)
        #expect(throws: AugmentError.self) { try ChannelShuffle(p: 1.5) }
    }
}
