import Augment

/// Host side of `Kernels/blur.cl`.
enum OpenCLBlur {
    /// Runs a ``GaussianBlurStage``: `blur_rows` then `blur_columns`, one launch each for the whole
    /// batch (a pass whose kernels all have one tap is skipped).
    static func gaussian(
        _ stage: GaussianBlurStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the blur stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.exactProgram(family: "blur", defines: [:])
        var passes = [(stage.kernelsX, "blur_rows"), (stage.kernelsY, "blur_columns")]
            .filter { $0.0.contains { $0.count > 1 } }
        if passes.isEmpty {
            passes = [(stage.kernelsX, "blur_rows")]  // one-tap kernels: the pass copies
        }
        var current = input
        for (kernels, name) in passes {
            let maxRadius = (kernels.map(\.count).max() ?? 1) / 2
            let taps = 2 * maxRadius + 1
            var weights = [Float](repeating: 0, count: stage.count * taps)
            for (n, kernel) in kernels.enumerated() {
                let r = kernel.count / 2
                for (t, w) in kernel.enumerated() { weights[n * taps + maxRadius - r + t] = w }
            }
            let weightBuffer = try backend.upload(weights, timing: &timing)
            let radii = try backend.upload(kernels.map { Int32($0.count / 2) }, timing: &timing)
            let destination = try backend.outputImages(
                count: stage.count, geometry: stage.geometry,
                format: .float32NCHW, options: options)
            let kernel = try program.kernel(name)
            try kernel.setArguments([
                .buffer(current.buffer), .buffer(destination.buffer), .buffer(weightBuffer), .buffer(radii),
                .value(Int32(maxRadius)), .value(Int32(stage.geometry.channels)),
                .value(Int32(stage.geometry.height)), .value(Int32(stage.geometry.width)),
            ])
            try launchPerElement(kernel, stage.geometry, count: stage.count, backend: backend, timing: &timing)
            current = destination
        }
        return current
    }

    /// Runs a ``SharpnessStage``: one `blur_sharpness` launch.
    static func sharpness(
        _ stage: SharpnessStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the sharpness stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.exactProgram(family: "blur", defines: [:])
        let factors = try backend.upload(
            stage.factors.flatMap { f in f.map { [Float($0), Float(1 - $0)] } ?? [1, 0] },
            timing: &timing)
        let applied = try backend.upload(stage.factors.map { Int32($0 == nil ? 0 : 1) }, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("blur_sharpness")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(factors), .buffer(applied),
            .value(Int32(stage.geometry.channels)), .value(Int32(stage.geometry.height)),
            .value(Int32(stage.geometry.width)), .value(Float(1.0 / 13.0)), .value(Float(5.0 / 13.0)),
        ])
        try launchPerElement(kernel, stage.geometry, count: stage.count, backend: backend, timing: &timing)
        return destination
    }
}

extension GaussianBlurStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLBlur.gaussian(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}

extension SharpnessStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLBlur.sharpness(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
