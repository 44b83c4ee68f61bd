/// CPU twin of `Kernels/dropout.cl` (`dropout_apply`).
enum CPUDropout {
    /// Whether pixel `e` of sample `n` is dropped in pixel mode (the kernel's integer comparison).
    @inline(__always)
    static func dropped(_ key: NoiseKey, threshold: UInt32, pixel e: Int) -> Bool {
        let words = Philox4x32.block(
            counter: (UInt32(truncatingIfNeeded: e >> 2), key.base0, key.base1, key.base2),
            key: (key.key0, key.key1))
        let word: UInt32
        switch e & 3 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return word >> 8 < threshold
    }

    static func run(_ stage: DropoutStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: "random_dropout")
        try stage.check(count: input.count, geometry: input.geometry)
        let (height, width, channels) = (stage.geometry.height, stage.geometry.width, stage.geometry.channels)
        let plane = height * width
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * height) {
                dst, job in
                let n = job / height, y = job - n * height
                for x in 0..<width {
                    let pixel = y * width + x
                    var drop = false
                    if let thresholds = stage.thresholds {
                        drop = dropped(stage.keys[n], threshold: thresholds[n], pixel: pixel)
                    } else {
                        for k in 0..<stage.boxesPerSample {
                            let b = (n * stage.boxesPerSample + k) * 4
                            let box = stage.boxes
                            if x >= Int(box[b]) && y >= Int(box[b + 1]) && x < Int(box[b + 2]) && y < Int(box[b + 3]) {
                                drop = true
                            }
                        }
                    }
                    for c in 0..<channels {
                        let i = n * plane * channels + c * plane + pixel
                        dst.base[i] = drop ? stage.value : src.base[i]
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }
}

extension DropoutStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUDropout.run(self, input: current.images)
    }
}
