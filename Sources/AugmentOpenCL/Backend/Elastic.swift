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

    /// The `DISPLACEMENT` define of the warp kernels for a stage's displacement.
    static func displacementDefine(_ displacement: WarpDisplacement?) -> String {
        guard let displacement else { return "0" }
        return displacement.postIsInteger ? "1" : "2"
    }

    /// Sets the trailing `WARP_DISPLACEMENT_ARGS` of a warp kernel (field, post coefficients, grid
    /// height and width, elastic fill) from `first` on, making the field first; nothing without a displacement.
    static func setDisplacementArguments(
        _ displacement: WarpDisplacement?, kernel: CLKernel, first: Int, backend: OpenCLBackend, timing: inout OpenCLTiming
    ) throws {
        guard let displacement else { return }
        try kernel.setArgument(first, try field(displacement.field, backend: backend, timing: &timing))
        try kernel.setArgument(first + 1, try backend.upload(displacement.post.flatMap(\.kernelCoefficients), timing: &timing))
        try kernel.setArgument(first + 2, value: Int32(displacement.grid.height))
        try kernel.setArgument(first + 3, value: Int32(displacement.grid.width))
        try kernel.setArgument(first + 4, try backend.upload(displacement.fill, timing: &timing))
    }

    /// The field in pixels, (N, H, W, 2) floats on the device: uploaded when explicit, otherwise made
    /// there from the noise keys by `elastic_field_noise`, `elastic_field_rows` and
    /// `elastic_field_columns` (the same bits as ``ElasticField/pixels(sample:)``).
    static func field(_ field: ElasticField, backend: OpenCLBackend, timing: inout OpenCLTiming) throws -> CLBuffer {
        try field.check()
        if let explicit = field.explicit {
            return try backend.upload(explicit, timing: &timing)
        }
        let (height, width, count) = (field.height, field.width, field.count)
        let perSample = 2 * height * width
        let program = try backend.exactProgram(family: "elastic", defines: ["CHANNELS": "1", "BILINEAR": "0"])
        let noise = try backend.runBuffer(byteCount: count * perSample * 4)
        let rows = try backend.runBuffer(byteCount: count * perSample * 4)
        let result = try backend.runBuffer(byteCount: count * perSample * 4)
        let keys = try backend.upload(field.keys.flatMap { [$0.key0, $0.key1] }, timing: &timing)
        let bases = try backend.upload(field.keys.flatMap { [$0.base0, $0.base1, $0.base2, 0] }, timing: &timing)
        let generate = try program.kernel("elastic_field_noise")
        try generate.setArgument(0, noise)
        try generate.setArgument(1, keys)
        try generate.setArgument(2, bases)
        try generate.setArgument(3, value: UInt32(perSample))
        let blocks = (perSample + 3) / 4
        let group = min(64, roundUp(blocks, to: 8), backend.device.maxWorkGroupSize)
        timing.recordKernel(try generate.enqueue(on: backend.context, global: [roundUp(blocks, to: group), count],
                                                 local: [group, 1]))
        let taps = try backend.upload(field.rowTaps[0] + field.columnTaps[0] + field.rowTaps[1] + field.columnTaps[1] + [0],
                                      timing: &timing)
        let grid = ImageGeometry(height: height, width: (width + 3) / 4, channels: 1)  // four columns per work-item
        let blurRows = try program.kernel("elastic_field_rows")
        try blurRows.setArgument(0, noise)
        try blurRows.setArgument(1, rows)
        try blurRows.setArgument(2, taps)
        try blurRows.setArgument(3, value: Int32(field.rowTaps[0].count))
        try blurRows.setArgument(4, value: Int32(field.rowTaps[1].count))
        try blurRows.setArgument(5, value: Int32(height))
        try blurRows.setArgument(6, value: Int32(width))
        try backend.enqueuePerPixel(blurRows, geometry: grid, count: 2 * count, timing: &timing)
        let blurColumns = try program.kernel("elastic_field_columns")
        try blurColumns.setArgument(0, rows)
        try blurColumns.setArgument(1, result)
        try blurColumns.setArgument(2, taps)
        try blurColumns.setArgument(3, value: Int32(field.columnTaps[0].count))
        try blurColumns.setArgument(4, value: Int32(field.columnTaps[1].count))
        try blurColumns.setArgument(5, value: field.scale[0])
        try blurColumns.setArgument(6, value: field.scale[1])
        try blurColumns.setArgument(7, value: Int32(height))
        try blurColumns.setArgument(8, value: Int32(width))
        try backend.enqueuePerPixel(blurColumns, geometry: grid, count: 2 * count, timing: &timing)
        return result
    }
}
