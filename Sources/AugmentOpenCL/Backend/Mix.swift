import Augment

/// Host side of `Kernels/mix.cl`.
enum OpenCLMix {
    /// Launches `mix_apply` for a ``MixStage``: one launch for the whole batch, into a new buffer
    /// (every sample reads the unmixed batch). Labels are mixed by the caller on the host.
    static func apply(
        _ stage: MixStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: stage.op)
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let geometry = stage.geometry
        let kernel = try backend.program(family: "mix", defines: [:]).kernel("mix_apply")
        let (table, weights) = stage.kernelTable
        let tableBuffer = try backend.upload(table, timing: &timing)
        let weightBuffer = try backend.upload(weights, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: geometry, format: .float32NCHW,
            options: options)
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(tableBuffer), .buffer(weightBuffer),
            .value(Int32(geometry.height)), .value(Int32(geometry.width)), .value(Int32(geometry.channels)),
        ])
        try backend.enqueuePerPixel(kernel, geometry: geometry, count: stage.count, timing: &timing)
        return destination
    }
}

extension MixStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        let mix = try OpenCLSaliency.resolve(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
        run.result.labels = try mix.mixedLabels(run.result.labels)
        run.images = try OpenCLMix.apply(
            mix, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
