import Augment

/// Host side of `Kernels/signal.cl`.
enum OpenCLSignal {
    /// Runs a ``SignalStage``: one `signal_apply` launch (built for the stage's op), preceded by one
    /// `signal_std` launch for relative Gaussian noise.
    static func run(
        _ stage: SignalStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the \(stage.op.name) signal stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let length = stage.geometry.width
        let channels = stage.geometry.channels
        let rows = stage.count * channels
        let relative = stage.op == .gaussianNoise && stage.relative
        let program = try backend.exactProgram(family: "signal", defines: [
            "SIGNAL_OP": "\(stage.op.rawValue)",
            "RELATIVE": relative ? "1" : "0",
            "ROLL": stage.roll ? "1" : "0",
        ])
        let values = try backend.upload(stage.values, timing: &timing)
        let integers = try backend.upload(stage.integers, timing: &timing)
        let channelMap = try backend.upload(stage.channelMap.isEmpty ? [Int32(0)] : stage.channelMap, timing: &timing)
        let keys = try backend.upload(stage.keys.isEmpty ? [UInt32(0), 0] : stage.keys.flatMap { [$0.key0, $0.key1] },
                                      timing: &timing)
        let bases = try backend.upload(stage.keys.isEmpty ? [UInt32(0), 0, 0] : stage.keys.flatMap { [$0.base0, $0.base1, $0.base2] },
                                       timing: &timing)
        let rowSigma: CLBuffer
        if relative {
            rowSigma = try backend.scratchFloats(rows, options: options)
            let kernel = try program.kernel("signal_std")
            try kernel.setArgument(0, input.buffer)
            try kernel.setArgument(1, rowSigma)
            try kernel.setArgument(2, values)
            try kernel.setArgument(3, value: Int32(length))
            try kernel.setArgument(4, value: Int32(channels))
            try kernel.setArgument(5, value: Int32(rows))
            try kernel.setArgument(6, value: Float(1 / Double(length)))
            let bits = SignalStage.fixedPointBits(length: length)
            try kernel.setArgument(7, value: bits.sum)
            try kernel.setArgument(8, value: bits.square)
            let group = min(64, roundUp(rows, to: 8), backend.device.maxWorkGroupSize)
            let event = try kernel.enqueue(on: backend.context, global: [roundUp(rows, to: group)], local: [group])
            timing.recordKernel(event)
        } else {
            rowSigma = values  // unread: the kernel is built without RELATIVE
        }
        let destination = try backend.outputImages(count: stage.count, geometry: stage.geometry, format: .float32NCHW,
                                                   options: options)
        let kernel = try program.kernel("signal_apply")
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, values)
        try kernel.setArgument(3, integers)
        try kernel.setArgument(4, channelMap)
        try kernel.setArgument(5, keys)
        try kernel.setArgument(6, bases)
        try kernel.setArgument(7, rowSigma)
        try kernel.setArgument(8, value: Int32(length))
        try kernel.setArgument(9, value: Int32(channels))
        let group = min(64, roundUp(length, to: 8), backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(on: backend.context, global: [roundUp(length, to: group), channels, stage.count],
                                       local: [group, 1, 1])
        timing.recordKernel(event)
        return destination
    }
}

extension SignalStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLSignal.run(self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
