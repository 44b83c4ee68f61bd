import Augment

/// Host side of `Kernels/specaugment.cl`.
enum OpenCLSpecAugment {
    /// Launches `spec_mask` for a ``MaskStage`` (after `spec_row_sums` and `spec_example_means`
    /// when the fill is the example's mean and some band masks anything).
    static func mask(
        _ stage: MaskStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: stage.op)
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let geometry = stage.geometry
        let program = try backend.program(family: "specaugment", defines: [:])
        let fills: CLBuffer
        switch stage.fill {
        case .constant(let value):
            fills = try backend.upload(Array(repeating: value, count: stage.count), timing: &timing)
        case .mean where !stage.masksAnything:
            fills = try backend.upload(Array(repeating: Float(0), count: stage.count), timing: &timing)
        case .mean:
            fills = try means(of: input, factor: stage.meanFactor, program: program, backend: backend, timing: &timing)
        }
        let kernel = try program.kernel("spec_mask")
        let bands = try backend.upload(stage.bands, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: geometry, format: .float32NCHW,
            options: options)
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(bands), .buffer(fills),
            .value(Int32(geometry.height)), .value(Int32(geometry.width)), .value(Int32(geometry.channels)),
            .value(Int32(stage.bandsPerChannel)), .value(Int32(stage.axis == .time ? 1 : 0)),
        ])
        try backend.enqueuePerPixel(kernel, geometry: geometry, count: stage.count, timing: &timing)
        return destination
    }

    /// Each example's mean, on the device, in the order ``MaskStage`` specifies.
    private static func means(
        of input: DeviceImages, factor: Float, program: CLProgram, backend: OpenCLBackend, timing: inout OpenCLTiming
    ) throws -> CLBuffer {
        let geometry = input.geometry
        let rowsPerExample = geometry.channels * geometry.height
        let rows = input.count * rowsPerExample
        let sums = try backend.runBuffer(byteCount: rows * 4)
        let means = try backend.runBuffer(byteCount: input.count * 4)

        let rowKernel = try program.kernel("spec_row_sums")
        try rowKernel.setArguments([
            .buffer(input.buffer), .buffer(sums), .value(Int32(geometry.width)), .value(Int32(rows)),
        ])
        let rowGroup = min(64, backend.device.maxWorkGroupSize)
        try backend.launch(rowKernel, global: [roundUp(rows, to: rowGroup)], local: [rowGroup], timing: &timing)

        let meanKernel = try program.kernel("spec_example_means")
        try meanKernel.setArguments([
            .buffer(sums), .buffer(means), .value(Int32(rowsPerExample)), .value(factor), .value(Int32(input.count)),
        ])
        try backend.launch(meanKernel, global: [input.count], timing: &timing)
        return means
    }

    /// Launches `spec_time_warp` for a ``TimeWarpStage``.
    static func timeWarp(
        _ stage: TimeWarpStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "time_warp")
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let geometry = stage.geometry
        let kernel = try backend.program(family: "specaugment", defines: [:]).kernel("spec_time_warp")
        let warps = try backend.upload(zip(stage.centers, stage.warpedCenters).flatMap { [$0, $1] }, timing: &timing)
        let scales = try backend.upload(stage.scales, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: geometry, format: .float32NCHW,
            options: options)
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(warps), .buffer(scales),
            .value(Int32(geometry.height)), .value(Int32(geometry.width)), .value(Int32(geometry.channels)),
            .value(Int32(stage.interpolation == .bicubic ? 1 : 0)),
        ])
        try backend.enqueuePerPixel(kernel, geometry: geometry, count: stage.count, timing: &timing)
        return destination
    }
}

extension MaskStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLSpecAugment.mask(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}

extension TimeWarpStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLSpecAugment.timeWarp(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
