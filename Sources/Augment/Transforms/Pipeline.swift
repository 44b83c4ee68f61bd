/// A sequence of transforms and the format of what it produces.
///
/// `Pipeline` is the unit users build, sample and run:
///
///     let pipeline = try Pipeline([
///         RandomCrop(height: 224, width: 224),
///         RandomHorizontalFlip(p: 0.5),
///         Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
///     ])
///     let sampled = try pipeline.sample(for: batch, seed: 7)   // dense or ragged batches
///     let output = try CPUBackend().run(sampled.plan(for: batch), on: batch)
public struct Pipeline: Sendable {
    public var transforms: [any Transform]
    /// Element type and layout of the output (default float32 NCHW, what models consume).
    public var output: OutputFormat
    /// Positions (in ``transforms``) of the ops that draw their parameters per frame when the
    /// pipeline runs on a ``ClipBatch`` (`"per_frame": true` in a pipeline file); every other op
    /// draws once per clip. Ignored on image batches. Mixing ops cannot be per frame.
    public var perFrameOpIndices: Set<Int> = []

    public init(_ transforms: [any Transform], output: OutputFormat = .float32NCHW) throws {
        guard transforms.count < (1 << 24) else {
            throw AugmentError.invalidShape("a pipeline holds at most 2^24 - 1 ops, got \(transforms.count)")
        }
        self.transforms = transforms
        self.output = output
    }

    /// Op names that clamp to [0, 1] (colour ops and the policies that contain them).
    static let clampingOps: Set<String> = [
        "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma", "adjust_sharpness",
        "rgb_to_grayscale", "posterize", "solarize", "autocontrast", "equalize", "invert", "color_jitter",
        "random_grayscale", "random_gamma", "random_posterize", "random_solarize", "random_equalize",
        "random_autocontrast", "random_adjust_sharpness", "random_invert", "rand_augment", "trivial_augment_wide",
        "aug_mix",
    ]

    /// Things that run but are probably not what the user meant, one sentence each (for example a
    /// colour op after `normalize`: colour ops clamp to [0, 1], which normalized values leave).
    public var warnings: [String] {
        guard let normalize = transforms.firstIndex(where: { $0.opName == "normalize" }) else { return [] }
        return transforms.indices.filter { $0 > normalize && Self.clampingOps.contains(transforms[$0].opName) }.map {
            "ops[\($0)] (\(transforms[$0].opName)) comes after normalize (ops[\(normalize)]): colour ops work on [0, 1] and clamp to it, which normalized values leave; put normalize last, as torchvision pipelines do"
        }
    }

    /// The geometry of one sample after the whole pipeline, or an error naming the first op that
    /// cannot apply.
    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        var geometry = input
        for transform in transforms {
            geometry = try transform.outputGeometry(for: geometry)
        }
        return geometry
    }

    /// Draws every op's parameters for `count` samples whose global indices start at
    /// `firstSampleIndex`. Sample `i` of the batch uses the stream (seed, epoch,
    /// firstSampleIndex + i, op index), so splitting a batch or changing its size does not change
    /// what any sample gets.
    public func sample(
        count: Int, geometry: ImageGeometry, seed: UInt64, epoch: UInt64 = 0, firstSampleIndex: UInt64 = 0
    ) throws -> SampledPipeline {
        guard count >= 1 else {
            throw AugmentError.emptyBatch("cannot sample parameters for \(count) samples")
        }
        return try sample(
            geometries: Array(repeating: geometry, count: count), ragged: false, seed: seed, epoch: epoch,
            firstSampleIndex: firstSampleIndex)
    }

    /// Draws every op's parameters for samples with the given global indices (a shuffled or
    /// sharded batch): sample `i` uses the stream (seed, epoch, sampleIndices[i], op index), so it
    /// gets the same parameters as in any other batch that contains it.
    public func sample(
        geometry: ImageGeometry, seed: UInt64, epoch: UInt64 = 0, sampleIndices: [UInt64]
    ) throws -> SampledPipeline {
        try sample(
            geometries: Array(repeating: geometry, count: sampleIndices.count), ragged: false, seed: seed,
            epoch: epoch, sampleIndices: sampleIndices)
    }

    /// Draws every op's parameters for the samples of `images` (dense or ragged): each sample
    /// draws from its own size.
    public func sample(
        for images: ImageBatch, seed: UInt64, epoch: UInt64 = 0, firstSampleIndex: UInt64 = 0
    ) throws -> SampledPipeline {
        try sample(
            geometries: images.sampleGeometries, ragged: images.isRagged, seed: seed, epoch: epoch,
            firstSampleIndex: firstSampleIndex)
    }

    /// Draws every op's parameters for the samples of `images` whose global indices are
    /// `sampleIndices` (a shuffled, sharded or ragged batch).
    public func sample(
        for images: ImageBatch, seed: UInt64, epoch: UInt64 = 0, sampleIndices: [UInt64]
    ) throws -> SampledPipeline {
        try sample(
            geometries: images.sampleGeometries, ragged: images.isRagged, seed: seed, epoch: epoch,
            sampleIndices: sampleIndices)
    }

    /// Draws every op's parameters for samples of the given sizes (a ragged batch when `ragged`).
    public func sample(
        geometries: [ImageGeometry], ragged: Bool, seed: UInt64, epoch: UInt64 = 0, firstSampleIndex: UInt64 = 0
    ) throws -> SampledPipeline {
        try sample(
            geometries: geometries, ragged: ragged, seed: seed, epoch: epoch,
            sampleIndices: (0..<UInt64(geometries.count)).map { firstSampleIndex &+ $0 })
    }

    /// Draws every op's parameters for the samples of `batch`, with their labels' class ids
    /// (``LabelBatch/classIDs``) for ops whose `p` or magnitude is given per class.
    public func sample(
        for batch: AugmentBatch, seed: UInt64, epoch: UInt64 = 0, firstSampleIndex: UInt64 = 0
    ) throws -> SampledPipeline {
        try sample(
            geometries: batch.images.sampleGeometries, ragged: batch.images.isRagged, seed: seed, epoch: epoch,
            sampleIndices: (0..<UInt64(batch.count)).map { firstSampleIndex &+ $0 }, classIDs: batch.labels?.classIDs)
    }

    /// Draws every op's parameters for the samples of `batch` whose global indices are `sampleIndices`,
    /// with their labels' class ids.
    public func sample(
        for batch: AugmentBatch, seed: UInt64, epoch: UInt64 = 0, sampleIndices: [UInt64]
    ) throws -> SampledPipeline {
        try sample(
            geometries: batch.images.sampleGeometries, ragged: batch.images.isRagged, seed: seed, epoch: epoch,
            sampleIndices: sampleIndices, classIDs: batch.labels?.classIDs)
    }

    /// The general form: samples of the given sizes with the given global indices, and optionally
    /// each sample's class id (for ops whose `p` or magnitude is given per class; without them such
    /// ops fail when the plan is built, saying the batch needs labels).
    public func sample(
        geometries: [ImageGeometry], ragged: Bool, seed: UInt64, epoch: UInt64 = 0, sampleIndices: [UInt64],
        classIDs: [Int]? = nil
    ) throws -> SampledPipeline {
        if let classIDs, classIDs.count != geometries.count {
            throw AugmentError.parameterMismatch("\(classIDs.count) class ids for \(geometries.count) samples")
        }
        guard !geometries.isEmpty else {
            throw AugmentError.emptyBatch("cannot sample parameters for 0 samples")
        }
        guard sampleIndices.count == geometries.count else {
            throw AugmentError.parameterMismatch(
                "\(sampleIndices.count) sample indices for \(geometries.count) samples")
        }
        for g in geometries { try g.validate("pipeline input") }
        var ops: [SampledOp] = []
        var current = geometries
        for (opIndex, transform) in transforms.enumerated() {
            let next = try current.map { try transform.outputGeometry(for: $0) }
            for g in next { try g.validate("\(transform.opName) (ops[\(opIndex)]) output") }
            var context = SamplingContext(
                geometry: current[0], seed: seed, epoch: epoch, sampleIndices: sampleIndices,
                opIndex: UInt32(opIndex), sampleGeometries: current)
            context.classIDs = classIDs
            ops.append(SampledOp.draw(transform, context: context))
            current = next
        }
        return SampledPipeline(pipeline: self, inputGeometries: geometries, ragged: ragged, ops: ops)
    }
}

/// One op of a pipeline together with the parameters drawn for every sample of a batch.
public struct SampledOp: Sendable {
    public let transform: any Transform
    /// `[T.Parameters]`, one entry per sample, where T is the transform's type.
    public let parameters: any Sendable

    public var opName: String { transform.opName }

    /// Pairs a transform with explicit per-sample parameters (for replay or for tests). The count and
    /// every value are checked against the batch when the plan is built.
    public init<T: Transform>(_ transform: T, parameters: [T.Parameters]) {
        self.transform = transform
        self.parameters = parameters
    }

    static func draw<T: Transform>(_ transform: T, context: SamplingContext) -> SampledOp {
        SampledOp(transform, parameters: transform.sampleBatchParameters(context))
    }

    /// The parameters as the transform's own type, checked for count and validity (each against its
    /// own sample's geometry).
    func typedParameters<T: Transform>(for transform: T, geometries: [ImageGeometry]) throws -> [T.Parameters] {
        guard let values = parameters as? [T.Parameters] else {
            throw AugmentError.parameterMismatch(
                "\(T.opName): parameters of type \(type(of: parameters)) do not belong to this op")
        }
        guard values.count == geometries.count else {
            throw AugmentError.parameterMismatch(
                "\(T.opName): \(values.count) parameter values for a batch of \(geometries.count)")
        }
        for (value, geometry) in zip(values, geometries) {
            try transform.validate(value, for: geometry)
        }
        return values
    }
}

/// A pipeline with every op's parameters drawn for one batch: the value both backends consume.
public struct SampledPipeline: Sendable {
    public let pipeline: Pipeline
    public let count: Int
    /// Sample 0's input geometry (every sample's, unless the batch is ragged).
    public let inputGeometry: ImageGeometry
    /// Every sample's input geometry.
    public let inputGeometries: [ImageGeometry]
    /// Whether the parameters were drawn for a ragged batch.
    public let isRagged: Bool
    public let ops: [SampledOp]

    public init(pipeline: Pipeline, count: Int, inputGeometry: ImageGeometry, ops: [SampledOp]) {
        self.init(
            pipeline: pipeline, inputGeometries: Array(repeating: inputGeometry, count: max(count, 0)),
            ragged: false, ops: ops, count: count)
    }

    /// Parameters drawn for samples of the given sizes (`ragged`: a ragged batch).
    public init(pipeline: Pipeline, inputGeometries: [ImageGeometry], ragged: Bool, ops: [SampledOp]) {
        self.init(
            pipeline: pipeline, inputGeometries: inputGeometries, ragged: ragged, ops: ops, count: inputGeometries.count
        )
    }

    private init(pipeline: Pipeline, inputGeometries: [ImageGeometry], ragged: Bool, ops: [SampledOp], count: Int) {
        self.pipeline = pipeline
        self.count = count
        self.inputGeometry = inputGeometries.first ?? ImageGeometry(height: 0, width: 0, channels: 0)
        self.inputGeometries = inputGeometries
        self.isRagged = ragged
        self.ops = ops
    }

    /// Compiles the sampled ops into the fewest stages the backends know how to run.
    public func plan(inputPixelType: PixelType, inputLayout: ImageLayout) throws -> Plan {
        guard ops.count == pipeline.transforms.count else {
            throw AugmentError.parameterMismatch(
                "\(ops.count) sampled ops for a pipeline of \(pipeline.transforms.count) ops")
        }
        guard count >= 1, inputGeometries.count == count else {
            throw AugmentError.emptyBatch("cannot plan \(count) samples")
        }
        guard inputPixelType != .float16 else { throw AugmentError.float16Input() }
        var builder = PlanBuilder(
            geometries: inputGeometries, ragged: isRagged,
            inputPixelType: inputPixelType, inputLayout: inputLayout)
        for op in ops {
            try Self.lower(op, transform: op.transform, into: &builder)
        }
        let plan = try builder.finish(output: pipeline.output)
        guard plan.stages.count <= Self.maxPasses else {
            throw AugmentError.incompatible(
                "the pipeline needs \(plan.stages.count) passes over the batch, more than the limit of \(Self.maxPasses); each pass reads and writes every image (training pipelines need a handful): use fewer ops, or let the policies fuse (exact_order: false)"
            )
        }
        return plan
    }

    /// The most passes (kernel launches' worth of full reads and writes) a plan may take: 128.
    public static let maxPasses = 128

    /// The plan for running on `images`, after checking they are the batch this was sampled for.
    public func plan(for images: ImageBatch) throws -> Plan {
        guard images.count == count, images.sampleGeometries == inputGeometries, images.isRagged == isRagged else {
            throw AugmentError.parameterMismatch(
                "parameters were sampled for \(count) images of \(inputGeometry)\(isRagged ? " (ragged)" : ""), the batch has \(images.count) of \(images.geometry)\(images.isRagged ? " (ragged)" : "")"
            )
        }
        return try plan(inputPixelType: images.pixelType, inputLayout: images.layout)
    }

    private static func lower<T: Transform>(_ op: SampledOp, transform: T, into builder: inout PlanBuilder) throws {
        if builder.inputPixelType == .uint16, OpRegistry.colorOpNames.contains(T.opName) {
            throw AugmentError.uint16ColorInput(op: T.opName)
        }
        let before = builder.sampleGeometries
        let values = try op.typedParameters(for: transform, geometries: before)
        try transform.lower(values, into: &builder)
        let expected = try before.map { try transform.outputGeometry(for: $0) }
        guard builder.sampleGeometries == expected else {
            throw AugmentError.parameterMismatch("\(T.opName) lowered to \(builder.geometry), expected \(expected[0])")
        }
    }
}
