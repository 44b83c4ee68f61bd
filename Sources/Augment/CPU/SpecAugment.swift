/// CPU twin of `Kernels/specaugment.cl`.
enum CPUSpecAugment {
    /// The masking pass (``MaskStage``), exactly as `spec_mask` (and, for the mean fill,
    /// `spec_row_sums` + `spec_example_means`) compute it.
    static func mask(_ stage: MaskStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let source = try CPUMix.floatNCHWValues(input, stage: stage.op)
        let geometry = stage.geometry
        let height = geometry.height, width = geometry.width, channels = geometry.channels
        let plane = height * width
        let perChannel = stage.bandsPerChannel
        let bands = stage.bands
        let fills: [Float]
        switch stage.fill {
        case .constant(let value): fills = Array(repeating: value, count: stage.count)
        case .mean where !stage.masksAnything: fills = Array(repeating: 0, count: stage.count)
        case .mean: fills = exampleMeans(source, count: stage.count, geometry: geometry, factor: stage.meanFactor)
        }
        let frequencyAxis = stage.axis == .frequency
        _ = options  // the output starts poisoned whatever the options say (see CPUWarp.run)
        let values = source.withUnsafeBufferPointer { buffer -> [Float] in
            guard let base = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * height) {
                dst, job in
                let n = job / height
                let y = job % height
                let fill = fills[n]
                for c in 0..<channels {
                    let first = ((n * channels + c) * perChannel) * 2
                    func masked(_ index: Int) -> Bool {
                        for m in 0..<perChannel
                        where Int(bands[first + 2 * m]) <= index && index < Int(bands[first + 2 * m + 1]) {
                            return true
                        }
                        return false
                    }
                    let row = (n * channels + c) * plane + y * width
                    let rowMasked = frequencyAxis && masked(y)
                    for x in 0..<width {
                        let hit = frequencyAxis ? rowMasked : masked(x)
                        dst.base[row + x] = hit ? fill : src.base[row + x]
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(values), count: input.count, geometry: geometry, layout: .nchw)
    }

    /// Each example's mean in the order ``MaskStage`` specifies: float32 row sums left to right,
    /// summed over channels and rows in order, times `factor`.
    static func exampleMeans(_ values: [Float], count: Int, geometry: ImageGeometry, factor: Float) -> [Float] {
        let rows = geometry.channels * geometry.height
        let width = geometry.width
        return (0..<count).map { n in
            var sum: Float = 0
            for r in 0..<rows {
                let start = (n * rows + r) * width
                var rowSum: Float = 0
                for x in 0..<width {
                    rowSum += values[start + x]
                }
                sum += rowSum
            }
            return sum * factor
        }
    }

    /// The time-warp pass (``TimeWarpStage``), exactly as `spec_time_warp` computes it.
    static func timeWarp(_ stage: TimeWarpStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let source = try CPUMix.floatNCHWValues(input, stage: "time_warp")
        let geometry = stage.geometry
        let height = geometry.height, frames = geometry.width, channels = geometry.channels
        let plane = height * frames
        let scales = stage.scales
        let centers = stage.centers, warpedCenters = stage.warpedCenters
        let cubic = stage.interpolation == .bicubic
        _ = options  // the output starts poisoned whatever the options say (see CPUWarp.run)
        let values = source.withUnsafeBufferPointer { buffer -> [Float] in
            guard let base = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * height) {
                dst, job in
                let n = job / height
                let y = job % height
                let center = Int(centers[n]), warped = Int(warpedCenters[n])
                for x in 0..<frames {
                    var taps = TimeWarpTaps.copy(x)
                    if center != warped {
                        let left = x < warped
                        taps = TimeWarpTaps(
                            outputFrame: left ? x : x - warped,
                            scale: scales[2 * n + (left ? 0 : 1)],
                            first: left ? 0 : center,
                            length: left ? center : frames - center,
                            cubic: cubic)
                    }
                    for c in 0..<channels {
                        let row = (n * channels + c) * plane + y * frames
                        dst.base[row + x] = taps.apply { src.base[row + $0] }
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(values), count: input.count, geometry: geometry, layout: .nchw)
    }
}

/// The input frames and weights one output frame of a time warp reads (mirror of the tap
/// computation in `spec_time_warp`).
struct TimeWarpTaps {
    var index: (Int, Int, Int, Int)
    var weight: (Float, Float, Float, Float)
    /// 1 (copy), 2 (linear) or 4 (bicubic).
    var count: Int

    static func copy(_ frame: Int) -> TimeWarpTaps {
        TimeWarpTaps(index: (frame, frame, frame, frame), weight: (1, 0, 0, 0), count: 1)
    }

    private init(index: (Int, Int, Int, Int), weight: (Float, Float, Float, Float), count: Int) {
        self.index = index
        self.weight = weight
        self.count = count
    }

    /// Output frame `outputFrame` of a half whose input frames are `first ..< first + length`,
    /// resampled with `scale` = length / output length (PyTorch `interpolate`, align_corners=False).
    init(outputFrame t: Int, scale: Float, first: Int, length: Int, cubic: Bool) {
        let position = Float(-0.5).addingProduct(scale, Float(t) + 0.5)
        if cubic {
            let i = min(Int(position.rounded(.down)), length - 1)
            let l = min(max(position - Float(i), 0), 1)
            let a: Float = -0.75
            func inner(_ x: Float) -> Float {  // ((A + 2) x - (A + 3)) x x + 1
                (Float(1)).addingProduct((-(a + 3)).addingProduct(a + 2, x) * x, x)
            }
            func outer(_ x: Float) -> Float {  // ((A x - 5 A) x + 8 A) x - 4 A
                (-4 * a).addingProduct((8 * a).addingProduct((-5 * a).addingProduct(a, x), x), x)
            }
            let m = 1 - l
            func clamped(_ k: Int) -> Int { first + min(max(i + k, 0), length - 1) }
            index = (clamped(-1), clamped(0), clamped(1), clamped(2))
            weight = (outer(l + 1), inner(l), inner(m), outer(m + 1))
            count = 4
        } else {
            let clampedPosition = max(position, 0)
            let i = min(Int(clampedPosition), length - 1)
            let next = i < length - 1 ? i + 1 : i
            let l1 = min(max(clampedPosition - Float(i), 0), 1)
            index = (first + i, first + next, first + next, first + next)
            weight = (1 - l1, l1, 0, 0)
            count = 2
        }
    }

    /// The interpolated value: fma(w1, v1, w0 v0) for linear, then + w2 v2, + w3 v3 for bicubic.
    @inline(__always)
    func apply(_ value: (Int) -> Float) -> Float {
        switch count {
        case 1:
            return value(index.0)
        case 2:
            return (value(index.0) * weight.0).addingProduct(value(index.1), weight.1)
        default:
            var sum = (value(index.0) * weight.0).addingProduct(value(index.1), weight.1)
            sum = sum.addingProduct(value(index.2), weight.2)
            return sum.addingProduct(value(index.3), weight.3)
        }
    }
}

extension MaskStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUSpecAugment.mask(self, input: current.images, options: options)
    }
}

extension TimeWarpStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUSpecAugment.timeWarp(self, input: current.images, options: options)
    }
}
