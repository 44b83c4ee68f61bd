import Foundation

/// One axis of a separable warp: for every sample and every output index along the axis, `taps`
/// input indices (inside the sample's region) and their weights. Laid out sample-major: entry
/// `(n * length + i) * taps + k` is tap k of output index i of sample n. Sample n uses only its
/// first `sampleTaps[n]` entries; windows shorter than that are padded with their last index and
/// weight 0, and entries past it are never read. A sample whose windows have at most 2 taps on
/// both axes (bilinear, and the upscaled crops of an antialiased resize) reads 2 (fewer only when
/// the batch's windows are shorter); any other sample reads ``taps`` on both axes. So a batch
/// takes at most two kernel variants (`warp_general` is launched once per pair of counts), and
/// upscaled samples do no work for the taps of the batch's downscaled ones.
public struct SeparableAxis: Sendable, Equatable {
    /// Entries per output index: the batch's longest window, rounded up as
    /// ``SeparableAxis/rounded(_:)`` says (the largest of ``sampleTaps``).
    public var taps: Int
    /// Per sample, the taps read per output index (at most ``taps``).
    public var sampleTaps: [Int]
    public var indices: [Int32]
    public var weights: [Float]

    /// The tap count a window of `longest` taps is padded to: 1 or 2 as they are, else a multiple
    /// of 4, so that few kernel variants are built (bilinear and upscaling windows have 2 taps).
    public static func rounded(_ longest: Int) -> Int {
        longest <= 2 ? max(1, longest) : (longest + 3) / 4 * 4
    }
}

/// The per-axis tables of a separable warp (``WarpStage/separableTables``).
///
/// Output pixel (x, y) of sample n is
/// `sum over ty of wy[ty] * (sum over tx of wx[tx] * input[iy[ty]][ix[tx]])`, each sum accumulated
/// with fused multiply-adds from 0 in tap order (the inner, horizontal sums first). `warp_general`
/// built with `SEPARABLE` and its CPU twin compute exactly this; the tables are made once, here, for
/// both.
public struct SeparableTables: Sendable, Equatable {
    public var columns: SeparableAxis
    public var rows: SeparableAxis
}

extension WarpStage {
    /// Whether this stage samples through per-axis tables instead of per-pixel matrices: bilinear,
    /// every matrix axis-aligned (scales, translations, flips), and either antialiased or with an
    /// edge / reflect border (a constant border's fill blend stays on the general path).
    public var isSeparable: Bool {
        displacement == nil && interpolation == .bilinear && matrices.allSatisfy(\.isAxisAligned)
            && (antialias || border.mode != .constant)
    }

    /// The tap tables of a separable stage (see ``isSeparable``).
    ///
    /// Antialiased axes follow torch's `_upsample_bilinear2d_aa` (the weights of
    /// `_compute_indices_min_size_weights_aa` with `HelperInterpLinear::aa_filter`): with `a` the
    /// axis scale of the matrix (input pixels per output pixel) and `c` the input point of the output
    /// pixel centre in continuous coordinates, the support is `max(|a|, 1)`, the window is
    /// `[floor(c - support + 0.5), floor(c + support + 0.5))` clipped to the region, tap j weighs
    /// `max(0, 1 - |(j + 0.5 - c) / support|)`, and the weights are normalised to sum 1 (in Double,
    /// then rounded once to Float). For upscaling this equals bilinear interpolation with the edge
    /// clamped.
    ///
    /// Plain bilinear axes have two taps, at floor(u) and floor(u) + 1 through the border rule, with
    /// weights 1 - f and f, where u (Float, as `warp_point` computes it from the kernel
    /// coefficients) is the sampling point in pixel-index coordinates and f its fraction.
    public var separableTables: SeparableTables {
        let coefficients = matrices.map(\.kernelCoefficients)
        var columns: [[(Int, Float)]] = []
        var rows: [[(Int, Float)]] = []
        columns.reserveCapacity(count * output.width)
        rows.reserveCapacity(count * output.height)
        let aa = antialias
        for n in 0..<count {
            let m = matrices[n].m, k = coefficients[n], r = regions[n]
            for x in 0..<output.width {
                columns.append(
                    aa
                        ? Self.antialiasTaps(x, scale: m[0], shift: m[2], lo: r.x0, hi: r.x1)
                        : Self.bilinearTaps(x, scale: k[0], shift: k[2], lo: r.x0, hi: r.x1, mode: border.mode))
            }
            for y in 0..<output.height {
                rows.append(
                    aa
                        ? Self.antialiasTaps(y, scale: m[4], shift: m[5], lo: r.y0, hi: r.y1)
                        : Self.bilinearTaps(y, scale: k[4], shift: k[5], lo: r.y0, hi: r.y1, mode: border.mode))
            }
        }
        // Per sample and axis the longest window, then the counts each sample reads (see
        // SeparableAxis): 2 x 2 (or less) when both axes allow it, else the batch's counts.
        func longest(_ windows: [[(Int, Float)]], _ length: Int) -> [Int] {
            (0..<count).map { n in windows[n * length..<(n + 1) * length].map(\.count).max() ?? 1 }
        }
        let longestX = longest(columns, output.width), longestY = longest(rows, output.height)
        let tapsX = SeparableAxis.rounded(longestX.max() ?? 1)
        let tapsY = SeparableAxis.rounded(longestY.max() ?? 1)
        let short = (0..<count).map { longestX[$0] <= 2 && longestY[$0] <= 2 }
        return SeparableTables(
            columns: Self.pack(
                columns, length: output.width, taps: tapsX, sampleTaps: short.map { $0 ? min(2, tapsX) : tapsX }),
            rows: Self.pack(
                rows, length: output.height, taps: tapsY, sampleTaps: short.map { $0 ? min(2, tapsY) : tapsY }))
    }

    /// How many launches `warp_general` takes for this stage: one per distinct pair of sample tap
    /// counts (columns, rows) with tap tables (``SeparableAxis/sampleTaps``), else one.
    public var tapCountLaunches: Int {
        guard isSeparable else { return 1 }
        let tables = separableTables
        return Set((0..<count).map { [tables.columns.sampleTaps[$0], tables.rows.sampleTaps[$0]] }).count
    }

    /// Pads the windows of each sample (`length` consecutive windows) to the sample's tap count
    /// with the window's last index and weight 0, in entries of `taps`.
    private static func pack(_ windows: [[(Int, Float)]], length: Int, taps: Int, sampleTaps: [Int]) -> SeparableAxis {
        var indices = [Int32](repeating: 0, count: windows.count * taps)
        var weights = [Float](repeating: 0, count: windows.count * taps)
        for (i, window) in windows.enumerated() {
            for k in 0..<sampleTaps[i / length] {
                let tap = k < window.count ? window[k] : (window[window.count - 1].0, 0)
                indices[i * taps + k] = Int32(tap.0)
                weights[i * taps + k] = tap.1
            }
        }
        return SeparableAxis(taps: taps, sampleTaps: sampleTaps, indices: indices, weights: weights)
    }

    /// The antialiased window of output index `i` (see ``separableTables``); never empty.
    static func antialiasTaps(_ i: Int, scale a: Double, shift t: Double, lo: Int, hi: Int) -> [(Int, Float)] {
        let c = min(max(a * (Double(i) + 0.5) + t, -1e9), 1e9)
        let s = abs(a)
        let support = s >= 1 ? s : 1
        let inverse = 1 / support
        let first = max(Int((c - support + 0.5).rounded(.down)), lo)
        let end = min(Int((c + support + 0.5).rounded(.down)), hi)
        guard first < end else { return [(min(max(Int(c.rounded(.down)), lo), hi - 1), 0)] }
        var raw: [Double] = []
        raw.reserveCapacity(end - first)
        var total = 0.0
        for j in first..<end {
            let w = max(0, 1 - abs((Double(j) + 0.5 - c) * inverse))
            raw.append(w)
            total += w
        }
        return raw.enumerated().map { (first + $0.offset, Float(total > 0 ? $0.element / total : 0)) }
    }

    /// The two bilinear taps of output index `i`, as `warp_general` finds them (Float arithmetic).
    static func bilinearTaps(_ i: Int, scale: Float, shift: Float, lo: Int, hi: Int, mode: BorderMode) -> [(Int, Float)]
    {
        var u = shift.addingProduct(scale, Float(i))
        u = Float.minimum(Float.maximum(u, -1.0e7), 1.0e7)
        let floor = u.rounded(.down)
        let fraction = u - floor
        let a = Int(floor)
        return [
            (CPUWarp.borderIndex(a, lo, hi, mode), 1 - fraction), (CPUWarp.borderIndex(a + 1, lo, hi, mode), fraction),
        ]
    }
}
