/// What a geometric op reads of its input, which decides how it fuses with its neighbours.
public enum WarpReads: Sendable, Equatable {
    /// Only pixels of its input, at their centres (crops inside the image, flips, quarter turns).
    case inside
    /// Between pixel centres up to half a pixel beyond the edge, clamped there (resize and resized
    /// crops, as torch's interpolate).
    case margin
    /// Anywhere, with this border rule outside its input (affine, rotate, perspective, pad).
    case outside(WarpBorder)
}

/// Collects lowered ops and fuses them into the fewest stages.
///
/// Geometric ops compose into one 3x3 matrix per sample (output continuous coordinates -> input
/// continuous coordinates, composed in Double), per-pixel affine ops (normalize) into the epilogue of
/// the same pass, and the conversion between formats happens in that pass too. Such a run of ops is a
/// *pending warp group*; it closes into a ``RemapStage`` (the integer fast path: every sample only
/// moves and mirrors whole pixels inside the image) or a ``WarpStage`` (everything else). A group
/// holds at most one op that reads outside its input (one border rule) and one interpolation; an op
/// that does not fit closes the group first (see docs/architecture.md, "Fusion"). An op that cannot
/// ride in a warp (a neighbourhood op, a cross-sample op) is added with ``append(_:outputGeometry:)``:
/// the pending group is closed into a stage that produces float32 NCHW, and the new stage follows.
///
/// Contract for every non-warp stage: it reads and writes float32 NCHW batches on torchvision's
/// value scale (uint8 inputs become [0, 1] floats in the warp before it). The last stage is always a
/// warp into the pipeline's output format, so the output format never constrains other stages.
public struct PlanBuilder: Sendable {
    /// Samples in the batch the next op sees (the plan's count, except between a replicate and a
    /// weighted sum).
    public private(set) var count: Int
    /// The geometry of one sample after the ops lowered so far (sample 0's while a ragged batch has
    /// not been brought to one size; see ``sampleGeometries``).
    public var geometry: ImageGeometry { sampleGeometries[0] }
    /// Every sample's geometry after the ops lowered so far.
    public private(set) var sampleGeometries: [ImageGeometry]
    /// The stages closed so far.
    public private(set) var stages: [Stage] = []

    // The pending group: what it reads, and what it has accumulated.
    private var groupInputs: [ImageGeometry]
    private var groupRagged: Bool
    private var groupPixelType: PixelType
    private var groupLayout: ImageLayout
    private var matrices: [WarpMatrix]
    private var regions: [PixelRect]
    private var interpolation: Interpolation?
    /// Whether the group's resampling is antialiased (then it holds only axis-aligned maps and no
    /// border rule: it samples through per-axis windows, see ``WarpStage/antialias``).
    private var antialias = false
    private var border: WarpBorder?
    private var epilogue: ChannelAffine?
    /// Per-sample colour programs run after the group's sampling, before its epilogue: colour ops
    /// without image statistics ride in the warp kernel instead of a pass of their own.
    private var colorPrograms: [[ColorStep]]?
    /// Whether values may have left [0, 1] (normalize ran): a uint8 output would then clip them.
    private var leftUnitRange = false
    /// The element type of the batch the plan reads (uint16: raw values, which colour ops refuse).
    public let inputPixelType: PixelType
    /// The channels the colour ops being lowered act on (set by `color_channels` while it lowers its
    /// ops); nil: ``colorChannels``' default.
    public var colorChannelSelection: [Int]? = nil
    /// An elastic_transform in the group: its field, the grid it deforms, and the group matrices
    /// before it (grid -> input); `matrices` then hold the ops after it (output -> grid).
    private var pendingElastic: (field: ElasticField, grid: ImageGeometry, pre: [WarpMatrix], fill: [Float])?

    public init(count: Int, geometry: ImageGeometry, inputPixelType: PixelType, inputLayout: ImageLayout) {
        self.init(
            geometries: Array(repeating: geometry, count: max(count, 1)), ragged: false,
            inputPixelType: inputPixelType, inputLayout: inputLayout)
    }

    /// A builder for a batch whose samples have their own sizes (`ragged`: packed back to back).
    public init(geometries: [ImageGeometry], ragged: Bool, inputPixelType: PixelType, inputLayout: ImageLayout) {
        count = geometries.count
        sampleGeometries = geometries
        self.inputPixelType = inputPixelType
        groupInputs = geometries
        groupRagged = ragged
        groupPixelType = inputPixelType
        groupLayout = inputLayout
        matrices = Array(repeating: .identity, count: geometries.count)
        regions = geometries.map(PixelRect.init)
    }

    /// Whether every sample has the same size.
    public var isUniform: Bool { sampleGeometries.allSatisfy { $0 == sampleGeometries[0] } }

    private func checkCount(_ given: Int, _ what: String) throws {
        guard given == count else {
            throw AugmentError.parameterMismatch("\(given) \(what) for a batch of \(count)")
        }
    }

    /// Crops every sample to `height` x `width`, sample i starting at (top[i], left[i]) of its current
    /// image. Throws if a window leaves the image.
    public mutating func crop(top: [Int], left: [Int], height: Int, width: Int, op: String) throws {
        guard top.count == count, left.count == count else {
            throw AugmentError.parameterMismatch("\(op): \(top.count) crop offsets for a batch of \(count)")
        }
        for i in 0..<count {
            let g = sampleGeometries[i]
            guard top[i] >= 0, left[i] >= 0, top[i] + height <= g.height, left[i] + width <= g.width else {
                throw AugmentError.incompatible(
                    "\(op): crop box top=\(top[i]) left=\(left[i]) height=\(height) width=\(width) of sample \(i) leaves the \(g.height)x\(g.width) image"
                )
            }
        }
        try warp(
            (0..<count).map { .translation(Double(left[$0]), Double(top[$0])) },
            outputs: sampleGeometries.map { ImageGeometry(height: height, width: width, channels: $0.channels) },
            interpolation: nil, reads: .inside, op: op)
    }

    /// Mirrors the samples whose flag is set, left-right (one flag per sample).
    public mutating func flipHorizontally(_ flags: [Bool]) throws {
        try checkCount(flags.count, "horizontal flip flags")
        try warp(
            (0..<count).map {
                flags[$0] ? WarpMatrix(m9: [-1, 0, Double(sampleGeometries[$0].width), 0, 1, 0, 0, 0, 1]) : .identity
            },
            outputs: sampleGeometries, interpolation: nil, reads: .inside, op: "hflip")
    }

    /// Mirrors the samples whose flag is set, top-bottom (one flag per sample).
    public mutating func flipVertically(_ flags: [Bool]) throws {
        try checkCount(flags.count, "vertical flip flags")
        try warp(
            (0..<count).map {
                flags[$0] ? WarpMatrix(m9: [1, 0, 0, 0, -1, Double(sampleGeometries[$0].height), 0, 0, 1]) : .identity
            },
            outputs: sampleGeometries, interpolation: nil, reads: .inside, op: "vflip")
    }

    /// Adds a geometric op: sample i's output (of size `outputs[i]`) reads its current image at
    /// `matrices[i]` applied to each output point (continuous coordinates: pixel (x, y) spans
    /// [x, x + 1) x [y, y + 1), so its centre is (x + 0.5, y + 0.5)). `interpolation` is nil for ops
    /// that only move whole pixels. Composes into the pending group when it fits; otherwise closes
    /// the group first (which needs every sample at one size). `antialias` (bilinear only, as
    /// torchvision) widens the filter when the group downscales; see ``WarpStage/antialias``.
    public mutating func warp(
        _ opMatrices: [WarpMatrix], outputs: [ImageGeometry], interpolation opInterpolation: Interpolation?,
        antialias opAntialias: Bool = false, reads: WarpReads, op: String
    ) throws {
        let opAntialias = opAntialias && opInterpolation == .bilinear
        try checkCount(opMatrices.count, "\(op) matrices")
        try checkCount(outputs.count, "\(op) output sizes")
        for (i, m) in opMatrices.enumerated() where !m.m.allSatisfy(\.isFinite) || m.inverse == nil {
            throw AugmentError.parameterMismatch("\(op): the matrix of sample \(i) is singular or not finite")
        }
        for (i, g) in outputs.enumerated() {
            try g.validate("\(op) output of sample \(i)")
            guard g.channels == sampleGeometries[i].channels else {
                throw AugmentError.parameterMismatch("\(op) changes the channel count of sample \(i)")
            }
        }
        // Does the op fit in the pending group?
        var fits = true
        if let opInterpolation, let interpolation, opInterpolation != interpolation { fits = false }
        // Colour already in the group runs after sampling: it commutes with ops that only move
        // whole pixels (crops, flips), not with resampling or with a border's fill.
        if colorPrograms != nil, reads != .inside || opInterpolation != nil { fits = false }
        // A statistic (contrast's mean...) is taken over the whole image the colour op saw, which
        // the group's output is only while no geometric op follows it.
        if colorPrograms?.contains(where: { $0.contains { $0.op.needsStatistic } }) == true { fits = false }
        // One antialias setting per resampling; an antialiased group stays axis-aligned and
        // borderless (its windows are clipped to the region, as torch's interpolate).
        if opInterpolation != nil, interpolation != nil, opAntialias != antialias { fits = false }
        if antialias || opAntialias {
            if reads != .inside && reads != .margin { fits = false }
            if border != nil { fits = false }
            if !matrices.allSatisfy(\.isAxisAligned) || !opMatrices.allSatisfy(\.isAxisAligned) { fits = false }
        }
        // After an elastic step: affine ops that read no border (the displaced kernel has no
        // perspective division, and the stage's border belongs to the ops before the elastic step).
        if pendingElastic != nil {
            if !opMatrices.allSatisfy(\.isAffine) { fits = false }
            if case .outside = reads { fits = false }
            // Antialiasing tables cannot follow a displacement.
            if opAntialias { fits = false }
        }
        if case .outside(let opBorder) = reads {
            if border != nil { fits = false }
            if opBorder.mode == .constant, epilogue != nil { fits = false }
            if !matrices.allSatisfy(\.isRectilinear) { fits = false }
        }
        if !fits {
            guard isUniform else {
                throw AugmentError.incompatible(
                    "\(op) cannot fuse with the ops before it, and the samples of this ragged batch do not have one size yet: bring them to one size first (resize, resized crop or a fixed-size crop)"
                )
            }
            closeGroup(into: .float32NCHW)
        }
        // Ops that read beyond pixel centres see only the pixels of their input: the current image's
        // footprint in the group input (exact while the group is rectilinear).
        // (After an elastic step the regions stay those of the input before it.)
        if reads != .inside, pendingElastic == nil {
            for i in 0..<count where matrices[i].isRectilinear {
                regions[i] = regions[i].intersection(footprint(of: sampleGeometries[i], through: matrices[i]))
            }
        }
        for i in 0..<count {
            matrices[i] = matrices[i].concatenating(opMatrices[i])
        }
        if let opInterpolation {
            interpolation = opInterpolation
            antialias = opAntialias
        }
        if case .outside(let opBorder) = reads { border = opBorder }
        sampleGeometries = outputs
    }

    /// The pixels of the group input that an image of `geometry` covers through the rectilinear `matrix`.
    private func footprint(of geometry: ImageGeometry, through matrix: WarpMatrix) -> PixelRect {
        let corners = [(0.0, 0.0), (Double(geometry.width), Double(geometry.height))].compactMap {
            matrix.apply($0.0, $0.1)
        }
        guard corners.count == 2 else { return PixelRect(x0: 0, y0: 0, x1: Int.max, y1: Int.max) }
        let (xa, xb) = (corners[0].x, corners[1].x), (ya, yb) = (corners[0].y, corners[1].y)
        // Pixels whose centres lie inside the covered area; snap values within 1e-9 of an integer.
        func snap(_ v: Double) -> Double { abs(v - v.rounded()) < 1e-9 ? v.rounded() : v }
        let lo = (x: snap(min(xa, xb) - 0.5).rounded(.up), y: snap(min(ya, yb) - 0.5).rounded(.up))
        let hi = (x: snap(max(xa, xb) - 0.5).rounded(.down) + 1, y: snap(max(ya, yb) - 0.5).rounded(.down) + 1)
        func clampInt(_ v: Double) -> Int { Int(max(-1e15, min(1e15, v))) }
        return PixelRect(x0: clampInt(lo.x), y0: clampInt(lo.y), x1: clampInt(hi.x), y1: clampInt(hi.y))
    }

    /// Adds elastic_transform to the pending group: output pixels of the group are displaced by
    /// `field` (pixels, on the current image's grid) between the ops before it and those after it
    /// (``WarpDisplacement``), sampled with `interpolation`; what leaves the grid is blended with
    /// `fill` (one value per channel) as torchvision's grid-sample fill. A group of whole-pixel
    /// moves (crops, flips) reads zeros outside the grid's window (torchvision's zeros padding,
    /// exactly); a group that resamples (resize, affine, rotate, pad before the elastic step) keeps
    /// its own border, so the source is read once through both ops (within a pixel of the grid
    /// edge the taps then see that border's values rather than zeros). Joins the group when it holds no elastic step, colour program or
    /// normalize yet, its interpolation agrees and its matrices are affine; otherwise closes the
    /// group first. Ops after it join while they are affine and read no border of their own.
    public mutating func elastic(
        _ field: ElasticField, interpolation opInterpolation: Interpolation, fill: [Float]
    ) throws {
        guard isUniform else {
            throw AugmentError.incompatible(
                "elastic_transform: the samples of this ragged batch have different sizes: bring them to one size (resize, resized crop or a fixed-size crop) first"
            )
        }
        try field.check()
        guard field.count == count, field.height == geometry.height, field.width == geometry.width,
            fill.count == geometry.channels
        else {
            throw AugmentError.parameterMismatch(
                "elastic_transform: a field of \(field.count) x \(field.height)x\(field.width) and \(fill.count) fill values for \(count) images of \(geometry)"
            )
        }
        // An antialiased group samples through per-axis tables, which a displacement cannot follow.
        var fits =
            pendingElastic == nil && colorPrograms == nil && epilogue == nil && !antialias
            && matrices.allSatisfy(\.isAffine)
        if let interpolation, interpolation != opInterpolation { fits = false }
        if !fits { closeGroup(into: .float32NCHW) }
        if border == nil, matrices.allSatisfy(\.isIntegerFlipTranslation) {
            // Whole-pixel moves only (crops, flips): the grid is a window of the input, read with
            // zeros around it, exactly torchvision's padding.
            for i in 0..<count {
                regions[i] = regions[i].intersection(footprint(of: sampleGeometries[i], through: matrices[i]))
            }
            border = WarpBorder(mode: .constant, fill: nil)
        }
        pendingElastic = (field, geometry, matrices, fill)
        matrices = Array(repeating: .identity, count: count)
        interpolation = opInterpolation
    }

    /// Adds colour programs (one per sample) to the pending group when they can ride in its warp
    /// kernel: the channel count stays, no normalize is pending in the group (the kernel runs colour
    /// before the epilogue), and the merged programs stay within ``ColorStage/maxSteps`` with at most
    /// one step per sample that needs an image statistic. Such a step's statistic is taken by a
    /// compute-only pre-pass over the group's output pixels (`warp_color_stats`, issue #13), so the
    /// group still writes its output once; no geometric op joins the group after it (see ``warp``).
    /// Returns false, changing nothing, otherwise.
    mutating func fuseColorIntoGroup(_ programs: [[ColorStep]]) -> Bool {
        guard programs.count == count, epilogue == nil, isUniform else { return false }
        // On a float32 NCHW batch with nothing pending there is no pass to save: a colour stage
        // reads it directly (color_stats_rows loads pixels where the pre-pass would resample them).
        if nothingPendingSinceLastStage, programs.contains(where: { $0.contains { $0.op.needsStatistic } }) {
            return false
        }
        let merged = zip(colorPrograms ?? Array(repeating: [], count: count), programs).map { $0 + $1 }
        guard merged.allSatisfy({ $0.count <= ColorStage.maxSteps && $0.filter(\.op.needsStatistic).count <= 1 })
        else { return false }
        colorPrograms = merged
        return true
    }

    /// Whether nothing is pending since the last closed stage (the previous stage's output is the
    /// current image, unchanged).
    var nothingPendingSinceLastStage: Bool {
        matrices.allSatisfy { $0 == .identity } && epilogue == nil && border == nil && colorPrograms == nil
            && pendingElastic == nil && !groupRagged && groupInputs == sampleGeometries && groupPixelType == .float32
            && groupLayout == .nchw
    }

    /// Applies a per-channel affine map to the values (as floats in torchvision's [0, 1] scale).
    /// A one-channel map applies to every channel; otherwise it needs one value per channel.
    /// Marks the values as possibly outside [0, 1].
    public mutating func affine(_ map: ChannelAffine) throws {
        guard map.scale.count == map.bias.count, map.scale.count == 1 || map.scale.count == geometry.channels else {
            throw AugmentError.parameterMismatch(
                "a per-channel map of \(map.scale.count) scales and \(map.bias.count) biases for \(geometry.channels) channels"
            )
        }
        let expanded = expand(map, channels: geometry.channels)
        epilogue = epilogue.map { $0.followed(by: expanded) } ?? expanded
        leftUnitRange = true
    }

    /// Closes the pending group and adds `stage`, which reads float32 NCHW batches of the
    /// current geometry and produces float32 NCHW batches of `outputGeometry` (the current geometry
    /// when nil). Throws when the samples of a ragged batch have not been brought to one size.
    public mutating func append(_ stage: Stage, outputGeometry: ImageGeometry? = nil) throws {
        guard isUniform else {
            throw AugmentError.incompatible(
                "the samples of this ragged batch have different sizes: bring them to one size (resize, resized crop or a fixed-size crop) before this op"
            )
        }
        closeGroup(into: .float32NCHW, beforeStage: true)
        stages.append(stage)
        sampleGeometries = Array(repeating: outputGeometry ?? geometry, count: count)
        groupInputs = sampleGeometries
        regions = groupInputs.map(PixelRect.init)
    }

    /// Like ``append(_:outputGeometry:)`` for a stage that converts its input as it loads it (uint8,
    /// uint16 or float32, NHWC or NCHW, exactly as a remap converts): when the pending group only
    /// changes the format (no geometry, colour, epilogue or elastic field pending, one size), the
    /// stage that `make(pixelType, layout)` returns reads the group's input itself and no
    /// conversion pass is planned. Otherwise the group closes into float32 NCHW as usual.
    public mutating func append(readingPendingFormat make: (PixelType, ImageLayout) -> Stage) throws {
        let onlyFormatPending =
            isUniform && matrices.allSatisfy { $0 == .identity } && epilogue == nil && colorPrograms == nil
            && pendingElastic == nil && !groupRagged && groupInputs == sampleGeometries
            && [.uint8, .uint16, .float32].contains(groupPixelType)
        guard onlyFormatPending else {
            try append(make(.float32, .nchw))
            return
        }
        stages.append(make(groupPixelType, groupLayout))
        interpolation = nil
        antialias = false
        border = nil
        groupPixelType = .float32
        groupLayout = .nchw
    }

    /// Like ``append(_:outputGeometry:)`` for a stage that changes the number of samples (replicate,
    /// weighted sum): the ops lowered next see `outputCount` samples of `outputGeometry`.
    mutating func append(_ stage: Stage, outputGeometry: ImageGeometry, outputCount: Int) throws {
        try append(stage, outputGeometry: outputGeometry)
        count = outputCount
        sampleGeometries = Array(repeating: outputGeometry, count: outputCount)
        groupInputs = sampleGeometries
        regions = groupInputs.map(PixelRect.init)
        matrices = Array(repeating: .identity, count: outputCount)
    }

    /// Like ``append(_:outputGeometry:)``, but when nothing is pending since the last closed stage
    /// (no geometric op, normalize or format change in between), `fuse` may merge `stage` into that
    /// stage: it gets the last stage and returns the merged one, or nil to append `stage` as usual.
    public mutating func append(
        _ stage: Stage, outputGeometry: ImageGeometry? = nil, fusing fuse: (Stage) -> Stage?
    ) throws {
        let nothingPending =
            matrices.allSatisfy { $0 == .identity } && epilogue == nil && border == nil
            && colorPrograms == nil && pendingElastic == nil
            && !groupRagged && groupInputs == sampleGeometries && groupPixelType == .float32 && groupLayout == .nchw
        if nothingPending, let last = stages.last, let fused = fuse(last) {
            stages[stages.count - 1] = fused
            sampleGeometries = Array(repeating: outputGeometry ?? geometry, count: count)
            groupInputs = sampleGeometries
            regions = groupInputs.map(PixelRect.init)
            return
        }
        try append(stage, outputGeometry: outputGeometry)
    }

    /// Closes the pending group into `format`: a remap when every sample only moves whole pixels
    /// inside a dense input (the fast kernel), a warp otherwise; skipped when it would copy a float32
    /// NCHW batch unchanged into float32 NCHW (also at the start of the plan when a stage follows,
    /// which then reads the input batch itself: every stage writes a new batch).
    private mutating func closeGroup(into format: OutputFormat, beforeStage: Bool = false) {
        let integer =
            !groupRagged && border == nil && pendingElastic == nil && matrices.allSatisfy(\.isIntegerFlipTranslation)
        let identity =
            matrices.allSatisfy { $0 == .identity } && epilogue == nil && groupInputs == sampleGeometries
            && colorPrograms == nil && pendingElastic == nil
            && !groupRagged
        let sameFormat = groupPixelType == format.pixelType && groupLayout == format.layout
        if !(identity && sameFormat && (beforeStage || !stages.isEmpty)) {
            if integer {
                let windows = matrices.map { m -> PixelWindow in
                    // continuous X = a (x + 0.5) + t  ->  index x0 = t + (a - 1) / 2 for a = ±1
                    PixelWindow(
                        x0: Int32(m.m[2] + (m.m[0] - 1) / 2), y0: Int32(m.m[5] + (m.m[4] - 1) / 2),
                        dx: Int32(m.m[0]), dy: Int32(m.m[4]))
                }
                stages.append(
                    Stage(
                        RemapStage(
                            count: count, input: groupInputs[0], inputPixelType: groupPixelType,
                            inputLayout: groupLayout,
                            output: geometry, outputFormat: format, windows: windows, epilogue: epilogue,
                            colorPrograms: colorPrograms)))
            } else {
                stages.append(
                    Stage(
                        WarpStage(
                            count: count, inputGeometries: groupInputs, inputIsRagged: groupRagged,
                            inputPixelType: groupPixelType,
                            inputLayout: groupLayout, output: geometry, outputFormat: format,
                            matrices: pendingElastic?.pre ?? matrices,
                            regions: regions, interpolation: interpolation ?? .nearest,
                            border: border ?? WarpBorder(mode: .edge),
                            epilogue: epilogue, colorPrograms: colorPrograms,
                            antialias: antialias,
                            displacement: pendingElastic.map {
                                WarpDisplacement(grid: $0.grid, post: matrices, field: $0.field, fill: $0.fill)
                            })))
            }
        }
        pendingElastic = nil
        matrices = Array(repeating: .identity, count: count)
        epilogue = nil
        colorPrograms = nil
        interpolation = nil
        antialias = false
        border = nil
        groupInputs = sampleGeometries
        regions = groupInputs.map(PixelRect.init)
        groupRagged = false
        groupPixelType = format.pixelType
        groupLayout = format.layout
    }

    /// The finished plan, ending in `output`.
    mutating func finish(output: OutputFormat) throws -> Plan {
        if leftUnitRange, output.pixelType == .uint8 {
            throw AugmentError.incompatible(
                "normalize produces values outside [0, 1]; it needs a float32 output, not \(output)")
        }
        // uint16 holds raw values (depth in millimetres, 16-bit images); uint8 is torchvision's
        // [0, 1] scale. Converting between them would clip or flatten every value.
        if inputPixelType == .uint16, output.pixelType == .uint8 {
            throw AugmentError.incompatible(
                "uint16 input holds raw values (e.g. depth in millimetres) and a uint8 output would clip them to 0...255 of the [0, 1] scale; use a uint16 or float32 output"
            )
        }
        if inputPixelType == .uint8, output.pixelType == .uint16 {
            throw AugmentError.incompatible(
                "uint8 input is read on torchvision's [0, 1] scale, which a uint16 output (raw values, rounded) would flatten to 0 and 1; use a uint8 or float32 output"
            )
        }
        if leftUnitRange, output.pixelType == .uint16 {
            throw AugmentError.incompatible(
                "normalize produces standardised values; it needs a float32 output, not \(output)")
        }
        guard isUniform else {
            throw AugmentError.incompatible(
                "the pipeline leaves the samples of this ragged batch at different sizes; end it with an op that gives every sample one size (resize, resized crop or a fixed-size crop)"
            )
        }
        closeGroup(into: output)
        return Plan(stages: stages, output: output, outputGeometry: geometry, count: count)
    }

    /// Broadcasts a one-channel map to every channel.
    private func expand(_ map: ChannelAffine, channels: Int) -> ChannelAffine {
        guard map.scale.count == 1, channels > 1 else { return map }
        return ChannelAffine(
            scale: Array(repeating: map.scale[0], count: channels),
            bias: Array(repeating: map.bias[0], count: channels))
    }
}
