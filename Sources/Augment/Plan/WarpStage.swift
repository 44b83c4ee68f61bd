/// How a warp reads between pixel centres.
public enum Interpolation: String, Codable, Sendable, CaseIterable {
    /// The pixel whose area contains the sampling point: index floor(u + 0.5) in pixel-index
    /// coordinates. Equals torchvision's `NEAREST` for affine, rotate and perspective (grid_sample)
    /// except at exact ties, and torchvision's `NEAREST_EXACT` for resize.
    case nearest
    /// Bilinear interpolation between the four nearest pixel centres (grid_sample bilinear,
    /// align_corners=False; interpolate(mode="bilinear", antialias=False) for resize).
    case bilinear
}

/// What a warp reads where the sampling point leaves the valid pixels of its input.
public enum BorderMode: String, Codable, Sendable, CaseIterable {
    /// A constant: the fill value (zero when there is none).
    case constant
    /// The nearest valid pixel (torchvision pad `edge`, grid_sample `border` up to rounding).
    case edge
    /// Mirrored about the edge pixel, which is not repeated (torchvision pad `reflect`, OpenCV
    /// BORDER_REFLECT_101).
    case reflect
}

/// How a constant border's fill value enters a bilinear sample.
public enum FillRule: String, Codable, Sendable {
    /// torchvision's grid-sample rule: `out = mask * (img - fill) + fill`, where img and mask are the
    /// bilinear samples of the zero-extended image and of a ones image (affine, rotate, perspective).
    case torchvisionMask
    /// The image extended by the fill value, then sampled: `out = img + (1 - mask) * fill` (pad).
    case extend
}

/// The border of one warp: a mode, and for `.constant` an optional per-channel fill.
public struct WarpBorder: Sendable, Equatable, Codable {
    public var mode: BorderMode
    /// Per-channel fill in torchvision's float scale (one value broadcasts); nil is torchvision's
    /// `fill=None` (zero padding without the mask blend).
    public var fill: [Float]?
    public var fillRule: FillRule

    public init(mode: BorderMode, fill: [Float]? = nil, fillRule: FillRule = .torchvisionMask) {
        self.mode = mode
        self.fill = mode == .constant ? fill : nil
        self.fillRule = fillRule
    }
}

/// A 3x3 projective matrix in Double, row-major: (x, y) maps to
/// ((m0 x + m1 y + m2) / w, (m3 x + m4 y + m5) / w) with w = m6 x + m7 y + m8.
public struct WarpMatrix: Sendable, Equatable, Codable {
    public var m: [Double]

    /// A matrix from nine row-major values; nil unless there are exactly nine.
    public init?(_ values: [Double]) {
        guard values.count == 9 else { return nil }
        m = values
    }

    init(m9 values: [Double]) {
        m = values
    }

    public static let identity = WarpMatrix(m9: [1, 0, 0, 0, 1, 0, 0, 0, 1])

    public static func translation(_ tx: Double, _ ty: Double) -> WarpMatrix {
        WarpMatrix(m9: [1, 0, tx, 0, 1, ty, 0, 0, 1])
    }

    public static func scaling(_ sx: Double, _ sy: Double) -> WarpMatrix {
        WarpMatrix(m9: [sx, 0, 0, 0, sy, 0, 0, 0, 1])
    }

    /// A 2x3 affine matrix (a, b, c, d, e, f) as a projective one.
    static func affine(_ a: [Double]) -> WarpMatrix {
        WarpMatrix(m9: [a[0], a[1], a[2], a[3], a[4], a[5], 0, 0, 1])
    }

    /// `self * other`: apply `other` first, then `self`.
    public func concatenating(_ other: WarpMatrix) -> WarpMatrix {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 {
                r[i * 3 + j] = m[i * 3] * other.m[j] + m[i * 3 + 1] * other.m[3 + j] + m[i * 3 + 2] * other.m[6 + j]
            }
        }
        return WarpMatrix(m9: r)
    }

    /// The inverse, or nil when the matrix is singular or not finite.
    public var inverse: WarpMatrix? {
        let a = m
        let c0 = a[4] * a[8] - a[5] * a[7]
        let c1 = a[5] * a[6] - a[3] * a[8]
        let c2 = a[3] * a[7] - a[4] * a[6]
        let det = a[0] * c0 + a[1] * c1 + a[2] * c2
        guard det.isFinite, det != 0 else { return nil }
        let r = [
            c0, a[2] * a[7] - a[1] * a[8], a[1] * a[5] - a[2] * a[4],
            c1, a[0] * a[8] - a[2] * a[6], a[2] * a[3] - a[0] * a[5],
            c2, a[1] * a[6] - a[0] * a[7], a[0] * a[4] - a[1] * a[3],
        ].map { $0 / det }
        guard r.allSatisfy(\.isFinite) else { return nil }
        return WarpMatrix(m9: r)
    }

    /// The image of a point, or nil when it maps to infinity or behind the projection (w <= 0).
    public func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double)? {
        let w = m[6] * x + m[7] * y + m[8]
        guard w > 0, w.isFinite else { return nil }
        return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)
    }

    /// Whether the last row is (0, 0, 1): no division needed.
    public var isAffine: Bool { m[6] == 0 && m[7] == 0 && m[8] == 1 }

    /// Whether the matrix maps axis-aligned rectangles to axis-aligned rectangles (scales,
    /// translations, flips and quarter turns).
    public var isRectilinear: Bool {
        isAffine && ((m[1] == 0 && m[3] == 0) || (m[0] == 0 && m[4] == 0))
    }

    /// Whether the matrix is a scale and translation, possibly mirrored (no rotation, shear or
    /// quarter turn): x' depends on x alone and y' on y alone, so sampling is separable.
    public var isAxisAligned: Bool { isAffine && m[1] == 0 && m[3] == 0 }

    /// Whether the matrix moves whole pixels: x' = ±x + integer, y' = ±y + integer.
    public var isIntegerFlipTranslation: Bool {
        isAffine && m[1] == 0 && m[3] == 0 && abs(m[0]) == 1 && abs(m[4]) == 1
            && m[2] == m[2].rounded() && m[5] == m[5].rounded() && abs(m[2]) < 1e9 && abs(m[5]) < 1e9
    }

    /// The same map in pixel-index coordinates (pixel i has its centre at i, not i + 0.5):
    /// T(-0.5) * self * T(+0.5). This is what the kernels evaluate.
    public var inPixelIndexCoordinates: WarpMatrix {
        WarpMatrix.translation(-0.5, -0.5).concatenating(self).concatenating(.translation(0.5, 0.5))
    }

    /// The nine coefficients rounded once to Float, in pixel-index coordinates.
    public var kernelCoefficients: [Float] { inPixelIndexCoordinates.m.map { Float($0) } }
}

/// A rectangle of pixels [x0, x1) x [y0, y1).
public struct PixelRect: Sendable, Equatable, Codable {
    public var x0: Int
    public var y0: Int
    public var x1: Int
    public var y1: Int

    public init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    public init(_ geometry: ImageGeometry) {
        self.init(x0: 0, y0: 0, x1: geometry.width, y1: geometry.height)
    }

    public var isEmpty: Bool { x1 <= x0 || y1 <= y0 }

    func intersection(_ other: PixelRect) -> PixelRect {
        PixelRect(x0: max(x0, other.x0), y0: max(y0, other.y0), x1: min(x1, other.x1), y1: min(y1, other.y1))
    }
}

/// The general geometric warp: one projective matrix per sample, any output size.
///
/// Output pixel (x, y) of sample n is sampled at the input point `matrices[n]` applied to the pixel
/// centre (x + 0.5, y + 0.5) (continuous coordinates where input pixel i spans [i, i + 1), so the
/// sample point in pixel-index coordinates is that point minus 0.5: grid_sample's
/// align_corners=False convention). Pixels outside `regions[n]` are read through `border`.
/// The values are read as floats on torchvision's scale, interpolated, blended with the fill,
/// passed through the per-channel epilogue and stored in the output format; see docs/semantics.md.
///
/// The input may be ragged (`inputGeometries` gives each sample's size, samples packed back to
/// back in `inputLayout`); the output is always one dense batch.
public struct WarpStage: Sendable, Equatable {
    public var count: Int
    /// The size of every input sample (all equal for a dense input).
    public var inputGeometries: [ImageGeometry]
    public var inputIsRagged: Bool
    public var inputPixelType: PixelType
    public var inputLayout: ImageLayout
    public var output: ImageGeometry
    public var outputFormat: OutputFormat
    /// Per sample: output continuous coordinates -> input continuous coordinates.
    public var matrices: [WarpMatrix]
    /// Per sample: the input pixels that exist for this warp; the border rule applies outside.
    public var regions: [PixelRect]
    public var interpolation: Interpolation
    public var border: WarpBorder
    public var epilogue: ChannelAffine?
    /// Per-sample colour programs run on each sampled pixel (after the fill, before the epilogue);
    /// nil when none. Only steps without image statistics are fused here.
    public var colorPrograms: [[ColorStep]]? = nil
    /// Antialiased resampling (torchvision v2 `resize(antialias=True)`, torch's
    /// `_upsample_bilinear2d_aa`): with bilinear interpolation and axis-aligned matrices, each output
    /// index averages a window of input pixels with triangle weights whose support is widened by the
    /// scale factor when downscaling, clipped to the region and renormalised (no border rule).
    /// Ignored for nearest (as torchvision). Only axis-aligned matrices can be antialiased; the
    /// planner never makes another kind.
    public var antialias: Bool = false
    /// An elastic_transform inside the group: `matrices` then map its grid to the input, and the
    /// displacement maps the output to the grid (see ``WarpDisplacement``); nil when none.
    public var displacement: WarpDisplacement? = nil

    /// Whether every matrix is affine, so the kernel variant without the division is used.
    public var isAffine: Bool { matrices.allSatisfy(\.isAffine) }

    /// The fill expanded to one value per output channel (zeros when there is none).
    public var expandedFill: [Float] {
        guard let fill = border.fill, !fill.isEmpty else { return Array(repeating: 0, count: output.channels) }
        return fill.count == 1 ? Array(repeating: fill[0], count: output.channels) : fill
    }

    /// Element offset of each input sample in its packed buffer.
    public var inputOffsets: [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        var next = 0
        for g in inputGeometries {
            offsets.append(next)
            next += g.elementCount
        }
        return offsets
    }
}

extension RemapStage {
    /// The continuous-coordinate matrices of the windows (output -> input), for targets and masks.
    public var matrices: [WarpMatrix] {
        windows.map { w in
            // index: sx = x0 + dx * x  ->  continuous: X = sx + 0.5 = dx * (Xo - 0.5) + x0 + 0.5
            let tx = Double(w.x0) + 0.5 - Double(w.dx) * 0.5
            let ty = Double(w.y0) + 0.5 - Double(w.dy) * 0.5
            return WarpMatrix(m9: [Double(w.dx), 0, tx, 0, Double(w.dy), ty, 0, 0, 1])
        }
    }

    /// The same pass as a general warp (used for masks, which always take the general path).
    public var asWarp: WarpStage {
        WarpStage(
            count: count, inputGeometries: Array(repeating: input, count: count), inputIsRagged: false,
            inputPixelType: inputPixelType, inputLayout: inputLayout, output: output, outputFormat: outputFormat,
            matrices: matrices, regions: Array(repeating: PixelRect(input), count: count),
            interpolation: .nearest, border: WarpBorder(mode: .edge), epilogue: epilogue)
    }
}

extension WarpStage {
    /// Throws unless a batch of this description is the one this stage was planned for.
    public func checkInput(
        count: Int, geometries: [ImageGeometry], ragged: Bool, pixelType: PixelType,
        layout: ImageLayout
    ) throws {
        guard count == self.count, geometries == inputGeometries, pixelType == inputPixelType,
            layout == inputLayout, ragged == inputIsRagged || !ragged && Set(geometries).count == 1
        else {
            throw AugmentError.parameterMismatch(
                "the warp expects \(self.count) \(inputPixelType.rawValue) \(inputLayout.rawValue.uppercased()) images of \(inputGeometries.first.map { "\($0)" } ?? "?")\(inputIsRagged ? " (ragged)" : ""), got \(count) \(pixelType.rawValue) \(layout.rawValue.uppercased()) images"
            )
        }
        guard matrices.count == count, regions.count == count else {
            throw AugmentError.parameterMismatch(
                "the warp has \(matrices.count) matrices and \(regions.count) regions for \(count) samples")
        }
        if let epilogue, epilogue.scale.count != output.channels || epilogue.bias.count != output.channels {
            throw AugmentError.parameterMismatch(
                "the epilogue has \(epilogue.scale.count) channels, the output \(output.channels)")
        }
        if let fill = border.fill, fill.count != 1, fill.count != output.channels {
            throw AugmentError.parameterMismatch("the fill has \(fill.count) values for \(output.channels) channels")
        }
        for i in 0..<count {
            let g = inputGeometries[i], r = regions[i]
            guard !r.isEmpty, r.x0 >= 0, r.y0 >= 0, r.x1 <= g.width, r.y1 <= g.height else {
                throw AugmentError.parameterMismatch("the region \(r) of sample \(i) is not inside its \(g) input")
            }
            guard g.channels == output.channels else {
                throw AugmentError.parameterMismatch(
                    "sample \(i) has \(g.channels) channels, the output \(output.channels)")
            }
            guard matrices[i].m.allSatisfy(\.isFinite) else {
                throw AugmentError.parameterMismatch("the matrix of sample \(i) is not finite")
            }
        }
    }

    /// Throws unless `images` is the batch this stage was planned for.
    public func checkInput(_ images: ImageBatch) throws {
        try checkInput(
            count: images.count, geometries: images.sampleGeometries, ragged: images.isRagged,
            pixelType: images.pixelType, layout: images.layout)
    }
}

extension WarpStage: PlanStage {
    public static let family = "warp"

    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        guard !s.inputIsRagged else { return nil }  // ragged batches are not cut
        s.matrices = Array(s.matrices[range])
        s.regions = Array(s.regions[range])
        s.inputGeometries = Array(s.inputGeometries[range])
        s.colorPrograms = s.colorPrograms.map { Array($0[range]) }
        s.displacement = s.displacement?.sliced(range)
        s.count = range.count
        return Stage(s)
    }

    public var bytesReadPerSample: Int {
        let total = inputGeometries.reduce(0) { $0 + $1.elementCount }
        // A colour statistic in the epilogue: its pre-pass reads the input (and field) once more.
        return colorPassReads(colorPrograms)
            * (total / max(1, count) * inputPixelType.byteCount + (displacement?.bytesReadPerSample ?? 0))
    }

    public var bytesWrittenPerSample: Int {
        output.elementCount * outputFormat.pixelType.byteCount + (displacement?.bytesWrittenPerSample ?? 0)
    }
    public var checkedOutputBytes: Int? { outputBytes(output, outputFormat.pixelType.byteCount) }

    public var detail: String {
        let s = self
        return
            "warp (\(s.interpolation.rawValue), \(s.isAffine ? "affine" : "projective")) \(s.inputPixelType.rawValue) \(s.inputLayout.rawValue.uppercased()) \(s.inputIsRagged ? "ragged" : "\(s.inputGeometries.first.map { "\($0)" } ?? "")") -> \(s.outputFormat) \(s.output)\(s.displacement.map { " + elastic field \($0.field.isDrawn ? "drawn on the device" : "given") \($0.grid.height)x\($0.grid.width)" } ?? "")\(s.antialias ? " antialiased" : "")\(colorDetail(s.colorPrograms))\(s.epilogue == nil ? "" : " + per-channel affine")"
    }

    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        let warp = self
        var effects: [MaskedEffect] = []
        guard warp.epilogue == nil else { throw spread.notMaskable("its per-channel map applies to the whole batch") }
        guard warp.displacement == nil else {
            throw spread.notMaskable(
                "its displacement field has no per-sample identity (a zero field is exact only with fill 0)")
        }
        guard zip(warp.regions, warp.inputGeometries).allSatisfy({ $0 == PixelRect($1) }) else {
            throw spread.notMaskable(
                "it reads part of each image (a crop box) in a way that cannot be redone per sample")
        }
        let exact = warp.matrices.allSatisfy(\.mapsPixelCentresToPixelCentres)
        let inside =
            exact
            && zip(warp.matrices, warp.inputGeometries).allSatisfy { m, g in m.staysInside(g, output: warp.output) }
        let matrices = spread.spread(warp.matrices, identity: .identity)
        if matrices.contains(where: { $0 != .identity }) {
            effects.append(
                .warp(
                    matrices: matrices, outputs: nil, interpolation: exact ? nil : warp.interpolation,
                    reads: inside ? .inside : .outside(warp.border), op: spread.opName))
        }
        if let programs = warp.colorPrograms { effects.append(.color(spread.spread(programs, identity: []))) }
        return effects
    }
}
