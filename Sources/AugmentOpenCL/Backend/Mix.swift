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
        let destination = try backend.outputImages(count: stage.count, geometry: geometry, format: .float32NCHW,
                                                   options: options)
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, tableBuffer)
        try kernel.setArgument(3, weightBuffer)
        try kernel.setArgument(4, value: Int32(geometry.height))
        try kernel.setArgument(5, value: Int32(geometry.width))
        try kernel.setArgument(6, value: Int32(geometry.channels))
        try backend.enqueuePerPixel(kernel, geometry: geometry, count: stage.count, timing: &timing)
        return destination
    }
}
