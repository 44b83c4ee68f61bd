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
        try kernel.setArguments(
            [
                .buffer(try field(displacement.field, backend: backend, timing: &timing)),
                .buffer(try backend.upload(displacement.post.flatMap(\.kernelCoefficients), timing: &timing)),
                .value(Int32(displacement.grid.height)), .value(Int32(displacement.grid.width)),
                .buffer(try backend.upload(displacement.fill, timing: &timing)),
            ], from: first)
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
        try generate.setArguments([.buffer(noise), .buffer(keys), .buffer(bases), .value(UInt32(perSample))])
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
        try blurRows.setArguments([
            .buffer(noise), .buffer(rows), .buffer(taps), .value(Int32(field.rowTaps[0].count)),
            .value(Int32(field.rowTaps[1].count)), .value(Int32(height)), .value(Int32(width)),
        ])
        try backend.enqueuePerPixel(blurRows, geometry: grid, count: 2 * count, timing: &timing)
        let blurColumns = try program.kernel("elastic_field_columns")
        try blurColumns.setArguments([
            .buffer(rows), .buffer(result), .buffer(taps), .value(Int32(field.columnTaps[0].count)),
            .value(Int32(field.columnTaps[1].count)), .value(field.scale[0]), .value(field.scale[1]),
            .value(Int32(height)), .value(Int32(width)),
        ])
        try backend.enqueuePerPixel(blurColumns, geometry: grid, count: 2 * count, timing: &timing)
        return result
    }
}
