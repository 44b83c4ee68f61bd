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

    public init(
        p: Double = FlipArguments.p.defaultValue!, sameOnBatch: Bool = FlipArguments.sameOnBatch.defaultValue!
    ) throws {
        try FlipArguments.p.check(p, op: Self.opName)
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
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(FlipArguments.p), sameOnBatch: read(FlipArguments.sameOnBatch))
    }
}

/// `random_vertical_flip`: mirrors each sample top-bottom with probability `p` in [0, 1]
/// (torchvision `RandomVerticalFlip`; one uniform draw u per sample, flipped when u < p).
public struct RandomVerticalFlip: Transform {
    public static let opName = "random_vertical_flip"
    public let p: Double
    /// Draw one decision for the whole batch (from the batch stream) instead of one per sample.
    public let sameOnBatch: Bool

    public init(
        p: Double = FlipArguments.p.defaultValue!, sameOnBatch: Bool = FlipArguments.sameOnBatch.defaultValue!
    ) throws {
        try FlipArguments.p.check(p, op: Self.opName)
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
        let read = try OpArgumentReader(decoder)
        try self.init(p: read(FlipArguments.p), sameOnBatch: read(FlipArguments.sameOnBatch))
    }
}

/// The arguments of `random_horizontal_flip` and `random_vertical_flip`, declared once for both.
public enum FlipArguments {
    public static let p = OpArgument<Double>(
        "p", default: 0.5, range: 0...1, catalog: 0...1,
        doc: "probability of flipping each sample (one uniform draw u per sample, flipped when u < p)")
    public static let sameOnBatch = OpArgument<Bool>(
        "same_on_batch", default: false, doc: "draw one decision for the whole batch instead of one per sample")
}

extension HorizontalFlip: DescribedArguments {
    public static let arguments: [OpArgumentInfo] = []
    public static let summary = "Mirrors every image left-right (torchvision `horizontal_flip`)."
}

extension VerticalFlip: DescribedArguments {
    public static let arguments: [OpArgumentInfo] = []
    public static let summary = "Mirrors every image top-bottom (torchvision `vertical_flip`)."
}

extension RandomHorizontalFlip: DescribedArguments {
    public static let arguments = [FlipArguments.p.info, FlipArguments.sameOnBatch.info]
    public static let summary =
        "Mirrors each sample left-right with probability `p` (torchvision `RandomHorizontalFlip`)."
}

extension RandomVerticalFlip: DescribedArguments {
    public static let arguments = [FlipArguments.p.info, FlipArguments.sameOnBatch.info]
    public static let summary =
        "Mirrors each sample top-bottom with probability `p` (torchvision `RandomVerticalFlip`)."
}
