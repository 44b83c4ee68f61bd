import Augment

/// Host side of `Kernels/signal.cl`.
enum OpenCLSignal {
    /// Runs a ``SignalStage`` (a program of signal ops): one `signal_std` launch per relative
    /// Gaussian noise op, in program order, then one `signal_apply` launch for the whole program.
    static func run(
        _ stage: SignalStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(
            count: stage.count, geometry: stage.geometry, stage: "the \(stage.programDescription) signal stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let steps = stage.steps
        let length = stage.geometry.width
        let channels = stage.geometry.channels
        let rows = stage.count * channels
        let stretches = steps.filter { $0.op == .timeStretch }.count
        let program = try backend.exactProgram(
            family: "signal",
            defines: [
                "SIGNAL_STEPS": "\(steps.count)",
                "SIGNAL_OPS": steps.map { "\($0.op.rawValue)" }.joined(separator: ","),
                "SIGNAL_ROLL": steps.map { $0.roll ? "1" : "0" }.joined(separator: ","),
                "SIGNAL_RELATIVE": steps.map { $0.op == .gaussianNoise && $0.relative ? "1" : "0" }.joined(
                    separator: ","),
                "LEAVES": "\(1 << stretches)",
            ])
        // Per-op parameters back to back (signal.cl's layout); absent ones as zeros.
        let values = try backend.upload(steps.flatMap(\.values), timing: &timing)
        let integers = try backend.upload(steps.flatMap(\.integers), timing: &timing)
        let channelMap = try backend.upload(
            steps.flatMap { $0.channelMap.isEmpty ? Array(repeating: Int32(0), count: rows) : $0.channelMap },
            timing: &timing)
        let keys = try backend.upload(
            steps.flatMap { step in
                step.keys.isEmpty
                    ? Array(repeating: UInt32(0), count: 2 * stage.count) : step.keys.flatMap { [$0.key0, $0.key1] }
            }, timing: &timing)
        let bases = try backend.upload(
            steps.flatMap { step in
                step.keys.isEmpty
                    ? Array(repeating: UInt32(0), count: 3 * stage.count)
                    : step.keys.flatMap { [$0.base0, $0.base1, $0.base2] }
            }, timing: &timing)
        let rowSigma = try backend.scratchFloats(steps.count * rows, options: options)
        for (k, step) in steps.enumerated() where step.op == .gaussianNoise && step.relative {
            let kernel = try program.kernel("signal_std")
            let bits = SignalStage.fixedPointBits(length: length)
            try kernel.setArguments([
                .buffer(input.buffer), .buffer(rowSigma), .buffer(values), .buffer(integers), .buffer(channelMap),
                .buffer(keys), .buffer(bases), .value(Int32(length)), .value(Int32(channels)), .value(Int32(rows)),
                .value(Float(1 / Double(length))), .value(bits.sum), .value(bits.square), .value(Int32(k)),
                .value(Int32(stage.count)),
            ])
            let group = min(64, roundUp(rows, to: 8), backend.device.maxWorkGroupSize)
            let event = try kernel.enqueue(on: backend.context, global: [roundUp(rows, to: group)], local: [group])
            timing.recordKernel(event)
        }
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("signal_apply")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(values), .buffer(integers),
            .buffer(channelMap), .buffer(keys), .buffer(bases), .buffer(rowSigma), .value(Int32(length)),
            .value(Int32(channels)), .value(Int32(stage.count)),
        ])
        let group = min(64, roundUp(length, to: 8), backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(
            on: backend.context, global: [roundUp(length, to: group), channels, stage.count],
            local: [group, 1, 1])
        timing.recordKernel(event)
        return destination
    }
}

extension SignalStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLSignal.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
