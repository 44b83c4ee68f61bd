import Augment

/// Host side of `Kernels/warp.cl`.
enum OpenCLWarp {
    /// Launches `warp_remap` for a ``RemapStage``: one launch for the whole batch.
    static func remap(
        _ stage: RemapStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        guard input.raggedGeometries == nil else {
            throw AugmentError.parameterMismatch(
                "the plan expects a dense batch of \(stage.input) images, got a ragged batch")
        }
        try stage.checkInput(
            count: input.count, geometry: input.geometry, pixelType: input.pixelType, layout: input.layout)
        let out = stage.output
        let windows = try backend.upload(stage.windows.flatMap { [$0.x0, $0.y0, $0.dx, $0.dy] }, timing: &timing)
        let scale = try backend.upload(
            stage.epilogue?.scale ?? Array(repeating: 1, count: out.channels), timing: &timing)
        let bias = try backend.upload(stage.epilogue?.bias ?? Array(repeating: 0, count: out.channels), timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: out, format: stage.outputFormat,
            options: options)
        let (groupWidth, exact) = rowGroupWidth(out.width, maxWorkGroupSize: backend.device.maxWorkGroupSize)
        let color = try colorEpilogue(stage.colorPrograms, count: stage.count, backend: backend, timing: &timing)
        // One launch per column direction (see warp.cl): the direction is a compile-time constant
        // there, which lets CPU devices vectorise the loads. Every sample is in exactly one launch.
        for direction in [Int32(1), -1] {
            let samples = stage.windows.indices.filter { stage.windows[$0].dx == direction }.map { Int32($0) }
            guard !samples.isEmpty else { continue }
            let program = try backend.program(
                family: "warp", exact: color.exact,
                defines: imageDefines(
                    input: input.pixelType, inputLayout: input.layout, output: stage.outputFormat,
                    channels: out.channels, hasEpilogue: stage.epilogue != nil
                ).merging([
                    "DX": "\(direction)",
                    "EXACT_WIDTH": exact ? "1" : "0",
                ]) { $1 }.merging(color.defines) { $1 })
            let kernel = try program.kernel("warp_remap")
            try kernel.setArgument(0, input.buffer)
            try kernel.setArgument(1, destination.buffer)
            try kernel.setArgument(2, windows)
            // Padded to the batch size so the pool sees one buffer size whatever the flip counts.
            let padded = samples + Array(repeating: 0, count: stage.count - samples.count)
            try kernel.setArgument(3, try backend.upload(padded, timing: &timing))
            try kernel.setArgument(4, scale)
            try kernel.setArgument(5, bias)
            try kernel.setArgument(6, value: Int32(stage.input.height))
            try kernel.setArgument(7, value: Int32(stage.input.width))
            try kernel.setArgument(8, value: Int32(out.height))
            try kernel.setArgument(9, value: Int32(out.width))
            try kernel.setArgument(10, color.ops)
            try kernel.setArgument(11, color.args)
            let event = try kernel.enqueue(
                on: backend.context,
                global: [roundUp(out.width, to: groupWidth), out.height, samples.count],
                local: [groupWidth, 1, 1])
            timing.recordKernel(event)
        }
        return destination
    }
}

/// Integer masks on the device, (N, H, W), as they pass between the stages of a plan.
final class DeviceMasks: @unchecked Sendable {
    // Safety: immutable after creation; the buffer is only touched through the backend's queue.
    let buffer: CLBuffer
    let geometries: [ImageGeometry]
    let isUInt8: Bool
    let ignoreIndex: Int32

    init(buffer: CLBuffer, geometries: [ImageGeometry], isUInt8: Bool, ignoreIndex: Int32) {
        self.buffer = buffer
        self.geometries = geometries
        self.isUInt8 = isUInt8
        self.ignoreIndex = ignoreIndex
    }

    var elementCount: Int { geometries.reduce(0) { $0 + $1.elementCount } }
}

extension OpenCLWarp {
    /// The per-sample arrays both general kernels read: coefficients, regions, offsets, sizes.
    private static func sampleArrays(
        _ stage: WarpStage, geometries: [ImageGeometry], backend: OpenCLBackend, timing: inout OpenCLTiming
    ) throws -> (matrices: CLBuffer, regions: CLBuffer, offsets: CLBuffer, sizes: CLBuffer) {
        var offsets: [Int64] = []
        var next: Int64 = 0
        for g in geometries {
            offsets.append(next)
            next += Int64(g.elementCount)
        }
        for r in stage.regions
        where [r.x0, r.y0, r.x1, r.y1].contains(where: { $0 < Int(Int32.min) || $0 > Int(Int32.max) }) {
            throw AugmentError.invalidShape("a warp region \(r) does not fit in 32-bit indices")
        }
        let matrices = try backend.upload(stage.matrices.flatMap(\.kernelCoefficients), timing: &timing)
        let regions = try backend.upload(
            stage.regions.flatMap { [Int32($0.x0), Int32($0.y0), Int32($0.x1), Int32($0.y1)] },
            timing: &timing)
        let offsetBuffer = try backend.upload(offsets, timing: &timing)
        let sizes = try backend.upload(geometries.flatMap { [Int32($0.height), Int32($0.width)] }, timing: &timing)
        return (matrices, regions, offsetBuffer, sizes)
    }

    private static func borderDefine(_ mode: BorderMode) -> String {
        switch mode {
        case .constant: return "0"
        case .edge: return "1"
        case .reflect: return "2"
        }
    }

    /// Launches `warp_general` for a ``WarpStage``: one launch for the whole batch, ragged or not.
    static func warp(
        _ stage: WarpStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try stage.checkInput(
            count: input.count, geometries: input.sampleGeometries, ragged: input.raggedGeometries != nil,
            pixelType: input.pixelType, layout: input.layout)
        // On CPU devices warp_general is not vectorised yet (LLVM's SLP pass packs its bilinear
        // taps; docs/architecture.md), so colour math inside it would run one pixel at a time. There
        // the stage runs as three kernels computing the same values in the same order: the warp
        // (sampling and fill) to float32, color_apply (vectorised) for the programs, and a remap for
        // the epilogue and the output format. GPUs run the single fused kernel.
        if let programs = stage.colorPrograms, backend.device.kind == .cpu {
            var bare = stage
            bare.colorPrograms = nil
            bare.epilogue = nil
            bare.outputFormat = .float32NCHW
            let sampled = try warp(bare, input: input, backend: backend, options: options, timing: &timing)
            let color = ColorStage(
                count: stage.count, input: stage.output, outputChannels: stage.output.channels,
                programs: programs)
            let colored = try OpenCLColor.run(
                color, input: sampled, backend: backend, options: options, timing: &timing)
            let finish = RemapStage(
                count: stage.count, input: stage.output, inputPixelType: .float32, inputLayout: .nchw,
                output: stage.output, outputFormat: stage.outputFormat,
                windows: Array(repeating: .identity, count: stage.count), epilogue: stage.epilogue)
            return try remap(finish, input: colored, backend: backend, options: options, timing: &timing)
        }
        let out = stage.output
        let color = try colorEpilogue(stage.colorPrograms, count: stage.count, backend: backend, timing: &timing)
        // Axis-aligned bilinear and antialiased warps sample through per-axis tap tables (see
        // SeparableWarp.swift); the tables are uploaded with the other per-sample arrays.
        let tables = stage.isSeparable ? stage.separableTables : nil
        let fillKind =
            stage.border.mode != .constant || stage.border.fill == nil
            ? "0"
            : (stage.border.fillRule == .torchvisionMask ? "1" : "2")
        let program = try backend.program(
            family: "warp", exact: color.exact,
            defines: imageDefines(
                input: input.pixelType, inputLayout: input.layout, output: stage.outputFormat,
                channels: out.channels, hasEpilogue: stage.epilogue != nil
            ).merging([
                "INTERP": stage.interpolation == .bilinear ? "1" : "0",
                "BORDER": borderDefine(stage.border.mode),
                "FILL": fillKind,
                "PERSPECTIVE": stage.isAffine ? "0" : "1",
                "EXACT_WIDTH": rowGroupWidth(out.width, maxWorkGroupSize: backend.device.maxWorkGroupSize).exact
                    ? "1" : "0",
                "SEPARABLE": tables == nil ? "0" : "1",
                "TAPS_X": "\(tables?.columns.taps ?? 2)",
                "TAPS_Y": "\(tables?.rows.taps ?? 2)",
                "DISPLACEMENT": OpenCLElastic.displacementDefine(stage.displacement),
            ]) { $1 }.merging(color.defines) { $1 })
        let kernel = try program.kernel("warp_general")
        let arrays = try sampleArrays(stage, geometries: input.sampleGeometries, backend: backend, timing: &timing)
        let scale = try backend.upload(
            stage.epilogue?.scale ?? Array(repeating: 1, count: out.channels), timing: &timing)
        let bias = try backend.upload(stage.epilogue?.bias ?? Array(repeating: 0, count: out.channels), timing: &timing)
        let fill = try backend.upload(stage.expandedFill, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: out, format: stage.outputFormat,
            options: options)
        try kernel.setArgument(0, input.buffer)
        try kernel.setArgument(1, destination.buffer)
        try kernel.setArgument(2, arrays.matrices)
        try kernel.setArgument(3, arrays.regions)
        try kernel.setArgument(4, arrays.offsets)
        try kernel.setArgument(5, arrays.sizes)
        try kernel.setArgument(6, scale)
        try kernel.setArgument(7, bias)
        try kernel.setArgument(8, fill)
        try kernel.setArgument(9, value: Int32(out.height))
        try kernel.setArgument(10, value: Int32(out.width))
        try kernel.setArgument(11, color.ops)
        try kernel.setArgument(12, color.args)
        if let tables {
            try kernel.setArgument(13, try backend.upload(tables.columns.indices, timing: &timing))
            try kernel.setArgument(14, try backend.upload(tables.columns.weights, timing: &timing))
            try kernel.setArgument(15, try backend.upload(tables.rows.indices, timing: &timing))
            try kernel.setArgument(16, try backend.upload(tables.rows.weights, timing: &timing))
        } else {
            // Never read without SEPARABLE: pooled placeholders, no transfer.
            for index in 13...16 { try kernel.setArgument(index, try backend.runBuffer(byteCount: 4)) }
        }
        try OpenCLElastic.setDisplacementArguments(
            stage.displacement, kernel: kernel, first: 17, backend: backend,
            timing: &timing)
        let (groupWidth, _) = rowGroupWidth(out.width, maxWorkGroupSize: backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(
            on: backend.context,
            global: [roundUp(out.width, to: groupWidth), out.height, stage.count],
            local: [groupWidth, 1, 1])
        timing.recordKernel(event)
        return destination
    }

    static func upload(_ masks: MaskBatch, backend: OpenCLBackend, timing: inout OpenCLTiming) throws -> DeviceMasks {
        switch masks.values {
        case .uint8(let values):
            return DeviceMasks(
                buffer: try backend.upload(values, timing: &timing), geometries: masks.geometries,
                isUInt8: true, ignoreIndex: masks.ignoreIndex)
        case .int32(let values):
            return DeviceMasks(
                buffer: try backend.upload(values, timing: &timing), geometries: masks.geometries,
                isUInt8: false, ignoreIndex: masks.ignoreIndex)
        }
    }

    static func download(_ masks: DeviceMasks, backend: OpenCLBackend, timing: inout OpenCLTiming) throws -> MaskBatch {
        if masks.isUInt8 {
            let (values, event) = try masks.buffer.download(UInt8.self, count: masks.elementCount, on: backend.context)
            timing.downloadNanoseconds += try event.durationNanoseconds()
            return try MaskBatch(values: .uint8(values), geometries: masks.geometries, ignoreIndex: masks.ignoreIndex)
        }
        let (values, event) = try masks.buffer.download(Int32.self, count: masks.elementCount, on: backend.context)
        timing.downloadNanoseconds += try event.durationNanoseconds()
        return try MaskBatch(values: .int32(values), geometries: masks.geometries, ignoreIndex: masks.ignoreIndex)
    }

    /// Launches `warp_mask`: the masks through the same matrices, nearest, one launch.
    static func warpMasks(
        _ stage: WarpStage, masks: DeviceMasks, backend: OpenCLBackend,
        timing: inout OpenCLTiming
    ) throws -> DeviceMasks {
        guard masks.geometries.count == stage.count,
            masks.geometries.map({ [$0.height, $0.width] }) == stage.inputGeometries.map({ [$0.height, $0.width] })
        else {
            throw AugmentError.parameterMismatch("the masks do not have the sizes of the images this plan was made for")
        }
        let out = stage.output
        let program = try backend.program(
            family: "warp",
            defines: [
                "SRC_F32": "", "SRC_NCHW": "", "DST_F32": "", "DST_NCHW": "", "CHANNELS": "1", "HAS_EPILOGUE": "0",
                masks.isUInt8 ? "MASK_U8" : "MASK_I32": "",
                "BORDER": borderDefine(stage.border.mode),
                "PERSPECTIVE": stage.isAffine ? "0" : "1",
                "DISPLACEMENT": OpenCLElastic.displacementDefine(stage.displacement),
            ])
        let kernel = try program.kernel("warp_mask")
        let arrays = try sampleArrays(stage, geometries: masks.geometries, backend: backend, timing: &timing)
        let outGeometries = Array(
            repeating: ImageGeometry(height: out.height, width: out.width, channels: 1), count: stage.count)
        let elements = outGeometries.reduce(0) { $0 + $1.elementCount }
        let buffer = try backend.runBuffer(byteCount: max(1, elements * (masks.isUInt8 ? 1 : 4)))
        try kernel.setArgument(0, masks.buffer)
        try kernel.setArgument(1, buffer)
        try kernel.setArgument(2, arrays.matrices)
        try kernel.setArgument(3, arrays.regions)
        try kernel.setArgument(4, arrays.offsets)
        try kernel.setArgument(5, arrays.sizes)
        try kernel.setArgument(6, value: masks.ignoreIndex)
        try kernel.setArgument(7, value: Int32(out.height))
        try kernel.setArgument(8, value: Int32(out.width))
        try OpenCLElastic.setDisplacementArguments(
            stage.displacement, kernel: kernel, first: 9, backend: backend,
            timing: &timing)
        let groupWidth = min(64, roundUp(out.width, to: 8), backend.device.maxWorkGroupSize)
        let event = try kernel.enqueue(
            on: backend.context,
            global: [roundUp(out.width, to: groupWidth), out.height, stage.count],
            local: [groupWidth, 1, 1])
        timing.recordKernel(event)
        return DeviceMasks(
            buffer: buffer, geometries: outGeometries, isUInt8: masks.isUInt8, ignoreIndex: masks.ignoreIndex)
    }
}

/// The colour programs of a warp or remap stage as kernel inputs: op codes and (a, b) arguments,
/// padded with identity steps to the longest program, and the defines (`COLOR_STEPS`, `USE_<OP>`)
/// of the variant. Without programs: `COLOR_STEPS=0` and unwritten placeholder buffers.
func colorEpilogue(
    _ programs: [[ColorStep]]?, count: Int, backend: OpenCLBackend, timing: inout OpenCLTiming
) throws -> (defines: [String: String], ops: CLBuffer, args: CLBuffer, exact: Bool) {
    let steps = programs?.map(\.count).max() ?? 0
    guard let programs, steps > 0 else {
        // Never read when COLOR_STEPS is 0: pooled placeholders, no transfer.
        return (["COLOR_STEPS": "0"], try backend.runBuffer(byteCount: 4), try backend.runBuffer(byteCount: 4), false)
    }
    var ops = [Int32](repeating: ColorOp.identity.rawValue, count: count * steps)
    var args = [Float](repeating: 0, count: count * steps * 2)
    for (n, program) in programs.enumerated() {
        for (k, step) in program.enumerated() {
            ops[n * steps + k] = step.op.rawValue
            args[(n * steps + k) * 2] = step.a
            args[(n * steps + k) * 2 + 1] = step.b
        }
    }
    var defines = ["COLOR_STEPS": "\(steps)"]
    for op in Set(programs.flatMap { $0.map(\.op) }) where op != .identity {
        defines["USE_\(String(describing: op).uppercased())"] = "1"
    }
    // Colour math divides (hue): build with correctly rounded division, as the colour family does.
    return (defines, try backend.upload(ops, timing: &timing), try backend.upload(args, timing: &timing), true)
}

extension RemapStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLWarp.remap(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
        run.masks = try run.masks.map {
            try OpenCLWarp.warpMasks(asWarp, masks: $0, backend: backend, timing: &run.timing)
        }
        try moveTargets(&run.result)
    }
}

extension WarpStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLWarp.warp(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
        run.masks = try run.masks.map {
            try OpenCLWarp.warpMasks(self, masks: $0, backend: backend, timing: &run.timing)
        }
        try moveTargets(&run.result)
    }
}
