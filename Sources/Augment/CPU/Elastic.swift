// CPU twin of Kernels/elastic.cl: the elastic field inside a warp (`warp_displaced_point`,
// -DDISPLACEMENT in Kernels/warp.cl). The field itself is made by ``ElasticField/pixels(sample:)``
// (Plan/ElasticField.swift), the twin of `elastic_field_noise` / `_rows` / `_columns`.

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
