import Dispatch

/// CPU twin of `Kernels/warp.cl`.
enum CPUWarp {
    /// The fused crop / flip / convert / normalize pass (``RemapStage``), exactly as
    /// `warp_remap` computes it.
    static func remap(_ stage: RemapStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try stage.checkInput(input)
        let geometry = stage.output
        let total = try checkedProduct([stage.count, geometry.height, geometry.width, geometry.channels],
                                       what: "remap output")
        switch (input.pixels, stage.outputFormat.pixelType) {
        case (.uint8(let source), .uint8):
            return try ImageBatch(pixels: .uint8(run(stage, source, UInt8.self, total, options)),
                                  count: stage.count, geometry: geometry, layout: stage.outputFormat.layout)
        case (.uint8(let source), .float32):
            return try ImageBatch(pixels: .float32(run(stage, source, Float.self, total, options)),
                                  count: stage.count, geometry: geometry, layout: stage.outputFormat.layout)
        case (.float32(let source), .uint8):
            return try ImageBatch(pixels: .uint8(run(stage, source, UInt8.self, total, options)),
                                  count: stage.count, geometry: geometry, layout: stage.outputFormat.layout)
        case (.float32(let source), .float32):
            return try ImageBatch(pixels: .float32(run(stage, source, Float.self, total, options)),
                                  count: stage.count, geometry: geometry, layout: stage.outputFormat.layout)
        }
    }

    private static func run<Source: CPUSourcePixel, Destination: CPUDestinationPixel>(
        _ stage: RemapStage, _ source: [Source], _: Destination.Type, _ total: Int, _ options: RunOptions
    ) -> [Destination] {
        let inStrides = ImageStrides(stage.input, layout: stage.inputLayout)
        let outStrides = ImageStrides(stage.output, layout: stage.outputFormat.layout)
        let height = stage.output.height
        let width = stage.output.width
        let channels = stage.output.channels
        let scale = stage.epilogue?.scale ?? Array(repeating: 1, count: channels)
        let bias = stage.epilogue?.bias ?? Array(repeating: 0, count: channels)
        let hasEpilogue = stage.epilogue != nil
        let windows = stage.windows
        // The output starts poisoned (NaN / 0xCD) whatever the options say: every element must be
        // written below, and the parity tests rely on a skipped element staying poisoned.
        _ = options
        return source.withUnsafeBufferPointer { buffer in
            guard let sourceBase = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: sourceBase)
            return CPUParallel.makeArray(count: total, initial: Destination.poison, jobs: stage.count * height) { dst, job in
                let n = job / height
                let y = job % height
                let window = windows[n]
                let sourceY = Int(window.y0) + Int(window.dy) * y
                let sourceRow = n * inStrides.sample + sourceY * inStrides.row
                let destinationRow = n * outStrides.sample + y * outStrides.row
                for x in 0..<width {
                    let sourceX = Int(window.x0) + Int(window.dx) * x
                    let sourcePixel = sourceRow + sourceX * inStrides.column
                    let destinationPixel = destinationRow + x * outStrides.column
                    for c in 0..<channels {
                        var value = Source.unitValue(src.base[sourcePixel + c * inStrides.channel])
                        if hasEpilogue {
                            value = bias[c].addingProduct(value, scale[c])
                        }
                        dst.base[destinationPixel + c * outStrides.channel] = Destination.fromUnitValue(value)
                    }
                }
            }
        }
    }
}
