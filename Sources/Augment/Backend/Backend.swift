/// Options that change how a backend runs a plan, not what it computes.
public struct RunOptions: Sendable {
    /// Fill every output buffer with a poison pattern (NaN for float32, 0xCD for uint8) before the
    /// stage writes it, so a stage that skips an element is caught by parity tests.
    public var poisonOutputs: Bool

    public init(poisonOutputs: Bool = false) {
        self.poisonOutputs = poisonOutputs
    }
}

/// Something that executes plans: the CPU reference (``CPUBackend``) or the OpenCL backend.
///
/// Backends consume the same ``Plan`` built from the same sampled parameters, so their outputs can
/// be compared directly; that comparison is what `augment verify` and the parity tests do.
public protocol Backend: Sendable {
    /// A short human-readable name, e.g. "cpu" or "opencl: pthread-skylake (PoCL 3.1)".
    var name: String { get }

    /// Runs every stage of `plan` on `batch` (images and their targets) and returns the result.
    func run(_ plan: Plan, on batch: AugmentBatch, options: RunOptions) throws -> AugmentBatch
}

extension Backend {
    /// Runs `plan` on images alone.
    public func run(_ plan: Plan, on images: ImageBatch, options: RunOptions = RunOptions()) throws -> ImageBatch {
        try run(plan, on: AugmentBatch(images: images), options: options).images
    }

    /// Runs `plan` with default options.
    public func run(_ plan: Plan, on batch: AugmentBatch) throws -> AugmentBatch {
        try run(plan, on: batch, options: RunOptions())
    }

    /// Samples `pipeline` for `batch` and runs it: the one-call form for training loops.
    public func apply(
        _ pipeline: Pipeline, to batch: AugmentBatch, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0, options: RunOptions = RunOptions()
    ) throws -> AugmentBatch {
        let sampled = try pipeline.sample(
            for: batch.images, seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex)
        return try run(sampled.plan(for: batch.images), on: batch, options: options)
    }

    /// Samples `pipeline` for `images` and runs it.
    public func apply(
        _ pipeline: Pipeline, to images: ImageBatch, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0, options: RunOptions = RunOptions()
    ) throws -> ImageBatch {
        try apply(
            pipeline, to: AugmentBatch(images: images), seed: seed, epoch: epoch,
            firstSampleIndex: firstSampleIndex, options: options
        ).images
    }
}

extension RemapStage {
    /// Throws unless `images` is the batch this stage was planned for.
    public func checkInput(_ images: ImageBatch) throws {
        guard !images.isRagged else {
            throw AugmentError.parameterMismatch(
                "the plan expects a dense batch of \(input) images, got a ragged batch")
        }
        try checkInput(
            count: images.count, geometry: images.geometry, pixelType: images.pixelType, layout: images.layout)
    }

    /// Throws unless a batch of this description is the one this stage was planned for.
    public func checkInput(count: Int, geometry: ImageGeometry, pixelType: PixelType, layout: ImageLayout) throws {
        guard count == self.count, geometry == input, pixelType == inputPixelType, layout == inputLayout else {
            throw AugmentError.parameterMismatch(
                "the plan expects \(self.count) \(inputPixelType.rawValue) \(inputLayout.rawValue.uppercased()) images of \(input), got \(count) \(pixelType.rawValue) \(layout.rawValue.uppercased()) images of \(geometry)"
            )
        }
        guard windows.count == count else {
            throw AugmentError.parameterMismatch("the plan has \(windows.count) windows for \(count) samples")
        }
        if let epilogue, epilogue.scale.count != output.channels || epilogue.bias.count != output.channels {
            throw AugmentError.parameterMismatch(
                "the epilogue has \(epilogue.scale.count) channels, the output \(output.channels)")
        }
        for (i, w) in windows.enumerated() {
            let xs = [Int(w.x0), Int(w.x0) + Int(w.dx) * (output.width - 1)]
            let ys = [Int(w.y0), Int(w.y0) + Int(w.dy) * (output.height - 1)]
            guard abs(Int(w.dx)) == 1, abs(Int(w.dy)) == 1,
                xs.allSatisfy({ (0..<input.width).contains($0) }),
                ys.allSatisfy({ (0..<input.height).contains($0) })
            else {
                throw AugmentError.parameterMismatch(
                    "the window of sample \(i) (\(w)) reads outside the \(input) input")
            }
        }
    }
}
