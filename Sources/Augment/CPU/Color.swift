/// Per-pixel colour math: the twin of the inline functions at the top of `Kernels/color.cl`, in the
/// same order with the same roundings. Pure functions of a pixel (its channel values) and the
/// step's arguments, so they can run inside any pass that holds a pixel.
enum ColorMath {
    @inline(__always)
    static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float { c.addingProduct(a, b) }

    /// `clamp(v, lo, hi)` as torch's clamp: NaN stays NaN.
    @inline(__always)
    static func clamp(_ v: Float, _ lo: Float, _ hi: Float) -> Float { v < lo ? lo : (v > hi ? hi : v) }

    @inline(__always)
    static func clamp01(_ v: Float) -> Float { clamp(v, 0, 1) }

    /// torchvision's luma: 0.2989 R + 0.587 G + 0.114 B (`r.mul(0.2989).add_(g, alpha=0.587)...`).
    @inline(__always)
    static func gray(_ r: Float, _ g: Float, _ b: Float) -> Float {
        fma(b, 0.114, fma(g, 0.587, r * 0.2989))
    }

    /// torchvision's `_blend`: `clamp(x * ratio + other * (1 - ratio), 0, 1)`.
    @inline(__always)
    static func blend(_ x: Float, _ other: Float, _ ratio: Float, _ oneMinusRatio: Float) -> Float {
        clamp01(fma(other, oneMinusRatio, x * ratio))
    }

    /// torchvision's `adjust_hue` on one RGB pixel: `_rgb_to_hsv`, hue shifted modulo 1, `_hsv_to_rgb`.
    @inline(__always)
    static func hue(_ v: UnsafeMutablePointer<Float>, _ shift: Float) {
        let r = v[0], g = v[1], b = v[2]
        let maxc = r > g ? (r > b ? r : b) : (g > b ? g : b)
        let minc = r < g ? (r < b ? r : b) : (g < b ? g : b)
        let equal = maxc == minc
        let range = maxc - minc
        let s = range / (equal ? 1 : maxc)
        let divisor: Float = equal ? 1 : range
        let rc = (maxc - r) / divisor
        let gc = (maxc - g) / divisor
        let bc = (maxc - b) / divisor
        let hr: Float = maxc == r ? bc - gc : 0
        let hg: Float = (maxc == g && maxc != r) ? (rc + 2) - bc : 0
        let hb: Float = (maxc != g && maxc != r) ? (gc + 4) - rc : 0
        // fmod(x, 1) as x - trunc(x): exact for every finite x, NaN for infinities.
        var h = ((hr + hg) + hb) * 0x1.555556p-3 + 1
        h = h - h.rounded(.towardZero)
        // torch.remainder(h + shift, 1): fmod, then + 1 when the result is negative.
        h = h + shift
        h = h - h.rounded(.towardZero)
        if h < 0 { h += 1 }
        let h6 = h * 6
        let i6 = h6.rounded(.down)
        let f = h6 - i6
        // i6 is in [0, 6] (6 is sector 0 again) unless the pixel holds NaN, whose result does not matter.
        let sector: Float = (i6.isNaN || i6 >= 6) ? 0 : i6
        let sxf = s * f
        let oneMinusS = 1 - s
        let value = maxc
        let q = clamp01((1 - sxf) * value)
        let t = clamp01((sxf + oneMinusS) * value)
        let p = clamp01(oneMinusS * value)
        // torchvision's table by sector: r = (v, q, p, p, t, v), g = (t, v, v, q, p, p), b = (p, p, t, v, v, q).
        v[0] = (sector == 0 || sector == 5) ? value : (sector == 1 ? q : (sector == 4 ? t : p))
        v[1] = (sector == 1 || sector == 2) ? value : (sector == 0 ? t : (sector == 3 ? q : p))
        v[2] = (sector == 3 || sector == 4) ? value : (sector == 2 ? t : (sector == 5 ? q : p))
    }

    /// Runs a program without statistic steps (fused into a warp) on one pixel.
    @inline(__always)
    static func run(_ program: [ColorStep], on v: UnsafeMutablePointer<Float>, channels: Int) {
        withUnsafePointer(to: Float(0)) { noStatistics in
            for step in program { apply(step, to: v, channels: channels, statistics: noStatistics) }
        }
    }

    /// Applies one step to a pixel of `channels` values. `statistics` is the sample's block of the
    /// statistics buffer (see ``ColorStage/statisticStride``).
    @inline(__always)
    static func apply(
        _ step: ColorStep, to v: UnsafeMutablePointer<Float>, channels: Int,
        statistics: UnsafePointer<Float>
    ) {
        let a = step.a, b = step.b
        switch step.op {
        case .identity:
            break
        case .brightness:
            for c in 0..<channels { v[c] = clamp01(v[c] * a) }
        case .contrast:
            let mean = statistics[0]
            for c in 0..<channels { v[c] = blend(v[c], mean, a, b) }
        case .saturation:
            if channels == 3 {
                let l = gray(v[0], v[1], v[2])
                for c in 0..<3 { v[c] = blend(v[c], l, a, b) }
            }
        case .hue:
            if channels == 3 { hue(v, a) }
        case .grayscale:
            if channels == 3 {
                let l = gray(v[0], v[1], v[2])
                v[0] = l; v[1] = l; v[2] = l
            }
        case .gamma:
            for c in 0..<channels {
                var x = PortableMath.pow(v[c], a)
                if b != 1 { x = clamp01(x * b) }
                v[c] = x
            }
        case .posterize:
            for c in 0..<channels { v[c] = clamp((v[c] * a).rounded(.down), 0, a - 1) * b }
        case .solarize:
            for c in 0..<channels where v[c] >= a { v[c] = 1 - v[c] }
        case .invert:
            for c in 0..<channels { v[c] = 1 - v[c] }
        case .autocontrast:
            for c in 0..<channels { v[c] = clamp01((v[c] - statistics[c]) / statistics[channels + c]) }
        case .equalize:
            for c in 0..<channels { v[c] = statistics[c * 256 + Int(UInt8.fromUnitValue(v[c]))] }
        }
    }
}

/// CPU twin of `Kernels/color.cl`: the statistics (`color_stats_rows`, `color_stats_finish`) and the apply pass
/// (`color_apply`) of a ``ColorStage``.
enum CPUColor {
    /// Fixed-point scale of the contrast sum: grayscale values are summed as integers of 2^-24, so
    /// the sum does not depend on the order of additions (the device reduces in any order).
    static let contrastScale: Float = 0x1p24

    static func run(_ stage: ColorStage, input: ImageBatch) throws -> ImageBatch {
        guard input.pixelType == .float32, input.layout == .nchw, let source = input.float32Values else {
            throw AugmentError.parameterMismatch("the colour stage reads float32 NCHW, got \(input.shapeDescription)")
        }
        try stage.check(count: input.count, geometry: input.geometry)
        let statistics = self.statistics(stage, source)
        let geometry = stage.input
        // channels: what the programs see; map: their image channels (all, or ColorStage.channelIndices,
        // whose other channels are copied unchanged as color_apply does).
        let imageChannels = geometry.channels
        let map = stage.channelIndices ?? Array(0..<imageChannels)
        let partial = stage.channelIndices != nil
        let (height, width, channels, outChannels) = (
            geometry.height, geometry.width, stage.colorChannels,
            stage.outputChannels
        )
        let plane = height * width
        let stride = stage.statisticStride
        let programs = stage.programs
        let output = source.withUnsafeBufferPointer { src in
            statistics.withUnsafeBufferPointer { stats in
                guard let srcBase = src.baseAddress, let statsBase = stats.baseAddress else { return [Float]() }
                let src = SharedReadPointer(base: srcBase)
                let stats = SharedReadPointer(base: statsBase)
                return CPUParallel.makeArray(
                    count: stage.count * outChannels * plane, initial: Float.nan,
                    jobs: stage.count * height
                ) { dst, job in
                    let n = job / height, y = job % height
                    let program = programs[n]
                    withPixel(channels) { v in
                        for x in 0..<width {
                            let p = y * width + x
                            for c in 0..<channels { v[c] = src.base[(n * imageChannels + map[c]) * plane + p] }
                            for step in program {
                                ColorMath.apply(step, to: v, channels: channels, statistics: stats.base + n * stride)
                            }
                            if partial {
                                for c in 0..<imageChannels {
                                    dst.base[(n * imageChannels + c) * plane + p] =
                                        src.base[(n * imageChannels + c) * plane + p]
                                }
                                for c in 0..<channels { dst.base[(n * imageChannels + map[c]) * plane + p] = v[c] }
                            } else {
                                for c in 0..<outChannels {
                                    dst.base[(n * outChannels + c) * plane + p] = v[outChannels == channels ? c : 0]
                                }
                            }
                        }
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.output, layout: .nchw)
    }

    /// The statistics buffer `color_stats_finish` writes: `statisticStride` floats per sample.
    static func statistics(_ stage: ColorStage, _ source: [Float]) -> [Float] {
        let stride = stage.statisticStride
        guard stage.needsStatistics else { return [Float](repeating: 0, count: stage.count * stride) }
        let geometry = stage.input
        let channels = stage.colorChannels
        let imageChannels = geometry.channels
        let map = stage.channelIndices ?? Array(0..<imageChannels)
        let plane = geometry.height * geometry.width
        let programs = stage.programs
        let meanScale = Float(1 / (Double(contrastScale) * Double(plane)))
        return source.withUnsafeBufferPointer { src in
            guard let srcBase = src.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: srcBase)
            // One job per (sample, channel), as the device runs one work-group per (sample, channel).
            return CPUParallel.makeArray(count: stage.count * stride, initial: 0, jobs: stage.count * channels) {
                out, job in
                let n = job / channels, channel = job % channels
                guard let s = stage.statisticStep(sample: n) else { return }
                let op = programs[n][s].op
                if op == .contrast, channel != 0 { return }
                let prefix = programs[n][0..<s]
                let block = out.base + n * stride
                var sum: Int64 = 0
                var minimum = Float.infinity, maximum = -Float.infinity
                var histogram = [Int](repeating: 0, count: op == .equalize ? 256 : 0)
                // The prefix holds no statistic step, so it never reads the statistics.
                withPixel(channels) { v in
                    withPixel(1) { noStatistics in
                        for p in 0..<plane {
                            for c in 0..<channels { v[c] = src.base[(n * imageChannels + map[c]) * plane + p] }
                            for step in prefix {
                                ColorMath.apply(step, to: v, channels: channels, statistics: noStatistics)
                            }
                            switch op {
                            case .contrast:
                                let l = channels == 3 ? ColorMath.gray(v[0], v[1], v[2]) : v[0]
                                sum &+= fixedPoint(l)
                            case .autocontrast:
                                minimum = Float.minimum(minimum, v[channel])
                                maximum = Float.maximum(maximum, v[channel])
                            default:
                                histogram[Int(UInt8.fromUnitValue(v[channel]))] += 1
                            }
                        }
                    }
                }
                switch op {
                case .contrast:
                    block[0] = Float(sum) * meanScale
                case .autocontrast:
                    let equal = maximum == minimum
                    block[channel] = equal ? 0 : minimum
                    block[channels + channel] = equal ? 1 : maximum - minimum
                default:
                    let lut = equalizationTable(histogram, total: plane)
                    for k in 0..<256 { block[channel * 256 + k] = UInt8.unitValue(lut[k]) }
                }
            }
        }
    }

    /// Runs `body` with scratch space for one pixel of `channels` values.
    @inline(__always)
    static func withPixel(_ channels: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, channels)) { pixel in
            if let v = pixel.baseAddress { body(v) }
        }
    }

    /// A grayscale value as a multiple of 2^-24, clamped to [-256, 256] (NaN counts as -256), rounded
    /// to nearest even: `convert_long_rte(clamp(l, -256, 256) * 2^24)` on the device.
    @inline(__always)
    static func fixedPoint(_ l: Float) -> Int64 {
        Int64((Float.minimum(Float.maximum(l, -256), 256) * contrastScale).rounded(.toNearestOrEven))
    }

    /// torchvision's (and PIL's) equalization table for one channel's 256-bin histogram:
    /// step = (pixels not in the last occupied bin) / 255; lut[0] = 0 and
    /// lut[k] = min((cum[k-1] + step / 2) / step, 255); the identity when step is 0.
    static func equalizationTable(_ histogram: [Int], total: Int) -> [UInt8] {
        let last = histogram.lastIndex { $0 != 0 } ?? 0
        let step = (total - histogram[last]) / 255
        guard step != 0 else { return (0..<256).map { UInt8($0) } }
        var lut = [UInt8](repeating: 0, count: 256)
        var cumulative = 0
        for k in 1..<256 {
            cumulative += histogram[k - 1]
            lut[k] = UInt8(min((cumulative + step / 2) / step, 255))
        }
        return lut
    }
}

extension ColorStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUColor.run(self, input: current.images)
    }
}

extension CPUColor {
    /// A remap whose colour programs need an image statistic (the device's `warp_color_stats`
    /// pre-pass, then `warp_remap` with the colour epilogue), computed as the remap to float32, the
    /// colour stage (statistics and programs) and a remap for the epilogue and the output format.
    /// The float32 intermediate holds every value exactly, so this equals the fused pass.
    static func remapWithStatistics(_ stage: RemapStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        var bare = stage
        bare.colorPrograms = nil
        bare.epilogue = nil
        bare.outputFormat = .float32NCHW
        let sampled = try CPUWarp.remap(bare, input: input, options: options)
        return try finish(
            sampled, programs: stage.colorPrograms ?? [], epilogue: stage.epilogue, format: stage.outputFormat,
            options: options)
    }

    /// ``remapWithStatistics(_:input:options:)`` for a general warp (`warp_color_stats`, then
    /// `warp_general` with the colour epilogue).
    static func warpWithStatistics(_ stage: WarpStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        var bare = stage
        bare.colorPrograms = nil
        bare.epilogue = nil
        bare.outputFormat = .float32NCHW
        let sampled = try CPUWarp.warp(bare, input: input, options: options)
        return try finish(
            sampled, programs: stage.colorPrograms ?? [], epilogue: stage.epilogue, format: stage.outputFormat,
            options: options)
    }

    private static func finish(
        _ sampled: ImageBatch, programs: [[ColorStep]], epilogue: ChannelAffine?, format: OutputFormat,
        options: RunOptions
    ) throws -> ImageBatch {
        let geometry = sampled.geometry
        let color = ColorStage(
            count: sampled.count, input: geometry, outputChannels: geometry.channels, programs: programs)
        let colored = try run(color, input: sampled)
        let remap = RemapStage(
            count: sampled.count, input: geometry, inputPixelType: .float32, inputLayout: .nchw,
            output: geometry, outputFormat: format,
            windows: Array(repeating: .identity, count: sampled.count), epilogue: epilogue)
        return try CPUWarp.remap(remap, input: colored, options: options)
    }
}
