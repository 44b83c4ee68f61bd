import Augment

/// Host side of `Kernels/shuffle.cl`.
enum OpenCLShuffle {
    /// Runs a ``ChannelShuffleStage``: one `shuffle_channels` launch for the whole batch.
    static func run(
        _ stage: ChannelShuffleStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the channel shuffle stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.program(family: "shuffle", defines: [:])
        let order = try backend.upload(stage.permutations.flatMap { $0.map(Int32.init) }, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("shuffle_channels")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(order), .value(Int32(stage.geometry.channels)),
            .value(Int32(stage.geometry.height)), .value(Int32(stage.geometry.width)),
        ])
        try launchPerElement(kernel, stage.geometry, count: stage.count, backend: backend, timing: &timing)
        return destination
    }
}

extension ChannelShuffleStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLShuffle.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
