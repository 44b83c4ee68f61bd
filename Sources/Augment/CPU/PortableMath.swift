/// CPU twin of the portable float math in `Kernels/common.cl` (`pm_log`, `pm_exp2`, `pm_pow`,
/// `pm_sincos_2pi`, `pm_box_muller`): the same operations in the same order, so both backends
/// produce the same bits.
///
/// Only correctly rounded operations are used (+, -, *, fused multiply-add, division, square root,
/// rounding to an integer, bit manipulation); OpenCL's own `exp`/`log`/`pow`/`sin`/`cos` are not
/// correctly rounded and differ between devices. Accuracy: a few 1e-7 relative.
public enum PortableMath {
    @inline(__always)
    static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float {
        c.addingProduct(a, b)
    }

    /// ln(m) for x = m * 2^e with m in [sqrt(1/2), sqrt(2)); x finite and > 0.
    @inline(__always)
    static func logReduced(_ value: Float) -> (lnMantissa: Float, exponent: Int32) {
        let subnormal = value < 0x1p-126
        let x = subnormal ? value * 0x1p23 : value
        let bits = x.bitPattern
        var e = Int32((bits >> 23) & 0xFF) - (subnormal ? 150 : 127)
        var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
        if m > 0x1.6a09e6p+0 {
            m *= 0.5
            e += 1
        }
        let s = (m - 1) / (m + 1)
        let z = s * s
        var p = fma(z, 0x1.745d18p-4, 0x1.c71c72p-4)
        p = fma(z, p, 0x1.24924ap-3)
        p = fma(z, p, 0x1.99999ap-3)
        p = fma(z, p, 0x1.555556p-2)
        p = fma(z, p, 1)
        return ((s + s) * p, e)
    }

    /// Natural logarithm of a finite x > 0.
    public static func log(_ x: Float) -> Float {
        let (lm, e) = logReduced(x)
        return fma(Float(e), 0x1.62e43p-1, lm)
    }

    /// Base-2 logarithm of a finite x > 0.
    public static func log2(_ x: Float) -> Float {
        let (lm, e) = logReduced(x)
        return fma(lm, 0x1.715476p+0, Float(e))
    }

    /// 2^y.
    public static func exp2(_ y: Float) -> Float {
        if y.isNaN { return y }
        if y >= 128 { return .infinity }
        if y < -151 { return 0 }
        let n = y.rounded(.toNearestOrEven)
        let g = (y - n) * 0x1.62e43p-1
        var p = fma(g, 0x1.a01a02p-13, 0x1.6c16c2p-10)
        p = fma(g, p, 0x1.111112p-7)
        p = fma(g, p, 0x1.555556p-5)
        p = fma(g, p, 0x1.555556p-3)
        p = fma(g, p, 0.5)
        p = fma(g, p, 1)
        p = fma(g, p, 1)
        let k = Int32(n)
        let k1 = k / 2
        let k2 = k - k1
        return p * Float(bitPattern: UInt32(k1 + 127) << 23) * Float(bitPattern: UInt32(k2 + 127) << 23)
    }

    /// x^g for g >= 0 as C's pow: x^0 = 1, 0^g = 0, a negative x gives NaN unless g is an integer.
    /// The exponents torch's pow(tensor, scalar) special-cases (1, 2, 3, 0.5) are computed as torch
    /// does, exactly.
    public static func pow(_ value: Float, _ g: Float) -> Float {
        if g == 0 { return 1 }
        if g == 1 { return value }
        if g == 2 { return value * value }
        if g == 3 { return value * value * value }
        if g == 0.5 { return value.squareRoot() }
        if value.isNaN || g.isNaN { return value + g }
        var x = value
        var sign: Float = 1
        if x < 0 {
            if g.rounded(.down) != g { return .nan }
            sign = g.truncatingRemainder(dividingBy: 2) == 1 ? -1 : 1
            x = -x
        }
        if x == 0 { return sign * 0 }
        if x.isInfinite { return sign * .infinity }
        return sign * exp2(g * log2(x))
    }

    /// (sin(2 pi u), cos(2 pi u)) for a finite u.
    public static func sinCos2Pi(_ u: Float) -> (sin: Float, cos: Float) {
        let q = (u * 4).rounded(.toNearestOrEven)
        let r = fma(q, -0.25, u)
        let phi = r * 0x1.921fb6p+2
        let z = phi * phi
        var s = fma(z, 0x1.71de3ap-19, -0x1.a01a02p-13)
        s = fma(z, s, 0x1.111112p-7)
        s = fma(z, s, -0x1.555556p-3)
        s = fma(z * phi, s, phi)
        var c = fma(z, -0x1.27e4fcp-22, 0x1.a01a02p-16)
        c = fma(z, c, -0x1.6c16c2p-10)
        c = fma(z, c, 0x1.555556p-5)
        c = fma(z, c, -0.5)
        c = fma(z, c, 1)
        // The quadrant as a float, q mod 4, as the kernel computes it (see pm_sincos_2pi).
        switch q - 4 * (q * 0.25).rounded(.down) {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    /// Two independent standard normal values from two random words (Box-Muller, 24-bit
    /// uniforms; |z| <= 5.77).
    public static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
        let u1 = Float((a >> 8) + 1) * 0x1p-24
        let u2 = Float(b >> 8) * 0x1p-24
        let r = (-2 * log(u1)).squareRoot()
        let (s, c) = sinCos2Pi(u2)
        return (r * c, r * s)
    }
}
