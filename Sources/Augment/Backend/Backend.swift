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

    /// Runs every stage of `plan` on `images` and returns the result.
    func run(_ plan: Plan, on images: ImageBatch, options: RunOptions) throws -> ImageBatch
}

extension Backend {
    /// Runs `plan` with default options.
    public func run(_ plan: Plan, on images: ImageBatch) throws -> ImageBatch {
        try run(plan, on: images, options: RunOptions())
    }

    /// Samples `pipeline` for `images` and runs it: the one-call form for training loops.
    public func apply(
        _ pipeline: Pipeline, to images: ImageBatch, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0, options: RunOptions = RunOptions()
    ) throws -> ImageBatch {
        let sampled = try pipeline.sample(count: images.count, geometry: images.geometry, seed: seed,
                                          epoch: epoch, firstSampleIndex: firstSampleIndex)
        return try run(sampled.plan(for: images), on: images, options: options)
    }
}

extension RemapStage {
    /// Throws unless `images` is the batch this stage was planned for.
    public func checkInput(_ images: ImageBatch) throws {
        guard images.count == count, images.geometry == input, images.pixelType == inputPixelType,
              images.layout == inputLayout else {
            throw AugmentError.parameterMismatch(
                "the plan expects \(count) \(inputPixelType.rawValue) \(inputLayout.rawValue.uppercased()) images of \(input), got \(images.shapeDescription)")
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
                  ys.allSatisfy({ (0..<input.height).contains($0) }) else {
                throw AugmentError.parameterMismatch("the window of sample \(i) (\(w)) reads outside the \(input) input")
            }
        }
    }
}
