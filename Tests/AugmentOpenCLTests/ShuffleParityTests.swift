import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the shuffle family (Kernels/shuffle.cl vs CPU/Shuffle.swift): channel_shuffle
/// copies values, so both backends agree bit for bit.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct ShuffleParityTests {
    @Test func channelShuffleIsBitExact() throws {
        try sweep(
            [
                ("channel_shuffle p=1", try Pipeline([ChannelShuffle(p: 1)])),
                ("channel_shuffle p=0.5", try Pipeline([ChannelShuffle()])),
                ("channel_shuffle after colour", try Pipeline([AdjustGamma(gamma: 1.3), ChannelShuffle(p: 1)])),
                ("random_apply(channel_shuffle)", try Pipeline([RandomApply([ChannelShuffle(p: 1)], p: 0.5)])),
            ], channels: [1, 3, 4, 7], seed: 7100)
    }
}
