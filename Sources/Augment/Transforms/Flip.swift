/// `hflip`: mirrors every image left-right (torchvision `horizontal_flip`).
public struct HorizontalFlip: Transform {
    public static let opName = "hflip"
    public init() {}

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.flipHorizontally(Array(repeating: true, count: plan.count))
    }
}

/// `vflip`: mirrors every image top-bottom (torchvision `vertical_flip`).
public struct VerticalFlip: Transform {
    public static let opName = "vflip"
    public init() {}

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        try plan.flipVertically(Array(repeating: true, count: plan.count))
    }
}

/// Whether one sample was flipped.
public struct FlipParameters: Codable, Sendable, Equatable {
    public var flipped: Bool
    public init(flipped: Bool) { self.flipped = flipped }
}

/// `random_horizontal_flip`: mirrors each sample left-right with probability `p` in [0, 1]
/// (torchvision `RandomHorizontalFlip`; one uniform draw u per sample, flipped when u < p).
public struct RandomHorizontalFlip: Transform {
    public static let opName = "random_horizontal_flip"
    public let p: Double
    /// Draw one decision for the whole batch (from the batch stream) instead of one per sample.
    public let sameOnBatch: Bool

    public init(p: Double = 0.5, sameOnBatch: Bool = false) throws {
        try AugmentError.checkProbability(p, op: Self.opName)
        self.p = p
        self.sameOnBatch = sameOnBatch
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [FlipParameters] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> FlipParameters {
        FlipParameters(flipped: random.bernoulli(p))
    }

    public func validate(_ parameters: FlipParameters, for input: ImageGeometry) throws {}

    public func lower(_ parameters: [FlipParameters], into plan: inout PlanBuilder) throws {
        try plan.flipHorizontally(parameters.map(\.flipped))
    }

    private enum CodingKeys: String, CodingKey {
        case p
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(p: try container.decodeIfPresent(Double.self, forKey: .p) ?? 0.5,
                      sameOnBatch: try container.decodeIfPresent(Bool.self, forKey: .sameOnBatch) ?? false)
    }
}

/// `random_vertical_flip`: mirrors each sample top-bottom with probability `p` in [0, 1]
/// (torchvision `RandomVerticalFlip`; one uniform draw u per sample, flipped when u < p).
public struct RandomVerticalFlip: Transform {
    public static let opName = "random_vertical_flip"
    public let p: Double
    /// Draw one decision for the whole batch (from the batch stream) instead of one per sample.
    public let sameOnBatch: Bool

    public init(p: Double = 0.5, sameOnBatch: Bool = false) throws {
        try AugmentError.checkProbability(p, op: Self.opName)
        self.p = p
        self.sameOnBatch = sameOnBatch
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [FlipParameters] {
        sampleEach(context, sameOnBatch: sameOnBatch)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> FlipParameters {
        FlipParameters(flipped: random.bernoulli(p))
    }

    public func validate(_ parameters: FlipParameters, for input: ImageGeometry) throws {}

    public func lower(_ parameters: [FlipParameters], into plan: inout PlanBuilder) throws {
        try plan.flipVertically(parameters.map(\.flipped))
    }

    private enum CodingKeys: String, CodingKey {
        case p
        case sameOnBatch = "same_on_batch"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(p: try container.decodeIfPresent(Double.self, forKey: .p) ?? 0.5,
                      sameOnBatch: try container.decodeIfPresent(Bool.self, forKey: .sameOnBatch) ?? false)
    }
}
