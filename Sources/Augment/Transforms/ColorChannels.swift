// color_channels: colour ops on some channels of an image (multispectral RGB + near infrared ...,
// RGBA), the other channels bit-identical. A colour op's `"channels": [...]` argument in a pipeline
// file is read as this op around it.

/// `color_channels`: runs colour ops (`ops`, each in ``OpRegistry/colorOpNames``) on the image
/// channels `channels` only, in that order (the ops see channels[0], channels[1], channels[2] as
/// R, G, B); every other channel is copied unchanged, bit for bit. Without it, colour ops on an
/// image with 4 or more channels act on the first three; on 1 or 3 channels, on all (torchvision).
/// Ops that mix channels (brightness, contrast, saturation, hue, grayscale, autocontrast, and the
/// policies and jitters that contain them) need 1 or 3 selected channels; `rgb_to_grayscale` must
/// keep the selected channel count (`num_output_channels` 3 writes the luma into the three).
/// Geometric ops inside a policy (rand_augment's rotate ...) still move every channel. Each nested
/// op draws from streams of its own, as in `compose`.
public struct ColorChannels: Transform {
    public static let opName = "color_channels"
    public let channels: [Int]
    public let ops: [any Transform]
    var children: ChildOps { ChildOps(ops: ops, owner: Self.opName) }

    public init(_ ops: [any Transform], channels: [Int]) throws {
        guard !channels.isEmpty, Set(channels).count == channels.count, channels.allSatisfy({ (0..<4096).contains($0) })
        else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "channels", value: "\(channels)",
                allowed: "a non-empty list of distinct channel indices in 0...4095, e.g. [0, 1, 2]")
        }
        for (i, op) in ops.enumerated() where !OpRegistry.colorOpNames.contains(op.opName) {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "ops[\(i)]", value: op.opName,
                allowed: "colour ops (\(OpRegistry.colorOpNames.sorted().joined(separator: ", ")))")
        }
        self.channels = channels
        self.ops = ops
    }

    /// The geometry the nested ops see: the selected channels only.
    private func selected(_ input: ImageGeometry) -> ImageGeometry {
        ImageGeometry(height: input.height, width: input.width, channels: channels.count)
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        if let missing = channels.first(where: { $0 >= input.channels }) {
            throw AugmentError.incompatible(
                "\(Self.opName): channel \(missing) does not exist in a \(input.channels)-channel image (channels are numbered from 0)"
            )
        }
        let inner = selected(input)
        let output = try ops.reduce(inner) { try $1.outputGeometry(for: $0) }
        guard output == inner else {
            throw AugmentError.incompatible(
                "\(Self.opName): the ops turn the \(inner.channels) selected channels into \(output.channels); colour ops on some channels must keep their count (rgb_to_grayscale: num_output_channels \(inner.channels))"
            )
        }
        return input
    }

    public func sampleBatchParameters(_ context: SamplingContext) -> [CompositeParameters] {
        let geometries = (0..<context.count).map { selected(context.geometry(ofSample: $0)) }
        let draws = ops.indices.map { children.draw(child: $0, context, geometries: geometries) }
        return (0..<context.count).map { n in CompositeParameters(children: draws.map { $0[n] }) }
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> CompositeParameters {
        sampleBatchParameters(ChildOps.context(for: input, random: random))[0]
    }

    public func validate(_ parameters: CompositeParameters, for input: ImageGeometry) throws {
        try children.checkCount(parameters)
        for (i, value) in parameters.children.enumerated() {
            guard let value else { throw AugmentError.parameterMismatch("\(Self.opName): ops[\(i)] has no parameters") }
            try children.validate(child: i, value, for: selected(input))
        }
    }

    public func lower(_ parameters: [CompositeParameters], into plan: inout PlanBuilder) throws {
        _ = try outputGeometry(for: plan.geometry)
        let saved = plan.colorChannelSelection
        plan.colorChannelSelection = channels
        defer { plan.colorChannelSelection = saved }
        for i in ops.indices {
            try children.lower(child: i, parameters.map { $0.children[i] }, into: &plan)
        }
    }

    private enum Keys: String, CodingKey { case channels, ops }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let channels = try OpArgumentReader(decoder)(Self.channelsArgument)
        let ops: [any Transform]
        if let nested = decoder.userInfo[PipelineFile.nestedOpsKey] as? PipelineFile.NestedOps {
            let label = decoder.userInfo[PipelineFile.opLabelKey] as? String ?? Self.opName
            ops = try nested.values.enumerated().map {
                try PipelineFile.parseOp($0.element, label: "\(label).ops[\($0.offset)]")
            }
        } else {
            ops = try ChildOps.parse(c.decode([JSONValue].self, forKey: .ops), label: Self.opName)
        }
        try self.init(ops, channels: channels)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(channels, forKey: .channels)
        try c.encode(ops.map(OpSpec.init), forKey: .ops)
    }
}

extension ColorChannels: DescribedArguments {
    /// `channels`, declared once.
    public static let channelsArgument = OpArgument<[Int]>(
        "channels", allowed: "3 distinct channel indices (or 1), inside the image",
        doc: "the channels the nested colour ops read as R, G, B; the others are left unchanged")
    public static let arguments = [channelsArgument.info, nestedOpsArgument]
    public static let summary =
        "Runs colour ops on the chosen channels of a multispectral image (this library; no torchvision counterpart)."
}
