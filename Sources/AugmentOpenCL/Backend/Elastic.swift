import Augment

/// Host side of `Kernels/elastic.cl`.
enum OpenCLElastic {
    /// Runs an ``ElasticStage``: one `elastic_sample` launch, NDRange (W, H, N).
    static func run(
        _ stage: ElasticStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the elastic stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.exactProgram(family: "elastic", defines: [
            "CHANNELS": "\(stage.geometry.channels)",
            "BILINEAR": stage.interpolation == .bilinear ? "1" : "0",
        ])
        let displacement = try backend.upload(stage.displacement, timing: &timing)
        let fill = try backend.upload(stage.fill, timing: &timing)
        let destination = try backend.outputImages(count: stage.count, geometry: stage.geometry, format: .float32NCHW,
                                                   options: options)
        let kernel = try program.kernel("elastic_sample")
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, displacement)
        try kernel.setArgument(3, fill)
        try kernel.setArgument(4, value: Int32(stage.geometry.height))
        try kernel.setArgument(5, value: Int32(stage.geometry.width))
        try backend.enqueuePerPixel(kernel, geometry: stage.geometry, count: stage.count, timing: &timing)
        return destination
    }

    /// `elastic_mask` over the batch's masks (nearest through the same field).
    static func masks(
        _ stage: ElasticStage, masks: DeviceMasks, backend: OpenCLBackend, timing: inout OpenCLTiming
    ) throws -> DeviceMasks {
        guard masks.geometries.count == stage.count,
              masks.geometries.allSatisfy({ $0.height == stage.geometry.height && $0.width == stage.geometry.width }) else {
            throw AugmentError.parameterMismatch("the masks do not have the sizes of the images this plan was made for")
        }
        let program = try backend.program(family: "elastic", defines: [
            "CHANNELS": "1", "BILINEAR": "0", "MASK_T": masks.isUInt8 ? "uchar" : "int",
        ])
        let (height, width) = (stage.geometry.height, stage.geometry.width)
        let displacement = try backend.upload(stage.displacement, timing: &timing)
        let buffer = try backend.runBuffer(byteCount: max(1, stage.count * height * width * (masks.isUInt8 ? 1 : 4)))
        let kernel = try program.kernel("elastic_mask")
        try kernel.setArgument(0, masks.buffer)
        try kernel.setArgument(1, buffer)
        try kernel.setArgument(2, displacement)
        try kernel.setArgument(3, value: masks.ignoreIndex)
        try kernel.setArgument(4, value: Int32(height))
        try kernel.setArgument(5, value: Int32(width))
        let group = min(64, roundUp(width, to: 8), backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(on: backend.context, global: [roundUp(width, to: group), height, stage.count],
                                       local: [group, 1, 1])
        timing.recordKernel(event)
        return DeviceMasks(buffer: buffer, geometries: masks.geometries, isUInt8: masks.isUInt8, ignoreIndex: masks.ignoreIndex)
    }
}

extension ElasticStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLElastic.run(self, input: run.images, backend: backend, options: options, timing: &run.timing)
        run.masks = try run.masks.map { try OpenCLElastic.masks(self, masks: $0, backend: backend, timing: &run.timing) }
        try moveTargets(&run.result)
    }
}
