import Foundation

/// Continuous distributions drawn from a ``RandomStream``, in Double precision on the host.
///
/// They use the platform's `log`, `exp` and `cos` (glibc on Linux, the system libm on Apple
/// platforms). A seed therefore gives the same values on every machine with the same libm; two
/// different libms may disagree in the last bit of a draw, which can move a value that lands
/// exactly on an integer boundary (a CutMix box edge) by one.
extension RandomStream {
    /// Uniform in (0, 1]: `1 - uniform()`, safe to take the logarithm of.
    public mutating func uniformPositive() -> Double {
        1 - uniform()
    }

    /// A standard normal draw N(0, 1) by the Box–Muller transform (cosine branch; two uniforms
    /// per draw, the sine branch is not kept so that every draw consumes the same four words).
    public mutating func normal() -> Double {
        let radius = (-2 * log(uniformPositive())).squareRoot()
        return radius * cos(2 * Double.pi * uniform())
    }

    /// The logarithm of a Gamma(shape, 1) draw, for `shape > 0`.
    ///
    /// Marsaglia & Tsang, "A simple method for generating gamma variables" (ACM TOMS 26(3), 2000):
    /// for shape a >= 1, d = a - 1/3, c = 1/sqrt(9d); draw x ~ N(0, 1) until v = (1 + c x)^3 > 0,
    /// then u ~ U[0, 1) and accept d v when u < 1 - 0.0331 x^4 or log u < x^2/2 + d (1 - v + log v).
    /// For a < 1 the boost G(a) = G(a + 1) U^(1/a) is applied in log space
    /// (log G(a + 1) + log(U) / a), so that tiny shapes do not underflow to 0.
    public mutating func logGamma(shape: Double) -> Double {
        if shape < 1 {
            let boosted = logGamma(shape: shape + 1)
            return boosted + log(uniformPositive()) / shape
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            let xSquared = x * x
            if u < 1 - 0.0331 * xSquared * xSquared {
                return log(d * v)
            }
            if log(u) < 0.5 * xSquared + d * (1 - v + log(v)) {
                return log(d * v)
            }
        }
    }

    /// A Beta(a, b) draw in [0, 1], for a, b > 0: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b)
    /// (X drawn first), evaluated as 1 / (1 + exp(log Y - log X)) so that it stays finite when
    /// both gammas are tiny.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let logX = logGamma(shape: a)
        let logY = logGamma(shape: b)
        let value = 1 / (1 + exp(logY - logX))
        return min(max(value, 0), 1)
    }
}
