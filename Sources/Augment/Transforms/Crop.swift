/// Checks an output size argument.
private func checkSize(_ height: Int, _ width: Int, op: String) throws {
    try CropArguments.height.check(height, op: op)
    try CropArguments.width.check(width, op: op)
}

/// The crop ops' arguments, declared once for all three.
public enum CropArguments {
    static let int32 = 0...Double(Int32.max)
    public static let top = OpArgument<Int>("top", range: int32, doc: "top row of the box")
    public static let left = OpArgument<Int>("left", range: int32, doc: "left column of the box")
    public static let height = OpArgument<Int>(
        "height", range: 1...Double(maxImageSide),
        doc: "output height in pixels (`size`: an integer or [height, width], as torchvision, sets both)")
    public static let width = OpArgument<Int>(
        "width", range: 1...Double(maxImageSide), doc: "output width in pixels")
    public static let padding = OpArgument<OneOrList<Double>>(
        "padding", default: OneOrList(single: 0),
        allowed: "integers >= 0: one for all sides, [left/right, top/bottom] or [left, top, right, bottom]",
        doc: "padding added before cropping (torchvision's order)")
    public static let padIfNeeded = OpArgument<Bool>(
        "pad_if_needed", default: false, doc: "pad an image smaller than the crop up to its size")
    public static let fill = OpArgument<OneOrList<Double>>(
        "fill", default: OneOrList(single: 0), allowed: "finite numbers, one or one per channel",
        doc: "the padding value (padding_mode constant)")
    public static let paddingMode = OpArgument<String>(
        "padding_mode", default: "constant", choices: BorderMode.allCases.map(\.rawValue),
        doc: "how padding is filled: a constant, the edge pixel, or a reflection without repeating the edge")
    public static let sameOnBatch = OpArgument<Bool>(
        "same_on_batch", default: false, doc: "draw one crop position for the whole batch instead of one per sample")
}

/// Throws unless a height x width box fits in `input`.
private func checkFits(_ height: Int, _ width: Int, in input: ImageGeometry, op: String) throws {
    guard height <= input.height, width <= input.width else {
        throw AugmentError.incompatible(
            "\(op): crop size \(height)x\(width) is larger than the \(input.height)x\(input.width) image")
    }
}

/// `crop`: the box with top-left corner (top, left) and size height x width, the same for every
/// sample (torchvision `crop`). The box must lie inside the image; torchvision pads a box that
/// leaves the image with zeros, this library reports an error instead.
public struct Crop: Transform {
    public static let opName = "crop"
    public let top: Int
    public let left: Int
    public let height: Int
    public let width: Int

    public init(top: Int, left: Int, height: Int, width: Int) throws {
        try CropArguments.top.check(top, op: Self.opName)
        try CropArguments.left.check(left, op: Self.opName)
        try checkSize(height, width, op: Self.opName)
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        guard top + height <= input.height, left + width <= input.width else {
            throw AugmentError.incompatible(
                "crop: box top=\(top) left=\(left) height=\(height) width=\(width) leaves the \(input.height)x\(input.width) image"
            )
        }
        return ImageGeometry(height: height, width: width, channels: input.channels)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.crop(
            top: Array(repeating: top, count: plan.count), left: Array(repeating: left, count: plan.count),
            height: height, width: width, op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey { case top, left, height, width }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(
            top: read(CropArguments.top), left: read(CropArguments.left), height: read(CropArguments.height),
            width: read(CropArguments.width))
    }
}

/// `center_crop`: the centred height x width box (torchvision `center_crop`: top =
/// round((H - height) / 2), left = round((W - width) / 2), rounding halves to even as Python's
/// `round`). The box must fit in the image.
public struct CenterCrop: Transform {
    public static let opName = "center_crop"
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) throws {
        try checkSize(height, width, op: Self.opName)
        self.height = height
        self.width = width
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkFits(height, width, in: input, op: Self.opName)
        return ImageGeometry(height: height, width: width, channels: input.channels)
    }

    /// The top-left corner torchvision picks for `input`.
    public func origin(for input: ImageGeometry) -> (top: Int, left: Int) {
        (
            Int((Double(input.height - height) / 2).rounded(.toNearestOrEven)),
            Int((Double(input.width - width) / 2).rounded(.toNearestOrEven))
        )
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        let origins = plan.sampleGeometries.map(origin(for:))
        try plan.crop(top: origins.map(\.top), left: origins.map(\.left), height: height, width: width, op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey { case height, width }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        try self.init(height: read(CropArguments.height), width: read(CropArguments.width))
    }
}

/// Where one sample's crop starts.
public struct CropOrigin: Codable, Sendable, Equatable {
    public var top: Int
    public var left: Int
    public init(top: Int, left: Int) {
        self.top = top
        self.left = left
    }
}

/// `random_crop`: a height x width box at a uniformly random position, drawn per sample
/// (torchvision `RandomCrop`: top ~ randint(0, H - height + 1), then left ~ randint(0, W - width + 1)),
/// after optional padding: `padding` = [left, top, right, bottom] (or p, or [left/right,
/// top/bottom]) and, with `pad_if_needed`, each side too short for the crop grows by the missing
/// amount on both ends (torchvision's rule), filled by `padding_mode` (constant with `fill`, edge,
/// reflect). `same_on_batch` draws one position for the whole batch.
public struct RandomCrop: Transform {
    public static let opName = "random_crop"
    public let height: Int
    public let width: Int
    /// [left, top, right, bottom].
    public let padding: [Int]
    public let padIfNeeded: Bool
    public let fill: [Float]
    public let paddingMode: BorderMode
    public let sameOnBatch: Bool

    public init(
        height: Int, width: Int, padding: [Int] = [0], padIfNeeded: Bool = CropArguments.padIfNeeded.defaultValue!,
        fill: [Double] = CropArguments.fill.defaultValue!.values, paddingMode: BorderMode = .constant,
        sameOnBatch: Bool = CropArguments.sameOnBatch.defaultValue!
    ) throws {
        try checkSize(height, width, op: Self.opName)
        self.height = height
        self.width = width
        self.padding = try parsePadding(padding, op: Self.opName)
        self.padIfNeeded = padIfNeeded
        self.fill = try AugmentError.checkFill(fill, op: Self.opName) ?? [0]
        self.paddingMode = paddingMode
        self.sameOnBatch = sameOnBatch
    }

    /// The padding [left, top, right, bottom] applied to an image of `input`.
    public func sides(for input: ImageGeometry) -> [Int] {
        var sides = padding
        if padIfNeeded {
            let paddedHeight = input.height + sides[1] + sides[3]
            let paddedWidth = input.width + sides[0] + sides[2]
            if paddedHeight < height {
                sides[1] += height - paddedHeight
                sides[3] += height - paddedHeight
            }
            if paddedWidth < width {
                sides[0] += width - paddedWidth
                sides[2] += width - paddedWidth
            }
        }
        return sides
    }

    private func padded(_ input: ImageGeometry) -> ImageGeometry {
        let s = sides(for: input)
        return ImageGeometry(
            height: input.height + s[1] + s[3], width: input.width + s[0] + s[2], channels: input.channels)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        try checkFits(height, width, in: padded(input), op: Self.opName)
        return ImageGeometry(height: height, width: width, channels: input.channels)
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CropOrigin {
        let g = padded(input)
        let top = random.integer(in: 0...max(0, g.height - height))
        let left = random.integer(in: 0...max(0, g.width - width))
        return CropOrigin(top: top, left: left)
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CropOrigin] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    public func validate(_ parameters: CropOrigin, for input: ImageGeometry) throws {
        let g = padded(input)
        guard parameters.top >= 0, parameters.left >= 0,
            parameters.top + height <= g.height, parameters.left + width <= g.width
        else {
            throw AugmentError.parameterMismatch(
                "random_crop: origin (\(parameters.top), \(parameters.left)) puts the \(height)x\(width) box outside the \(g.height)x\(g.width) image"
            )
        }
    }

    public func lower(_ parameters: [CropOrigin], into plan: inout PlanBuilder) throws {
        let sides = plan.sampleGeometries.map { self.sides(for: $0) }
        if sides.contains(where: { $0.contains { $0 != 0 } }) {
            try lowerPad(sides, mode: paddingMode, fill: fill, op: Self.opName, into: &plan)
        }
        try plan.crop(
            top: parameters.map(\.top), left: parameters.map(\.left), height: height, width: width,
            op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey {
        case height, width, padding, fill
        case padIfNeeded = "pad_if_needed"
        case paddingMode = "padding_mode"
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let paddingMode: BorderMode = try CropArguments.paddingMode.choice(
            read(CropArguments.paddingMode), op: Self.opName)
        try self.init(
            height: read(CropArguments.height), width: read(CropArguments.width),
            padding: read(CropArguments.padding).integers(op: Self.opName, argument: CropArguments.padding.name),
            padIfNeeded: read(CropArguments.padIfNeeded), fill: read(CropArguments.fill).values,
            paddingMode: paddingMode, sameOnBatch: read(CropArguments.sameOnBatch))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(height, forKey: .height)
        try c.encode(width, forKey: .width)
        try c.encode(padding, forKey: .padding)
        try c.encode(padIfNeeded, forKey: .padIfNeeded)
        try c.encode(fill, forKey: .fill)
        try c.encode(paddingMode.rawValue, forKey: .paddingMode)
        try c.encode(sameOnBatch, forKey: .sameOnBatch)
    }
}

extension Crop: DescribedArguments {
    public static let arguments = [
        CropArguments.top.info, CropArguments.left.info, CropArguments.height.info, CropArguments.width.info,
    ]
    public static let summary = "The box at (top, left) of height x width, which must fit (torchvision `crop`)."
}

extension CenterCrop: DescribedArguments {
    public static let arguments = [CropArguments.height.info, CropArguments.width.info]
    public static let summary =
        "The centred height x width box, which must fit (torchvision `center_crop` / `CenterCrop`)."
}

extension RandomCrop: DescribedArguments {
    public static let arguments = [
        CropArguments.height.info, CropArguments.width.info, CropArguments.padding.info,
        CropArguments.padIfNeeded.info, CropArguments.fill.info, CropArguments.paddingMode.info,
        CropArguments.sameOnBatch.info,
    ]
    public static let summary =
        "A height x width box at a uniformly drawn position per sample, after optional padding (torchvision `RandomCrop`)."
}
