import Augment

/// Host side of `Kernels/fanout.cl`.
enum OpenCLFanOut {
    /// One `fanout_replicate` launch over NDRange (x, y, output sample).
    static func replicate(
        _ stage: ReplicateStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the replicate stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let g = stage.geometry
        let kernel = try backend.program(family: "fanout", defines: [:]).kernel("fanout_replicate")
        let destination = try backend.outputImages(
            count: stage.outputCount, geometry: g, format: .float32NCHW, options: options)
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .value(Int32(g.height)), .value(Int32(g.width)),
            .value(Int32(g.channels)), .value(Int32(stage.copies)),
        ])
        try backend.enqueuePerPixel(kernel, geometry: g, count: stage.outputCount, timing: &timing)
        return destination
    }

    /// One `fanout_weighted_sum` launch over NDRange (x, y, output sample).
    static func weightedSum(
        _ stage: WeightedSumStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.inputCount, geometry: stage.geometry, stage: "the weighted sum")
        try stage.check(count: input.count, geometry: input.geometry)
        let g = stage.geometry
        let kernel = try backend.program(family: "fanout", defines: [:]).kernel("fanout_weighted_sum")
        let weights = try backend.upload(stage.weights.flatMap { $0 }, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: g, format: .float32NCHW, options: options)
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(weights), .value(Int32(g.height)),
            .value(Int32(g.width)), .value(Int32(g.channels)), .value(Int32(stage.terms)),
        ])
        try backend.enqueuePerPixel(kernel, geometry: g, count: stage.count, timing: &timing)
        return destination
    }
}

extension WeightedSumStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLFanOut.weightedSum(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}

extension ReplicateStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        try ReplicateStage.checkNoTargets(run.result)
        run.images = try OpenCLFanOut.replicate(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
