/// CPU twin of `Kernels/signal.cl` (`signal_apply`, `signal_std`): the same float32 operations in
/// the same order, so both backends agree bit for bit.
enum CPUSignal {
    static func run(_ stage: SignalStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: stage.op.name)
        try stage.check(count: input.count, geometry: input.geometry)
        let length = stage.geometry.width
        let channels = stage.geometry.channels
        let rows = stage.count * channels
        let rowSigma = stage.op == .gaussianNoise && stage.relative ? standardDeviations(stage, source: source) : []
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: rows) { dst, row in
                let n = row / channels
                let c = row - n * channels
                let s = src.base + row * length
                let d = dst.base + row * length
                let a = stage.values[4 * n]
                switch stage.op {
                case .amplitudeScale:
                    for t in 0..<length { d[t] = s[t] * a }
                case .baselineWander:
                    let (cycles, phase) = (stage.values[4 * n + 1], stage.values[4 * n + 2])
                    for t in 0..<length {
                        let u = PortableMath.fma(Float(t), cycles, phase)
                        d[t] = PortableMath.fma(a, PortableMath.sinCos2Pi(u).sin, s[t])
                    }
                case .gaussianNoise:
                    let sigma = stage.relative ? rowSigma[row] : a
                    let key = stage.keys[n]
                    for t in 0..<length {
                        d[t] = PortableMath.fma(key.normal(c * length + t), sigma, s[t])
                    }
                case .timeStretch:
                    let stretched = Int(stage.integers[4 * n])
                    for t in 0..<length {
                        guard t < stretched else {
                            d[t] = 0
                            continue
                        }
                        let p = Float(t) * a
                        let i = Int(p)
                        if i >= length - 1 {
                            d[t] = s[length - 1]
                        } else {
                            let frac = p - Float(i)
                            d[t] = PortableMath.fma(frac, s[i + 1] - s[i], s[i])
                        }
                    }
                case .timeShift:
                    let shift = Int(stage.integers[4 * n])
                    for t in 0..<length {
                        var from = t - shift
                        if stage.roll {
                            if from < 0 { from += length }
                            d[t] = s[from]
                        } else {
                            d[t] = from >= 0 && from < length ? s[from] : 0
                        }
                    }
                case .channelMap:
                    let m = Int(stage.channelMap[row])
                    if m < 0 {
                        for t in 0..<length { d[t] = 0 }
                    } else {
                        let other = src.base + (n * channels + m) * length
                        for t in 0..<length { d[t] = other[t] }
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }

    /// 2^e, e in [-126, 127] (`signal_pow2`).
    @inline(__always)
    static func pow2(_ e: Int) -> Float {
        Float(bitPattern: UInt32(e + 127) << 23)
    }

    /// x * 2^e in two steps (`signal_scale`).
    @inline(__always)
    static func scale(_ x: Float, _ e: Int) -> Float {
        let half = e / 2
        return x * pow2(half) * pow2(e - half)
    }

    /// `signal_std`: values[4n] times each (sample, channel) row's population standard deviation,
    /// from 64-bit fixed-point sums (order-free).
    static func standardDeviations(_ stage: SignalStage, source: [Float]) -> [Float] {
        let length = stage.geometry.width
        let channels = stage.geometry.channels
        let inverse = Float(1 / Double(length))
        let (sumBits, squareBits) = SignalStage.fixedPointBits(length: length)
        return (0..<(stage.count * channels)).map { row in
            let n = row / channels
            let x = source[(row * length)..<((row + 1) * length)]
            var largest: Float = 0
            var finite = true
            for v in x {
                let a = abs(v)
                finite = finite && a.isFinite
                largest = a > largest ? a : largest
            }
            guard finite else { return .nan }
            guard largest != 0 else { return 0 }
            let q = Int(sumBits) + 126 - Int((largest.bitPattern >> 23) & 0xFF)
            let fixed = { (v: Float) -> Int64 in Int64(scale(v, q).rounded(.toNearestOrEven)) }
            var sum: Int64 = 0
            for v in x { sum += fixed(v) }
            let mean = sum / Int64(length)
            let r = Int(sumBits) + 1 - Int(squareBits)
            var squares: UInt64 = 0
            for v in x {
                let a = (fixed(v) - mean).magnitude >> r  // abs_diff
                squares += a * a
            }
            let root = (Float(squares) * inverse).squareRoot()
            return stage.values[4 * n] * scale(root, r - q)
        }
    }
}

extension SignalStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUSignal.run(self, input: current.images)
    }
}
