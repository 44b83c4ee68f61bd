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
        let destination = try backend.outputImages(count: stage.count, geometry: geometry, format: .float32NCHW,
                                                   options: options)
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, bands)
        try kernel.setArgument(3, fills)
        try kernel.setArgument(4, value: Int32(geometry.height))
        try kernel.setArgument(5, value: Int32(geometry.width))
        try kernel.setArgument(6, value: Int32(geometry.channels))
        try kernel.setArgument(7, value: Int32(stage.bandsPerChannel))
        try kernel.setArgument(8, value: Int32(stage.axis == .time ? 1 : 0))
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
        try rowKernel.setArgument(0, input.buffer)
        try rowKernel.setArgument(1, sums)
        try rowKernel.setArgument(2, value: Int32(geometry.width))
        try rowKernel.setArgument(3, value: Int32(rows))
        let rowGroup = min(64, backend.device.maxWorkGroupSize)
        let rowEvent = try rowKernel.enqueue(on: backend.context, global: [roundUp(rows, to: rowGroup)], local: [rowGroup])
        timing.recordKernel(rowEvent)

        let meanKernel = try program.kernel("spec_example_means")
        try meanKernel.setArgument(0, sums)
        try meanKernel.setArgument(1, means)
        try meanKernel.setArgument(2, value: Int32(rowsPerExample))
        try meanKernel.setArgument(3, value: factor)
        try meanKernel.setArgument(4, value: Int32(input.count))
        let meanEvent = try meanKernel.enqueue(on: backend.context, global: [input.count])
        timing.recordKernel(meanEvent)
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
        let destination = try backend.outputImages(count: stage.count, geometry: geometry, format: .float32NCHW,
                                                   options: options)
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, warps)
        try kernel.setArgument(3, scales)
        try kernel.setArgument(4, value: Int32(geometry.height))
        try kernel.setArgument(5, value: Int32(geometry.width))
        try kernel.setArgument(6, value: Int32(geometry.channels))
        try kernel.setArgument(7, value: Int32(stage.interpolation == .bicubic ? 1 : 0))
        try backend.enqueuePerPixel(kernel, geometry: geometry, count: stage.count, timing: &timing)
        return destination
    }
}
