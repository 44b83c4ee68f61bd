import Augment

/// Host side of `Kernels/dropout.cl`.
enum OpenCLDropout {
    /// Runs a ``DropoutStage``: one `dropout_apply` launch, NDRange (W, H, N).
    static func run(
        _ stage: DropoutStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the random_dropout stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let pixels = stage.thresholds != nil
        let program = try backend.program(
            family: "dropout",
            defines: [
                "CHANNELS": "\(stage.geometry.channels)", "PIXELS": pixels ? "1" : "0",
                "BOXES": "\(stage.boxesPerSample)",
            ])
        let thresholds = try backend.upload(stage.thresholds ?? [0], timing: &timing)
        let keys = try backend.upload(
            stage.keys.isEmpty ? [UInt32(0), 0] : stage.keys.flatMap { [$0.key0, $0.key1] }, timing: &timing)
        let bases = try backend.upload(
            stage.keys.isEmpty ? [UInt32(0), 0, 0] : stage.keys.flatMap { [$0.base0, $0.base1, $0.base2] },
            timing: &timing)
        let boxes = try backend.upload(stage.boxes.isEmpty ? [Int32(0)] : stage.boxes, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("dropout_apply")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(thresholds), .buffer(keys), .buffer(bases),
            .buffer(boxes), .value(stage.value), .value(Int32(stage.geometry.height)),
            .value(Int32(stage.geometry.width)),
        ])
        try backend.enqueuePerPixel(kernel, geometry: stage.geometry, count: stage.count, timing: &timing)
        return destination
    }
}

extension DropoutStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLDropout.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
