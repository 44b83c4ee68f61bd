/// Collects lowered ops and fuses them into stages.
///
/// Geometric ops (crops, flips) compose into one ``PixelWindow`` per sample; per-pixel ops
/// (normalize) compose into the epilogue of the same pass; the conversion to the output format
/// happens in that pass too. The whole foundation op set therefore runs as one launch per batch.
public struct PlanBuilder: Sendable {
    public let count: Int
    /// The geometry of one sample after the ops lowered so far.
    public private(set) var geometry: ImageGeometry
    public let inputGeometry: ImageGeometry
    public let inputPixelType: PixelType
    public let inputLayout: ImageLayout
    private var windows: [PixelWindow]
    private var epilogue: ChannelAffine?

    public init(count: Int, geometry: ImageGeometry, inputPixelType: PixelType, inputLayout: ImageLayout) {
        self.count = count
        self.geometry = geometry
        self.inputGeometry = geometry
        self.inputPixelType = inputPixelType
        self.inputLayout = inputLayout
        windows = Array(repeating: .identity, count: count)
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

    private func checkCount(_ given: Int, _ what: String) throws {
        guard given == count else {
            throw AugmentError.parameterMismatch("\(given) \(what) for a batch of \(count)")
        }
    }

    /// Applies a per-channel affine map to the values (as floats in torchvision's [0, 1] scale).
    /// A one-channel map applies to every channel; otherwise it needs one value per channel.
    public mutating func affine(_ map: ChannelAffine) throws {
        guard map.scale.count == map.bias.count, map.scale.count == 1 || map.scale.count == geometry.channels else {
            throw AugmentError.parameterMismatch(
                "a per-channel map of \(map.scale.count) scales and \(map.bias.count) biases for \(geometry.channels) channels")
        }
        let expanded = expand(map, channels: geometry.channels)
        epilogue = epilogue.map { $0.followed(by: expanded) } ?? expanded
    }

    /// The finished plan.
    func finish(output: OutputFormat) throws -> Plan {
        if epilogue != nil, output.pixelType == .uint8 {
            throw AugmentError.incompatible(
                "normalize produces values outside [0, 1]; it needs a float32 output, not \(output)")
        }
        let stage = RemapStage(
            count: count, input: inputGeometry, inputPixelType: inputPixelType, inputLayout: inputLayout,
            output: geometry, outputFormat: output, windows: windows,
            epilogue: epilogue)
        return Plan(stages: [.remap(stage)], output: output, outputGeometry: geometry, count: count)
    }

    /// Broadcasts a one-channel map to every channel.
    private func expand(_ map: ChannelAffine, channels: Int) -> ChannelAffine {
        guard map.scale.count == 1, channels > 1 else { return map }
        return ChannelAffine(scale: Array(repeating: map.scale[0], count: channels),
                             bias: Array(repeating: map.bias[0], count: channels))
    }
}
