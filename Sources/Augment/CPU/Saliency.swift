/// CPU twin of `Kernels/saliency.cl`: the saliency peak of an image, for ``SaliencyMix``.
///
/// Saliency is the frequency-tuned saliency of Achanta et al. 2009 ("Frequency-tuned salient region
/// detection"), computed in integers so that every device finds the same peak:
///
///     q_c(y, x) = rint(clamp(v, 0, 1) * 255)            (NaN -> 0; float32 multiply, ties to even)
///     B_c(y, x) = sum_{i,j in -2...2} w_i w_j q_c(clampY(y + i), clampX(x + j)),  w = [1, 4, 6, 4, 1]
///     S_c       = sum over the image of q_c
///     s(y, x)   = sum_c |H W B_c(y, x) - 256 S_c|         (= 256 H W |blurred - mean|, L1 over channels)
///
/// B is the 5x5 binomial blur (weights sum to 256) with edge pixels repeated; the peak is the flat
/// index y * W + x of the largest s, the lowest index on ties. Achanta et al. take the Euclidean
/// distance in Lab; this uses the L1 distance on the image's own channels (exact in 64-bit
/// integers, any channel count). The SaliencyMix paper uses spectral residual saliency, which needs
/// an FFT; see docs/semantics.md.
enum CPUSaliency {
    /// The blur weights: the 5-tap binomial kernel.
    static let weights: [Int64] = [1, 4, 6, 4, 1]

    /// `rint(clamp(v, 0, 1) * 255)` as the kernel's `sal_level` computes it.
    @inline(__always)
    static func level(_ v: Float) -> Int64 {
        let c: Float = v > 0 ? (v < 1 ? v : 1) : 0
        return Int64((c * 255).rounded(.toNearestOrEven))
    }

    /// The flat index of the saliency peak of sample `n` of float32 NCHW `values`.
    static func peak(_ values: UnsafeBufferPointer<Float>, sample n: Int, geometry: ImageGeometry) -> Int {
        let height = geometry.height, width = geometry.width, channels = geometry.channels
        let plane = height * width
        let base = n * channels * plane
        var sums = [Int64](repeating: 0, count: channels)
        for c in 0..<channels {
            var s: Int64 = 0
            for p in 0..<plane { s += level(values[base + c * plane + p]) }
            sums[c] = s
        }
        let area = Int64(plane)
        var best: Int64 = -1
        var bestIndex = 0
        for y in 0..<height {
            for x in 0..<width {
                var saliency: Int64 = 0
                for c in 0..<channels {
                    let channel = base + c * plane
                    var blurred: Int64 = 0
                    for i in -2...2 {
                        let row = channel + min(max(y + i, 0), height - 1) * width
                        var line: Int64 = 0
                        for j in -2...2 {
                            line += weights[j + 2] * level(values[row + min(max(x + j, 0), width - 1)])
                        }
                        blurred += weights[i + 2] * line
                    }
                    let d = area * blurred - 256 * sums[c]
                    saliency += d < 0 ? -d : d
                }
                if saliency > best {
                    best = saliency
                    bestIndex = y * width + x
                }
            }
        }
        return bestIndex
    }

    /// `stage` with its SaliencyMix boxes placed from the peaks of `images` (float32 NCHW); other mix
    /// stages unchanged.
    static func resolve(_ stage: MixStage, images: ImageBatch) throws -> MixStage {
        let sources = stage.saliencySources
        guard stage.saliencyCuts != nil else { return stage }
        try stage.checkInput(count: images.count, geometry: images.geometry)
        let values = try CPUMix.floatNCHWValues(images, stage: stage.op)
        var peaks = [Int](repeating: 0, count: stage.count)
        values.withUnsafeBufferPointer { buffer in
            for n in sources { peaks[n] = peak(buffer, sample: n, geometry: stage.geometry) }
        }
        return try stage.resolved(peaks: peaks)
    }
}
