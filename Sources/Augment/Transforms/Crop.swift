/// Checks an output size argument.
private func checkSize(_ height: Int, _ width: Int, op: String) throws {
    try AugmentError.check(height, in: 1...Int(Int32.max), op: op, argument: "height")
    try AugmentError.check(width, in: 1...Int(Int32.max), op: op, argument: "width")
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
        try AugmentError.check(top, in: 0...Int(Int32.max), op: Self.opName, argument: "top")
        try AugmentError.check(left, in: 0...Int(Int32.max), op: Self.opName, argument: "left")
        try checkSize(height, width, op: Self.opName)
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        guard top + height <= input.height, left + width <= input.width else {
            throw AugmentError.incompatible(
                "crop: box top=\(top) left=\(left) height=\(height) width=\(width) leaves the \(input.height)x\(input.width) image")
        }
        return ImageGeometry(height: height, width: width, channels: input.channels)
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.crop(top: Array(repeating: top, count: plan.count), left: Array(repeating: left, count: plan.count),
                      height: height, width: width, op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey { case top, left, height, width }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(top: c.decode(Int.self, forKey: .top), left: c.decode(Int.self, forKey: .left),
                      height: c.decode(Int.self, forKey: .height), width: c.decode(Int.self, forKey: .width))
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
        (Int((Double(input.height - height) / 2).rounded(.toNearestOrEven)),
         Int((Double(input.width - width) / 2).rounded(.toNearestOrEven)))
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        let (top, left) = origin(for: plan.geometry)
        try plan.crop(top: Array(repeating: top, count: plan.count), left: Array(repeating: left, count: plan.count),
                      height: height, width: width, op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey { case height, width }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(height: c.decode(Int.self, forKey: .height), width: c.decode(Int.self, forKey: .width))
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
/// (torchvision `RandomCrop`: top ~ randint(0, H - height + 1), then left ~ randint(0, W - width + 1)).
public struct RandomCrop: Transform {
    public static let opName = "random_crop"
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

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CropOrigin {
        let top = random.integer(in: 0...max(0, input.height - height))
        let left = random.integer(in: 0...max(0, input.width - width))
        return CropOrigin(top: top, left: left)
    }

    public func validate(_ parameters: CropOrigin, for input: ImageGeometry) throws {
        guard parameters.top >= 0, parameters.left >= 0,
              parameters.top + height <= input.height, parameters.left + width <= input.width else {
            throw AugmentError.parameterMismatch(
                "random_crop: origin (\(parameters.top), \(parameters.left)) puts the \(height)x\(width) box outside the \(input.height)x\(input.width) image")
        }
    }

    public func lower(_ parameters: [CropOrigin], into plan: inout PlanBuilder) throws {
        try plan.crop(top: parameters.map(\.top), left: parameters.map(\.left), height: height, width: width,
                      op: Self.opName)
    }

    private enum CodingKeys: String, CodingKey { case height, width }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(height: c.decode(Int.self, forKey: .height), width: c.decode(Int.self, forKey: .width))
    }
}
