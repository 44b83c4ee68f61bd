import Augment

/// Host side of `Kernels/elastic.cl`.
enum OpenCLElastic {
    /// Runs an ``ElasticStage``: one `elastic_sample` launch, NDRange (W, H, N).
    static func run(
        _ stage: ElasticStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the elastic stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.exactProgram(family: "elastic", defines: [
            "CHANNELS": "\(stage.geometry.channels)",
            "BILINEAR": stage.interpolation == .bilinear ? "1" : "0",
        ])
        let displacement = try backend.upload(stage.displacement, timing: &timing)
        let fill = try backend.upload(stage.fill, timing: &timing)
        let destination = try backend.outputImages(count: stage.count, geometry: stage.geometry, format: .float32NCHW,
                                                   options: options)
        let kernel = try program.kernel("elastic_sample")
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, displacement)
        try kernel.setArgument(3, fill)
        try kernel.setArgument(4, value: Int32(stage.geometry.height))
        try kernel.setArgument(5, value: Int32(stage.geometry.width))
        let width = stage.geometry.width
        let group = min(64, roundUp(width, to: 8), backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(on: backend.context, global: [roundUp(width, to: group), stage.geometry.height, stage.count],
                                       local: [group, 1, 1])
        timing.recordKernel(event)
        return destination
    }
}
