/// The fused crop-flip-convert-normalize pass (the integer special case of a geometric warp).
///
/// For output pixel (n, c, y, x), with window w = windows[n] and v the input value at
/// (n, c, w.y0 + w.dy·y, w.x0 + w.dx·x) read as float (uint8 input times 1/255, as torchvision's
/// `to_dtype(float32, scale=True)`):
///
///     out = fma(v, scale[c], bias[c])                          (float32 output)
///     out = uint8(clamp(fma(v, scale[c], bias[c]), 0, 1) * 255.999)   (uint8 output, truncating
///                                                               like torchvision's float->uint8)
///
/// with uint8 -> uint8 and no epilogue reduced to a plain copy.
public struct RemapStage: Sendable, Equatable {
    public var count: Int
    public var input: ImageGeometry
    public var inputPixelType: PixelType
    public var inputLayout: ImageLayout
    public var output: ImageGeometry
    public var outputFormat: OutputFormat
    /// One window per sample.
    public var windows: [PixelWindow]
    /// Per-channel affine epilogue `v * scale + bias`; nil means identity.
    public var epilogue: ChannelAffine?
    /// Per-sample colour programs run on each pixel before the epilogue (steps without image
    /// statistics, fused by the planner); nil when none.
    public var colorPrograms: [[ColorStep]]? = nil

    public init(
        count: Int, input: ImageGeometry, inputPixelType: PixelType, inputLayout: ImageLayout,
        output: ImageGeometry, outputFormat: OutputFormat, windows: [PixelWindow], epilogue: ChannelAffine?,
        colorPrograms: [[ColorStep]]? = nil
    ) {
        self.count = count
        self.input = input
        self.inputPixelType = inputPixelType
        self.inputLayout = inputLayout
        self.output = output
        self.outputFormat = outputFormat
        self.windows = windows
        self.epilogue = epilogue
        self.colorPrograms = colorPrograms
    }
}

extension RemapStage: PlanStage {
    public static let family = "warp"

    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.windows = Array(s.windows[range])
        s.colorPrograms = s.colorPrograms.map { Array($0[range]) }
        s.count = range.count
        return Stage(s)
    }

    public var bytesReadPerSample: Int {
        colorPassReads(colorPrograms) * input.elementCount * inputPixelType.byteCount  // twice: statistics pre-pass
    }
    public var bytesWrittenPerSample: Int { output.elementCount * outputFormat.pixelType.byteCount }
    public var checkedOutputBytes: Int? { outputBytes(output, outputFormat.pixelType.byteCount) }

    public var detail: String {
        let s = self
        return
            "remap \(s.inputPixelType.rawValue) \(s.inputLayout.rawValue.uppercased()) \(s.input) -> \(s.outputFormat) \(s.output)\(colorDetail(s.colorPrograms))\(s.epilogue == nil ? "" : " + per-channel affine")"
    }

    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        let remap = self
        var effects: [MaskedEffect] = []
        guard remap.epilogue == nil else { throw spread.notMaskable("its per-channel map applies to the whole batch") }
        let matrices = spread.spread(remap.matrices, identity: .identity)
        if matrices.contains(where: { $0 != .identity }) {
            effects.append(
                .warp(matrices: matrices, outputs: nil, interpolation: nil, reads: .inside, op: spread.opName))
        }
        // Colour the planner fused into the pass runs after its sampling.
        if let programs = remap.colorPrograms { effects.append(.color(spread.spread(programs, identity: []))) }
        return effects
    }
}
