/// CPU twin of `Kernels/noise.cl` (`noise_gaussian`).
enum CPUNoise {
    static func run(_ stage: NoiseStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: "noise")
        try stage.check(count: input.count, geometry: input.geometry)
        let (height, width, channels) = (stage.geometry.height, stage.geometry.width, stage.geometry.channels)
        let sampleSize = channels * height * width
        let (mean, sigma, keys, clip) = (stage.mean, stage.sigma, stage.keys, stage.clip)
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * channels * height)
            { dst, job in
                let n = job / (channels * height)
                let rowStart = job * width
                let elementStart = rowStart - n * sampleSize
                // One Philox block serves four consecutive elements, as on the device.
                var block = -1
                var z: (Float, Float, Float, Float) = (0, 0, 0, 0)
                for x in 0..<width {
                    var value = src.base[rowStart + x]
                    if let s = sigma[n] {
                        let e = elementStart + x
                        if e >> 2 != block {
                            block = e >> 2
                            z = keys[n].normals(block: UInt32(truncatingIfNeeded: block))
                        }
                        let normal: Float
                        switch e & 3 {
                        case 0: normal = z.0
                        case 1: normal = z.1
                        case 2: normal = z.2
                        default: normal = z.3
                        }
                        value = value + mean[n].addingProduct(normal, s)
                        if clip { value = ColorMath.clamp01(value) }
                    }
                    dst.base[rowStart + x] = value
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }
}

extension NoiseStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUNoise.run(self, input: current.images)
    }
}
