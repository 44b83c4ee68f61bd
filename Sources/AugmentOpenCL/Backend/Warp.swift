import Augment

/// Host side of `Kernels/warp.cl`.
enum OpenCLWarp {
    /// Launches `warp_remap` for a ``RemapStage``: one launch for the whole batch.
    static func remap(
        _ stage: RemapStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try stage.checkInput(count: input.count, geometry: input.geometry, pixelType: input.pixelType, layout: input.layout)
        let out = stage.output
        let program = try backend.program(family: "warp", defines: [
            input.pixelType == .uint8 ? "SRC_U8" : "SRC_F32": "",
            input.layout == .nhwc ? "SRC_NHWC" : "SRC_NCHW": "",
            stage.outputFormat.pixelType == .uint8 ? "DST_U8" : "DST_F32": "",
            stage.outputFormat.layout == .nhwc ? "DST_NHWC" : "DST_NCHW": "",
            "CHANNELS": "\(out.channels)",
            "HAS_EPILOGUE": stage.epilogue == nil ? "0" : "1",
        ])
        let kernel = try program.kernel("warp_remap")
        let windows = try backend.upload(stage.windows.flatMap { [$0.x0, $0.y0, $0.dx, $0.dy] }, timing: &timing)
        let scale = try backend.upload(stage.epilogue?.scale ?? Array(repeating: 1, count: out.channels), timing: &timing)
        let bias = try backend.upload(stage.epilogue?.bias ?? Array(repeating: 0, count: out.channels), timing: &timing)
        let destination = try backend.outputImages(count: stage.count, geometry: out, format: stage.outputFormat,
                                                   options: options)

        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, windows)
        try kernel.setArgument(3, scale)
        try kernel.setArgument(4, bias)
        try kernel.setArgument(5, value: Int32(stage.input.height))
        try kernel.setArgument(6, value: Int32(stage.input.width))
        try kernel.setArgument(7, value: Int32(out.height))
        try kernel.setArgument(8, value: Int32(out.width))

        let groupWidth = min(64, roundUp(out.width, to: 8), backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(on: backend.context,
                                       global: [roundUp(out.width, to: groupWidth), out.height, stage.count],
                                       local: [groupWidth, 1, 1])
        timing.kernelNanoseconds += try event.durationNanoseconds()
        timing.launches += 1
        return destination
    }
}

func roundUp(_ value: Int, to multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
