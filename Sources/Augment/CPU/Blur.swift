/// CPU twin of `Kernels/blur.cl`: the separable Gaussian blur (`blur_rows`, `blur_columns`) and
/// torchvision's sharpness (`blur_sharpness`).
enum CPUBlur {
    /// Index `i` reflected into 0..<n without repeating the edge (BORDER_REFLECT_101), folding again
    /// as often as needed: `reflect101` in `Kernels/blur.cl`.
    @inline(__always)
    static func reflect101(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        let period = 2 * (n - 1)
        var m = i % period
        if m < 0 { m += period }
        return m >= n ? period - m : m
    }

    static func gaussian(_ stage: GaussianBlurStage, input: ImageBatch) throws -> ImageBatch {
        try stage.check(count: input.count, geometry: input.geometry)
        guard input.pixelType == stage.inputPixelType, input.layout == stage.inputLayout,
            input.raggedGeometries == nil
        else {
            throw AugmentError.parameterMismatch(
                "the blur stage reads \(stage.inputPixelType.rawValue) \(stage.inputLayout.rawValue.uppercased()), got \(input.shapeDescription)"
            )
        }
        let source = try unitFloatNCHW(input)
        var values = source
        if stage.kernelsX.contains(where: { $0.count > 1 }) {
            values = pass(values, stage.geometry, count: stage.count, kernels: stage.kernelsX, alongRows: true)
        }
        if stage.kernelsY.contains(where: { $0.count > 1 }) {
            values = pass(values, stage.geometry, count: stage.count, kernels: stage.kernelsY, alongRows: false)
        }
        return try ImageBatch(pixels: .float32(values), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }

    /// The batch as float32 NCHW on torchvision's scale, converted value by value as the blur
    /// kernels load them (``CPUSourcePixel/unitValue(_:)``: uint8 times 1/255, uint16 raw).
    static func unitFloatNCHW(_ input: ImageBatch) throws -> [Float] {
        if input.layout == .nchw, let values = input.float32Values { return values }
        let (channels, plane) = (input.geometry.channels, input.geometry.height * input.geometry.width)
        func convert<P: CPUSourcePixel>(_ raw: [P]) -> [Float] {
            var out = [Float](repeating: 0, count: raw.count)
            if input.layout == .nchw {
                for i in raw.indices { out[i] = P.unitValue(raw[i]) }
            } else {
                for n in 0..<input.count {
                    for p in 0..<plane {
                        for c in 0..<channels {
                            out[(n * channels + c) * plane + p] = P.unitValue(raw[(n * plane + p) * channels + c])
                        }
                    }
                }
            }
            return out
        }
        if let values = input.uint8Values { return convert(values) }
        if let values = input.uint16Values { return convert(values) }
        if let values = input.float32Values { return convert(values) }
        throw AugmentError.parameterMismatch(
            "the blur stage reads uint8, uint16 or float32, got \(input.shapeDescription)")
    }

    /// One 1-D pass: along rows (x) or along columns (y), sample n with `kernels[n]`.
    private static func pass(
        _ source: [Float], _ geometry: ImageGeometry, count: Int, kernels: [[Float]],
        alongRows: Bool
    ) -> [Float] {
        let (height, width, channels) = (geometry.height, geometry.width, geometry.channels)
        return source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: count * channels * height) {
                dst, job in
                let y = job % height
                let n = job / (channels * height)
                let planeBase = (job / height) * height * width
                let kernel = kernels[n]
                let radius = kernel.count / 2
                for x in 0..<width {
                    var sum: Float = 0
                    for t in 0..<kernel.count {
                        let index =
                            alongRows
                            ? planeBase + y * width + reflect101(x + t - radius, width)
                            : planeBase + reflect101(y + t - radius, height) * width + x
                        sum = sum.addingProduct(kernel[t], src.base[index])
                    }
                    dst.base[planeBase + y * width + x] = sum
                }
            }
        }
    }

    static func sharpness(_ stage: SharpnessStage, input: ImageBatch) throws -> ImageBatch {
        let source = try floatNCHW(input, stage: "sharpness")
        try stage.check(count: input.count, geometry: input.geometry)
        let (height, width, channels) = (stage.geometry.height, stage.geometry.width, stage.geometry.channels)
        let factors = stage.factors.map { $0.map { (Float($0), Float(1 - $0)) } }
        let edge = SharpnessStage.edgeWeight, centre = SharpnessStage.centreWeight
        let output = source.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [Float]() }
            let src = SharedReadPointer(base: base)
            return CPUParallel.makeArray(count: source.count, initial: Float.nan, jobs: stage.count * channels * height)
            { dst, job in
                let y = job % height
                let n = job / (channels * height)
                let plane = (job / height) * height * width
                for x in 0..<width {
                    let v = src.base[plane + y * width + x]
                    var out = v
                    if let (_, oneMinusFactor) = factors[n], height > 2, width > 2 {
                        if y == 0 || x == 0 || y == height - 1 || x == width - 1 {
                            out = ColorMath.clamp01(v)
                        } else {
                            var sum: Float = 0
                            for dy in -1...1 {
                                for dx in -1...1 {
                                    let weight = (dy == 0 && dx == 0) ? centre : edge
                                    sum = sum.addingProduct(weight, src.base[plane + (y + dy) * width + x + dx])
                                }
                            }
                            out = ColorMath.clamp01(v.addingProduct(sum - v, oneMinusFactor))
                        }
                    }
                    dst.base[plane + y * width + x] = out
                }
            }
        }
        return try ImageBatch(pixels: .float32(output), count: stage.count, geometry: stage.geometry, layout: .nchw)
    }
}

/// The values of a float32 NCHW batch, the format every non-remap stage reads.
func floatNCHW(_ images: ImageBatch, stage: String) throws -> [Float] {
    guard images.layout == .nchw, let values = images.float32Values else {
        throw AugmentError.parameterMismatch("the \(stage) stage reads float32 NCHW, got \(images.shapeDescription)")
    }
    return values
}

extension GaussianBlurStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUBlur.gaussian(self, input: current.images)
    }
}

extension SharpnessStage: CPUStageRunner {
    func run(on current: inout AugmentBatch, options: RunOptions) throws {
        current.images = try CPUBlur.sharpness(self, input: current.images)
    }
}
