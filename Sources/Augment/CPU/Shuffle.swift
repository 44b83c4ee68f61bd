/// CPU twin of `Kernels/shuffle.cl` (`shuffle_channels`).
enum CPUShuffle {
    static func run(_ stage: ChannelShuffleStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: "channel shuffle")
        try stage.check(count: input.count, geometry: input.geometry)
        let (height, width, channels) = (stage.geometry.height, stage.geometry.width, stage.geometry.channels)
        let planeSize = height * width
        let permutations = stage.permutations
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * channels) {
                dst, plane in
                let n = plane / channels
                let from = (n * channels + permutations[n][plane - n * channels]) * planeSize
                for i in 0..<planeSize {
                    dst.base[plane * planeSize + i] = src.base[from + i]
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }
}

extension ChannelShuffleStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUShuffle.run(self, input: current.images)
    }
}
