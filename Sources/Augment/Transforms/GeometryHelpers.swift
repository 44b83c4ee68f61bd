import Foundation

/// Argument parsing and matrix formulas shared by the geometric transforms (torchvision v2
/// `_geometry.py` semantics; see docs/semantics.md, "Geometric warps").
enum Geometry {
    /// Degrees to (cos, sin), exact for multiples of 90 degrees.
    static func cosSin(degrees: Double) -> (Double, Double) {
        let r = degrees.truncatingRemainder(dividingBy: 360)
        let q = (r / 90).rounded()
        if r == q * 90 {
            switch ((Int(q) % 4) + 4) % 4 {
            case 0: return (1, 0)
            case 1: return (0, 1)
            case 2: return (-1, 0)
            default: return (0, -1)
            }
        }
        let t = degrees * .pi / 180
        return (cos(t), sin(t))
    }

    /// torchvision `_get_inverse_affine_matrix(center, angle, translate, scale, shear)`: maps output
    /// points to input points (continuous coordinates, about `center`).
    static func inverseAffine(
        center: (Double, Double), angleDegrees: Double, translate: (Double, Double), scale: Double,
        shearDegrees: (Double, Double)
    ) -> WarpMatrix {
        let sx = shearDegrees.0 * .pi / 180
        let sy = shearDegrees.1 * .pi / 180
        let (cx, cy) = center
        let (tx, ty) = translate
        let cosSy = cos(sy)
        let tanSx = tan(sx)
        let (cosRotMinusSy, sinRotMinusSy) = cosSin(degrees: angleDegrees - shearDegrees.1)
        let (cosRot, sinRot) = cosSin(degrees: angleDegrees)
        let a = cosRotMinusSy / cosSy
        let b = -(a * tanSx + sinRot)
        let c = sinRotMinusSy / cosSy
        let d = cosRot - c * tanSx
        var m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
        m[2] += cx - m[0] * (cx + tx) - m[1] * (cy + ty)
        m[5] += cy - m[3] * (cx + tx) - m[4] * (cy + ty)
        return .affine(m)
    }

    /// The affine warp about `center` (continuous coordinates; default the image centre) that
    /// produces an `outWidth` x `outHeight` output from a `width` x `height` input, as torchvision's
    /// `_affine_grid`: output point p reads input point T(W/2, H/2) * Theta * T(-ow/2, -oh/2) p, with
    /// Theta the inverse affine matrix about the centre relative to the image centre.
    static func affineWarp(
        width: Int, height: Int, outWidth: Int, outHeight: Int, center: [Double]?, angleDegrees: Double,
        translate: (Double, Double), scale: Double, shearDegrees: (Double, Double)
    ) -> WarpMatrix {
        let w = Double(width), h = Double(height)
        let relative = center.map { ($0[0] - w / 2, $0[1] - h / 2) } ?? (0, 0)
        let theta = inverseAffine(
            center: relative, angleDegrees: angleDegrees, translate: translate, scale: scale,
            shearDegrees: shearDegrees)
        return WarpMatrix.translation(w / 2, h / 2).concatenating(theta)
            .concatenating(.translation(-Double(outWidth) / 2, -Double(outHeight) / 2))
    }

    /// torchvision `_compute_affine_output_size` for `rotate(expand=True)`: (width, height).
    static func expandedSize(_ theta: WarpMatrix, width: Int, height: Int) -> (Int, Int) {
        let hw = 0.5 * Double(width), hh = 0.5 * Double(height)
        let m = theta.m
        var xs: [Double] = [], ys: [Double] = []
        for (x, y) in [(-hw, -hh), (-hw, hh), (hw, hh), (hw, -hh)] {
            // torchvision computes these corners in float32
            xs.append(Double(Float(Float(m[0]) * Float(x) + Float(m[1]) * Float(y) + Float(m[2]))) + hw)
            ys.append(Double(Float(Float(m[3]) * Float(x) + Float(m[4]) * Float(y) + Float(m[5]))) + hh)
        }
        let tol = 1e-4
        func cmax(_ v: Double) -> Double { ((v / tol).rounded(.towardZero) * tol).rounded(.up) }
        func cmin(_ v: Double) -> Double { ((v / tol).rounded(.towardZero) * tol).rounded(.down) }
        let w = cmax(xs.max() ?? 0) - cmin(xs.min() ?? 0)
        let hgt = cmax(ys.max() ?? 0) - cmin(ys.min() ?? 0)
        return (Int(max(1, min(w, 1e9))), Int(max(1, min(hgt, 1e9))))
    }

    /// torchvision `_get_perspective_coeffs(startpoints, endpoints)`: the eight coefficients mapping
    /// endpoints to startpoints, solved in Double and rounded to float32 as torchvision does. Nil when
    /// the quadrilaterals are degenerate.
    static func perspectiveCoefficients(start: [[Double]], end: [[Double]]) -> [Double]? {
        guard start.count == 4, end.count == 4, start.allSatisfy({ $0.count == 2 }), end.allSatisfy({ $0.count == 2 })
        else {
            return nil
        }
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (p1, p2) = (end[i], start[i])
            a[2 * i] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1], p2[0]]
            a[2 * i + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1], p2[1]]
        }
        for col in 0..<8 {
            var pivot = col
            for row in col..<8 where abs(a[row][col]) > abs(a[pivot][col]) { pivot = row }
            guard abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<8 where row != col {
                let f = a[row][col] / a[col][col]
                if f != 0 { for k in col..<9 { a[row][k] -= f * a[col][k] } }
            }
        }
        let solution = (0..<8).map { Double(Float(a[$0][8] / a[$0][$0])) }
        return solution.allSatisfy(\.isFinite) ? solution : nil
    }

    static func perspectiveMatrix(_ c: [Double]) -> WarpMatrix {
        WarpMatrix(m9: [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], 1])
    }

    /// torchvision `_compute_resized_output_size`: [h, w] as given, or one value for the smaller edge
    /// (keeping the aspect ratio, the longer edge truncated) capped by `maxSize`.
    static func resizedSize(_ size: [Int], maxSize: Int?, height: Int, width: Int) -> (Int, Int) {
        if size.count == 2 { return (size[0], size[1]) }
        let (short, long) = width <= height ? (width, height) : (height, width)
        var newShort = size[0]
        var newLong = Int(Double(newShort) * Double(long) / Double(short))
        if let maxSize, newLong > maxSize {
            newShort = Int(Double(maxSize) * Double(newShort) / Double(newLong))
            newLong = maxSize
        }
        newShort = max(newShort, 1)
        newLong = max(newLong, 1)
        return width <= height ? (newLong, newShort) : (newShort, newLong)
    }
}

/// A number or a list of numbers in a pipeline file (torchvision accepts both for fill, degrees,
/// shear, padding and sizes).
struct NumberList: Decodable {
    let values: [Double]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(Double.self) {
            values = [one]
        } else {
            values = try container.decode([Double].self)
        }
    }
}

extension KeyedDecodingContainer {
    func numbers(_ key: Key) throws -> [Double]? {
        try decodeIfPresent(NumberList.self, forKey: key)?.values
    }

    func integers(_ key: Key, op: String) throws -> [Int]? {
        guard let values = try numbers(key) else { return nil }
        return try values.map { value in
            guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else {
                throw AugmentError.invalidArgument(
                    op: op, argument: key.stringValue, value: "\(value)", allowed: "integers")
            }
            return Int(value)
        }
    }
}

extension AugmentError {
    /// Checks every value is finite.
    static func checkFinite(_ values: [Double], op: String, argument: String) throws {
        for v in values where !v.isFinite {
            throw AugmentError.invalidArgument(
                op: op, argument: argument, value: "\(values)", allowed: "finite numbers")
        }
    }

    /// Checks a per-channel fill (nil allowed) and returns it as floats.
    static func checkFill(_ fill: [Double]?, op: String) throws -> [Float]? {
        guard let fill else { return nil }
        guard !fill.isEmpty, fill.allSatisfy({ $0.isFinite && Float($0).isFinite }) else {
            throw AugmentError.invalidArgument(
                op: op, argument: "fill", value: "\(fill)",
                allowed: "null, a finite number, or one finite number per channel")
        }
        return fill.map { Float($0) }
    }

    /// Checks a fill against the channel count.
    static func checkFillChannels(_ fill: [Float]?, channels: Int, op: String) throws {
        if let fill, fill.count != 1, fill.count != channels {
            throw AugmentError.incompatible(
                "\(op): fill has \(fill.count) values but the image has \(channels) channels")
        }
    }
}

extension Transform {
    /// One parameter value per sample, each drawn from its own stream and size, or, with
    /// `sameOnBatch`, every sample drawing the same numbers from the batch stream.
    func sampleEach(_ context: SamplingContext, sameOnBatch: Bool) -> [Parameters] {
        (0..<context.count).map { i in
            var random = sameOnBatch ? context.batchStream() : context.stream(sample: i)
            return sampleParameters(for: context.geometry(ofSample: i), random: &random)
        }
    }
}
