import Augment

/// Host side of `Kernels/elastic.cl`.
enum OpenCLElastic {
    /// The `DISPLACEMENT` define of the warp kernels for a stage's displacement.
    static func displacementDefine(_ displacement: WarpDisplacement?) -> String {
        guard let displacement else { return "0" }
        return displacement.postIsInteger ? "1" : "2"
    }

    /// Sets the trailing `WARP_DISPLACEMENT_ARGS` of a warp kernel (field, post coefficients, grid
    /// height and width, elastic fill) from `first` on, making the field first; nothing without a displacement.
    static func setDisplacementArguments(
        _ displacement: WarpDisplacement?, kernel: CLKernel, first: Int, backend: OpenCLBackend,
        timing: inout OpenCLTiming
    ) throws {
        guard let displacement else { return }
        try kernel.setArgument(first, try field(displacement.field, backend: backend, timing: &timing))
        try kernel.setArgument(
            first + 1, try backend.upload(displacement.post.flatMap(\.kernelCoefficients), timing: &timing))
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
        let program = try backend.exactProgram(family: "elastic", defines: [:])
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
        timing.recordKernel(
            try generate.enqueue(
                on: backend.context, global: [roundUp(blocks, to: group), count],
                local: [group, 1]))
        let taps = try backend.upload(
            field.rowTaps[0] + field.columnTaps[0] + field.rowTaps[1] + field.columnTaps[1] + [0],
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
