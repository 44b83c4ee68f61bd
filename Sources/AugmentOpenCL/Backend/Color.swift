import Augment

/// Host side of `Kernels/color.cl`.
enum OpenCLColor {
    /// Runs a ``ColorStage``: `color_stats_rows` and `color_stats_finish` when a program needs an
    /// image statistic, then `color_apply`; one launch each for the whole batch.
    /// `epilogue`: a per-channel affine applied to every output value after the program, as a
    /// warp's epilogue (`fma(v, scale[c], bias[c])`), when the stage was split from a warp.
    static func run(
        _ stage: ColorStage, input: DeviceImages, epilogue: ChannelAffine? = nil, backend: OpenCLBackend,
        options: RunOptions, timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.input, stage: "the colour stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let geometry = stage.input
        let blend = BlendForm(stage.programs)
        let programs = blend?.programs ?? stage.programs
        let steps = max(1, programs.map(\.count).max() ?? 0)
        var ops = [Int32](repeating: ColorOp.identity.rawValue, count: stage.count * steps)
        var args = [Float](repeating: 0, count: stage.count * steps * 2)
        for (n, program) in programs.enumerated() {
            for (k, step) in program.enumerated() {
                ops[n * steps + k] = step.op.rawValue
                args[(n * steps + k) * 2] = step.a
                args[(n * steps + k) * 2 + 1] = step.b
            }
        }
        let (applyGroup, applyExact) = rowGroupWidth(geometry.width, maxWorkGroupSize: backend.device.maxWorkGroupSize)
        var rowGroup = applyGroup
        var defines = [
            "CHANNELS": "\(stage.colorChannels)",
            "OUT_CHANNELS": "\(stage.channelIndices == nil ? stage.outputChannels : stage.colorChannels)",
            "STEPS": "\(steps)",
            "EXACT_WIDTH": applyExact ? "1" : "0",
            "ROW_GROUP": "\(rowGroup)",
        ]
        if let indices = stage.channelIndices {  // some channels only: the rest pass through
            defines["IMAGE_CHANNELS"] = "\(geometry.channels)"
            defines["CHANNEL_MAP"] = indices.map { "\($0)" }.joined(separator: ",")
        }
        for op in stage.ops where op != .identity {
            defines["USE_\(String(describing: op).uppercased())"] = "1"
        }
        if epilogue != nil {
            defines["HAS_EPILOGUE"] = "1"
        }
        if let blend {
            defines["BLEND_FORM"] = "1"
            defines["HUE_SLOT"] = "\(blend.hueSlot)"
        }
        var program = try backend.exactProgram(family: "color", defines: defines)
        // color_stats_rows' local arrays are sized by ROW_GROUP, its work-group: when the kernel's own
        // limit on this device (registers, local memory) is lower, take the row width that limit
        // allows (its own EXACT_WIDTH then: the whole program is rebuilt with both).
        if stage.needsStatistics {
            let limit = try program.kernel("color_stats_rows").workGroupLimit(on: backend.device)
            if limit < rowGroup {
                let (group, exact) = rowGroupWidth(geometry.width, maxWorkGroupSize: limit)
                rowGroup = group
                defines["ROW_GROUP"] = "\(group)"
                defines["EXACT_WIDTH"] = exact ? "1" : "0"
                program = try backend.exactProgram(family: "color", defines: defines)
            }
        }
        let opsBuffer = try backend.upload(ops, timing: &timing)
        let argsBuffer = try backend.upload(args, timing: &timing)
        let stride = stage.statisticStride
        let stats = try backend.scratchFloats(stage.needsStatistics ? stage.count * stride : 1, options: options)

        if stage.needsStatistics {
            try statistics(
                stage, programs: programs, input: input, program: program, rowGroup: rowGroup,
                args: argsBuffer, steps: steps, into: stats, backend: backend, options: options, timing: &timing)
        }

        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.output, format: .float32NCHW,
            options: options)
        let outputChannels = stage.channelIndices == nil ? stage.outputChannels : stage.colorChannels
        let scale = try backend.upload(epilogue?.scale ?? Array(repeating: 1, count: outputChannels), timing: &timing)
        let bias = try backend.upload(epilogue?.bias ?? Array(repeating: 0, count: outputChannels), timing: &timing)
        let kernel = try program.kernel("color_apply")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(opsBuffer), .buffer(argsBuffer), .buffer(stats),
            .buffer(scale), .buffer(bias),
            .value(Int32(steps)), .value(Int32(stride)), .value(Int32(geometry.height)), .value(Int32(geometry.width)),
        ])
        let event = try kernel.enqueue(
            on: backend.context,
            global: [roundUp(geometry.width, to: rowGroup), geometry.height, stage.count],
            local: [rowGroup, 1, 1])
        timing.recordKernel(event)
        return destination
    }

    /// `color_stats_rows` (per-row-segment partials, one work-item per pixel) then
    /// `color_stats_finish` (their totals, one work-item per sample and channel), writing each
    /// sample's statistics block into `stats`.
    private static func statistics(
        _ stage: ColorStage, programs: [[ColorStep]], input: DeviceImages, program: CLProgram, rowGroup: Int,
        args: CLBuffer, steps: Int, into stats: CLBuffer, backend: OpenCLBackend,
        options: RunOptions, timing: inout OpenCLTiming
    ) throws {
        let geometry = stage.input
        let channels = stage.colorChannels
        let segments = roundUp(geometry.width, to: rowGroup) / rowGroup * geometry.height
        // color_stats_rows runs each program up to its statistic step: the host cuts the programs
        // there (that step and the rest set to identity) and gives the statistic's op per sample.
        var before = [Int32](repeating: ColorOp.identity.rawValue, count: stage.count * steps)
        var statOps = [Int32](repeating: ColorOp.identity.rawValue, count: stage.count)
        for (n, program) in programs.enumerated() {
            guard let s = program.firstIndex(where: { $0.op.needsStatistic }) else { continue }
            statOps[n] = program[s].op.rawValue
            for k in 0..<s { before[n * steps + k] = program[k].op.rawValue }
        }
        let beforeBuffer = try backend.upload(before, timing: &timing)
        let statOpBuffer = try backend.upload(statOps, timing: &timing)
        let sums = try backend.runBuffer(byteCount: stage.count * segments * 8)
        let extrema = try backend.scratchFloats(stage.count * segments * channels * 2, options: options)
        // Equalize counts into zeroed histograms (written from the host: Oclgrind 21.10 leaves what
        // clEnqueueFillBuffer wrote marked uninitialized); other statistics need none.
        let equalizes = programs.contains { $0.contains { $0.op == .equalize } }
        let histograms = try backend.upload(
            [UInt32](repeating: 0, count: equalizes ? stage.count * channels * 256 : 1), timing: &timing)
        let rows = try program.kernel("color_stats_rows")
        try rows.setArguments([
            .buffer(input.buffer), .buffer(beforeBuffer), .buffer(args), .buffer(statOpBuffer), .buffer(sums),
            .buffer(extrema), .buffer(histograms), .value(Int32(steps)), .value(Int32(geometry.height)),
            .value(Int32(geometry.width)),
        ])
        try backend.launch(
            rows, global: [roundUp(geometry.width, to: rowGroup), geometry.height, stage.count],
            local: [rowGroup, 1, 1], fixedLocal: true, timing: &timing)
        let finish = try program.kernel("color_stats_finish")
        try finish.setArguments([
            .buffer(statOpBuffer), .buffer(sums), .buffer(extrema), .buffer(histograms),
            .buffer(stats), .value(Int32(stage.statisticStride)), .value(Int32(segments)),
            .value(Int32(geometry.height * geometry.width)),
            .value(Float(1 / (0x1p24 * Double(geometry.height * geometry.width)))),
        ])
        try backend.launch(finish, global: [channels, stage.count], timing: &timing)
    }
}

extension ColorStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLColor.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}

/// The blend form of a stage's programs (`BLEND_FORM` in `Kernels/common.cl`): when every op is
/// brightness, contrast, saturation or hue (identity aside) and no program holds two hues, each
/// program is padded with identity steps around one hue slot, so that the kernels compute the
/// three blend ops with selects and the HSV round trip once per pixel. Identity steps change
/// nothing: the padded programs compute what the programs do.
struct BlendForm {
    /// The padded programs, all of one length.
    let programs: [[ColorStep]]
    /// The index of the hue slot, -1 when no program has a hue.
    let hueSlot: Int

    init?(_ programs: [[ColorStep]]) {
        let blendOps: Set<ColorOp> = [.identity, .brightness, .contrast, .saturation, .hue]
        guard programs.allSatisfy({ $0.allSatisfy { blendOps.contains($0.op) } }),
            programs.allSatisfy({ $0.filter { $0.op == .hue }.count <= 1 })
        else { return nil }
        let hues = programs.map { $0.firstIndex { $0.op == .hue } }
        guard hues.contains(where: { $0 != nil }) else {
            self.programs = programs
            hueSlot = -1
            return
        }
        // Steps before the hue (all of them when a program has none), then after it.
        let before = zip(programs, hues).map { program, hue in hue ?? program.count }
        let slot = before.max() ?? 0
        let after = zip(programs, hues).map { program, hue in hue.map { program.count - $0 - 1 } ?? 0 }
        let length = slot + 1 + (after.max() ?? 0)
        let identity = ColorStep(op: .identity)
        self.programs = zip(programs, hues).map { program, hue in
            let head = Array(program[..<(hue ?? program.count)])
            let tail = hue.map { Array(program[($0 + 1)...]) } ?? []
            let padded =
                head + Array(repeating: identity, count: slot - head.count) + [hue.map { program[$0] } ?? identity]
                + tail
            return padded + Array(repeating: identity, count: length - padded.count)
        }
        hueSlot = slot
    }
}
