/// Collects lowered ops and fuses them into the fewest stages.
///
/// Geometric ops (crops, flips) compose into one ``PixelWindow`` per sample and per-pixel affine ops
/// (normalize) into the epilogue of the same pass; the conversion between formats happens in that
/// pass too. Such a run of ops is a *pending remap group*. An op that cannot ride in it (a
/// neighbourhood op, a cross-sample op) is added with ``append(_:outputGeometry:)``: the pending
/// group is closed into a remap stage that produces float32 NCHW, and the new stage follows.
///
/// Contract for every non-remap stage: it reads and writes float32 NCHW batches on torchvision's
/// value scale (uint8 inputs become [0, 1] floats in the remap before it). The last stage is always a
/// remap into the pipeline's output format, so the output format never constrains other stages.
public struct PlanBuilder: Sendable {
    public let count: Int
    /// The geometry of one sample after the ops lowered so far.
    public private(set) var geometry: ImageGeometry
    /// The stages closed so far.
    public private(set) var stages: [Stage] = []

    // The pending remap group: what it reads, and what it has accumulated.
    private var groupInput: ImageGeometry
    private var groupPixelType: PixelType
    private var groupLayout: ImageLayout
    private var windows: [PixelWindow]
    private var epilogue: ChannelAffine?
    /// Whether values may have left [0, 1] (normalize ran): a uint8 output would then clip them.
    private var leftUnitRange = false

    public init(count: Int, geometry: ImageGeometry, inputPixelType: PixelType, inputLayout: ImageLayout) {
        self.count = count
        self.geometry = geometry
        groupInput = geometry
        groupPixelType = inputPixelType
        groupLayout = inputLayout
        windows = Array(repeating: .identity, count: count)
    }

    private func checkCount(_ given: Int, _ what: String) throws {
        guard given == count else {
            throw AugmentError.parameterMismatch("\(given) \(what) for a batch of \(count)")
        }
    }

    /// Crops every sample to `height` x `width`, sample i starting at (top[i], left[i]) of the
    /// current image. Throws if a window leaves the image.
    public mutating func crop(top: [Int], left: [Int], height: Int, width: Int, op: String) throws {
        guard top.count == count, left.count == count else {
            throw AugmentError.parameterMismatch("\(op): \(top.count) crop offsets for a batch of \(count)")
        }
        for i in 0..<count {
            guard top[i] >= 0, left[i] >= 0, top[i] + height <= geometry.height, left[i] + width <= geometry.width else {
                throw AugmentError.incompatible(
                    "\(op): crop box top=\(top[i]) left=\(left[i]) height=\(height) width=\(width) of sample \(i) leaves the \(geometry.height)x\(geometry.width) image")
            }
            windows[i].x0 += windows[i].dx * Int32(left[i])
            windows[i].y0 += windows[i].dy * Int32(top[i])
        }
        geometry.height = height
        geometry.width = width
    }

    /// Mirrors the samples whose flag is set, left-right (one flag per sample).
    public mutating func flipHorizontally(_ flags: [Bool]) throws {
        try checkCount(flags.count, "horizontal flip flags")
        for i in 0..<count where flags[i] {
            windows[i].x0 += windows[i].dx * Int32(geometry.width - 1)
            windows[i].dx = -windows[i].dx
        }
    }

    /// Mirrors the samples whose flag is set, top-bottom (one flag per sample).
    public mutating func flipVertically(_ flags: [Bool]) throws {
        try checkCount(flags.count, "vertical flip flags")
        for i in 0..<count where flags[i] {
            windows[i].y0 += windows[i].dy * Int32(geometry.height - 1)
            windows[i].dy = -windows[i].dy
        }
    }

    /// Applies a per-channel affine map to the values (as floats in torchvision's [0, 1] scale).
    /// A one-channel map applies to every channel; otherwise it needs one value per channel.
    /// Marks the values as possibly outside [0, 1].
    public mutating func affine(_ map: ChannelAffine) throws {
        guard map.scale.count == map.bias.count, map.scale.count == 1 || map.scale.count == geometry.channels else {
            throw AugmentError.parameterMismatch(
                "a per-channel map of \(map.scale.count) scales and \(map.bias.count) biases for \(geometry.channels) channels")
        }
        let expanded = expand(map, channels: geometry.channels)
        epilogue = epilogue.map { $0.followed(by: expanded) } ?? expanded
        leftUnitRange = true
    }

    /// Closes the pending remap group and adds `stage`, which reads float32 NCHW batches of the
    /// current geometry and produces float32 NCHW batches of `outputGeometry` (the current geometry
    /// when nil).
    public mutating func append(_ stage: Stage, outputGeometry: ImageGeometry? = nil) throws {
        closeGroup(into: .float32NCHW)
        stages.append(stage)
        geometry = outputGeometry ?? geometry
        groupInput = geometry
        groupPixelType = .float32
        groupLayout = .nchw
    }

    /// Like ``append(_:outputGeometry:)``, but when nothing is pending since the last closed stage
    /// (no crop, flip or normalize in between), `fuse` may merge `stage` into that stage: it gets
    /// the last stage and returns the merged one, or nil to append `stage` as usual.
    public mutating func append(
        _ stage: Stage, outputGeometry: ImageGeometry? = nil, fusing fuse: (Stage) -> Stage?
    ) throws {
        let nothingPending = windows.allSatisfy { $0 == .identity } && epilogue == nil && groupInput == geometry
            && groupPixelType == .float32 && groupLayout == .nchw
        if nothingPending, let last = stages.last, let fused = fuse(last) {
            stages[stages.count - 1] = fused
            geometry = outputGeometry ?? geometry
            groupInput = geometry
            return
        }
        try append(stage, outputGeometry: outputGeometry)
    }

    /// Closes the pending group as a remap into `format`; skipped when it would copy a float32 NCHW
    /// batch unchanged into float32 NCHW.
    private mutating func closeGroup(into format: OutputFormat) {
        let identity = windows.allSatisfy { $0 == .identity } && epilogue == nil && groupInput == geometry
        let sameFormat = groupPixelType == format.pixelType && groupLayout == format.layout
        if !(identity && sameFormat && !stages.isEmpty) {
            stages.append(.remap(RemapStage(
                count: count, input: groupInput, inputPixelType: groupPixelType, inputLayout: groupLayout,
                output: geometry, outputFormat: format, windows: windows, epilogue: epilogue)))
        }
        windows = Array(repeating: .identity, count: count)
        epilogue = nil
        groupInput = geometry
        groupPixelType = format.pixelType
        groupLayout = format.layout
    }

    /// The finished plan, ending in `output`.
    mutating func finish(output: OutputFormat) throws -> Plan {
        if leftUnitRange, output.pixelType == .uint8 {
            throw AugmentError.incompatible(
                "normalize produces values outside [0, 1]; it needs a float32 output, not \(output)")
        }
        closeGroup(into: output)
        return Plan(stages: stages, output: output, outputGeometry: geometry, count: count)
    }

    /// Broadcasts a one-channel map to every channel.
    private func expand(_ map: ChannelAffine, channels: Int) -> ChannelAffine {
        guard map.scale.count == 1, channels > 1 else { return map }
        return ChannelAffine(scale: Array(repeating: map.scale[0], count: channels),
                             bias: Array(repeating: map.bias[0], count: channels))
    }
}
