/// The displacement fields of an elastic_transform, one per sample, as the backends make them:
/// drawn fields from their noise keys (on the device: `elastic_field_noise`, `_rows`, `_columns` in
/// `Kernels/elastic.cl`; on the host: ``pixels(sample:)``, the same float32 operations in the same
/// order, so both give the very same bits), or explicit fields given in pixels.
///
/// A drawn field of sample n, plane p (0: dx, 1: dy), H x W:
/// 1. uniforms u[e] = (word >> 8) · 2^-24 · 2 - 1 (exact in float32, in [-1, 1)), word = lane e mod 4
///    of Philox block e / 4 of the sample's noise stream, e = p·H·W + y·W + x (torchvision draws
///    `torch.rand(1, 1, H, W) * 2 - 1` per plane: the same distribution, other values);
/// 2. rows: r = Σ_k fma(h_p[k], u[p, y, reflect(x + k - K/2)], ·) for k = 0 ..< K_p (K_p = 0: r = u);
/// 3. columns: c = Σ_k fma(v_p[k], r[p, reflect(y + k - K/2), x], ·) (K_p = 0: c = r);
/// 4. pixels: d = c · scale_p, stored at ((n·H + y)·W + x)·2 + p.
/// reflect mirrors without repeating the edge (torch "reflect"), folding again while outside.
/// The taps are torchvision's Gaussian kernels rounded once to float32 (``ElasticTransform``).
public struct ElasticField: Sendable, Equatable {
    public var count: Int
    public var height: Int
    public var width: Int
    /// Per sample, the noise stream of a drawn field (used when ``explicit`` is nil).
    public var keys: [NoiseKey]
    /// Per plane (dx, dy): horizontal taps, and vertical taps of the same length (empty: no blur).
    public var rowTaps: [[Float]]
    public var columnTaps: [[Float]]
    /// Per plane: blurred uniforms to pixels (alpha / 2: torchvision's alpha / size in normalized
    /// units, whose full side is 2).
    public var scale: [Float]
    /// Every sample's field in pixels (N·H·W·2) when the batch holds an explicit field; drawn
    /// samples of such a batch are made on the host by ``pixels(sample:)`` (the same bits).
    public var explicit: [Float]?

    public init(
        count: Int, height: Int, width: Int, keys: [NoiseKey], rowTaps: [[Float]], columnTaps: [[Float]],
        scale: [Float], explicit: [Float]? = nil
    ) {
        self.count = count
        self.height = height
        self.width = width
        self.keys = keys
        self.rowTaps = rowTaps
        self.columnTaps = columnTaps
        self.scale = scale
        self.explicit = explicit
    }

    /// Throws unless the parts fit each other.
    public func check() throws {
        let fits =
            count >= 1 && height >= 1 && width >= 1 && rowTaps.count == 2 && columnTaps.count == 2
            && scale.count == 2
            && zip(rowTaps, columnTaps).allSatisfy { $0.count == $1.count && ($0.isEmpty || $0.count % 2 == 1) }
            && (explicit.map { $0.count == count * height * width * 2 } ?? (keys.count == count))
        guard fits else {
            throw AugmentError.parameterMismatch(
                "elastic_transform: the displacement field description does not fit \(count) samples of \(height)x\(width)"
            )
        }
        guard height < 1 << 24, width < 1 << 24, 2 * height * width < Int(UInt32.max) - 4 else {
            throw AugmentError.invalidShape(
                "elastic_transform: \(height)x\(width) is too large for a displacement field")
        }
    }

    /// Whether the device makes the field (no explicit values to upload).
    public var isDrawn: Bool { explicit == nil }

    /// The field for samples `range` alone.
    func sliced(_ range: Range<Int>) -> ElasticField {
        var s = self
        let per = height * width * 2
        s.explicit = explicit.map { Array($0[(range.lowerBound * per)..<(range.upperBound * per)]) }
        s.keys = explicit == nil ? Array(keys[range]) : []
        s.count = range.count
        return s
    }

    /// Reflect without repeating the edge, folding until inside [0, n) (`elastic_reflect`).
    @inline(__always)
    static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        var j = i
        while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
        return j
    }

    /// The uniform of a drawn field's element e: exactly `elastic_unit` of the kernel.
    @inline(__always)
    static func uniform(_ key: NoiseKey, _ e: Int) -> Float {
        let words = Philox4x32.block(
            counter: (UInt32(truncatingIfNeeded: e >> 2), key.base0, key.base1, key.base2),
            key: (key.key0, key.key1))
        let word: UInt32
        switch e & 3 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return Float(word >> 8) * 0x1p-24 * 2 - 1
    }

    /// Sample n's field in pixels (H·W·2, x then y per pixel): the explicit values, or the drawn
    /// field with the kernels' exact operations.
    public func pixels(sample n: Int) -> [Float] {
        let plane = height * width
        if let explicit { return Array(explicit[(n * plane * 2)..<((n + 1) * plane * 2)]) }
        let key = keys[n]
        var result = [Float](repeating: 0, count: plane * 2)
        var noise = [Float](repeating: 0, count: plane)
        var rows = [Float](repeating: 0, count: plane)
        for p in 0..<2 {
            for i in 0..<plane { noise[i] = Self.uniform(key, p * plane + i) }
            let h = rowTaps[p], v = columnTaps[p]
            let r = h.count / 2
            if h.isEmpty {
                rows = noise
            } else {
                for y in 0..<height {
                    for x in 0..<width {
                        var sum: Float = 0
                        for k in 0..<h.count {
                            sum = PortableMath.fma(h[k], noise[y * width + Self.reflect(x + k - r, width)], sum)
                        }
                        rows[y * width + x] = sum
                    }
                }
            }
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float
                    if v.isEmpty {
                        sum = rows[y * width + x]
                    } else {
                        sum = 0
                        for k in 0..<v.count {
                            sum = PortableMath.fma(v[k], rows[Self.reflect(y + k - r, height) * width + x], sum)
                        }
                    }
                    result[(y * width + x) * 2 + p] = sum * scale[p]
                }
            }
        }
        return result
    }

    /// Every sample's field in pixels (N·H·W·2), made on the host.
    public func allPixels() -> [Float] {
        if let explicit { return explicit }
        let per = height * width * 2
        let field = self
        return CPUParallel.makeArray(count: count * per, initial: Float(0), jobs: count) { dst, n in
            let values = field.pixels(sample: n)
            for i in 0..<per { dst.base[n * per + i] = values[i] }
        }
    }
}

/// elastic_transform inside a warp group (``WarpStage/displacement``): output pixel p is mapped by
/// the ops after the elastic step to the field's grid, q = post(p) (pixel-index coordinates,
/// clamped into [0, W-1] x [0, H-1] as a resize reads at most to the edge pixel), displaced by the
/// field there, q' = q + d(q) (read at q itself when every post matrix moves whole pixels,
/// bilinearly otherwise), and q' is mapped to the group input by the stage's `matrices` (the ops
/// before the elastic step), where the stage samples with its border. torchvision's composition:
/// op A then elastic reads A's output at p + d(p), i.e. the source at M_A(p + d(p)). The elastic
/// fill then enters as torchvision's grid-sample blend with the grid's own mask at q' (bilinear:
/// `fma(mask, v - fill, fill)`, mask the in-grid share of the four tap weights; nearest: fill
/// where q' rounds outside the grid), after the stage's border and before colour and epilogue.
public struct WarpDisplacement: Sendable, Equatable {
    /// The size of the images elastic_transform deformed: the field's grid.
    public var grid: ImageGeometry
    /// Per sample: output continuous coordinates -> grid continuous coordinates.
    public var post: [WarpMatrix]
    public var field: ElasticField
    /// The elastic fill, one value per channel.
    public var fill: [Float]

    public init(grid: ImageGeometry, post: [WarpMatrix], field: ElasticField, fill: [Float]) {
        self.grid = grid
        self.post = post
        self.field = field
        self.fill = fill
    }

    /// Whether every post matrix moves whole pixels (the field is read at grid pixels, no blend).
    public var postIsInteger: Bool { post.allSatisfy(\.isIntegerFlipTranslation) }

    func sliced(_ range: Range<Int>) -> WarpDisplacement {
        WarpDisplacement(grid: grid, post: Array(post[range]), field: field.sliced(range), fill: fill)
    }

    /// Device bytes per sample of making the field (uniforms written; read and blurred rows
    /// written; rows read, field written) and of reading it in the warp: 8 bytes per grid pixel
    /// each, zero for the reads and writes of an explicit (uploaded) field's making.
    var bytesReadPerSample: Int { grid.height * grid.width * 8 * (field.isDrawn ? 3 : 1) }
    var bytesWrittenPerSample: Int { grid.height * grid.width * 8 * (field.isDrawn ? 3 : 0) }
}
