/// CPU twin of `Kernels/erase.cl` (`erase_boxes`).
enum CPUErase {
    static func run(_ stage: EraseStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: "erase")
        try stage.check(count: input.count, geometry: input.geometry)
        let (height, width, channels) = (stage.geometry.height, stage.geometry.width, stage.geometry.channels)
        let boxes = (0..<stage.count).map(stage.clippedBox)
        let fills = stage.fills
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * channels * height)
            { dst, job in
                let y = job % height
                let c = (job / height) % channels
                let n = job / (channels * height)
                let plane = (job / height) * height * width
                let box = boxes[n]
                for x in 0..<width {
                    var value = src.base[plane + y * width + x]
                    if y >= box.y0, y < box.y1, x >= box.x0, x < box.x1 {
                        switch fills[n] {
                        case .values(let values): value = values.count == 1 ? values[0] : values[c]
                        case .normal(let key): value = key.normal((c * height + y) * width + x)
                        }
                    }
                    dst.base[plane + y * width + x] = value
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }
}

extension EraseStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUErase.run(self, input: current.images)
    }
}
