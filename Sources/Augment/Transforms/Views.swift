/// Multi-view augmentation for self-supervised learning: several independently augmented views of
/// every image, in groups with pipelines of their own (SimCLR's and BYOL's two views; DINO's
/// multi-crop with two global and several local crops).
///
///     let views = try MultiViewPipeline([
///         ViewGroup(name: "global", count: 2, pipeline: globalPipeline),
///         ViewGroup(name: "local", count: 6, pipeline: localPipeline),
///     ])
///     let batches = try backend.apply(views, to: images, seed: 7)   // [global: 2N images, local: 6N]
///
/// In a pipeline file: `"views": [{"name": "global", "count": 2, "ops": [...]}, ...]`.
public struct MultiViewPipeline: Sendable {
    /// The most views one group may hold.
    public static let maxViewsPerGroup = 4096

    /// The groups, in output order.
    public let groups: [ViewGroup]

    /// Throws when there is no group, a name is empty or repeated, or a count is outside
    /// 1...``maxViewsPerGroup``.
    public init(_ groups: [ViewGroup]) throws {
        guard !groups.isEmpty else {
            throw AugmentError.invalidArgument(
                op: "views", argument: "(list)", value: "empty", allowed: "at least one view group")
        }
        var seen: Set<String> = []
        for (i, group) in groups.enumerated() {
            guard !group.name.isEmpty, seen.insert(group.name).inserted else {
                throw AugmentError.invalidArgument(
                    op: "views[\(i)]", argument: "name", value: "\"\(group.name)\"",
                    allowed: "a non-empty name used by no other group")
            }
            guard (1...Self.maxViewsPerGroup).contains(group.count) else {
                throw AugmentError.invalidArgument(
                    op: "views[\(i)] (\(group.name))", argument: "count", value: "\(group.count)",
                    allowed: "an integer in [1, \(Self.maxViewsPerGroup)]")
            }
            try MultiCopySampling.checkNoNestedMixing(group.pipeline.transforms, what: "views")
        }
        self.groups = groups
    }

    /// Draws group `group`'s parameters for `count` views of each sample of `images`, whose global
    /// indices are `sampleIndices`. View v of sample i draws op k from (seed_v, epoch, sample index,
    /// k) with seed_v derived from (seed, group, v): views differ from each other, and sample i's
    /// views are the same in any batch that holds it. The result covers N x count images, the views
    /// of one sample adjacent (image `i * count + v`): plan it on ``replicatedInput(_:group:)``.
    public func sample(
        group: Int, for images: ImageBatch, seed: UInt64, epoch: UInt64 = 0,
        sampleIndices: [UInt64]
    ) throws -> SampledPipeline {
        guard groups.indices.contains(group) else {
            throw AugmentError.invalidArgument(
                op: "views", argument: "group", value: "\(group)", allowed: "0..<\(groups.count)")
        }
        guard sampleIndices.count == images.count else {
            throw AugmentError.parameterMismatch("\(sampleIndices.count) sample indices for \(images.count) images")
        }
        let viewGroup = groups[group]
        let pipeline = viewGroup.pipeline
        _ = try checkedProduct([images.count, viewGroup.count], what: "view group \(viewGroup.name)")
        let seeds = (0..<viewGroup.count).map { MultiCopySampling.viewSeed(seed, group: group, view: $0) }
        var ops: [SampledOp] = []
        var current = images.sampleGeometries
        for (opIndex, transform) in pipeline.transforms.enumerated() {
            let next = try current.map { try transform.outputGeometry(for: $0) }
            ops.append(
                Pipeline.drawCopies(
                    transform, seeds: seeds, repeatCount: viewGroup.count, geometries: current,
                    epoch: epoch, sampleIndices: sampleIndices, opIndex: UInt32(opIndex)))
            current = next
        }
        let geometries = images.sampleGeometries.flatMap { Array(repeating: $0, count: viewGroup.count) }
        return SampledPipeline(pipeline: pipeline, inputGeometries: geometries, ragged: images.isRagged, ops: ops)
    }

    /// The input of group `group`'s plan: every image of `images` repeated `count` times, copies
    /// adjacent. The copy is made on the host before upload, so the group's plan has exactly the
    /// passes and launches of its pipeline on an image batch (the upload grows `count` times).
    public func replicatedInput(_ images: ImageBatch, group: Int) throws -> ImageBatch {
        try images.repeatingEachSample(groups[group].count)
    }
}

/// One group of a ``MultiViewPipeline``: `count` views of every sample, each augmented by `pipeline`
/// with its own random keys.
public struct ViewGroup: Sendable {
    /// The group's name (a file name in `augment apply`'s output folder).
    public var name: String
    /// Views per sample, 1...``MultiViewPipeline/maxViewsPerGroup``.
    public var count: Int
    public var pipeline: Pipeline

    public init(name: String, count: Int, pipeline: Pipeline) {
        self.name = name
        self.count = count
        self.pipeline = pipeline
    }
}

/// The output of one view group: N x ``viewCount`` images (labels), view v of sample i at
/// `i * viewCount + v`.
public struct ViewBatch: Sendable {
    public var name: String
    public var viewCount: Int
    public var batch: AugmentBatch
}

extension ImageBatch {
    /// Every sample repeated `times` times, the copies adjacent (dense or ragged).
    public func repeatingEachSample(_ times: Int) throws -> ImageBatch {
        guard times >= 1 else { throw AugmentError.invalidShape("cannot repeat samples \(times) times") }
        let total = try checkedProduct([count, times], what: "repeated batch")
        _ = try checkedProduct([pixels.count, times], what: "repeated batch")
        let geometries = sampleGeometries
        var offsets = [0]
        for g in geometries { offsets.append(offsets.last! + g.elementCount) }
        func repeated<E>(_ values: [E]) -> [E] {
            var result: [E] = []
            result.reserveCapacity(values.count * times)
            for n in 0..<count {
                for _ in 0..<times { result.append(contentsOf: values[offsets[n]..<offsets[n + 1]]) }
            }
            return result
        }
        let buffer: PixelBuffer
        switch pixels {
        case .uint8(let v): buffer = .uint8(repeated(v))
        case .float32(let v): buffer = .float32(repeated(v))
        case .float16(let v): buffer = .float16(repeated(v))
        case .uint16(let v): buffer = .uint16(repeated(v))
        }
        if isRagged {
            return try ImageBatch(
                ragged: buffer, geometries: geometries.flatMap { Array(repeating: $0, count: times) }, layout: layout)
        }
        return try ImageBatch(pixels: buffer, count: total, geometry: geometry, layout: layout)
    }
}

extension Backend {
    /// Runs every view group of `views` on `batch` (images and optional labels): one batch per
    /// group, in the groups' order, each N x count images with the views of one sample adjacent.
    /// Each group is one plan with the passes of its pipeline. Masks, boxes and keypoints are refused.
    public func apply(
        _ views: MultiViewPipeline, to batch: AugmentBatch, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0,
        options: RunOptions = RunOptions()
    ) throws -> [ViewBatch] {
        guard batch.masks == nil, batch.boxes == nil, batch.keypoints == nil else {
            throw AugmentError.incompatible("views carry images and labels only, not masks, boxes or keypoints")
        }
        let indices = (0..<UInt64(batch.count)).map { firstSampleIndex &+ $0 }
        return try views.groups.indices.map { g in
            let group = views.groups[g]
            let sampled = try views.sample(
                group: g, for: batch.images, seed: seed, epoch: epoch, sampleIndices: indices)
            let input = try views.replicatedInput(batch.images, group: g)
            let labels = try batch.labels?.gather((0..<input.count).map { $0 / group.count })
            let result = try run(
                sampled.plan(for: input), on: AugmentBatch(images: input, labels: labels), options: options)
            return ViewBatch(name: group.name, viewCount: group.count, batch: result)
        }
    }

    /// Runs every view group of `views` on `images`.
    public func apply(
        _ views: MultiViewPipeline, to images: ImageBatch, seed: UInt64, epoch: UInt64 = 0,
        firstSampleIndex: UInt64 = 0,
        options: RunOptions = RunOptions()
    ) throws -> [ViewBatch] {
        try apply(
            views, to: AugmentBatch(images: images), seed: seed, epoch: epoch, firstSampleIndex: firstSampleIndex,
            options: options)
    }
}
