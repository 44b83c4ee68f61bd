import Dispatch

/// CPU twin of `Kernels/warp.cl`.
enum CPUWarp {
    /// The fused crop / flip / convert / normalize pass (``RemapStage``), exactly as
    /// `warp_remap` computes it.
    static func remap(_ stage: RemapStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try stage.checkInput(input)
        if colorPassReads(stage.colorPrograms) > 1 {
            return try CPUColor.remapWithStatistics(stage, input: input, options: options)
        }
        let geometry = stage.output
        let total = try checkedProduct(
            [stage.count, geometry.height, geometry.width, geometry.channels],
            what: "remap output")
        return try dispatchPixels(
            input.pixels, to: stage.outputFormat, count: stage.count, geometry: geometry,
            RemapPass(stage: stage, total: total, options: options))
    }

    private struct RemapPass: PixelPass {
        let stage: RemapStage, total: Int, options: RunOptions
        func run<Source: CPUSourcePixel, Destination: CPUDestinationPixel>(
            _ source: [Source], into type: Destination.Type
        ) -> [Destination] {
            CPUWarp.run(stage, source, type, total, options)
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
        let programs = stage.colorPrograms
        // The output starts poisoned (NaN / 0xCD) whatever the options say: every element must be
        // written below, and the parity tests rely on a skipped element staying poisoned.
        _ = options
        return source.withUnsafeBufferPointer { buffer in
            guard let sourceBase = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: sourceBase)
            return CPUParallel.makeArray(count: total, initial: Destination.poison, jobs: stage.count * height) {
                dst, job in
                let n = job / height
                let y = job % height
                let window = windows[n]
                let sourceY = Int(window.y0) + Int(window.dy) * y
                let sourceRow = n * inStrides.sample + sourceY * inStrides.row
                let destinationRow = n * outStrides.sample + y * outStrides.row
                withPixelScratch(channels) { px in
                    for x in 0..<width {
                        let sourceX = Int(window.x0) + Int(window.dx) * x
                        let sourcePixel = sourceRow + sourceX * inStrides.column
                        let destinationPixel = destinationRow + x * outStrides.column
                        for c in 0..<channels {
                            px[c] = Source.unitValue(src.base[sourcePixel + c * inStrides.channel])
                        }
                        if let programs { ColorMath.run(programs[n], on: px, channels: channels) }
                        for c in 0..<channels {
                            var value = px[c]
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
}

/// A pass generic over its input and output element types (see ``dispatchPixels``).
protocol PixelPass {
    func run<Source: CPUSourcePixel, Destination: CPUDestinationPixel>(
        _ source: [Source], into type: Destination.Type
    ) -> [Destination]
}

/// Runs `pass` on the input values, specialised for the input and output element types, and wraps
/// the result as a batch in `format`: the one place the element-type pairs are spelled out.
func dispatchPixels<Pass: PixelPass>(
    _ pixels: PixelBuffer, to format: OutputFormat, count: Int, geometry: ImageGeometry, _ pass: Pass
) throws -> ImageBatch {
    let values: PixelBuffer
    switch (pixels, format.pixelType) {
    case (.uint8(let source), .uint8): values = .uint8(pass.run(source, into: UInt8.self))
    case (.uint8(let source), .float32): values = .float32(pass.run(source, into: Float.self))
    case (.uint8(let source), .float16): values = .float16(pass.run(source, into: Float16.self))
    case (.float32(let source), .uint8): values = .uint8(pass.run(source, into: UInt8.self))
    case (.float32(let source), .float32): values = .float32(pass.run(source, into: Float.self))
    case (.float32(let source), .float16): values = .float16(pass.run(source, into: Float16.self))
    case (.uint8(let source), .uint16): values = .uint16(pass.run(source, into: UInt16.self))
    case (.float32(let source), .uint16): values = .uint16(pass.run(source, into: UInt16.self))
    case (.uint16(let source), .uint8): values = .uint8(pass.run(source, into: UInt8.self))
    case (.uint16(let source), .float32): values = .float32(pass.run(source, into: Float.self))
    case (.uint16(let source), .float16): values = .float16(pass.run(source, into: Float16.self))
    case (.uint16(let source), .uint16): values = .uint16(pass.run(source, into: UInt16.self))
    case (.float16, _): throw AugmentError.float16Input()
    }
    return try ImageBatch(pixels: values, count: count, geometry: geometry, layout: format.layout)
}

/// Runs `body` with scratch space for one pixel's channels.
@inline(__always)
func withPixelScratch(_ channels: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
    let px = UnsafeMutablePointer<Float>.allocate(capacity: max(1, channels))
    defer { px.deallocate() }
    body(px)
}

// MARK: - General warp (twin of warp_general and warp_mask)

/// One sample's kernel inputs: pixel-index coefficients (Float, as uploaded), region, size, offset.
struct CPUWarpSample: Sendable {
    var m: [Float]
    var region: PixelRect
    var height: Int
    var width: Int
    var offset: Int
}

extension CPUWarp {
    static func samples(_ matrices: [WarpMatrix], regions: [PixelRect], geometries: [ImageGeometry]) -> [CPUWarpSample]
    {
        var offset = 0
        return (0..<matrices.count).map { i in
            defer { offset += geometries[i].elementCount }
            return CPUWarpSample(
                m: matrices[i].kernelCoefficients, region: regions[i], height: geometries[i].height,
                width: geometries[i].width, offset: offset)
        }
    }

    /// `warp_border_index`: edge clamps, reflect mirrors about the edge pixel (101).
    @inline(__always)
    static func borderIndex(_ i: Int, _ lo: Int, _ hi: Int, _ mode: BorderMode) -> Int {
        if mode == .reflect {
            let n = hi - lo
            if n == 1 { return lo }
            let period = 2 * (n - 1)
            var j = (i - lo) % period
            if j < 0 { j += period }
            if j >= n { j = period - j }
            return lo + j
        }
        return min(max(i, lo), hi - 1)
    }

    /// `warp_point`: the sampling point of output pixel (x, y), with the kernel's exact operations.
    @inline(__always)
    static func point(_ m: [Float], _ x: Int, _ y: Int, perspective: Bool) -> (Float, Float) {
        let fx = Float(x), fy = Float(y)
        var u = m[2].addingProduct(m[1], fy)
        u = u.addingProduct(m[0], fx)
        var v = m[5].addingProduct(m[4], fy)
        v = v.addingProduct(m[3], fx)
        if perspective {
            var w = m[8].addingProduct(m[7], fy)
            w = w.addingProduct(m[6], fx)
            u = u / w
            v = v / w
        }
        u = Float.minimum(Float.maximum(u, -1.0e7), 1.0e7)
        v = Float.minimum(Float.maximum(v, -1.0e7), 1.0e7)
        return (u, v)
    }

    /// The general warp (``WarpStage``), exactly as `warp_general` computes it.
    static func warp(_ stage: WarpStage, input: ImageBatch, options: RunOptions) throws -> ImageBatch {
        try stage.checkInput(input)
        if colorPassReads(stage.colorPrograms) > 1 {
            return try CPUColor.warpWithStatistics(stage, input: input, options: options)
        }
        let geometry = stage.output
        let total = try checkedProduct(
            [stage.count, geometry.height, geometry.width, geometry.channels], what: "warp output")
        return try dispatchPixels(
            input.pixels, to: stage.outputFormat, count: stage.count, geometry: geometry,
            WarpPass(stage: stage, total: total))
    }

    private struct WarpPass: PixelPass {
        let stage: WarpStage, total: Int
        func run<Source: CPUSourcePixel, Destination: CPUDestinationPixel>(
            _ source: [Source], into type: Destination.Type
        ) -> [Destination] {
            CPUWarp.runWarp(stage, source, type, total)
        }
    }

    private static func runWarp<Source: CPUSourcePixel, Destination: CPUDestinationPixel>(
        _ stage: WarpStage, _ source: [Source], _: Destination.Type, _ total: Int
    ) -> [Destination] {
        let samples = Self.samples(stage.matrices, regions: stage.regions, geometries: stage.inputGeometries)
        let outStrides = ImageStrides(stage.output, layout: stage.outputFormat.layout)
        let height = stage.output.height, width = stage.output.width, channels = stage.output.channels
        let scale = stage.epilogue?.scale ?? Array(repeating: 1, count: channels)
        let bias = stage.epilogue?.bias ?? Array(repeating: 0, count: channels)
        let hasEpilogue = stage.epilogue != nil
        let fill = stage.expandedFill
        let mode = stage.border.mode
        let fillKind =
            stage.border.mode != .constant || stage.border.fill == nil
            ? 0
            : (stage.border.fillRule == .torchvisionMask ? 1 : 2)
        let bilinear = stage.interpolation == .bilinear
        let perspective = !stage.isAffine
        let nhwc = stage.inputLayout == .nhwc
        let programs = stage.colorPrograms
        let tables = stage.isSeparable ? stage.separableTables : nil
        let displacement = CPUDisplacement(stage.displacement, bilinear: bilinear)
        return source.withUnsafeBufferPointer { buffer in
            guard let sourceBase = buffer.baseAddress else { return [] }
            let src = SharedReadPointer(base: sourceBase)
            return CPUParallel.makeArray(count: total, initial: Destination.poison, jobs: stage.count * height) {
                dst, job in
                let n = job / height
                let y = job % height
                let sample = samples[n]
                let r = sample.region
                let inW = sample.width
                let channelStep = nhwc ? 1 : sample.height * sample.width
                @inline(__always) func pixel(_ ix: Int, _ iy: Int) -> Int {
                    sample.offset + (nhwc ? (iy * inW + ix) * channels : iy * inW + ix)
                }
                // The sampled (and filled) channels of one output pixel, then its colour program,
                // epilogue and store: the order of warp_general.
                let px = UnsafeMutablePointer<Float>.allocate(capacity: max(1, channels))
                defer { px.deallocate() }
                var elasticMask: Float = 1
                @inline(__always) func store(_ destination: Int) {
                    displacement?.blend(px, channels: channels, mask: elasticMask)
                    if let programs { ColorMath.run(programs[n], on: px, channels: channels) }
                    for c in 0..<channels {
                        var value = px[c]
                        if hasEpilogue { value = bias[c].addingProduct(value, scale[c]) }
                        dst.base[destination + c * outStrides.channel] = Destination.fromUnitValue(value)
                    }
                }
                if let tables {
                    // warp_sample_pixel with SEPARABLE: horizontal sums per tap row, then the
                    // vertical sum, each with fma from 0 in tap order.
                    // Strides are the tables' entry counts; sample n reads its own tap counts.
                    let strideX = tables.columns.taps, strideY = tables.rows.taps
                    let tx = tables.columns.sampleTaps[n], ty = tables.rows.sampleTaps[n]
                    let rowBase = (n * height + y) * strideY
                    let h = UnsafeMutablePointer<Float>.allocate(capacity: max(1, channels))
                    defer { h.deallocate() }
                    for x in 0..<width {
                        let columnBase = (n * width + x) * strideX
                        for c in 0..<channels { px[c] = 0 }
                        for j in 0..<ty {
                            let iy = Int(tables.rows.indices[rowBase + j])
                            let wy = tables.rows.weights[rowBase + j]
                            for c in 0..<channels { h[c] = 0 }
                            for i in 0..<tx {
                                let at = pixel(Int(tables.columns.indices[columnBase + i]), iy)
                                let wx = tables.columns.weights[columnBase + i]
                                for c in 0..<channels {
                                    h[c] = h[c].addingProduct(wx, Source.unitValue(src.base[at + c * channelStep]))
                                }
                            }
                            for c in 0..<channels { px[c] = px[c].addingProduct(wy, h[c]) }
                        }
                        store(n * outStrides.sample + y * outStrides.row + x * outStrides.column)
                    }
                    return
                }
                for x in 0..<width {
                    let (u, v): (Float, Float)
                    if let displacement {
                        (u, v, elasticMask) = displacement.point(sample.m, n, x, y)
                    } else {
                        (u, v) = point(sample.m, x, y, perspective: perspective)
                    }
                    let destination = n * outStrides.sample + y * outStrides.row + x * outStrides.column
                    if !bilinear {
                        var ix = Int((u + 0.5).rounded(.down))
                        var iy = Int((v + 0.5).rounded(.down))
                        var ok = true
                        if mode == .constant {
                            ok = ix >= r.x0 && ix < r.x1 && iy >= r.y0 && iy < r.y1
                            ix = min(max(ix, r.x0), r.x1 - 1)
                            iy = min(max(iy, r.y0), r.y1 - 1)
                        } else {
                            ix = borderIndex(ix, r.x0, r.x1, mode)
                            iy = borderIndex(iy, r.y0, r.y1, mode)
                        }
                        let at = pixel(ix, iy)
                        for c in 0..<channels {
                            var value = Source.unitValue(src.base[at + c * channelStep])
                            if mode == .constant {
                                value = ok ? value : (fillKind == 0 ? 0 : fill[c])
                            }
                            px[c] = value
                        }
                        store(destination)
                        continue
                    }
                    let x0f = u.rounded(.down), y0f = v.rounded(.down)
                    let ax = u - x0f, ay = v - y0f
                    let bx = 1 - ax, by = 1 - ay
                    var k00 = bx * by, k01 = ax * by, k10 = bx * ay, k11 = ax * ay
                    var xa = Int(x0f), ya = Int(y0f)
                    var xb = xa + 1, yb = ya + 1
                    var ok00 = true, ok01 = true, ok10 = true, ok11 = true
                    var mask: Float = 1
                    if mode == .constant {
                        let okxa = xa >= r.x0 && xa < r.x1, okxb = xb >= r.x0 && xb < r.x1
                        let okya = ya >= r.y0 && ya < r.y1, okyb = yb >= r.y0 && yb < r.y1
                        ok00 = okxa && okya
                        ok01 = okxb && okya
                        ok10 = okxa && okyb
                        ok11 = okxb && okyb
                        k00 = ok00 ? k00 : 0
                        k01 = ok01 ? k01 : 0
                        k10 = ok10 ? k10 : 0
                        k11 = ok11 ? k11 : 0
                        mask = k00 + k01
                        mask = mask + k10
                        mask = mask + k11
                        xa = min(max(xa, r.x0), r.x1 - 1)
                        xb = min(max(xb, r.x0), r.x1 - 1)
                        ya = min(max(ya, r.y0), r.y1 - 1)
                        yb = min(max(yb, r.y0), r.y1 - 1)
                    } else {
                        xa = borderIndex(xa, r.x0, r.x1, mode)
                        xb = borderIndex(xb, r.x0, r.x1, mode)
                        ya = borderIndex(ya, r.y0, r.y1, mode)
                        yb = borderIndex(yb, r.y0, r.y1, mode)
                    }
                    let a00 = pixel(xa, ya), a01 = pixel(xb, ya), a10 = pixel(xa, yb), a11 = pixel(xb, yb)
                    for c in 0..<channels {
                        let cs = c * channelStep
                        var v00 = Source.unitValue(src.base[a00 + cs])
                        var v01 = Source.unitValue(src.base[a01 + cs])
                        var v10 = Source.unitValue(src.base[a10 + cs])
                        var v11 = Source.unitValue(src.base[a11 + cs])
                        if mode == .constant {
                            v00 = ok00 ? v00 : 0
                            v01 = ok01 ? v01 : 0
                            v10 = ok10 ? v10 : 0
                            v11 = ok11 ? v11 : 0
                        }
                        var value = k00 * v00
                        value = value.addingProduct(k01, v01)
                        value = value.addingProduct(k10, v10)
                        value = value.addingProduct(k11, v11)
                        if fillKind == 1 {
                            value = fill[c].addingProduct(mask, value - fill[c])
                        } else if fillKind == 2 {
                            value = value.addingProduct(1 - mask, fill[c])
                        }
                        px[c] = value
                    }
                    store(destination)
                }
            }
        }
    }

    /// Moves integer masks through a warp (`warp_mask`): nearest sampling, the stage's border, the
    /// ignore index where a constant border applies.
    static func warpMasks(_ stage: WarpStage, masks: MaskBatch) throws -> MaskBatch {
        guard masks.count == stage.count,
            masks.geometries.map({ [$0.height, $0.width] }) == stage.inputGeometries.map({ [$0.height, $0.width] })
        else {
            throw AugmentError.parameterMismatch("the masks do not have the sizes of the images this plan was made for")
        }
        let geometries = masks.geometries
        let samples = Self.samples(stage.matrices, regions: stage.regions, geometries: geometries)
        let out = stage.output
        let total = try checkedProduct([stage.count, out.height, out.width], what: "mask output")
        let perspective = !stage.isAffine
        let mode = stage.border.mode
        let displacement = CPUDisplacement(stage.displacement, bilinear: false)
        func run<T: Sendable>(_ source: [T], fill: T) -> [T] {
            source.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return [] }
                let src = SharedReadPointer(base: base)
                return CPUParallel.makeArray(count: total, initial: fill, jobs: stage.count * out.height) { dst, job in
                    let n = job / out.height, y = job % out.height
                    let sample = samples[n], r = sample.region
                    for x in 0..<out.width {
                        var (u, v, inGrid): (Float, Float, Float) = (0, 0, 1)
                        if let displacement {
                            (u, v, inGrid) = displacement.point(sample.m, n, x, y)
                        } else {
                            (u, v) = point(sample.m, x, y, perspective: perspective)
                        }
                        var ix = Int((u + 0.5).rounded(.down)), iy = Int((v + 0.5).rounded(.down))
                        let d = (n * out.height + y) * out.width + x
                        if inGrid == 0 {  // displaced out of the elastic grid
                            dst.base[d] = fill
                            continue
                        }
                        if mode == .constant {
                            if ix < r.x0 || ix >= r.x1 || iy < r.y0 || iy >= r.y1 {
                                dst.base[d] = fill
                                continue
                            }
                        } else {
                            ix = borderIndex(ix, r.x0, r.x1, mode)
                            iy = borderIndex(iy, r.y0, r.y1, mode)
                        }
                        dst.base[d] = src.base[sample.offset + iy * sample.width + ix]
                    }
                }
            }
        }
        let outGeometries = Array(
            repeating: ImageGeometry(height: out.height, width: out.width, channels: 1), count: stage.count)
        switch masks.values {
        case .uint8(let values):
            return try MaskBatch(
                values: .uint8(run(values, fill: UInt8(truncatingIfNeeded: masks.ignoreIndex))),
                geometries: outGeometries, ignoreIndex: masks.ignoreIndex)
        case .int32(let values):
            return try MaskBatch(
                values: .int32(run(values, fill: masks.ignoreIndex)), geometries: outGeometries,
                ignoreIndex: masks.ignoreIndex)
        }
    }
}

extension RemapStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUWarp.remap(self, input: current.images, options: options)
        if let masks = current.masks { current.masks = try CPUWarp.warpMasks(asWarp, masks: masks) }
        try moveTargets(&current)
    }
}

extension WarpStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUWarp.warp(self, input: current.images, options: options)
        if let masks = current.masks { current.masks = try CPUWarp.warpMasks(self, masks: masks) }
        try moveTargets(&current)
    }
}
