/// CPU twin of `Kernels/elastic.cl` (`elastic_sample`): the same float32 operations in the same order.
enum CPUElastic {
    static func run(_ stage: ElasticStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: "elastic")
        try stage.check(count: input.count, geometry: input.geometry)
        let (height, width, channels) = (stage.geometry.height, stage.geometry.width, stage.geometry.channels)
        let plane = height * width
        let (displacement, fill, bilinear) = (stage.displacement, stage.fill, stage.interpolation == .bilinear)
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * height) { dst, job in
                let n = job / height
                let y = job - n * height
                let s = src.base + n * plane * channels
                let o = dst.base + n * plane * channels
                for x in 0..<width {
                    let pixel = y * width + x
                    let d = (n * plane + pixel) * 2
                    let u = Float(x) + displacement[d]
                    let v = Float(y) + displacement[d + 1]
                    if bilinear {
                        let fx = u.rounded(.down), fy = v.rounded(.down)
                        let inside = fx > -2 && fx < Float(width) && fy > -2 && fy < Float(height)
                        let x0 = inside ? Int(fx) : -2, y0 = inside ? Int(fy) : -2
                        let ax = u - fx, ay = v - fy
                        let wx0: Float = 1 - ax, wy0: Float = 1 - ay
                        let w00 = wx0 * wy0, w01 = ax * wy0, w10 = wx0 * ay, w11 = ax * ay
                        let in00 = inside && x0 >= 0 && y0 >= 0
                        let in01 = inside && x0 + 1 < width && y0 >= 0
                        let in10 = inside && x0 >= 0 && y0 + 1 < height
                        let in11 = inside && x0 + 1 < width && y0 + 1 < height
                        var mask: Float = 0
                        if in00 { mask = mask + w00 }
                        if in01 { mask = mask + w01 }
                        if in10 { mask = mask + w10 }
                        if in11 { mask = mask + w11 }
                        let row0 = max(y0, 0) * width, row1 = (y0 + 1 < height ? y0 + 1 : 0) * width
                        let col0 = max(x0, 0), col1 = x0 + 1 < width ? x0 + 1 : 0
                        for c in 0..<channels {
                            let p = s + c * plane
                            var acc: Float = 0
                            if in00 { acc = PortableMath.fma(p[row0 + col0], w00, acc) }
                            if in01 { acc = PortableMath.fma(p[row0 + col1], w01, acc) }
                            if in10 { acc = PortableMath.fma(p[row1 + col0], w10, acc) }
                            if in11 { acc = PortableMath.fma(p[row1 + col1], w11, acc) }
                            o[c * plane + pixel] = (acc - fill[c]) * mask + fill[c]
                        }
                    } else {
                        let rx = u.rounded(.toNearestOrEven), ry = v.rounded(.toNearestOrEven)
                        let inside = rx >= 0 && rx < Float(width) && ry >= 0 && ry < Float(height)
                        let i = inside ? Int(ry) * width + Int(rx) : 0
                        for c in 0..<channels {
                            o[c * plane + pixel] = inside ? s[c * plane + i] : fill[c]
                        }
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }

    /// `elastic_mask`: class ids through the same field, nearest, the ignore index outside.
    static func masks(_ stage: ElasticStage, masks: MaskBatch) throws -> MaskBatch {
        try stage.checkMasks(masks)
        let (height, width) = (stage.geometry.height, stage.geometry.width)
        let plane = height * width
        let displacement = stage.displacement
        func run<T: Sendable>(_ source: [T], fill: T) -> [T] {
            source.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return [] }
                let src = SharedReadPointer(base: base)
                return CPUParallel.makeArray(count: stage.count * plane, initial: fill, jobs: stage.count * height) { dst, job in
                    let n = job / height, y = job - n * height
                    for x in 0..<width {
                        let pixel = y * width + x
                        let d = (n * plane + pixel) * 2
                        let rx = (Float(x) + displacement[d]).rounded(.toNearestOrEven)
                        let ry = (Float(y) + displacement[d + 1]).rounded(.toNearestOrEven)
                        let inside = rx >= 0 && rx < Float(width) && ry >= 0 && ry < Float(height)
                        dst.base[n * plane + pixel] = inside ? src.base[n * plane + Int(ry) * width + Int(rx)] : fill
                    }
                }
            }
        }
        switch masks.values {
        case .uint8(let values):
            return try MaskBatch(values: .uint8(run(values, fill: UInt8(truncatingIfNeeded: masks.ignoreIndex))),
                                 geometries: masks.geometries, ignoreIndex: masks.ignoreIndex)
        case .int32(let values):
            return try MaskBatch(values: .int32(run(values, fill: masks.ignoreIndex)), geometries: masks.geometries,
                                 ignoreIndex: masks.ignoreIndex)
        }
    }
}

/// The twin of `warp_displaced_point` (Kernels/warp.cl, -DDISPLACEMENT): an elastic field inside
/// a warp, made on the host with the kernels' exact operations (``ElasticField/pixels(sample:)``).
struct CPUDisplacement: Sendable {
    let field: [Float]
    let post: [[Float]]
    let height: Int
    let width: Int
    let integer: Bool
    let fill: [Float]
    let bilinear: Bool

    init?(_ displacement: WarpDisplacement?, bilinear: Bool) {
        guard let displacement else { return nil }
        field = displacement.field.allPixels()
        post = displacement.post.map(\.kernelCoefficients)
        height = displacement.grid.height
        width = displacement.grid.width
        integer = displacement.postIsInteger
        fill = displacement.fill
        self.bilinear = bilinear
    }

    /// `WARP_ELASTIC_FILL`: the elastic fill blended into one sampled pixel by the grid mask.
    @inline(__always)
    func blend(_ px: UnsafeMutablePointer<Float>, channels: Int, mask: Float) {
        for c in 0..<channels {
            px[c] = bilinear ? fill[c].addingProduct(mask, px[c] - fill[c]) : (mask != 0 ? px[c] : fill[c])
        }
    }

    /// The sampling point in the group input of output pixel (x, y) of sample n through `m`, and
    /// the grid's fill mask there.
    @inline(__always)
    func point(_ m: [Float], _ n: Int, _ x: Int, _ y: Int) -> (u: Float, v: Float, mask: Float) {
        var (qx, qy) = CPUWarp.point(post[n], x, y, perspective: false)
        qx = Float.minimum(Float.maximum(qx, 0), Float(width - 1))
        qy = Float.minimum(Float.maximum(qy, 0), Float(height - 1))
        let base = n * height * width * 2
        let dx: Float, dy: Float
        if integer {
            let at = base + (Int(qy) * width + Int(qx)) * 2
            dx = field[at]
            dy = field[at + 1]
        } else {
            let fx = qx.rounded(.down), fy = qy.rounded(.down)
            let ax = qx - fx, ay = qy - fy
            let bx = 1 - ax, by = 1 - ay
            let xa = Int(fx), ya = Int(fy)
            let xb = min(xa + 1, width - 1), yb = min(ya + 1, height - 1)
            let a00 = base + (ya * width + xa) * 2, a01 = base + (ya * width + xb) * 2
            let a10 = base + (yb * width + xa) * 2, a11 = base + (yb * width + xb) * 2
            let k00 = bx * by, k01 = ax * by, k10 = bx * ay, k11 = ax * ay
            var sx = k00 * field[a00]
            sx = sx.addingProduct(k01, field[a01])
            sx = sx.addingProduct(k10, field[a10])
            sx = sx.addingProduct(k11, field[a11])
            var sy = k00 * field[a00 + 1]
            sy = sy.addingProduct(k01, field[a01 + 1])
            sy = sy.addingProduct(k10, field[a10 + 1])
            sy = sy.addingProduct(k11, field[a11 + 1])
            (dx, dy) = (sx, sy)
        }
        let ux = qx + dx, uy = qy + dy
        let mask: Float
        let (gw, gh) = (Float(width), Float(height))
        if !bilinear {
            let rx = (ux + 0.5).rounded(.down), ry = (uy + 0.5).rounded(.down)
            mask = rx >= 0 && rx < gw && ry >= 0 && ry < gh ? 1 : 0
        } else {
            let gx = ux.rounded(.down), gy = uy.rounded(.down)
            let ex = ux - gx, ey = uy - gy
            let fx0 = 1 - ex, fy0 = 1 - ey
            let ixa = gx >= 0 && gx < gw, ixb = gx + 1 >= 0 && gx + 1 < gw
            let iya = gy >= 0 && gy < gh, iyb = gy + 1 >= 0 && gy + 1 < gh
            var sum: Float = ixa && iya ? fx0 * fy0 : 0
            sum = sum + (ixb && iya ? ex * fy0 : 0)
            sum = sum + (ixa && iyb ? fx0 * ey : 0)
            sum = sum + (ixb && iyb ? ex * ey : 0)
            mask = sum
        }
        var u = m[2].addingProduct(m[1], uy)
        u = u.addingProduct(m[0], ux)
        var v = m[5].addingProduct(m[4], uy)
        v = v.addingProduct(m[3], ux)
        return (Float.minimum(Float.maximum(u, -1.0e7), 1.0e7), Float.minimum(Float.maximum(v, -1.0e7), 1.0e7), mask)
    }
}
