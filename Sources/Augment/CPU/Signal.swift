/// CPU twin of `Kernels/signal.cl` (`signal_apply`, `signal_std`): the same float32 operations in
/// the same order, so both backends agree bit for bit.
///
/// A ``SignalStage`` is a program of up to ``SignalStage/maxSteps`` ops run in one pass: output
/// element (c, t) of sample n is evaluated as `signal_eval` does, by walking the ops backwards to the
/// input positions they read (one per op, two for time_stretch's interpolation) and then applying
/// the ops forwards on those positions. Every op computes what its own pass computed before fusion,
/// with the same roundings, so a fused program gives the values of the ops run one after the other.
enum CPUSignal {
    static func run(_ stage: SignalStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: stage.op.name)
        try stage.check(count: input.count, geometry: input.geometry)
        let program = Program(stage)
        let length = stage.geometry.width
        let channels = stage.geometry.channels
        let rows = stage.count * channels
        // The relative noise steps' sigmas, in program order: each over the signal just before it.
        var rowSigma = [Float](repeating: 0, count: program.steps.count * rows)
        for (k, step) in program.steps.enumerated() where step.op == .gaussianNoise && step.relative {
            let sigmas = source.withUnsafeBufferPointer { src in
                standardDeviations(program, upTo: k, source: src.baseAddress!, rowSigma: rowSigma)
            }
            rowSigma.replaceSubrange((k * rows)..<((k + 1) * rows), with: sigmas)
        }
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return rowSigma.withUnsafeBufferPointer { sigmas in
                let sigma = SharedReadPointer(base: sigmas.baseAddress!)
                return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: rows) { dst, row in
                    let n = row / channels
                    let c = row - n * channels
                    let d = dst.base + row * length
                    for t in 0..<length {
                        d[t] = program.evaluate(
                            program.steps.count, n: n, c: c, t: t, source: src.base, rowSigma: sigma.base)
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }

    /// A stage's ops with their per-sample parameters, and `signal_eval`.
    struct Program: @unchecked Sendable {
        let steps: [SignalStage]
        let length: Int
        let channels: Int
        let rows: Int

        init(_ stage: SignalStage) {
            steps = stage.steps
            length = stage.geometry.width
            channels = stage.geometry.channels
            rows = stage.count * channels
        }

        /// The value after the first `count` ops of sample n at (c, t) (`signal_eval`).
        func evaluate(
            _ count: Int, n: Int, c c0: Int, t t0: Int, source: UnsafePointer<Float>,
            rowSigma: UnsafePointer<Float>
        ) -> Float {
            // Positions per level (level k: after op k), backwards from the output element.
            var pc = [[Int]](repeating: [], count: count + 1)
            var pt = [[Int]](repeating: [], count: count + 1)
            pc[count] = [c0]
            pt[count] = [t0]
            if count > 0 {
                for k in stride(from: count, through: 1, by: -1) {
                    let step = steps[k - 1]
                    var nc: [Int] = [], nt: [Int] = []
                    for j in 0..<pc[k].count {
                        let c = pc[k][j], t = pt[k][j]
                        switch step.op {
                        case .timeStretch:
                            var i0 = 0
                            if t < Int(step.integers[4 * n]) {
                                let i = Int(Float(t) * step.values[4 * n])
                                i0 = i >= length - 1 ? length - 1 : i
                            }
                            nc += [c, c]
                            nt += [i0, min(i0 + 1, length - 1)]
                        case .timeShift:
                            var from = t - Int(step.integers[4 * n])
                            if step.roll {
                                if from < 0 { from += length }
                            } else if from < 0 || from >= length {
                                from = 0  // not read: the op writes 0 there
                            }
                            nc.append(c)
                            nt.append(from)
                        case .channelMap:
                            let m = Int(step.channelMap[n * channels + c])
                            nc.append(m < 0 ? c : m)
                            nt.append(t)
                        default:
                            nc.append(c)
                            nt.append(t)
                        }
                    }
                    pc[k - 1] = nc
                    pt[k - 1] = nt
                }
            }
            var v = (0..<pc[0].count).map { source[(n * channels + pc[0][$0]) * length + pt[0][$0]] }
            if count > 0 {
                for k in 1...count {
                    let step = steps[k - 1]
                    let a = step.values[4 * n]
                    for j in 0..<pc[k].count {
                        let c = pc[k][j], t = pt[k][j]
                        let x: Float
                        switch step.op {
                        case .amplitudeScale:
                            x = v[j] * a
                        case .baselineWander:
                            let u = PortableMath.fma(Float(t), step.values[4 * n + 1], step.values[4 * n + 2])
                            x = PortableMath.fma(a, PortableMath.sinCos2Pi(u).sin, v[j])
                        case .gaussianNoise:
                            let sigma = step.relative ? rowSigma[(k - 1) * rows + n * channels + c] : a
                            x = PortableMath.fma(step.keys[n].normal(c * length + t), sigma, v[j])
                        case .timeStretch:
                            if t >= Int(step.integers[4 * n]) {
                                x = 0
                            } else {
                                let p = Float(t) * a
                                let i = Int(p)
                                if i >= length - 1 {
                                    x = v[2 * j]
                                } else {
                                    let frac = p - Float(i)
                                    let first = v[2 * j]
                                    x = PortableMath.fma(frac, v[2 * j + 1] - first, first)
                                }
                            }
                        case .timeShift:
                            let from = t - Int(step.integers[4 * n])
                            x = step.roll || (from >= 0 && from < length) ? v[j] : 0
                        case .channelMap:
                            x = step.channelMap[n * channels + c] < 0 ? 0 : v[j]
                        }
                        v[j] = x  // in place: a stretch reads 2j and 2j + 1 >= j before writing j
                    }
                    v.removeLast(v.count - pc[k].count)
                }
            }
            return v[0]
        }
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

    /// `signal_std` for the relative noise at op `k`: values[4n] of that op times each (sample,
    /// channel) row's population standard deviation of the signal after ops 0 ..< k, from 64-bit
    /// fixed-point sums (order-free).
    static func standardDeviations(
        _ program: Program, upTo k: Int, source: UnsafePointer<Float>, rowSigma: [Float]
    ) -> [Float] {
        let length = program.length
        let channels = program.channels
        let inverse = Float(1 / Double(length))
        let (sumBits, squareBits) = SignalStage.fixedPointBits(length: length)
        return rowSigma.withUnsafeBufferPointer { sigmas in
            (0..<program.rows).map { row in
                let n = row / channels
                let c = row - n * channels
                let x = (0..<length).map {
                    program.evaluate(k, n: n, c: c, t: $0, source: source, rowSigma: sigmas.baseAddress!)
                }
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
                return program.steps[k].values[4 * n] * scale(root, r - q)
            }
        }
    }
}

extension SignalStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUSignal.run(self, input: current.images)
    }
}
