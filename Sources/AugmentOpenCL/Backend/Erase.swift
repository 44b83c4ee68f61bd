import Augment

/// Host side of `Kernels/erase.cl`.
enum OpenCLErase {
    /// Runs an ``EraseStage``: one `erase_boxes` launch for the whole batch.
    static func run(
        _ stage: EraseStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the erase stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let channels = stage.geometry.channels
        var boxes: [Int32] = []
        var modes: [Int32] = []
        var values: [Float] = []
        var keys: [UInt32] = []
        var bases: [UInt32] = []
        for n in 0..<stage.count {
            let box = stage.clippedBox(n)
            boxes += [Int32(box.y0), Int32(box.y1), Int32(box.x0), Int32(box.x1)]
            switch stage.fills[n] {
            case .values(let fill):
                modes.append(0)
                values += (0..<channels).map { fill.count == 1 ? fill[0] : fill[$0] }
                keys += [0, 0]
                bases += [0, 0, 0, 0]
            case .normal(let key):
                modes.append(1)
                values += [Float](repeating: 0, count: channels)
                keys += [key.key0, key.key1]
                bases += [key.base0, key.base1, key.base2, 0]
            }
        }
        let program = try backend.exactProgram(family: "erase", defines: [:])
        let boxBuffer = try backend.upload(boxes, timing: &timing)
        let modeBuffer = try backend.upload(modes, timing: &timing)
        let valueBuffer = try backend.upload(values, timing: &timing)
        let keyBuffer = try backend.upload(keys, timing: &timing)
        let baseBuffer = try backend.upload(bases, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("erase_boxes")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(boxBuffer), .buffer(modeBuffer),
            .buffer(valueBuffer), .buffer(keyBuffer), .buffer(baseBuffer), .value(Int32(channels)),
            .value(Int32(stage.geometry.height)), .value(Int32(stage.geometry.width)),
        ])
        try launchPerElement(kernel, stage.geometry, count: stage.count, backend: backend, timing: &timing)
        return destination
    }
}

extension EraseStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLErase.run(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
