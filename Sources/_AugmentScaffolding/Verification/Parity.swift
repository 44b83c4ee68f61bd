import Augment
/// How far two backends' outputs for the same sampled pipeline are apart.
public struct ParityResult: Sendable, CustomStringConvertible {
    /// Largest |reference - candidate| over all elements (uint8 compared as integers).
    public var maxAbsDifference: Double
    /// Elements where either output is NaN or infinite while the other is not the same value:
    /// a poisoned element nobody overwrote shows up here.
    public var nonFiniteMismatches: Int
    /// Elements whose difference exceeds the tolerance.
    public var elementsOverTolerance: Int
    public var elementCount: Int
    /// The tolerance the comparison used: 1e-5 for float32 outputs (float16: 1e-5 or one float16
    /// step), 0 (exact) for uint8 and uint16.
    public var tolerance: Double
    public var shapesMatch: Bool

    public var passed: Bool { shapesMatch && nonFiniteMismatches == 0 && elementsOverTolerance == 0 }

    public var description: String {
        guard shapesMatch else { return "shapes differ" }
        return "max |diff| \(maxAbsDifference) over \(elementCount) elements (tolerance \(tolerance)), "
            + "\(elementsOverTolerance) over tolerance, \(nonFiniteMismatches) non-finite mismatches"
    }
}

/// The comparison behind `augment verify` and the parity tests: run one sampled pipeline on two
/// backends, with outputs poisoned first, and compare element by element.
public enum Parity {
    /// The float32 tolerance (absolute) of every parity check.
    public static let floatTolerance = 1e-5

    /// Compares two outputs: exact for uint8 and uint16, `floatTolerance` for float32, and for float16
    /// `floatTolerance` or neighbouring float16 values (on PoCL the backends agree exactly).
    public static func compare(
        _ reference: ImageBatch, _ candidate: ImageBatch,
        tolerance: Double = floatTolerance
    ) -> ParityResult {
        var result = ParityResult(
            maxAbsDifference: 0, nonFiniteMismatches: 0, elementsOverTolerance: 0,
            elementCount: reference.pixels.count, tolerance: tolerance,
            shapesMatch: reference.count == candidate.count
                && reference.geometry == candidate.geometry
                && reference.layout == candidate.layout
                && reference.pixelType == candidate.pixelType)
        guard result.shapesMatch else { return result }
        switch (reference.pixels, candidate.pixels) {
        case (.uint8(let a), .uint8(let b)):
            result.tolerance = 0
            for i in a.indices where a[i] != b[i] {
                result.elementsOverTolerance += 1
                result.maxAbsDifference = max(result.maxAbsDifference, Double(abs(Int(a[i]) - Int(b[i]))))
            }
        case (.uint16(let a), .uint16(let b)):
            result.tolerance = 0
            for i in a.indices where a[i] != b[i] {
                result.elementsOverTolerance += 1
                result.maxAbsDifference = max(result.maxAbsDifference, Double(abs(Int(a[i]) - Int(b[i]))))
            }
        case (.float32(let a), .float32(let b)):
            for i in a.indices {
                let x = a[i], y = b[i]
                if !x.isFinite || !y.isFinite {
                    let same = (x.isNaN && y.isNaN) || x == y
                    if !same || x.isNaN { result.nonFiniteMismatches += 1 }
                    continue
                }
                let difference = Double(abs(x - y))
                result.maxAbsDifference = max(result.maxAbsDifference, difference)
                if difference > tolerance { result.elementsOverTolerance += 1 }
            }
        case (.float16(let a), .float16(let b)):
            for i in a.indices {
                let x = a[i], y = b[i]
                if !x.isFinite || !y.isFinite {
                    let same = (x.isNaN && y.isNaN) || x == y
                    if !same || x.isNaN { result.nonFiniteMismatches += 1 }
                    continue
                }
                let difference = Double(abs(Float(x) - Float(y)))
                result.maxAbsDifference = max(result.maxAbsDifference, difference)
                // Within the float32 tolerance, or neighbouring halves: a float32 difference below the
                // tolerance can straddle a float16 rounding boundary.
                let neighbours = difference <= Double(max(x.magnitude, y.magnitude).halfULP)
                if difference > tolerance && !neighbours { result.elementsOverTolerance += 1 }
            }
        default:
            result.shapesMatch = false
        }
        return result
    }

    /// Samples `pipeline` once for `input`, runs the very same plan on both backends with poisoned
    /// outputs, and compares.
    public static func check(
        _ pipeline: Pipeline, on input: ImageBatch, seed: UInt64, reference: any Backend,
        candidate: any Backend, tolerance: Double = floatTolerance
    ) throws -> (result: ParityResult, reference: ImageBatch, candidate: ImageBatch) {
        let (result, expected, actual) = try check(
            pipeline, on: AugmentBatch(images: input), seed: seed,
            reference: reference, candidate: candidate, tolerance: tolerance)
        return (result, expected.images, actual.images)
    }

    /// The same for images with their targets: labels must agree within the same tolerance.
    public static func check(
        _ pipeline: Pipeline, on input: AugmentBatch, seed: UInt64, reference: any Backend,
        candidate: any Backend, tolerance: Double = floatTolerance
    ) throws -> (result: ParityResult, reference: AugmentBatch, candidate: AugmentBatch) {
        let sampled = try pipeline.sample(for: input, seed: seed)  // with the labels' classes (class-conditioned ops)
        let plan = try sampled.plan(for: input.images)
        let options = RunOptions(poisonOutputs: true)
        let expected = try reference.run(plan, on: input, options: options)
        let actual = try candidate.run(plan, on: input, options: options)
        var result = compare(expected.images, actual.images, tolerance: tolerance)
        switch (expected.labels, actual.labels) {
        case (nil, nil):
            break
        case (let a?, let b?) where a.count == b.count && a.classCount == b.classCount:
            for (x, y) in zip(a.values, b.values) {
                let difference = Double(abs(x - y))
                result.maxAbsDifference = max(result.maxAbsDifference, difference)
                if !(difference <= tolerance) { result.elementsOverTolerance += 1 }
            }
            result.elementCount += a.values.count
        default:
            result.shapesMatch = false
        }
        return (result, expected, actual)
    }
}
