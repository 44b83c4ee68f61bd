import Foundation

// Random geometric ops: per-sample parameters drawn on the host (torchvision v2 `make_params`
// algorithms, one draw per sample; `same_on_batch` draws once per batch), lowered like the
// deterministic ops.

/// A [min, max] range from torchvision's "number or pair" argument: a number d means [-d, d].
private func symmetricRange(
    _ values: [Double], op: String, argument: String, nonNegativeScalar: Bool = true
) throws -> [Double] {
    try AugmentError.checkFinite(values, op: op, argument: argument)
    if values.count == 1 {
        guard !nonNegativeScalar || values[0] >= 0 else {
            throw AugmentError.invalidArgument(
                op: op, argument: argument, value: "\(values[0])", allowed: "a number >= 0 or a [min, max] pair")
        }
        return [-values[0], values[0]]
    }
    guard values.count == 2, values[0] <= values[1] else {
        throw AugmentError.invalidArgument(
            op: op, argument: argument, value: "\(values)", allowed: "a number >= 0 or a [min, max] pair")
    }
    return values
}

/// One sample's affine parameters (torchvision `RandomAffine.make_params`).
public struct AffineParameters: Codable, Sendable, Equatable {
    public var angleDegrees: Double
    public var translatePixels: [Double]
    public var scale: Double
    public var shearDegrees: [Double]

    public init(angleDegrees: Double, translatePixels: [Double], scale: Double, shearDegrees: [Double]) {
        self.angleDegrees = angleDegrees
        self.translatePixels = translatePixels
        self.scale = scale
        self.shearDegrees = shearDegrees
    }
}

/// `random_affine`: per sample, angle ~ U(degrees), translation (tx, ty) = round(U(-f W, f W)),
/// round(U(-g H, g H)) for `translate` = [f, g], scale ~ U(scale), shear x ~ U(shear[0...1]) and
/// y ~ U(shear[2...3]) (torchvision `RandomAffine`, same draws in the same order). Interpolation
/// default nearest, fill default 0, as torchvision's class.
public struct RandomAffine: Transform {
    public static let opName = "random_affine"
    public let degrees: [Double]
    public let translate: [Double]?
    public let scale: [Double]?
    /// [x min, x max] or [x min, x max, y min, y max], degrees.
    public let shear: [Double]?
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let center: [Double]?
    public let paddingMode: BorderMode
    public let sameOnBatch: Bool

    public init(
        degrees: [Double], translate: [Double]? = nil, scale: [Double]? = nil, shear: [Double]? = nil,
        interpolation: Interpolation = .nearest, fill: [Double]? = RandomWarpArguments.fill.defaultValue!?.values,
        center: [Double]? = nil,
        paddingMode: BorderMode = .constant, sameOnBatch: Bool = RandomWarpArguments.sameOnBatch.defaultValue!
    ) throws {
        self.degrees = try symmetricRange(degrees, op: Self.opName, argument: "degrees")
        if let translate {
            guard translate.count == 2, translate.allSatisfy({ $0.isFinite && (0...1).contains($0) }) else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "translate", value: "\(translate)",
                    allowed: "[fx, fy], fractions in [0, 1]")
            }
        }
        if let scale {
            guard scale.count == 2, scale.allSatisfy({ $0.isFinite && $0 > 0 }), scale[0] <= scale[1] else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "scale", value: "\(scale)", allowed: "[min, max], 0 < min <= max")
            }
        }
        var shearRange: [Double]?
        if let shear {
            if shear.count == 4 {
                try AugmentError.checkFinite(shear, op: Self.opName, argument: "shear")
                guard shear[0] <= shear[1], shear[2] <= shear[3] else {
                    throw AugmentError.invalidArgument(
                        op: Self.opName, argument: "shear", value: "\(shear)", allowed: "[xmin, xmax, ymin, ymax]")
                }
                shearRange = shear
            } else {
                shearRange = try symmetricRange(shear, op: Self.opName, argument: "shear")
            }
            for s in shearRange ?? [] where abs(s) >= 90 {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "shear", value: "\(shear)", allowed: "degrees in (-90, 90)")
            }
        }
        if let center {
            guard center.count == 2, center.allSatisfy(\.isFinite) else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "center", value: "\(center)", allowed: "[x, y] in pixels")
            }
        }
        self.translate = translate
        self.scale = scale
        self.shear = shearRange
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.center = center
        self.paddingMode = paddingMode
        self.sameOnBatch = sameOnBatch
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> AffineParameters {
        let angle = random.uniform(degrees[0], degrees[1])
        var t = [0.0, 0.0]
        if let translate {
            let dx = translate[0] * Double(input.width), dy = translate[1] * Double(input.height)
            t = [random.uniform(-dx, dx).rounded(.toNearestOrEven), random.uniform(-dy, dy).rounded(.toNearestOrEven)]
        }
        let s = scale.map { random.uniform($0[0], $0[1]) } ?? 1
        var sh = [0.0, 0.0]
        if let shear {
            sh[0] = random.uniform(shear[0], shear[1])
            if shear.count == 4 { sh[1] = random.uniform(shear[2], shear[3]) }
        }
        return AffineParameters(angleDegrees: angle, translatePixels: t, scale: s, shearDegrees: sh)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [AffineParameters] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    public func validate(_ p: AffineParameters, for input: ImageGeometry) throws {
        guard p.angleDegrees.isFinite, p.translatePixels.count == 2, p.translatePixels.allSatisfy(\.isFinite),
            p.scale.isFinite, p.scale > 0, p.shearDegrees.count == 2,
            p.shearDegrees.allSatisfy({ $0.isFinite && abs($0) < 90 })
        else {
            throw AugmentError.parameterMismatch("random_affine: parameters \(p) are not a valid affine map")
        }
    }

    public func lower(_ parameters: [AffineParameters], into plan: inout PlanBuilder) throws {
        let matrices = zip(parameters, plan.sampleGeometries).map { p, g in
            Geometry.affineWarp(
                width: g.width, height: g.height, outWidth: g.width, outHeight: g.height, center: center,
                angleDegrees: p.angleDegrees, translate: (p.translatePixels[0], p.translatePixels[1]),
                scale: p.scale, shearDegrees: (p.shearDegrees[0], p.shearDegrees[1]))
        }
        try plan.warp(
            matrices, outputs: plan.sampleGeometries, interpolation: interpolation,
            reads: .outside(WarpBorder(mode: paddingMode, fill: fill)), op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case degrees, translate, scale, shear, interpolation, fill, center
        case paddingMode = "padding_mode"
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let fill = try read.nullable(RandomWarpArguments.fill)?.values
        try self.init(
            degrees: read(RandomWarpArguments.degrees)?.values ?? [], translate: read(Arguments.translate),
            scale: read(Arguments.scale), shear: read(Arguments.shear)?.values,
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            fill: fill, center: read(WarpArguments.center),
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName),
            sameOnBatch: read(RandomWarpArguments.sameOnBatch))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(degrees, forKey: .degrees)
        try c.encodeIfPresent(translate, forKey: .translate)
        try c.encodeIfPresent(scale, forKey: .scale)
        try c.encodeIfPresent(shear, forKey: .shear)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
        try c.encodeIfPresent(center, forKey: .center)
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
        try c.encode(sameOnBatch, forKey: .sameOnBatch)
    }
}

/// One sample's rotation.
public struct RotationParameters: Codable, Sendable, Equatable {
    public var angleDegrees: Double
    public init(angleDegrees: Double) { self.angleDegrees = angleDegrees }
}

/// `random_rotation`: per sample, angle ~ U(degrees), counter-clockwise about `center` (torchvision
/// `RandomRotation`). Interpolation default nearest, fill default 0. `expand` is not offered: a
/// per-sample angle would give every sample its own output size.
public struct RandomRotation: Transform {
    public static let opName = "random_rotation"
    public let degrees: [Double]
    public let interpolation: Interpolation
    public let center: [Double]?
    public let fill: [Float]?
    public let paddingMode: BorderMode
    public let sameOnBatch: Bool

    public init(
        degrees: [Double], interpolation: Interpolation = .nearest, center: [Double]? = nil,
        fill: [Double]? = RandomWarpArguments.fill.defaultValue!?.values,
        paddingMode: BorderMode = .constant, sameOnBatch: Bool = RandomWarpArguments.sameOnBatch.defaultValue!
    ) throws {
        self.degrees = try symmetricRange(degrees, op: Self.opName, argument: "degrees")
        if let center {
            guard center.count == 2, center.allSatisfy(\.isFinite) else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "center", value: "\(center)", allowed: "[x, y] in pixels")
            }
        }
        self.interpolation = interpolation
        self.center = center
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.paddingMode = paddingMode
        self.sameOnBatch = sameOnBatch
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> RotationParameters {
        RotationParameters(angleDegrees: random.uniform(degrees[0], degrees[1]))
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [RotationParameters] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    public func validate(_ p: RotationParameters, for input: ImageGeometry) throws {
        guard p.angleDegrees.isFinite else {
            throw AugmentError.parameterMismatch("random_rotation: angle \(p.angleDegrees)")
        }
    }

    public func lower(_ parameters: [RotationParameters], into plan: inout PlanBuilder) throws {
        let matrices = zip(parameters, plan.sampleGeometries).map { p, g in
            Geometry.affineWarp(
                width: g.width, height: g.height, outWidth: g.width, outHeight: g.height, center: center,
                angleDegrees: -p.angleDegrees, translate: (0, 0), scale: 1, shearDegrees: (0, 0))
        }
        try plan.warp(
            matrices, outputs: plan.sampleGeometries, interpolation: interpolation,
            reads: .outside(WarpBorder(mode: paddingMode, fill: fill)), op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case degrees, interpolation, center, fill, expand
        case paddingMode = "padding_mode"
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if try c.decodeIfPresent(Bool.self, forKey: .expand) == true {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "expand", value: "true",
                allowed: "false (per-sample angles would give per-sample sizes)")
        }
        let read = try OpArgumentReader(decoder)
        let fill = try read.nullable(RandomWarpArguments.fill)?.values
        try self.init(
            degrees: read(RandomWarpArguments.degrees)?.values ?? [],
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            center: read(WarpArguments.center), fill: fill,
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName),
            sameOnBatch: read(RandomWarpArguments.sameOnBatch))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(degrees, forKey: .degrees)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encodeIfPresent(center, forKey: .center)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
        try c.encode(sameOnBatch, forKey: .sameOnBatch)
    }
}

/// One sample's perspective: the four endpoints (top-left, top-right, bottom-right, bottom-left),
/// or nil when the sample is left unchanged.
public struct PerspectiveParameters: Codable, Sendable, Equatable {
    public var endpoints: [[Int]]?
    public init(endpoints: [[Int]]?) { self.endpoints = endpoints }
}

/// `random_perspective`: with probability `p`, the corners move inwards by up to
/// `distortion_scale` x half the image size (torchvision `RandomPerspective`: one uniform draw for
/// p, then randint draws for the eight coordinates in its order). Interpolation default bilinear,
/// fill default 0.
public struct RandomPerspective: Transform {
    public static let opName = "random_perspective"
    public let distortionScale: Double
    public let p: Double
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let paddingMode: BorderMode
    public let sameOnBatch: Bool

    public init(
        distortionScale: Double = Arguments.distortionScale.defaultValue!, p: Double = Arguments.p.defaultValue!,
        interpolation: Interpolation = .bilinear, fill: [Double]? = RandomWarpArguments.fill.defaultValue!?.values,
        paddingMode: BorderMode = .constant, sameOnBatch: Bool = RandomWarpArguments.sameOnBatch.defaultValue!
    ) throws {
        try Arguments.distortionScale.check(distortionScale, op: Self.opName)
        try Arguments.p.check(p, op: Self.opName)
        self.distortionScale = distortionScale
        self.p = p
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.paddingMode = paddingMode
        self.sameOnBatch = sameOnBatch
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return input
    }

    static func startpoints(_ g: ImageGeometry) -> [[Double]] {
        [[0, 0], [Double(g.width - 1), 0], [Double(g.width - 1), Double(g.height - 1)], [0, Double(g.height - 1)]]
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> PerspectiveParameters {
        guard random.bernoulli(p) else { return PerspectiveParameters(endpoints: nil) }
        let w = input.width, h = input.height
        let bw = Int(distortionScale * Double(w / 2)) + 1
        let bh = Int(distortionScale * Double(h / 2)) + 1
        let topLeft = [random.integer(in: 0...(bw - 1)), random.integer(in: 0...(bh - 1))]
        let topRight = [random.integer(in: (w - bw)...(w - 1)), random.integer(in: 0...(bh - 1))]
        let bottomRight = [random.integer(in: (w - bw)...(w - 1)), random.integer(in: (h - bh)...(h - 1))]
        let bottomLeft = [random.integer(in: 0...(bw - 1)), random.integer(in: (h - bh)...(h - 1))]
        let drawn = PerspectiveParameters(endpoints: [topLeft, topRight, bottomRight, bottomLeft])
        // A 1-pixel-wide or -high image has no quadrilateral to move: leave it unchanged.
        return matrix(drawn, input)?.inverse == nil ? PerspectiveParameters(endpoints: nil) : drawn
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [PerspectiveParameters] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    func matrix(_ parameters: PerspectiveParameters, _ g: ImageGeometry) -> WarpMatrix? {
        guard let endpoints = parameters.endpoints else { return .identity }
        return Geometry.perspectiveCoefficients(start: Self.startpoints(g), end: endpoints.map { $0.map(Double.init) })
            .map(Geometry.perspectiveMatrix)
    }

    public func validate(_ parameters: PerspectiveParameters, for input: ImageGeometry) throws {
        if let e = parameters.endpoints {
            guard e.count == 4, e.allSatisfy({ $0.count == 2 }), matrix(parameters, input)?.inverse != nil else {
                throw AugmentError.parameterMismatch(
                    "random_perspective: endpoints \(e) are not a non-degenerate quadrilateral")
            }
        }
    }

    public func lower(_ parameters: [PerspectiveParameters], into plan: inout PlanBuilder) throws {
        let matrices = try zip(parameters, plan.sampleGeometries).map { p, g in
            guard let m = matrix(p, g) else {
                throw AugmentError.parameterMismatch("random_perspective: degenerate endpoints")
            }
            return m
        }
        try plan.warp(
            matrices, outputs: plan.sampleGeometries, interpolation: interpolation,
            reads: .outside(WarpBorder(mode: paddingMode, fill: fill)), op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case p, interpolation, fill
        case distortionScale = "distortion_scale"
        case paddingMode = "padding_mode"
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let fill = try read.nullable(RandomWarpArguments.fill)?.values
        try self.init(
            distortionScale: read(Arguments.distortionScale), p: read(Arguments.p),
            interpolation: WarpArguments.bilinear.choice(read(WarpArguments.bilinear), op: Self.opName),
            fill: fill,
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName),
            sameOnBatch: read(RandomWarpArguments.sameOnBatch))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(distortionScale, forKey: .distortionScale)
        try c.encode(p, forKey: .p)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        if let fill { try c.encode(fill, forKey: .fill) } else { try c.encodeNil(forKey: .fill) }
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
        try c.encode(sameOnBatch, forKey: .sameOnBatch)
    }
}

/// `random_resized_crop`: per sample, a box of area fraction ~ U(scale) and log-uniform aspect
/// ratio in `ratio`, resized to `size` (torchvision `RandomResizedCrop`: up to 10 tries of
/// w = round(sqrt(A r)), h = round(sqrt(A / r)), accepted when 0 < w <= W and 0 < h <= H, then
/// top ~ randint(0, H - h + 1), left ~ randint(0, W - w + 1); otherwise the centre crop clamped to
/// the ratio range). Ragged batches draw each box inside each sample's own size. `antialias`
/// (default true, as torchvision v2) as `resize`, its window clipped to the box.
public struct RandomResizedCrop: Transform {
    public static let opName = "random_resized_crop"
    public let size: [Int]
    public let scale: [Double]
    public let ratio: [Double]
    public let interpolation: Interpolation
    public let antialias: Bool
    public let sameOnBatch: Bool

    public init(
        size: [Int], scale: [Double] = Arguments.scale.defaultValue!, ratio: [Double] = Arguments.ratio.defaultValue!,
        interpolation: Interpolation = .bilinear, antialias: Bool = WarpArguments.antialias.defaultValue!,
        sameOnBatch: Bool = RandomWarpArguments.sameOnBatch.defaultValue!
    ) throws {
        let size = size.count == 1 ? [size[0], size[0]] : size
        guard size.count == 2, size.allSatisfy({ (1...maxImageSide).contains($0) }) else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "size", value: "\(size)", allowed: "[height, width], integers >= 1")
        }
        guard scale.count == 2, scale.allSatisfy({ $0.isFinite && $0 > 0 }), scale[0] <= scale[1] else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "scale", value: "\(scale)", allowed: "[min, max], 0 < min <= max")
        }
        guard ratio.count == 2, ratio.allSatisfy({ $0.isFinite && $0 > 0 }), ratio[0] <= ratio[1] else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "ratio", value: "\(ratio)", allowed: "[min, max], 0 < min <= max")
        }
        self.size = size
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias
        self.sameOnBatch = sameOnBatch
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        ImageGeometry(height: size[0], width: size[1], channels: input.channels)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CropBox {
        let height = input.height, width = input.width
        let area = Double(height * width)
        let logRatio = (log(ratio[0]), log(ratio[1]))
        for _ in 0..<10 {
            let targetArea = area * random.uniform(scale[0], scale[1])
            let aspect = exp(random.uniform(logRatio.0, logRatio.1))
            let w = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if 0 < w, w <= width, 0 < h, h <= height {
                let top = random.integer(in: 0...(height - h))
                let left = random.integer(in: 0...(width - w))
                return CropBox(top: top, left: left, height: h, width: w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio[0] {
            h = max(1, min(height, Int((Double(w) / ratio[0]).rounded(.toNearestOrEven))))
        } else if inRatio > ratio[1] {
            w = max(1, min(width, Int((Double(h) * ratio[1]).rounded(.toNearestOrEven))))
        }
        return CropBox(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CropBox] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    public func validate(_ parameters: CropBox, for input: ImageGeometry) throws {
        try parameters.check(in: input, op: Self.opName)
    }

    public func lower(_ parameters: [CropBox], into plan: inout PlanBuilder) throws {
        try lowerResizedCrops(
            parameters, size: size, interpolation: interpolation, antialias: antialias, op: Self.opName,
            into: &plan)
    }

    private enum CodingKeys: String, CodingKey {
        case size, scale, ratio, interpolation, antialias
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            size: read(WarpArguments.outputSize)?.integers(op: Self.opName, argument: "size") ?? [],
            scale: read(Arguments.scale), ratio: read(Arguments.ratio),
            interpolation: WarpArguments.bilinear.choice(read(WarpArguments.bilinear), op: Self.opName),
            antialias: read(WarpArguments.antialias), sameOnBatch: read(RandomWarpArguments.sameOnBatch))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(size, forKey: .size)
        try c.encode(scale, forKey: .scale)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encode(antialias, forKey: .antialias)
        try c.encode(sameOnBatch, forKey: .sameOnBatch)
    }
}

/// Arguments the random geometric ops share, declared once (the rest are in ``WarpArguments``).
public enum RandomWarpArguments {
    public static let degrees = OpArgument<OneOrList<Double>?>(
        optional: "degrees", allowed: "required: a number d >= 0 (for [-d, d]) or a [min, max] pair",
        doc: "range of the rotation angle in degrees, drawn uniformly per sample")
    public static let fill = OpArgument<OneOrList<Double>?>(
        "fill", default: .some(OneOrList(single: 0)), allowed: "finite numbers, one or one per channel, or null",
        doc: "the value of output pixels that map outside the input; null: no fill (the warp's own)")
    public static let sameOnBatch = OpArgument<Bool>(
        "same_on_batch", default: false, doc: "draw one set of parameters for the whole batch instead of one per sample"
    )
}

extension RandomAffine {
    /// `random_affine`'s own arguments, declared once.
    public enum Arguments {
        public static let translate = OpArgument<[Double]?>(
            optional: "translate", allowed: "[a, b] in [0, 1]",
            doc: "maximum translation as fractions [a, b] of width and height; null: none")
        public static let scale = OpArgument<[Double]?>(
            optional: "scale", allowed: "[min, max] with 0 < min <= max", doc: "range of the scale factor; null: 1")
        public static let shear = OpArgument<OneOrList<Double>?>(
            optional: "shear", allowed: "a number s >= 0, [min, max] (x) or [xmin, xmax, ymin, ymax], in (-90, 90)",
            doc: "range of the shear angles in degrees; null: none")
    }
}

extension RandomPerspective {
    /// `random_perspective`'s own arguments, declared once.
    public enum Arguments {
        public static let distortionScale = OpArgument<Double>(
            "distortion_scale", default: 0.5, range: 0...1, catalog: 0...1,
            doc: "how far each corner may move, as a fraction of half the image side")
        public static let p = OpArgument<Double>(
            "p", default: 0.5, range: 0...1, catalog: 0...1, doc: "probability of distorting each sample")
    }
}

extension RandomResizedCrop {
    /// `random_resized_crop`'s own arguments, declared once.
    public enum Arguments {
        public static let scale = OpArgument<[Double]>(
            "scale", default: [0.08, 1], allowed: "[min, max], 0 < min <= max",
            doc: "range of the box's area as a fraction of the image's")
        public static let ratio = OpArgument<[Double]>(
            "ratio", default: [3.0 / 4, 4.0 / 3], allowed: "[min, max], 0 < min <= max",
            doc: "range of the box's aspect ratio (drawn log-uniform)")
    }
}

extension RandomAffine: DescribedArguments {
    public static let arguments = [
        RandomWarpArguments.degrees.info, Arguments.translate.info, Arguments.scale.info, Arguments.shear.info,
        WarpArguments.interpolation.info, RandomWarpArguments.fill.info, WarpArguments.center.info,
        WarpArguments.paddingMode.info, RandomWarpArguments.sameOnBatch.info,
    ]
    public static let summary =
        "Rotation, translation, scale and shear drawn per sample (torchvision `RandomAffine`)."
}

extension RandomRotation: DescribedArguments {
    public static let arguments = [
        RandomWarpArguments.degrees.info, WarpArguments.interpolation.info, WarpArguments.center.info,
        RandomWarpArguments.fill.info, WarpArguments.paddingMode.info, RandomWarpArguments.sameOnBatch.info,
    ]
    public static let summary =
        "Rotation by an angle drawn per sample; `expand` is refused (torchvision `RandomRotation`)."
}

extension RandomPerspective: DescribedArguments {
    public static let arguments = [
        Arguments.distortionScale.info, Arguments.p.info, WarpArguments.bilinear.info, RandomWarpArguments.fill.info,
        WarpArguments.paddingMode.info, RandomWarpArguments.sameOnBatch.info,
    ]
    public static let summary =
        "A perspective warp with corners moved at random, with probability `p` (torchvision `RandomPerspective`)."
}

extension RandomResizedCrop: DescribedArguments {
    public static let arguments = [
        WarpArguments.outputSize.info, Arguments.scale.info, Arguments.ratio.info, WarpArguments.bilinear.info,
        WarpArguments.antialias.info, RandomWarpArguments.sameOnBatch.info,
    ]
    public static let summary =
        "A box of random area and aspect ratio per sample, resized to `size` (torchvision `RandomResizedCrop`)."
}
