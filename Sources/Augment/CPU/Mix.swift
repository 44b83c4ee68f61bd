/// CPU twin of `Kernels/mix.cl`.
enum CPUMix {
    /// The MixUp / CutMix pixel pass (``MixStage``), exactly as `mix_apply` computes it. Labels
    /// are mixed by the caller through ``MixStage/mixedLabels(_:)``.
    static func apply(_ stage: MixStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let source = try floatNCHWValues(input, stage: stage.op)
        let geometry = stage.geometry
        let height = geometry.height, width = geometry.width, channels = geometry.channels
        let plane = height * width
        let (table, weights) = stage.kernelTable
        // The output starts poisoned whatever the options say (see CPUWarp.run).
        _ = options
        let values = source.withUnsafeBufferPointer { buffer -> [Float] in
            guard let base = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * height) {
                dst, job in
                let n = job / height
                let y = job % height
                let kind = table[8 * n]
                let partner = Int(table[8 * n + 1])
                let top = Int(table[8 * n + 4]), left = Int(table[8 * n + 5])
                let bottom = Int(table[8 * n + 6]), right = Int(table[8 * n + 7])
                let own = weights[2 * n], other = weights[2 * n + 1]
                let rowInBox = y >= top && y < bottom
                for c in 0..<channels {
                    let ownRow = (n * channels + c) * plane + y * width
                    let partnerRow = (partner * channels + c) * plane + y * width
                    for x in 0..<width {
                        let a = src.base[ownRow + x]
                        let value: Float
                        switch kind {
                        case 1:
                            value = (src.base[partnerRow + x] * other).addingProduct(a, own)
                        case 2:
                            value = rowInBox && x >= left && x < right ? src.base[partnerRow + x] : a
                        default:
                            value = a
                        }
                        dst.base[ownRow + x] = value
                    }
                }
            }
        }
        return try ImageBatch(pixels: .float32(values), count: input.count, geometry: geometry, layout: .nchw)
    }

    /// The values of a float32 NCHW batch (what every non-remap stage reads), or a
    /// `parameterMismatch` naming the stage.
    static func floatNCHWValues(_ images: ImageBatch, stage: String) throws -> [Float] {
        guard let values = images.float32Values, images.layout == .nchw else {
            throw AugmentError.parameterMismatch("\(stage) expects float32 NCHW images, got \(images.shapeDescription)")
        }
        return values
    }
}

extension MixStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        let mix = try CPUSaliency.resolve(self, images: current.images)
        current.labels = try mix.mixedLabels(current.labels)
        current.images = try CPUMix.apply(mix, input: current.images, options: options)
    }
}
