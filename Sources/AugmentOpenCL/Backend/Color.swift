import Augment

/// Host side of `Kernels/color.cl`.
enum OpenCLColor {
    /// Runs a ``ColorStage``: `color_stats` when a program needs an image statistic, then
    /// `color_apply`; one launch each for the whole batch.
    static func run(
        _ stage: ColorStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.input, stage: "the colour stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let geometry = stage.input
        let steps = max(1, stage.stepCount)
        var ops = [Int32](repeating: ColorOp.identity.rawValue, count: stage.count * steps)
        var args = [Float](repeating: 0, count: stage.count * steps * 2)
        for (n, program) in stage.programs.enumerated() {
            for (k, step) in program.enumerated() {
                ops[n * steps + k] = step.op.rawValue
                args[(n * steps + k) * 2] = step.a
                args[(n * steps + k) * 2 + 1] = step.b
            }
        }
        var groupSize = backend.reductionGroupSize
        var defines = [
            "CHANNELS": "\(stage.colorChannels)",
            "OUT_CHANNELS": "\(stage.channelIndices == nil ? stage.outputChannels : stage.colorChannels)",
            "STAT_GROUP": "\(groupSize)",
            "STEPS": "\(steps)",
            "EXACT_WIDTH": rowGroupWidth(geometry.width, maxWorkGroupSize: backend.device.maxWorkGroupSize).exact
                ? "1" : "0",
        ]
        if let indices = stage.channelIndices {  // some channels only: the rest pass through
            defines["IMAGE_CHANNELS"] = "\(geometry.channels)"
            defines["CHANNEL_MAP"] = indices.map { "\($0)" }.joined(separator: ",")
        }
        for op in stage.ops where op != .identity {
            defines["USE_\(String(describing: op).uppercased())"] = "1"
        }
        var program = try backend.exactProgram(family: "color", defines: defines)
        // color_stats' local arrays and tree reduction are sized by STAT_GROUP, so its work-group is
        // fixed: halve it until the kernel's own limit on this device (registers, local memory) allows it.
        while stage.needsStatistics, groupSize > 1,
            try program.kernel("color_stats").workGroupLimit(on: backend.device) < groupSize
        {
            groupSize /= 2
            defines["STAT_GROUP"] = "\(groupSize)"
            program = try backend.exactProgram(family: "color", defines: defines)
        }
        let opsBuffer = try backend.upload(ops, timing: &timing)
        let argsBuffer = try backend.upload(args, timing: &timing)
        let stride = stage.statisticStride
        let stats = try backend.scratchFloats(stage.needsStatistics ? stage.count * stride : 1, options: options)

        if stage.needsStatistics {
            let statSteps = (0..<stage.count).map { Int32(stage.statisticStep(sample: $0) ?? -1) }
            let statStepBuffer = try backend.upload(statSteps, timing: &timing)
            let kernel = try program.kernel("color_stats")
            try kernel.setArguments([
                .buffer(input.buffer), .buffer(opsBuffer), .buffer(argsBuffer), .buffer(statStepBuffer), .buffer(stats),
                .value(Int32(steps)), .value(Int32(stride)), .value(Int32(geometry.height)),
                .value(Int32(geometry.width)), .value(Float(1 / (0x1p24 * Double(geometry.height * geometry.width)))),
            ])
            let channels = stage.needsChannelStatistics ? stage.colorChannels : 1
            let event = try kernel.enqueue(
                on: backend.context, global: [groupSize, channels, stage.count],
                local: [groupSize, 1, 1], fixedLocal: true)
            timing.recordKernel(event)
        }

        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.output, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("color_apply")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(opsBuffer), .buffer(argsBuffer), .buffer(stats),
            .value(Int32(steps)), .value(Int32(stride)), .value(Int32(geometry.height)), .value(Int32(geometry.width)),
        ])
        let event = try kernel.enqueue(
            on: backend.context, global: pixelRange(geometry, count: stage.count, backend: backend),
            local: [pixelGroupWidth(geometry, backend: backend), 1, 1])
        timing.recordKernel(event)
        return destination
    }
}

extension ColorStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLColor.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
