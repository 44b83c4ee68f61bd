import Foundation

// Applying an op to some samples of a batch and not to others, without a launch per choice: the op
// contributes its plan operations with an identity for the samples it skips (an identity matrix,
// an empty colour program, a nil sharpness factor, a one-tap blur kernel), and per-sample choices
// (random_apply, one_of, some_of, the RandAugment family) emit those into ordinary stages.

/// What an op does to a batch when it applies to some samples only: plan operations in which the
/// skipped samples are identities. Every effect keeps each sample's size unless it says otherwise.
public enum MaskedEffect: Sendable {
    /// A geometric op for ``PlanBuilder/warp(_:outputs:interpolation:reads:op:)``: one matrix per
    /// sample (identity where skipped); `outputs` nil keeps every sample's size.
    case warp(
        matrices: [WarpMatrix], outputs: [ImageGeometry]?, interpolation: Interpolation?, reads: WarpReads, op: String)
    /// One colour program per sample (empty where skipped), of any length: emitted as as many colour
    /// passes as its statistic steps and length need.
    case color([[ColorStep]])
    /// A stage whose skipped samples are identities (sharpness: nil factor; blur: one-tap kernels;
    /// erase: empty box; noise: nil sigma).
    case stage(Stage)
}

/// A transform that can apply to some samples of a batch and leave the others unchanged, so that
/// per-sample choices cost no extra launch per choice. Ops that do not conform are still accepted
/// when their lowering is one of the stages ``MaskedEffect`` knows (colour programs, sharpness,
/// blur, erase, noise, and warps that read whole input images): the library lowers them for the
/// applied samples alone and fills in identities for the others.
public protocol SampleMaskable: Transform {
    /// The effects of this op with `parameters` on the samples whose entry is non-nil; samples with
    /// nil pass through unchanged. `geometries` are the samples' sizes before the op.
    func maskedEffects(_ parameters: [Parameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect]
}

extension SampleMaskable {
    fileprivate func erasedMaskedEffects(_ parameters: Any, geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        guard let typed = parameters as? [Parameters?] else {
            throw AugmentError.parameterMismatch(
                "\(opName): parameters of type \(type(of: parameters)) do not belong to this op")
        }
        return try maskedEffects(typed, geometries: geometries)
    }
}

/// Applying ops to some samples only: effects, merging and emission.
enum SampleMasking {
    /// The effects of `transform` on the samples whose parameters are non-nil. `label` names the op
    /// in errors (for example "one_of: ops[1] (time_warp)").
    static func effects<T: Transform>(
        of transform: T, _ parameters: [T.Parameters?], geometries: [ImageGeometry],
        label: String
    ) throws -> [MaskedEffect] {
        guard parameters.count == geometries.count else {
            throw AugmentError.parameterMismatch(
                "\(label): \(parameters.count) parameter values for \(geometries.count) samples")
        }
        if let maskable = transform as? any SampleMaskable {
            return try maskable.erasedMaskedEffects(parameters, geometries: geometries)
        }
        return try captured(transform, parameters, geometries: geometries, label: label)
    }

    /// Lowers `transform` for the applied samples alone into a scratch plan and turns each of its
    /// stages into an effect with identities for the other samples.
    static func captured<T: Transform>(
        _ transform: T, _ parameters: [T.Parameters?], geometries: [ImageGeometry],
        label: String
    ) throws -> [MaskedEffect] {
        let applied = parameters.indices.filter { parameters[$0] != nil }
        guard !applied.isEmpty else { return [] }
        let subset = applied.map { geometries[$0] }
        let spread = SampleSpread(applied: applied, count: geometries.count, opName: transform.opName, label: label)
        var scratch = PlanBuilder(
            geometries: subset, ragged: Set(subset).count > 1, inputPixelType: .float32, inputLayout: .nchw)
        try transform.lower(applied.compactMap { parameters[$0] }, into: &scratch)
        guard scratch.sampleGeometries == subset else { throw spread.notMaskable("it changes the image size") }
        let plan = try scratch.finish(output: .float32NCHW)
        var effects: [MaskedEffect] = []
        for stage in plan.stages {
            // Each stage type says how its skipped samples become identities (PlanStage).
            effects += try stage.body.maskedEffects(spread)
        }
        return effects
    }

    /// The effects of ops that never apply to the same sample (one_of's children), merged where
    /// that saves passes: geometric effects that agree on interpolation and border become one warp,
    /// colour programs one colour pass, sharpness and blur one stage each. Without merging, the
    /// children's effects follow each other (also correct: each sample sees only its own child).
    static func mergedExclusive(_ children: [[MaskedEffect]], count: Int) -> [MaskedEffect] {
        guard children.allSatisfy({ $0.count <= 1 }) else { return children.flatMap { $0 } }
        let effects = children.compactMap(\.first)
        var warps: [(matrices: [WarpMatrix], interpolation: Interpolation?, reads: WarpReads, op: String)] = []
        var colors: [[[ColorStep]]] = []
        var sharpness: [SharpnessStage] = []
        var blurs: [GaussianBlurStage] = []
        var others: [MaskedEffect] = []
        for effect in effects {
            switch effect {
            case .warp(let m, nil, let i, let r, let op): warps.append((m, i, r, op))
            case .warp: others.append(effect)
            case .color(let programs): colors.append(programs)
            case .stage(let stage):
                if let s = stage.as(SharpnessStage.self) {
                    sharpness.append(s)
                } else if let s = stage.as(GaussianBlurStage.self) {
                    blurs.append(s)
                } else {
                    others.append(effect)
                }
            }
        }
        var merged: [MaskedEffect] = []
        // Warps: greedily group those that can share one interpolation and one border rule.
        var groups: [(matrices: [WarpMatrix], interpolation: Interpolation?, reads: WarpReads, ops: [String])] = []
        for w in warps {
            if let g = groups.indices.first(where: {
                compatible(groups[$0].interpolation, groups[$0].reads, w.interpolation, w.reads)
            }) {
                let product = zip(groups[g].matrices, w.matrices).map { $0.concatenating($1) }
                groups[g] = (
                    product, groups[g].interpolation ?? w.interpolation, combined(groups[g].reads, w.reads),
                    groups[g].ops + [w.op]
                )
            } else {
                groups.append((w.matrices, w.interpolation, w.reads, [w.op]))
            }
        }
        for g in groups {
            merged.append(
                .warp(
                    matrices: g.matrices, outputs: nil, interpolation: g.interpolation, reads: g.reads,
                    op: g.ops.joined(separator: "|")))
        }
        if !colors.isEmpty {
            merged.append(.color((0..<count).map { n in colors.flatMap { $0[n] } }))
        }
        if var first = sharpness.first {
            first.factors = (0..<count).map { n in sharpness.lazy.compactMap { $0.factors[n] }.first }
            merged.append(.stage(Stage(first)))
        }
        if var first = blurs.first {
            let pick = { (n: Int) in blurs.first { $0.kernelsX[n].count > 1 || $0.kernelsY[n].count > 1 } ?? first }
            first.kernelsX = (0..<count).map { pick($0).kernelsX[$0] }
            first.kernelsY = (0..<count).map { pick($0).kernelsY[$0] }
            merged.append(.stage(Stage(first)))
        }
        return merged + others
    }

    private static func compatible(_ i1: Interpolation?, _ r1: WarpReads, _ i2: Interpolation?, _ r2: WarpReads) -> Bool
    {
        if let i1, let i2, i1 != i2 { return false }
        switch (r1, r2) {
        case (.inside, _), (_, .inside): return true
        default: return r1 == r2
        }
    }

    private static func combined(_ r1: WarpReads, _ r2: WarpReads) -> WarpReads {
        r1 == .inside ? r2 : r1
    }

    /// Adds `effects` to the plan in order. Identity warps, empty colour programs and stages that
    /// change nothing are skipped.
    static func emit(_ effects: [MaskedEffect], into plan: inout PlanBuilder) throws {
        for effect in effects {
            switch effect {
            case .warp(let matrices, let outputs, let interpolation, let reads, let op):
                let sizes = outputs ?? plan.sampleGeometries
                guard outputs != nil || matrices.contains(where: { $0 != .identity }) else { continue }
                try plan.warp(matrices, outputs: sizes, interpolation: interpolation, reads: reads, op: op)
            case .color(let programs):
                for segment in colorSegments(programs) { try plan.color(segment) }
            case .stage(let stage):
                switch stage.body {
                case let s as SharpnessStage:
                    guard s.factors.contains(where: { $0 != nil }) else { continue }
                case let s as GaussianBlurStage:
                    guard s.kernelsX.contains(where: { $0.count > 1 }) || s.kernelsY.contains(where: { $0.count > 1 })
                    else { continue }
                case let s as EraseStage:
                    guard s.boxes.contains(where: { !$0.isEmpty }) else { continue }
                case let s as NoiseStage:
                    guard s.sigma.contains(where: { $0 != nil }) else { continue }
                default: break
                }
                try plan.append(stage)
            }
        }
    }

    /// Per-sample programs cut into segments a ``ColorStage`` accepts: at most one statistic step
    /// and at most ``ColorStage/maxSteps`` steps each. Segment k holds every sample's k-th piece.
    static func colorSegments(_ programs: [[ColorStep]]) -> [[[ColorStep]]] {
        let pieces = programs.map { program -> [[ColorStep]] in
            var result: [[ColorStep]] = []
            var current: [ColorStep] = []
            var statistic = false
            for step in program {
                if current.count == ColorStage.maxSteps || (statistic && step.op.needsStatistic) {
                    result.append(current)
                    current = []
                    statistic = false
                }
                current.append(step)
                statistic = statistic || step.op.needsStatistic
            }
            if !current.isEmpty { result.append(current) }
            return result
        }
        let segments = pieces.map(\.count).max() ?? 0
        return (0..<segments).map { k in pieces.map { k < $0.count ? $0[k] : [] } }
    }
}

extension WarpMatrix {
    /// Whether every output pixel centre lands on an input pixel centre (x' = ±x + k or a quarter
    /// turn, with integer k in pixel-index coordinates): interpolation cannot change such a warp.
    var mapsPixelCentresToPixelCentres: Bool {
        guard isAffine else { return false }
        let p = inPixelIndexCoordinates.m
        let linear = [p[0], p[1], p[3], p[4]]
        let unit =
            linear.allSatisfy { $0 == 0 || abs($0) == 1 } && (p[0] == 0) == (p[4] == 0) && (p[1] == 0) == (p[3] == 0)
            && (p[0] == 0) != (p[1] == 0)
        return unit && p[2] == p[2].rounded() && p[5] == p[5].rounded() && abs(p[2]) < 1e9 && abs(p[5]) < 1e9
    }

    /// Whether every output pixel of `output` reads a pixel of `input` (checked at the corners, exact
    /// for centre-to-centre maps).
    func staysInside(_ input: ImageGeometry, output: ImageGeometry) -> Bool {
        let p = inPixelIndexCoordinates
        for (x, y) in [(0, 0), (output.width - 1, 0), (0, output.height - 1), (output.width - 1, output.height - 1)] {
            guard let q = p.apply(Double(x), Double(y)) else { return false }
            guard q.x >= -1e-9, q.y >= -1e-9, q.x <= Double(input.width - 1) + 1e-9,
                q.y <= Double(input.height - 1) + 1e-9
            else {
                return false
            }
        }
        return true
    }
}

// MARK: - Explicit conformances (ops whose masked form differs from the generic capture)

extension HorizontalFlip: SampleMaskable {
    public func maskedEffects(_ parameters: [NoParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        [flipEffect(parameters.map { $0 != nil }, geometries: geometries, horizontal: true, op: Self.opName)]
    }
}

extension VerticalFlip: SampleMaskable {
    public func maskedEffects(_ parameters: [NoParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        [flipEffect(parameters.map { $0 != nil }, geometries: geometries, horizontal: false, op: Self.opName)]
    }
}

extension RandomHorizontalFlip: SampleMaskable {
    public func maskedEffects(_ parameters: [FlipParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        [flipEffect(parameters.map { $0?.flipped == true }, geometries: geometries, horizontal: true, op: Self.opName)]
    }
}

extension RandomVerticalFlip: SampleMaskable {
    public func maskedEffects(_ parameters: [FlipParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        [flipEffect(parameters.map { $0?.flipped == true }, geometries: geometries, horizontal: false, op: Self.opName)]
    }
}

private func flipEffect(_ flags: [Bool], geometries: [ImageGeometry], horizontal: Bool, op: String) -> MaskedEffect {
    let matrices = zip(flags, geometries).map { flag, g -> WarpMatrix in
        guard flag else { return .identity }
        return horizontal
            ? WarpMatrix(m9: [-1, 0, Double(g.width), 0, 1, 0, 0, 0, 1])
            : WarpMatrix(m9: [1, 0, 0, 0, -1, Double(g.height), 0, 0, 1])
    }
    return .warp(matrices: matrices, outputs: nil, interpolation: nil, reads: .inside, op: op)
}

/// A resized crop per sample (the box clamps the interpolation, as torchvision's crop-then-resize),
/// the full image resized to itself (an identity) where skipped.
private func resizedCropEffects(
    _ boxes: [CropBox?], size: [Int], interpolation: Interpolation, geometries: [ImageGeometry],
    op: String
) throws -> [MaskedEffect] {
    for (i, box) in boxes.enumerated() { try box?.check(in: geometries[i], op: op) }
    let full = zip(boxes, geometries).map { box, g in box ?? CropBox(top: 0, left: 0, height: g.height, width: g.width)
    }
    let cropOutputs = zip(full, geometries).map {
        ImageGeometry(height: $0.height, width: $0.width, channels: $1.channels)
    }
    let outputs = geometries.map { ImageGeometry(height: size[0], width: size[1], channels: $0.channels) }
    // The crop carries the resize's interpolation: a pending group that the resize could not join
    // closes before the crop, while every sample still has one size.
    return [
        .warp(
            matrices: full.map { .translation(Double($0.left), Double($0.top)) }, outputs: cropOutputs,
            interpolation: interpolation,
            reads: .inside, op: op),
        .warp(
            matrices: zip(boxes, full).map { box, b in
                box == nil
                    ? .identity
                    : WarpMatrix.scaling(Double(b.width) / Double(size[1]), Double(b.height) / Double(size[0]))
            },
            outputs: outputs, interpolation: interpolation, reads: .margin, op: op),
    ]
}

extension RandomResizedCrop: SampleMaskable {
    public func maskedEffects(_ parameters: [CropBox?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        try resizedCropEffects(
            parameters, size: size, interpolation: interpolation, geometries: geometries, op: Self.opName)
    }
}

extension ResizedCrop: SampleMaskable {
    public func maskedEffects(_ parameters: [NoParameters?], geometries: [ImageGeometry]) throws -> [MaskedEffect] {
        try resizedCropEffects(
            parameters.map { $0 == nil ? nil : box }, size: size, interpolation: interpolation,
            geometries: geometries, op: Self.opName)
    }
}
