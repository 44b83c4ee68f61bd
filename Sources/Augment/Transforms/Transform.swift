/// One augmentation op: a spec (what the user asked for: explicit values or ranges and
/// probabilities) that samples per-sample ``Parameters`` and lowers them into a ``Plan``.
///
/// Sampling is separate from applying. ``sampleParameters(for:random:)`` is the only place
/// randomness enters, on the host, from a counter-based stream keyed by (seed, epoch, sample index,
/// op index). Applying is deterministic: ``lower(_:into:)`` turns the parameters into plan stages
/// that every ``Backend`` executes the same way, so the CPU reference and the OpenCL backend
/// consume the very same values.
public protocol Transform: Sendable, Codable {
    /// Everything one sample needs to be augmented, e.g. a crop window or a flip flag.
    associatedtype Parameters: Codable & Sendable & Equatable

    /// The op's name in pipeline files (torchvision.transforms.v2 names in snake_case).
    static var opName: String { get }

    /// The geometry of one sample after this op. Throws when the op cannot apply to `input`
    /// (a crop larger than the image, normalize with the wrong number of channels).
    func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry

    /// Draws one sample's parameters from its own stream. Reads `random` in a fixed order, so the
    /// result is a pure function of (seed, epoch, sample index, op index) and `input`.
    func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> Parameters

    /// Draws the parameters of a whole batch, one value per sample. The default calls
    /// ``sampleParameters(for:random:)`` with each sample's own stream; ops that draw once per
    /// batch or pair samples up (MixUp, CutMix) override it.
    func sampleBatchParameters(_ context: SamplingContext) -> [Parameters]

    /// Checks recorded or hand-written parameters against the sample they are applied to.
    func validate(_ parameters: Parameters, for input: ImageGeometry) throws

    /// Adds this op, with one parameter value per sample, to the plan under construction.
    func lower(_ parameters: [Parameters], into plan: inout PlanBuilder) throws
}

extension Transform {
    public var opName: String { Self.opName }

    public func sampleBatchParameters(_ context: SamplingContext) -> [Parameters] {
        (0..<context.count).map { i in
            var random = context.stream(sample: i)
            return sampleParameters(for: context.geometry(ofSample: i), random: &random)
        }
    }
}

/// Parameters of an op that draws nothing (a deterministic op such as `hflip` or `normalize`).
public struct NoParameters: Codable, Sendable, Equatable {
    public init() {}
}

extension Transform where Parameters == NoParameters {
    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> NoParameters {
        NoParameters()
    }

    public func validate(_ parameters: NoParameters, for input: ImageGeometry) throws {}
}
