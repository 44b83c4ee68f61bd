/// CPU twin of `Kernels/fanout.cl`.
enum CPUFanOut {
    /// `fanout_replicate`: output sample v is input sample v / copies.
    static func replicate(_ stage: ReplicateStage, input: ImageBatch) throws -> ImageBatch {
        let source = try CPUMix.floatNCHWValues(input, stage: "replicate")
        try stage.check(count: input.count, geometry: input.geometry)
        let per = stage.geometry.elementCount
        let copies = stage.copies
        let output = source.withUnsafeBufferPointer { buffer -> [Float] in
            guard let base = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: stage.outputCount * per, initial: Float.nan, jobs: stage.outputCount) {
                dst, v in
                let from = (v / copies) * per
                for i in 0..<per { dst.base[v * per + i] = src.base[from + i] }
            }
        }
        return try ImageBatch(
            pixels: .float32(output), count: stage.outputCount, geometry: stage.geometry, layout: .nchw)
    }

    /// `fanout_weighted_sum`: left to right, products and sums rounded separately.
    static func weightedSum(_ stage: WeightedSumStage, input: ImageBatch) throws -> ImageBatch {
        let source = try CPUMix.floatNCHWValues(input, stage: "weighted sum")
        try stage.check(count: input.count, geometry: input.geometry)
        let per = stage.geometry.elementCount
        let terms = stage.terms
        let weights = stage.weights
        let output = source.withUnsafeBufferPointer { buffer -> [Float] in
            guard let base = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: stage.count * per, initial: Float.nan, jobs: stage.count) { dst, n in
                let w = weights[n]
                let first = n * terms * per
                for i in 0..<per {
                    var acc = w[0] * src.base[first + i]
                    for k in 1..<max(terms, 1) {
                        let term = w[k] * src.base[first + k * per + i]
                        acc = acc + term
                    }
                    dst.base[n * per + i] = acc
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }
}

extension WeightedSumStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUFanOut.weightedSum(self, input: current.images)
    }
}

extension ReplicateStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        try ReplicateStage.checkNoTargets(current)
        current.images = try CPUFanOut.replicate(self, input: current.images)
    }
}
