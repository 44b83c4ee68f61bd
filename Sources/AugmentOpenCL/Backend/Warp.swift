import Augment
import Foundation

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
        var color = try WarpColor(
            stage.colorPrograms, count: stage.count, channels: out.channels, backend: backend, timing: &timing)
        // A statistic step: the pre-pass samples the same pixels through the windows as matrices.
        let asWarp = stage.asWarp
        let asWarpTables = tapTables(asWarp)
        let statistics = try color.statistics(
            asWarp, tables: asWarpTables,
            tableArguments: color.statisticSteps == nil
                ? [] : try tableArguments(asWarpTables, backend: backend, timing: &timing),
            input: input,
            warpDefines: generalDefines(asWarp, tables: asWarpTables, input: input, backend: backend),
            backend: backend, options: options, timing: &timing)
        color.defines["STAT_GROUP"] = nil  // warp_remap's own build needs no statistics kernel
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
            // Padded to the batch size so the pool sees one buffer size whatever the flip counts.
            let padded = samples + Array(repeating: 0, count: stage.count - samples.count)
            try kernel.setArguments(
                [
                    .buffer(input.buffer), .buffer(destination.buffer), .buffer(windows),
                    .buffer(try backend.upload(padded, timing: &timing)), .buffer(scale), .buffer(bias),
                    .value(Int32(stage.input.height)), .value(Int32(stage.input.width)), .value(Int32(out.height)),
                    .value(Int32(out.width)),
                ] + color.arguments(statistics: statistics))
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
    static func sampleArrays(
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

    /// The four tap-table arguments of `warp_general` (column indices and weights, row indices and
    /// weights; see SeparableWarp.swift), or pooled placeholders, never read, without SEPARABLE.
    static func tableArguments(
        _ tables: SeparableTables?, backend: OpenCLBackend, timing: inout OpenCLTiming
    ) throws -> [KernelArgument] {
        guard let tables else {
            return try (0..<4).map { _ -> KernelArgument in .buffer(try backend.runBuffer(byteCount: 4)) }
        }
        return [
            .buffer(try backend.upload(tables.columns.indices, timing: &timing)),
            .buffer(try backend.upload(tables.columns.weights, timing: &timing)),
            .buffer(try backend.upload(tables.rows.indices, timing: &timing)),
            .buffer(try backend.upload(tables.rows.weights, timing: &timing)),
        ]
    }

    private static func borderDefine(_ mode: BorderMode) -> String {
        switch mode {
        case .constant: return "0"
        case .edge: return "1"
        case .reflect: return "2"
        }
    }

    /// The tap tables of `stage` when it samples through them (``WarpStage/isSeparable``): made once
    /// per launch of the stage and passed to everything that needs them.
    static func tapTables(_ stage: WarpStage) -> SeparableTables? {
        stage.isSeparable ? stage.separableTables : nil
    }

    /// The defines of `warp_general` and `warp_color_stats` for a stage (`tables`: its
    /// ``tapTables(_:)``), without the colour ones.
    static func generalDefines(
        _ stage: WarpStage, tables: SeparableTables?, input: DeviceImages, backend: OpenCLBackend
    ) -> [String: String] {
        // Axis-aligned bilinear and antialiased warps sample through per-axis tap tables (see
        // SeparableWarp.swift); the tables are uploaded with the other per-sample arrays.
        let fillKind =
            stage.border.mode != .constant || stage.border.fill == nil
            ? "0"
            : (stage.border.fillRule == .torchvisionMask ? "1" : "2")
        return imageDefines(
            input: input.pixelType, inputLayout: input.layout, output: stage.outputFormat,
            channels: stage.output.channels, hasEpilogue: stage.epilogue != nil
        ).merging([
            "INTERP": stage.interpolation == .bilinear ? "1" : "0",
            "BORDER": borderDefine(stage.border.mode),
            "FILL": fillKind,
            "PERSPECTIVE": stage.isAffine ? "0" : "1",
            "EXACT_WIDTH": rowGroupWidth(stage.output.width, maxWorkGroupSize: backend.device.maxWorkGroupSize).exact
                ? "1" : "0",
            "SEPARABLE": tables == nil ? "0" : "1",
            "TAPS_X": "\(tables?.columns.taps ?? 2)",
            "TAPS_Y": "\(tables?.rows.taps ?? 2)",
            "TABLE_TAPS_X": "\(tables?.columns.taps ?? 2)",
            "TABLE_TAPS_Y": "\(tables?.rows.taps ?? 2)",
            "DISPLACEMENT": OpenCLElastic.displacementDefine(stage.displacement),
        ]) { $1 }
    }

    /// Launches `warp_general` for a ``WarpStage``, ragged or not, after the `warp_color_stats`
    /// pre-pass when a colour step needs an image statistic: one launch for the whole batch, or,
    /// with tap tables, one per pair of sample tap counts (``SeparableAxis/sampleTaps``), each a
    /// variant whose tap loops have compile-time bounds (an upscaled sample of an antialiased crop
    /// reads 2 x 2 taps, not the batch's largest window).
    static func warp(
        _ stage: WarpStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try stage.checkInput(
            count: input.count, geometries: input.sampleGeometries, ragged: input.raggedGeometries != nil,
            pixelType: input.pixelType, layout: input.layout)
        // On CPU devices colour math inside warp_general runs one pixel at a time (its op dispatch
        // and the statistics pre-pass, which samples every pixel again, do not vectorise; measured
        // on the imagenet pipeline on PoCL: 212-234 img/s fused against 1024-1104 split, kernel
        // time, docs/benchmarks.md). There
        // the stage runs as separate kernels computing the same values in the same order: the warp
        // (sampling and fill) to float32, color_apply (vectorised) for the programs and the
        // epilogue, and, for any output but float32 NCHW, a remap for the output format. GPUs run the single fused kernel (after the statistics
        // pre-pass when a step needs one). AUGMENT_FUSED_WARP_COLOR=1 runs the fused kernels on CPU
        // devices too: to test the GPU path on every implementation, and to measure the choice
        // (docs/benchmarks.md).
        if let programs = stage.colorPrograms, backend.device.kind == .cpu,
            ProcessInfo.processInfo.environment["AUGMENT_FUSED_WARP_COLOR"] != "1"
        {
            var bare = stage
            bare.colorPrograms = nil
            bare.epilogue = nil
            bare.outputFormat = .float32NCHW
            let sampled = try backend.intermediate {
                try warp(bare, input: input, backend: backend, options: options, timing: &timing)
            }
            let color = ColorStage(
                count: stage.count, input: stage.output, outputChannels: stage.output.channels,
                programs: programs)
            if stage.outputFormat == .float32NCHW {  // color_apply applies the epilogue itself
                return try OpenCLColor.run(
                    color, input: sampled, epilogue: stage.epilogue, backend: backend, options: options,
                    timing: &timing)
            }
            let colored = try backend.intermediate {
                try OpenCLColor.run(color, input: sampled, backend: backend, options: options, timing: &timing)
            }
            let finish = RemapStage(
                count: stage.count, input: stage.output, inputPixelType: .float32, inputLayout: .nchw,
                output: stage.output, outputFormat: stage.outputFormat,
                windows: Array(repeating: .identity, count: stage.count), epilogue: stage.epilogue)
            return try remap(finish, input: colored, backend: backend, options: options, timing: &timing)
        }
        let out = stage.output
        var color = try WarpColor(
            stage.colorPrograms, count: stage.count, channels: out.channels, backend: backend, timing: &timing)
        let tables = tapTables(stage)
        let defines = generalDefines(stage, tables: tables, input: input, backend: backend)
        // Uploaded once for the statistics pre-pass and the warp.
        let tableBuffers = try tableArguments(tables, backend: backend, timing: &timing)
        let statistics = try color.statistics(
            stage, tables: tables, tableArguments: tableBuffers, input: input, warpDefines: defines,
            backend: backend, options: options, timing: &timing)
        let arrays = try sampleArrays(stage, geometries: input.sampleGeometries, backend: backend, timing: &timing)
        let scale = try backend.upload(
            stage.epilogue?.scale ?? Array(repeating: 1, count: out.channels), timing: &timing)
        let bias = try backend.upload(stage.epilogue?.bias ?? Array(repeating: 0, count: out.channels), timing: &timing)
        let fill = try backend.upload(stage.expandedFill, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: out, format: stage.outputFormat,
            options: options)
        let common =
            [
                .buffer(input.buffer), .buffer(destination.buffer), .buffer(arrays.matrices), .buffer(arrays.regions),
                .buffer(arrays.offsets), .buffer(arrays.sizes), .buffer(scale), .buffer(bias), .buffer(fill),
                .value(Int32(out.height)), .value(Int32(out.width)),
            ] + color.arguments(statistics: statistics) + tableBuffers
        let (groupWidth, _) = rowGroupWidth(out.width, maxWorkGroupSize: backend.device.maxWorkGroupSize)
        for group in launchGroups(tables, count: stage.count) {
            // The same defines as the pre-pass (STAT_GROUP included) but the tap bounds: without
            // tables, or for the largest counts, one program holds both kernels.
            let taps = group.taps.map { ["TAPS_X": "\($0.x)", "TAPS_Y": "\($0.y)"] } ?? [:]
            let program = try backend.program(
                family: "warp", exact: color.exact, defines: defines.merging(color.defines) { $1 }.merging(taps) { $1 })
            let kernel = try program.kernel("warp_general")
            // Padded to the batch size so the pool sees one buffer size whatever the group sizes.
            let padded = group.samples + Array(repeating: 0, count: stage.count - group.samples.count)
            try kernel.setArguments(common + [.buffer(try backend.upload(padded, timing: &timing))])
            try OpenCLElastic.setDisplacementArguments(
                stage.displacement, kernel: kernel, first: 20, backend: backend,
                timing: &timing)
            let event = try kernel.enqueue(
                on: backend.context,
                global: [roundUp(out.width, to: groupWidth), out.height, group.samples.count],
                local: [groupWidth, 1, 1])
            timing.recordKernel(event)
        }
        return destination
    }

    /// The launches of `warp_general`: all samples at once without tap tables (`taps` nil: the
    /// stage's own defines), else the samples of each (columns, rows) tap-count pair, in the order
    /// of their first sample.
    static func launchGroups(_ tables: SeparableTables?, count: Int) -> [(taps: (x: Int, y: Int)?, samples: [Int32])] {
        guard let tables else { return [(nil, (0..<count).map { Int32($0) })] }
        var order: [[Int]] = []
        var members: [[Int]: [Int32]] = [:]
        for n in 0..<count {
            let key = [tables.columns.sampleTaps[n], tables.rows.sampleTaps[n]]
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(Int32(n))
        }
        return order.map { ((x: $0[0], y: $0[1]), members[$0]!) }
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
        try kernel.setArguments([
            .buffer(masks.buffer), .buffer(buffer), .buffer(arrays.matrices), .buffer(arrays.regions),
            .buffer(arrays.offsets), .buffer(arrays.sizes), .value(masks.ignoreIndex), .value(Int32(out.height)),
            .value(Int32(out.width)),
        ])
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
/// of the variant. Without programs: `COLOR_STEPS=0` and unwritten placeholder buffers. When a step
/// needs an image statistic, ``statistics(_:input:backend:options:timing:)`` runs the
/// `warp_color_stats` pre-pass and the kernels read its buffer; otherwise a placeholder.
struct WarpColor {
    var defines: [String: String]
    let ops: CLBuffer
    let args: CLBuffer
    /// Colour math divides (hue): build with correctly rounded division, as the colour family does.
    let exact: Bool
    /// Per sample, the index of its statistic step (-1: none); nil when no step needs one.
    let statisticSteps: [Int32]?
    /// Floats per sample in the statistics buffer (0 without statistics).
    let statisticStride: Int
    /// Whether a statistic is per channel (autocontrast, equalize): one work-group per channel.
    let perChannelStatistics: Bool

    init(
        _ programs: [[ColorStep]]?, count: Int, channels: Int, backend: OpenCLBackend, timing: inout OpenCLTiming
    )
        throws
    {
        let steps = programs?.map(\.count).max() ?? 0
        guard let programs, steps > 0 else {
            // Never read when COLOR_STEPS is 0: pooled placeholders, no transfer.
            defines = ["COLOR_STEPS": "0"]
            ops = try backend.runBuffer(byteCount: 4)
            args = try backend.runBuffer(byteCount: 4)
            exact = false
            statisticSteps = nil
            statisticStride = 0
            perChannelStatistics = false
            return
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
        self.defines = defines
        self.ops = try backend.upload(ops, timing: &timing)
        self.args = try backend.upload(args, timing: &timing)
        exact = true
        let color = ColorStage(
            count: count, input: ImageGeometry(height: 1, width: 1, channels: channels), outputChannels: channels,
            programs: programs)
        statisticSteps = color.needsStatistics ? (0..<count).map { Int32(color.statisticStep(sample: $0) ?? -1) } : nil
        statisticStride = color.needsStatistics ? color.statisticStride : 0
        perChannelStatistics = color.needsChannelStatistics
    }

    /// The colour arguments of `warp_remap` and `warp_general`: ops, args, statistics, stride.
    func arguments(statistics: CLBuffer) -> [KernelArgument] {
        [.buffer(ops), .buffer(args), .buffer(statistics), .value(Int32(statisticStride))]
    }

    /// Runs `warp_color_stats` over the output pixels of the general warp `stage` (a remap passes
    /// ``RemapStage/asWarp``) built with `warpDefines`, one work-group per (sample, channel), and
    /// returns the statistics buffer; a placeholder when no step needs a statistic. Sets
    /// `STAT_GROUP` in ``defines`` (the work-group size the kernel allows on this device), so that a
    /// `warp_general` built with the same defines is the same program. `tableArguments`: the tap
    /// tables already uploaded for the warp (``OpenCLWarp/tableArguments(_:backend:timing:)``).
    mutating func statistics(
        _ stage: WarpStage, tables: SeparableTables?, tableArguments: [KernelArgument], input: DeviceImages,
        warpDefines: [String: String], backend: OpenCLBackend, options: RunOptions, timing: inout OpenCLTiming
    ) throws -> CLBuffer {
        guard let statisticSteps else { return try backend.runBuffer(byteCount: 4) }
        var groupSize = backend.reductionGroupSize
        func build() throws -> CLProgram {
            defines["STAT_GROUP"] = "\(groupSize)"
            return try backend.program(family: "warp", exact: exact, defines: warpDefines.merging(defines) { $1 })
        }
        var program = try build()
        // Local arrays and the tree reduction are sized by STAT_GROUP, so the work-group is fixed:
        // halve it until the kernel's own limit on this device allows it.
        while groupSize > 1, try program.kernel("warp_color_stats").workGroupLimit(on: backend.device) < groupSize {
            groupSize /= 2
            program = try build()
        }
        let out = stage.output
        let stats = try backend.scratchFloats(stage.count * statisticStride, options: options)
        let arrays = try OpenCLWarp.sampleArrays(
            stage, geometries: input.sampleGeometries, backend: backend,
            timing: &timing)
        let kernel = try program.kernel("warp_color_stats")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(arrays.matrices), .buffer(arrays.regions), .buffer(arrays.offsets),
            .buffer(arrays.sizes), .buffer(try backend.upload(stage.expandedFill, timing: &timing)),
            .value(Int32(out.height)), .value(Int32(out.width)), .buffer(ops), .buffer(args),
            .buffer(try backend.upload(statisticSteps, timing: &timing)), .buffer(stats),
            .value(Int32(statisticStride)), .value(Float(1 / (0x1p24 * Double(out.height * out.width)))),
        ])
        let tapCounts = tables.map { t in
            (0..<stage.count).flatMap { [Int32(t.columns.sampleTaps[$0]), Int32(t.rows.sampleTaps[$0])] }
        }
        try kernel.setArguments(
            tableArguments
                + [
                    .buffer(
                        try tapCounts.map { try backend.upload($0, timing: &timing) } ?? backend.runBuffer(byteCount: 4)
                    )
                ],
            from: 14)
        try OpenCLElastic.setDisplacementArguments(
            stage.displacement, kernel: kernel, first: 19, backend: backend, timing: &timing)
        let channels = perChannelStatistics ? out.channels : 1
        try backend.launch(
            kernel, global: [groupSize, channels, stage.count], local: [groupSize, 1, 1], fixedLocal: true,
            timing: &timing)
        return stats
    }
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
