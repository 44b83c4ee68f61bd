import Augment

/// Host side of `Kernels/noise.cl`.
enum OpenCLNoise {
    /// Runs a ``NoiseStage``: one `noise_gaussian` launch for the whole batch, one work-item per
    /// four elements (a Philox block); the noise is drawn on the device from each sample's stream.
    static func run(
        _ stage: NoiseStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the noise stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.exactProgram(family: "noise", defines: [:])
        let meanSigma = try backend.upload(
            (0..<stage.count).flatMap { [stage.mean[$0], stage.sigma[$0] ?? 0] },
            timing: &timing)
        let applied = try backend.upload(stage.sigma.map { Int32($0 == nil ? 0 : 1) }, timing: &timing)
        let keys = try backend.upload(stage.keys.flatMap { [$0.key0, $0.key1] }, timing: &timing)
        let bases = try backend.upload(stage.keys.flatMap { [$0.base0, $0.base1, $0.base2, 0] }, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("noise_gaussian")
        let sampleSize = stage.geometry.elementCount
        guard sampleSize < Int(UInt32.max) - 4 else {
            throw AugmentError.invalidShape("gaussian_noise: \(stage.geometry) has more elements per sample than 2^32")
        }
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(meanSigma), .buffer(applied), .buffer(keys),
            .buffer(bases), .value(Int32(stage.clip ? 1 : 0)), .value(UInt32(sampleSize)),
        ])
        let blocks = (sampleSize + 3) / 4
        let group = min(64, roundUp(blocks, to: 8), backend.device.maxWorkGroupSize)
        try backend.launch(
            kernel, global: [roundUp(blocks, to: group), stage.count], local: [group, 1], timing: &timing)
        return destination
    }
}

extension NoiseStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLNoise.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
