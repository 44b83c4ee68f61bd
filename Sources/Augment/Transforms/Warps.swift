import Foundation

// Deterministic geometric ops with explicit parameters (torchvision.transforms.v2.functional).
// Each lowers into PlanBuilder.warp with one matrix per sample (output continuous coordinates ->
// input continuous coordinates); consecutive ops compose into one warp. See docs/semantics.md.

private func checkCenter(_ center: [Double]?, op: String) throws {
    if let center {
        guard center.count == 2 else {
            throw AugmentError.invalidArgument(
                op: op, argument: "center", value: "\(center)", allowed: "[x, y] in pixels")
        }
        try AugmentError.checkFinite(center, op: op, argument: "center")
    }
}

private func checkShear(_ shear: [Double], op: String) throws {
    for s in shear where !(s.isFinite && abs(s) < 90) {
        throw AugmentError.invalidArgument(
            op: op, argument: "shear", value: "\(shear)", allowed: "degrees in (-90, 90)")
    }
}

/// torchvision's shear argument: one number s is (s, 0), one-element list [s] is (s, s).
private func parseShear(_ values: [Double]?, isList: Bool) -> [Double] {
    guard let values, !values.isEmpty else { return [0, 0] }
    if values.count == 1 { return isList ? [values[0], values[0]] : [values[0], 0] }
    return values
}

/// `affine`: rotation by `angleDegrees` (clockwise), translation in pixels, uniform `scale`, shear
/// (x, y) in degrees, about `center` (continuous pixel coordinates; default the image centre), output
/// the input's size (torchvision `affine`). `interpolation` nearest (default, as torchvision) or
/// bilinear; `fill` per channel on torchvision's float scale, nil = torchvision's `fill=None` (zero
/// padding); `padding_mode` constant (torchvision) or edge / reflect (this library's extension).
public struct Affine: Transform {
    public static let opName = "affine"
    public let angleDegrees: Double
    public let translatePixels: [Double]
    public let scale: Double
    public let shearDegrees: [Double]
    public let center: [Double]?
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let paddingMode: BorderMode

    public init(
        angleDegrees: Double = Arguments.angle.defaultValue!,
        translatePixels: [Double] = Arguments.translate.defaultValue!,
        scale: Double = Arguments.scale.defaultValue!,
        shearDegrees: [Double] = [0, 0],
        center: [Double]? = nil, interpolation: Interpolation = .nearest, fill: [Double]? = nil,
        paddingMode: BorderMode = .constant
    ) throws {
        try AugmentError.checkFinite([angleDegrees], op: Self.opName, argument: "angle")
        guard translatePixels.count == 2 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "translate", value: "\(translatePixels)", allowed: "[tx, ty] in pixels")
        }
        try AugmentError.checkFinite(translatePixels, op: Self.opName, argument: "translate")
        guard scale.isFinite, scale > 0 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "scale", value: "\(scale)", allowed: "a finite number > 0")
        }
        guard shearDegrees.count == 2 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "shear", value: "\(shearDegrees)", allowed: "[sx, sy] in degrees")
        }
        try checkShear(shearDegrees, op: Self.opName)
        try checkCenter(center, op: Self.opName)
        self.angleDegrees = angleDegrees
        self.translatePixels = translatePixels
        self.scale = scale
        self.shearDegrees = shearDegrees
        self.center = center
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.paddingMode = paddingMode
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return input
    }

    /// Sample i's matrix for an input of `geometry`.
    public func matrix(for geometry: ImageGeometry) -> WarpMatrix {
        Geometry.affineWarp(
            width: geometry.width, height: geometry.height, outWidth: geometry.width, outHeight: geometry.height,
            center: center, angleDegrees: angleDegrees, translate: (translatePixels[0], translatePixels[1]),
            scale: scale, shearDegrees: (shearDegrees[0], shearDegrees[1]))
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.warp(
            plan.sampleGeometries.map(matrix(for:)), outputs: plan.sampleGeometries, interpolation: interpolation,
            reads: .outside(WarpBorder(mode: paddingMode, fill: fill)), op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case angle, translate, scale, shear, center, interpolation, fill
        case paddingMode = "padding_mode"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let angle = try read(Arguments.angle), translate = try read(Arguments.translate),
            scale = try read(Arguments.scale)
        let shear = try read(Arguments.shear)
        try self.init(
            angleDegrees: angle, translatePixels: translate, scale: scale,
            shearDegrees: parseShear(shear?.values, isList: shear.map { !$0.isSingle } ?? false),
            center: read(WarpArguments.center),
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            fill: read(WarpArguments.fill)?.values,
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(angleDegrees, forKey: .angle)
        try c.encode(translatePixels, forKey: .translate)
        try c.encode(scale, forKey: .scale)
        try c.encode(shearDegrees, forKey: .shear)
        try c.encodeIfPresent(center, forKey: .center)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encodeIfPresent(fill, forKey: .fill)
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
    }
}

/// `rotate`: rotation by `angleDegrees` counter-clockwise about `center` (default the image centre)
/// (torchvision `rotate`, which is `affine` with -angle). `expand` enlarges the output to hold the
/// whole rotated image (torchvision's size rule). Interpolation default nearest; fill as `affine`.
public struct Rotate: Transform {
    public static let opName = "rotate"
    public let angleDegrees: Double
    public let interpolation: Interpolation
    public let expand: Bool
    public let center: [Double]?
    public let fill: [Float]?
    public let paddingMode: BorderMode

    public init(
        angleDegrees: Double, interpolation: Interpolation = .nearest, expand: Bool = Arguments.expand.defaultValue!,
        center: [Double]? = nil,
        fill: [Double]? = nil, paddingMode: BorderMode = .constant
    ) throws {
        try AugmentError.checkFinite([angleDegrees], op: Self.opName, argument: "angle")
        try checkCenter(center, op: Self.opName)
        self.angleDegrees = angleDegrees
        self.interpolation = interpolation
        self.expand = expand
        self.center = center
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.paddingMode = paddingMode
    }

    static func theta(angleDegrees: Double, center: [Double]?, geometry: ImageGeometry) -> WarpMatrix {
        let relative =
            center.map { ($0[0] - Double(geometry.width) / 2, $0[1] - Double(geometry.height) / 2) } ?? (0, 0)
        return Geometry.inverseAffine(
            center: relative, angleDegrees: -angleDegrees, translate: (0, 0), scale: 1, shearDegrees: (0, 0))
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        guard expand else { return input }
        let (w, h) = Geometry.expandedSize(
            Self.theta(angleDegrees: angleDegrees, center: center, geometry: input),
            width: input.width, height: input.height)
        return ImageGeometry(height: h, width: w, channels: input.channels)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        let outputs = try plan.sampleGeometries.map(outputGeometry(for:))
        let matrices = zip(plan.sampleGeometries, outputs).map { g, o in
            Geometry.affineWarp(
                width: g.width, height: g.height, outWidth: o.width, outHeight: o.height, center: center,
                angleDegrees: -angleDegrees, translate: (0, 0), scale: 1, shearDegrees: (0, 0))
        }
        try plan.warp(
            matrices, outputs: outputs, interpolation: interpolation,
            reads: .outside(WarpBorder(mode: paddingMode, fill: fill)), op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case angle, interpolation, expand, center, fill
        case paddingMode = "padding_mode"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            angleDegrees: read(Arguments.angle),
            interpolation: WarpArguments.interpolation.choice(read(WarpArguments.interpolation), op: Self.opName),
            expand: read(Arguments.expand), center: read(WarpArguments.center), fill: read(WarpArguments.fill)?.values,
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(angleDegrees, forKey: .angle)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encode(expand, forKey: .expand)
        try c.encodeIfPresent(center, forKey: .center)
        try c.encodeIfPresent(fill, forKey: .fill)
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
    }
}

/// `perspective`: the projective map taking the four `startpoints` (top-left, top-right,
/// bottom-right, bottom-left, in pixels) to the four `endpoints` (torchvision `perspective`; the
/// coefficients map endpoints back to startpoints and are rounded to float32 as torchvision does).
/// Interpolation default bilinear; fill as `affine`.
public struct Perspective: Transform {
    public static let opName = "perspective"
    public let startpoints: [[Double]]
    public let endpoints: [[Double]]
    public let interpolation: Interpolation
    public let fill: [Float]?
    public let paddingMode: BorderMode
    /// The eight coefficients (output point -> input point).
    public let coefficients: [Double]

    public init(
        startpoints: [[Double]], endpoints: [[Double]], interpolation: Interpolation = .bilinear, fill: [Double]? = nil,
        paddingMode: BorderMode = .constant
    ) throws {
        for (name, points) in [("startpoints", startpoints), ("endpoints", endpoints)] {
            guard points.count == 4, points.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isFinite) }) else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: name, value: "\(points)",
                    allowed: "four finite [x, y] points")
            }
        }
        guard let coefficients = Geometry.perspectiveCoefficients(start: startpoints, end: endpoints),
            Geometry.perspectiveMatrix(coefficients).inverse != nil
        else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "endpoints", value: "\(endpoints)",
                allowed: "two non-degenerate quadrilaterals")
        }
        self.startpoints = startpoints
        self.endpoints = endpoints
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName)
        self.paddingMode = paddingMode
        self.coefficients = coefficients
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return input
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.warp(
            Array(repeating: Geometry.perspectiveMatrix(coefficients), count: plan.count),
            outputs: plan.sampleGeometries,
            interpolation: interpolation, reads: .outside(WarpBorder(mode: paddingMode, fill: fill)), op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case startpoints, endpoints, interpolation, fill
        case paddingMode = "padding_mode"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            startpoints: read(Arguments.startpoints), endpoints: read(Arguments.endpoints),
            interpolation: WarpArguments.bilinear.choice(read(WarpArguments.bilinear), op: Self.opName),
            fill: read(WarpArguments.fill)?.values,
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(startpoints, forKey: .startpoints)
        try c.encode(endpoints, forKey: .endpoints)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encodeIfPresent(fill, forKey: .fill)
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
    }
}

/// `resize`: to `size` = [height, width], or [s] for the smaller edge (aspect ratio kept, the longer
/// edge truncated, capped by `maxSize`) (torchvision `resize`). Bilinear (default) is
/// interpolate(align_corners=False) with the edge clamped; nearest is pixel-centre nearest
/// (torchvision `NEAREST_EXACT`). `antialias` (default true, as torchvision v2) makes bilinear
/// downscaling average a window widened by the scale factor (torch's `_upsample_bilinear2d_aa`; the
/// same as plain bilinear when upscaling; ignored for nearest); see docs/semantics.md.
public struct Resize: Transform {
    public static let opName = "resize"
    public let size: [Int]
    public let maxSize: Int?
    public let interpolation: Interpolation
    public let antialias: Bool

    public init(
        size: [Int], maxSize: Int? = nil, interpolation: Interpolation = .bilinear,
        antialias: Bool = WarpArguments.antialias.defaultValue!
    ) throws {
        guard size.count == 1 || size.count == 2, size.allSatisfy({ (1...maxImageSide).contains($0) }) else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "size", value: "\(size)",
                allowed: "[height, width] or [smaller edge], integers in [1, \(maxImageSide)]")
        }
        if let maxSize {
            try AugmentError.check(maxSize, in: 1...maxImageSide, op: Self.opName, argument: "max_size")
            guard size.count == 1, maxSize > size[0] else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: "max_size", value: "\(maxSize)",
                    allowed: "only with a one-value size, and larger than it")
            }
        }
        self.size = size
        self.maxSize = maxSize
        self.interpolation = interpolation
        self.antialias = antialias
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        let (h, w) = Geometry.resizedSize(size, maxSize: maxSize, height: input.height, width: input.width)
        return ImageGeometry(height: h, width: w, channels: input.channels)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        let outputs = try plan.sampleGeometries.map(outputGeometry(for:))
        let matrices = zip(plan.sampleGeometries, outputs).map { g, o in
            WarpMatrix.scaling(Double(g.width) / Double(o.width), Double(g.height) / Double(o.height))
        }
        try plan.warp(
            matrices, outputs: outputs, interpolation: interpolation, antialias: antialias, reads: .margin,
            op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case size, interpolation, antialias
        case maxSize = "max_size"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            size: read(WarpArguments.size)?.integers(op: Self.opName, argument: WarpArguments.size.name) ?? [],
            maxSize: read(Arguments.maxSize),
            interpolation: WarpArguments.bilinear.choice(read(WarpArguments.bilinear), op: Self.opName),
            antialias: read(WarpArguments.antialias))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(size, forKey: .size)
        try c.encodeIfPresent(maxSize, forKey: .maxSize)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encode(antialias, forKey: .antialias)
    }
}

/// One sample's crop box: top-left corner and size, in pixels of the image the op sees.
public struct CropBox: Codable, Sendable, Equatable {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    func check(in input: ImageGeometry, op: String) throws {
        guard top >= 0, left >= 0, height >= 1, width >= 1, top + height <= input.height, left + width <= input.width
        else {
            throw AugmentError.parameterMismatch(
                "\(op): box top=\(top) left=\(left) height=\(height) width=\(width) leaves the \(input.height)x\(input.width) image"
            )
        }
    }
}

/// Lowers per-sample crop boxes resized to `size` (shared by resized_crop and random_resized_crop).
func lowerResizedCrops(
    _ boxes: [CropBox], size: [Int], interpolation: Interpolation, antialias: Bool, op: String,
    into plan: inout PlanBuilder
) throws {
    for (i, box) in boxes.enumerated() { try box.check(in: plan.sampleGeometries[i], op: op) }
    // Crop first (so the resize clamps at the box, as torchvision's crop-then-resize), then resize;
    // both compose into the same warp.
    try plan.warp(
        boxes.map { .translation(Double($0.left), Double($0.top)) },
        outputs: zip(boxes, plan.sampleGeometries).map {
            ImageGeometry(height: $0.height, width: $0.width, channels: $1.channels)
        },
        interpolation: nil, reads: .inside, op: op)
    let outputs = plan.sampleGeometries.map { ImageGeometry(height: size[0], width: size[1], channels: $0.channels) }
    let matrices = boxes.map { box in
        WarpMatrix.scaling(Double(box.width) / Double(size[1]), Double(box.height) / Double(size[0]))
    }
    try plan.warp(
        matrices, outputs: outputs, interpolation: interpolation, antialias: antialias, reads: .margin, op: op)
}

private func checkOutputSize(_ size: [Int], op: String) throws -> [Int] {
    let size = size.count == 1 ? [size[0], size[0]] : size
    guard size.count == 2, size.allSatisfy({ (1...maxImageSide).contains($0) }) else {
        throw AugmentError.invalidArgument(
            op: op, argument: "size", value: "\(size)",
            allowed: "[height, width] (or one value), integers in [1, \(maxImageSide)]")
    }
    return size
}

/// `resized_crop`: the box (top, left, height, width), which must lie inside the image, resized to
/// `size` = [height, width] (torchvision `resized_crop` = crop then resize; `antialias` as `resize`,
/// default true, its window clipped to the box).
public struct ResizedCrop: Transform {
    public static let opName = "resized_crop"
    public let box: CropBox
    public let size: [Int]
    public let interpolation: Interpolation
    public let antialias: Bool

    public init(
        top: Int, left: Int, height: Int, width: Int, size: [Int], interpolation: Interpolation = .bilinear,
        antialias: Bool = WarpArguments.antialias.defaultValue!
    ) throws {
        try AugmentError.check(top, in: 0...Int(Int32.max), op: Self.opName, argument: "top")
        try AugmentError.check(left, in: 0...Int(Int32.max), op: Self.opName, argument: "left")
        try AugmentError.check(height, in: 1...maxImageSide, op: Self.opName, argument: "height")
        try AugmentError.check(width, in: 1...maxImageSide, op: Self.opName, argument: "width")
        box = CropBox(top: top, left: left, height: height, width: width)
        self.size = try checkOutputSize(size, op: Self.opName)
        self.interpolation = interpolation
        self.antialias = antialias
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        do { try box.check(in: input, op: Self.opName) } catch { throw AugmentError.incompatible("\(error)") }
        return ImageGeometry(height: size[0], width: size[1], channels: input.channels)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try lowerResizedCrops(
            Array(repeating: box, count: plan.count), size: size, interpolation: interpolation,
            antialias: antialias, op: Self.opName, into: &plan)
    }

    private enum CodingKeys: String, CodingKey { case top, left, height, width, size, interpolation, antialias }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            top: read(CropArguments.top), left: read(CropArguments.left), height: read(CropArguments.height),
            width: read(CropArguments.width),
            size: read(WarpArguments.outputSize)?.integers(op: Self.opName, argument: "size") ?? [],
            interpolation: WarpArguments.bilinear.choice(read(WarpArguments.bilinear), op: Self.opName),
            antialias: read(WarpArguments.antialias))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(box.top, forKey: .top)
        try c.encode(box.left, forKey: .left)
        try c.encode(box.height, forKey: .height)
        try c.encode(box.width, forKey: .width)
        try c.encode(size, forKey: .size)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encode(antialias, forKey: .antialias)
    }
}

/// `rot90`: `k` quarter turns counter-clockwise (torch.rot90(image, k, dims=(-2, -1)); any integer
/// k, taken modulo 4). Exact: pixels are moved, not computed.
public struct Rot90: Transform {
    public static let opName = "rot90"
    public let k: Int

    public init(k: Int = Arguments.k.defaultValue!) throws {
        try Arguments.k.check(k, op: Self.opName)
        self.k = k
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        ((k % 4) + 4) % 2 == 1
            ? ImageGeometry(height: input.width, width: input.height, channels: input.channels) : input
    }

    /// The quarter-turn matrix for an input of `geometry`.
    public func matrix(for g: ImageGeometry) -> WarpMatrix {
        let w = Double(g.width), h = Double(g.height)
        switch ((k % 4) + 4) % 4 {
        case 1: return WarpMatrix(m9: [0, -1, w, 1, 0, 0, 0, 0, 1])  // out (x, y) reads (W - y, x)
        case 2: return WarpMatrix(m9: [-1, 0, w, 0, -1, h, 0, 0, 1])
        case 3: return WarpMatrix(m9: [0, 1, 0, -1, 0, h, 0, 0, 1])  // out (x, y) reads (y, H - x)
        default: return .identity
        }
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.warp(
            plan.sampleGeometries.map(matrix(for:)), outputs: try plan.sampleGeometries.map(outputGeometry(for:)),
            interpolation: nil, reads: .inside, op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey { case k }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(k: read(Arguments.k))
    }
}

/// Parses torchvision's padding: p (all sides), [lr, tb], or [left, top, right, bottom].
func parsePadding(_ values: [Int], op: String) throws -> [Int] {
    let sides: [Int]
    switch values.count {
    case 1: sides = Array(repeating: values[0], count: 4)
    case 2: sides = [values[0], values[1], values[0], values[1]]
    case 4: sides = values
    default:
        throw AugmentError.invalidArgument(
            op: op, argument: "padding", value: "\(values)",
            allowed: "p, [left/right, top/bottom] or [left, top, right, bottom]")
    }
    for s in sides where !(0...Int(Int32.max / 4)).contains(s) {
        throw AugmentError.invalidArgument(
            op: op, argument: "padding", value: "\(values)", allowed: "integers in [0, 2^29]")
    }
    return sides
}

/// Lowers a pad of [left, top, right, bottom] on every sample.
func lowerPad(_ sides: [[Int]], mode: BorderMode, fill: [Float]?, op: String, into plan: inout PlanBuilder) throws {
    let outputs = zip(plan.sampleGeometries, sides).map { g, s in
        ImageGeometry(height: g.height + s[1] + s[3], width: g.width + s[0] + s[2], channels: g.channels)
    }
    try plan.warp(
        sides.map { .translation(-Double($0[0]), -Double($0[1])) }, outputs: outputs, interpolation: nil,
        reads: .outside(WarpBorder(mode: mode, fill: fill ?? [0], fillRule: .extend)), op: op)
}

/// `pad`: adds `padding` = [left, top, right, bottom] pixels (or p, or [left/right, top/bottom]) with
/// `padding_mode` constant (fill per channel, default 0), edge or reflect (torchvision `pad`).
public struct Pad: Transform {
    public static let opName = "pad"
    /// [left, top, right, bottom].
    public let padding: [Int]
    public let fill: [Float]
    public let paddingMode: BorderMode

    public init(
        padding: [Int], fill: [Double] = CropArguments.fill.defaultValue!.values, paddingMode: BorderMode = .constant
    ) throws {
        self.padding = try parsePadding(padding, op: Self.opName)
        self.fill = try AugmentError.checkFill(fill, op: Self.opName) ?? [0]
        self.paddingMode = paddingMode
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return ImageGeometry(
            height: input.height + padding[1] + padding[3], width: input.width + padding[0] + padding[2],
            channels: input.channels)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try lowerPad(
            Array(repeating: padding, count: plan.count), mode: paddingMode, fill: fill, op: Self.opName, into: &plan)
    }

    private enum CodingKeys: String, CodingKey {
        case padding, fill
        case paddingMode = "padding_mode"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            padding: read(Arguments.padding)?.integers(op: Self.opName, argument: Arguments.padding.name) ?? [],
            fill: read(CropArguments.fill).values,
            paddingMode: WarpArguments.paddingMode.choice(read(WarpArguments.paddingMode), op: Self.opName))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(padding, forKey: .padding)
        try c.encode(fill, forKey: .fill)
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
    }
}

/// Arguments the geometric ops share, declared once.
public enum WarpArguments {
    /// `interpolation` of affine and rotate (torchvision's default there: nearest).
    public static let interpolation = OpArgument<String>(
        "interpolation", default: "nearest", choices: Interpolation.allCases.map(\.rawValue),
        doc: "how the input is sampled")
    /// `interpolation` of resize, perspective and the crops that resize (torchvision's default: bilinear).
    public static let bilinear = OpArgument<String>(
        "interpolation", default: "bilinear", choices: Interpolation.allCases.map(\.rawValue),
        doc: "how the input is sampled")
    public static let fill = OpArgument<OneOrList<Double>?>(
        optional: "fill", allowed: "finite numbers, one or one per channel",
        doc: "the value of output pixels that map outside the input (padding_mode constant); null: 0")
    public static let paddingMode = OpArgument<String>(
        "padding_mode", default: "constant", choices: BorderMode.allCases.map(\.rawValue),
        doc: "outside the input: the fill, the nearest edge pixel, or a reflection without repeating the edge")
    public static let center = OpArgument<[Double]?>(
        optional: "center", allowed: "[x, y] in pixels", doc: "centre of rotation and scaling; null: the image centre")
    public static let size = OpArgument<OneOrList<Double>?>(
        optional: "size", allowed: "required: an integer s (the smaller edge) or [height, width], in [1, 1048576]",
        doc: "output size [height, width], or s for the smaller edge (aspect ratio kept)")
    /// `size` of the crops that resize (one value: a square).
    public static let outputSize = OpArgument<OneOrList<Double>?>(
        optional: "size", allowed: "required: [height, width] (or one value), integers in [1, 1048576]",
        doc: "output size [height, width], or one value for a square")
    public static let antialias = OpArgument<Bool>(
        "antialias", default: true,
        doc: "low-pass when downscaling (bilinear: torchvision's antialiased resize; false: plain interpolation)")
}

extension Affine {
    /// `affine`'s own arguments, declared once (the shared ones are in ``WarpArguments``).
    public enum Arguments {
        public static let angle = OpArgument<Double>(
            "angle", default: 0, allowed: "a finite number", doc: "rotation in degrees, clockwise (as torchvision)")
        public static let translate = OpArgument<[Double]>(
            "translate", default: [0, 0], allowed: "[dx, dy], finite", doc: "translation in pixels [dx, dy]")
        public static let scale = OpArgument<Double>(
            "scale", default: 1, allowed: "a finite number > 0", doc: "uniform scale")
        public static let shear = OpArgument<OneOrList<Double>?>(
            optional: "shear", allowed: "degrees in (-90, 90): one number (x) or [x, y]",
            doc: "shear angles in degrees; null: none")
    }
}

extension Rotate {
    /// `rotate`'s own arguments, declared once.
    public enum Arguments {
        public static let angle = OpArgument<Double>(
            "angle", allowed: "a finite number", doc: "rotation in degrees, counter-clockwise (as torchvision)")
        public static let expand = OpArgument<Bool>(
            "expand", default: false, doc: "enlarge the output to hold the whole rotated image")
    }
}

extension Perspective {
    /// `perspective`'s own arguments, declared once.
    public enum Arguments {
        public static let startpoints = OpArgument<[[Double]]>(
            "startpoints", allowed: "four [x, y] points, finite",
            doc: "corners in the input (top-left, top-right, bottom-right, bottom-left)")
        public static let endpoints = OpArgument<[[Double]]>(
            "endpoints", allowed: "four [x, y] points, finite", doc: "where the start points go in the output")
    }
}

extension Resize {
    /// `resize`'s own arguments, declared once.
    public enum Arguments {
        public static let maxSize = OpArgument<Int?>(
            optional: "max_size", allowed: "an integer larger than size",
            doc: "cap on the longer edge when `size` is one number")
    }
}

extension Rot90 {
    /// `rot90`'s arguments, declared once.
    public enum Arguments {
        public static let k = OpArgument<Int>(
            "k", default: 1, range: -Double(Int32.max)...Double(Int32.max), catalog: -2...5,
            doc: "quarter turns counter-clockwise (any integer; taken modulo 4)")
    }
}

extension Pad {
    /// `pad`'s own arguments, declared once.
    public enum Arguments {
        public static let padding = OpArgument<OneOrList<Double>?>(
            optional: "padding",
            allowed: "required: p, [left/right, top/bottom] or [left, top, right, bottom], integers in [0, 2^29]",
            doc: "pixels added on each side")
    }
}

extension Affine: DescribedArguments {
    public static let arguments = [
        Arguments.angle.info, Arguments.translate.info, Arguments.scale.info, Arguments.shear.info,
        WarpArguments.center.info, WarpArguments.interpolation.info, WarpArguments.fill.info,
        WarpArguments.paddingMode.info,
    ]
    public static let summary =
        "Rotation, translation, scale and shear about a centre, one matrix for the batch (torchvision `affine`)."
}

extension Rotate: DescribedArguments {
    public static let arguments = [
        Arguments.angle.info, WarpArguments.interpolation.info, Arguments.expand.info, WarpArguments.center.info,
        WarpArguments.fill.info, WarpArguments.paddingMode.info,
    ]
    public static let summary = "Rotation by `angle` degrees about the centre (torchvision `rotate`)."
}

extension Perspective: DescribedArguments {
    public static let arguments = [
        Arguments.startpoints.info, Arguments.endpoints.info, WarpArguments.bilinear.info, WarpArguments.fill.info,
        WarpArguments.paddingMode.info,
    ]
    public static let summary =
        "The projective map taking the four start points to the end points (torchvision `perspective`)."
}

extension Resize: DescribedArguments {
    public static let arguments = [
        WarpArguments.size.info, Arguments.maxSize.info, WarpArguments.bilinear.info, WarpArguments.antialias.info,
    ]
    public static let summary = "Resizes to [height, width] or by the smaller edge (torchvision `resize`)."
}

extension ResizedCrop: DescribedArguments {
    public static let arguments = [
        CropArguments.top.info, CropArguments.left.info, CropArguments.height.info, CropArguments.width.info,
        WarpArguments.outputSize.info, WarpArguments.bilinear.info, WarpArguments.antialias.info,
    ]
    public static let summary =
        "Crops the box, then resizes it to `size` in one sampling (torchvision `resized_crop`)."
}

extension Rot90: DescribedArguments {
    public static let arguments = [Arguments.k.info]
    public static let summary = "`k` quarter turns counter-clockwise, exact (torch `rot90`)."
}

extension Pad: DescribedArguments {
    public static let arguments = [Arguments.padding.info, CropArguments.fill.info, WarpArguments.paddingMode.info]
    public static let summary = "Adds pixels on each side: constant, edge or reflect (torchvision `pad`)."
}
