/// Sampling for batches that hold several images per sample: the frames of a clip
/// (``ClipBatch``) and the views of an image (``MultiViewPipeline``).
///
/// Both run as one image batch of N x copies images, copies of one sample adjacent (image
/// `n * copies + j`), so they take exactly the passes a pipeline takes on an image batch. Only the
/// parameters differ: each copy's parameters are drawn with the sample's global index as the key
/// and a seed derived for the copy (a frame of a per-frame op, a view), or drawn once and repeated
/// (a clip's shared parameters). Mixing ops pair whole samples: their partner indices are moved to
/// the same copy of the partner.
enum MultiCopySampling {
    /// The seed of frame `frame` for ops drawn per frame: splitMix64 over (seed, frame) in a domain
    /// of its own, so frames draw independent values keyed by (seed, epoch, clip, frame, op).
    static func frameSeed(_ seed: UInt64, frame: Int) -> UInt64 {
        splitMix64(seed ^ (splitMix64(0x6672_616D_0000_0000 | UInt64(frame)) &+ 0x94D0_49BB_1331_11EB))
    }

    /// The seed of view `view` of view group `group`: every view of every sample has its own keys
    /// (seed', epoch, sample, op).
    static func viewSeed(_ seed: UInt64, group: Int, view: Int) -> UInt64 {
        splitMix64(
            seed ^ (splitMix64(0x7669_6577_0000_0000 | (UInt64(group) << 24) | UInt64(view)) &+ 0xBF58_476D_1CE4_E5B9))
    }

    /// Interleaves per-copy parameter arrays: entry `n * copies + j` is `perCopy[j][n]`. A mixing
    /// op's partner p (a sample index) becomes `p * copies + j`, the same copy of the partner.
    static func interleave<P>(_ perCopy: [[P]]) -> [P] {
        let copies = perCopy.count
        let count = perCopy.first?.count ?? 0
        var result: [P] = []
        result.reserveCapacity(copies * count)
        for n in 0..<count {
            for j in 0..<copies {
                var value = perCopy[j][n]
                if var mix = value as? MixParameters {
                    mix.partner = mix.partner * copies + j
                    value = mix as! P
                } else if var mix = value as? SaliencyMixParameters {
                    mix.partner = mix.partner * copies + j
                    value = mix as! P
                }
                result.append(value)
            }
        }
        return result
    }

    /// Whether `transform` mixes samples (MixUp, CutMix, timm's Mixup), directly or inside `compose`.
    static func isMixing(_ transform: any Transform) -> Bool {
        transform is MixUp || transform is CutMix || transform is MixUpCutMix || transform is SaliencyMix
    }

    /// Throws when a mixing op sits inside `compose`: its partners could not be moved to whole samples.
    static func checkNoNestedMixing(_ transforms: [any Transform], what: String) throws {
        func nested(_ t: any Transform) -> Bool {
            guard let compose = t as? Compose else { return false }
            return compose.ops.contains { isMixing($0) || nested($0) }
        }
        if let i = transforms.firstIndex(where: nested) {
            throw AugmentError.incompatible(
                "ops[\(i)] (compose) holds a mixing op; on \(what) mixing ops must be top-level ops of the pipeline, so that they pair whole samples"
            )
        }
    }

    /// Draws `transform` for the samples of `context`-like arguments once per copy seed.
    static func draw<T: Transform>(
        _ transform: T, seeds: [UInt64], repeatCount: Int, geometries: [ImageGeometry], epoch: UInt64,
        sampleIndices: [UInt64], opIndex: UInt32
    ) -> SampledOp {
        var perCopy: [[T.Parameters]] = seeds.map { seed in
            transform.sampleBatchParameters(
                SamplingContext(
                    geometry: geometries[0], seed: seed, epoch: epoch, sampleIndices: sampleIndices, opIndex: opIndex,
                    sampleGeometries: geometries))
        }
        if perCopy.count == 1, repeatCount > 1 {
            perCopy = Array(repeating: perCopy[0], count: repeatCount)
        }
        return SampledOp(transform, parameters: interleave(perCopy))
    }
}

extension Pipeline {
    /// Draws every op's parameters for the clips of `clips`, whose global clip indices start at
    /// `firstClipIndex`.
    ///
    /// An op draws once per clip from the stream (seed, epoch, clip index, op index), the very stream
    /// an image batch's sample with that index would get, and every frame of the clip uses the
    /// values: frame t of a clip of identical frames comes out as the image pipeline's result for
    /// that image. An op in ``perFrameOpIndices`` draws per frame instead, from (seed', epoch, clip
    /// index, op index) with seed' derived from (seed, frame). MixUp and CutMix pair whole clips:
    /// frame t mixes with frame t of the partner clip, with the clip's lambda and box. The result
    /// covers the N x T frames of `clips.frames` (plan it with ``SampledPipeline/plan(for:)`` on them).
    public func sample(
        for clips: ClipBatch, seed: UInt64, epoch: UInt64 = 0, firstClipIndex: UInt64 = 0
    ) throws -> SampledPipeline {
        try sample(
            clipGeometries: clips.clipGeometries, frameCount: clips.frameCount, ragged: clips.isRagged, seed: seed,
            epoch: epoch, clipIndices: (0..<UInt64(clips.count)).map { firstClipIndex &+ $0 })
    }

    /// The general form: clips of the given sizes (`ragged`: a ragged frame batch), `frameCount`
    /// frames each, with the given global clip indices.
    public func sample(
        clipGeometries: [ImageGeometry], frameCount: Int, ragged: Bool, seed: UInt64, epoch: UInt64 = 0,
        clipIndices: [UInt64]
    ) throws -> SampledPipeline {
        guard !clipGeometries.isEmpty else { throw AugmentError.emptyBatch("cannot sample parameters for 0 clips") }
        guard frameCount >= 1 else {
            throw AugmentError.emptyBatch("a clip needs at least one frame, got T = \(frameCount)")
        }
        guard clipIndices.count == clipGeometries.count else {
            throw AugmentError.parameterMismatch("\(clipIndices.count) clip indices for \(clipGeometries.count) clips")
        }
        _ = try checkedProduct([clipGeometries.count, frameCount], what: "clip batch")
        for g in clipGeometries { try g.validate("pipeline input") }
        try checkPerFrameOps()
        try MultiCopySampling.checkNoNestedMixing(transforms, what: "clips")
        var ops: [SampledOp] = []
        var current = clipGeometries
        for (opIndex, transform) in transforms.enumerated() {
            let next = try current.map { try transform.outputGeometry(for: $0) }
            let seeds =
                perFrameOpIndices.contains(opIndex)
                ? (0..<frameCount).map { MultiCopySampling.frameSeed(seed, frame: $0) }
                : [seed]
            ops.append(
                Self.drawCopies(
                    transform, seeds: seeds, repeatCount: frameCount, geometries: current, epoch: epoch,
                    sampleIndices: clipIndices, opIndex: UInt32(opIndex)))
            current = next
        }
        let frameGeometries = clipGeometries.flatMap { Array(repeating: $0, count: frameCount) }
        return SampledPipeline(pipeline: self, inputGeometries: frameGeometries, ragged: ragged, ops: ops)
    }

    /// Throws unless every per-frame index names an op, and none names a mixing op.
    func checkPerFrameOps() throws {
        for i in perFrameOpIndices.sorted() {
            guard transforms.indices.contains(i) else {
                throw AugmentError.invalidArgument(
                    op: "pipeline", argument: "per_frame", value: "op index \(i)",
                    allowed: "indices of the pipeline's \(transforms.count) ops")
            }
            if MultiCopySampling.isMixing(transforms[i]) {
                throw AugmentError.invalidArgument(
                    op: "\(transforms[i].opName) (ops[\(i)])", argument: "per_frame", value: "true",
                    allowed: "false: mixing ops pair whole clips, with one lambda per clip")
            }
        }
    }

    static func drawCopies(
        _ transform: any Transform, seeds: [UInt64], repeatCount: Int, geometries: [ImageGeometry], epoch: UInt64,
        sampleIndices: [UInt64], opIndex: UInt32
    ) -> SampledOp {
        func open<T: Transform>(_ t: T) -> SampledOp {
            MultiCopySampling.draw(
                t, seeds: seeds, repeatCount: repeatCount, geometries: geometries, epoch: epoch,
                sampleIndices: sampleIndices, opIndex: opIndex)
        }
        return open(transform)
    }
}

extension Backend {
    /// Runs `plan` (sampled with ``Pipeline/sample(for:seed:epoch:firstClipIndex:)``) on the frames
    /// of `clips`; labels are mixed per clip.
    public func run(_ plan: Plan, on clips: ClipBatch, options: RunOptions = RunOptions()) throws -> ClipBatch {
        let t = clips.frameCount
        let frameLabels = try clips.labels.map { labels in
            try labels.gather((0..<clips.count * t).map { $0 / t })
        }
        let result = try run(plan, on: AugmentBatch(images: clips.frames, labels: frameLabels), options: options)
        guard result.images.count == clips.count * t else {
            throw AugmentError.parameterMismatch(
                "the plan produced \(result.images.count) frames for \(clips.count) clips of \(t)")
        }
        let labels = try result.labels.map { try $0.gather((0..<clips.count).map { $0 * t }) }
        return try ClipBatch(frames: result.images, frameCount: t, labels: labels)
    }

    /// Samples `pipeline` for `clips` (parameters shared by a clip's frames, see
    /// ``Pipeline/sample(for:seed:epoch:firstClipIndex:)``) and runs it: one plan, the same passes
    /// as an image batch of N x T frames.
    public func apply(
        _ pipeline: Pipeline, to clips: ClipBatch, seed: UInt64, epoch: UInt64 = 0, firstClipIndex: UInt64 = 0,
        options: RunOptions = RunOptions()
    ) throws -> ClipBatch {
        let sampled = try pipeline.sample(for: clips, seed: seed, epoch: epoch, firstClipIndex: firstClipIndex)
        return try run(sampled.plan(for: clips.frames), on: clips, options: options)
    }
}
