import Foundation

/// `erase`: sets rows i..<i+h, columns j..<j+w of every image to `v` (torchvision `erase`).
///
/// `i`, `j` (top, left) >= 0; `h`, `w` >= 0; the box is clipped to the image as a tensor slice is.
/// `v`: one value for every channel, or one per channel, on the float scale of the pipeline (0.5 is
/// mid-gray for uint8 input too). Any number of channels.
public struct Erase: Transform {
    public static let opName = "erase"
    public let top: Int
    public let left: Int
    public let height: Int
    public let width: Int
    public let value: [Double]

    public init(
        top: Int, left: Int, height: Int, width: Int, value: [Double] = Arguments.value.defaultValue!.values
    ) throws {
        try Arguments.top.check(top, op: Self.opName)
        try Arguments.left.check(left, op: Self.opName)
        try Arguments.height.check(height, op: Self.opName)
        try Arguments.width.check(width, op: Self.opName)
        try checkEraseValues(value, op: Self.opName)
        self.top = top
        self.left = left
        self.height = height
        self.width = width
        self.value = value
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try checkEraseValueCount(value.count, input, op: Self.opName)
        return input
    }

    public func lower(_ parameters: [NoParameters], into plan: inout PlanBuilder) throws {
        let box = EraseBox(top: top, left: left, height: height, width: width)
        try plan.append(
            Stage(
                EraseStage(
                    count: plan.count, geometry: plan.geometry,
                    boxes: Array(repeating: box, count: plan.count),
                    fills: Array(repeating: .values(value.map { Float($0) }), count: plan.count))))
    }

    private enum CodingKeys: String, CodingKey { case top = "i", left = "j", height = "h", width = "w", value = "v" }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let value = try read(Arguments.value).values
        try self.init(
            top: read(Arguments.top), left: read(Arguments.left), height: read(Arguments.height),
            width: read(Arguments.width), value: value)
    }

    /// The op's arguments, declared once (torchvision's names i, j, h, w, v).
    public enum Arguments {
        static let int32 = 0...Double(Int32.max)
        public static let top = OpArgument<Int>("i", range: int32, doc: "top row of the box")
        public static let left = OpArgument<Int>("j", range: int32, doc: "left column of the box")
        public static let height = OpArgument<Int>(
            "h", range: int32, doc: "height of the box in pixels (clipped to the image)")
        public static let width = OpArgument<Int>(
            "w", range: int32, doc: "width of the box in pixels (clipped to the image)")
        public static let value = OpArgument<OneOrList<Double>>(
            "v", default: OneOrList(single: 0), allowed: "finite numbers that fit in float32, 1 or one per channel",
            doc: "the fill, one value for every channel or one per channel, on the float scale")
    }
}

private func checkEraseValues(_ values: [Double], op: String) throws {
    guard !values.isEmpty else {
        throw AugmentError.invalidArgument(
            op: op, argument: "value", value: "[]",
            allowed: "one number, one per channel, or \"random\"")
    }
    for (i, v) in values.enumerated() where !(v.isFinite && abs(v) <= maxFactor) {
        throw AugmentError.invalidArgument(
            op: op, argument: "value[\(i)]", value: "\(v)",
            allowed: "a finite number that fits in float32")
    }
}

private func checkEraseValueCount(_ count: Int, _ input: ImageGeometry, op: String) throws {
    guard count == 1 || count == input.channels else {
        throw AugmentError.incompatible(
            "\(op): \(count) erase values for an image with \(input.channels) channels (give 1 or \(input.channels))")
    }
}

/// What `random_erasing` writes into its box.
public enum ErasingValue: Sendable, Equatable {
    /// One value for every channel, or one per channel.
    case constant([Double])
    /// Standard normal noise per element (torchvision's `value="random"`), drawn on the device from
    /// the sample's noise stream.
    case random
}

extension ErasingValue: OpArgumentValue {
    /// Decodes a number, a list of numbers or "random" (any other text names the allowed values).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            guard text == "random" else {
                throw AugmentError.invalidArgument(
                    op: RandomErasing.opName, argument: "value", value: "\"\(text)\"",
                    allowed: "a number, one number per channel, or \"random\"")
            }
            self = .random
        } else if let single = try? c.decode(Double.self) {
            self = .constant([single])
        } else {
            self = .constant(try c.decode([Double].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .random: try c.encode("random")
        case .constant(let values): try c.encode(values)
        }
    }

    public var numericValue: Double? { nil }
    public var referenceText: String {
        switch self {
        case .random: return "\"random\""
        case .constant(let values): return values.count == 1 ? values[0].referenceText : values.referenceText
        }
    }
    public static var referenceTypeName: String { "number, list of number or \"random\"" }
    public var jsonValue: Any {
        switch self {
        case .random: return "random"
        case .constant(let values): return values
        }
    }
}

/// One sample's erasing: the box (nil when the sample is left unchanged) and, for random values,
/// the sample's noise stream.
public struct RandomErasingParameters: Codable, Sendable, Equatable {
    public var box: EraseBox?
    public var noise: NoiseKey?

    public init(box: EraseBox?, noise: NoiseKey?) {
        self.box = box
        self.noise = noise
    }
}

/// `random_erasing`: with probability `p` (default 0.5) erases one random box per sample (Zhong et
/// al.; torchvision `RandomErasing`).
///
/// Sampling per sample, as torchvision's: u < p; then up to 10 tries of
/// area = H W U(scale), aspect = exp(U(log ratio0, log ratio1)), h = round(sqrt(area aspect)),
/// w = round(sqrt(area / aspect)) (halves to even), accepted when h < H and w < W, with
/// top ~ U{0..H-h}, left ~ U{0..W-w}; no erasing when every try fails. `scale` (default
/// [0.02, 0.33]) within [0, 1]; `ratio` (default [0.3, 3.3]) with 0 < min <= max. `value`: a number,
/// one number per channel (on the float scale), or "random" (N(0, 1) per element). Any number of
/// channels.
public struct RandomErasing: Transform {
    public static let opName = "random_erasing"
    public let p: Double
    public let scale: ValueRange
    public let ratio: ValueRange
    public let value: ErasingValue

    public init(
        p: Double = Arguments.p.defaultValue!, scale: ValueRange = Arguments.scale.defaultValue!,
        ratio: ValueRange = Arguments.ratio.defaultValue!, value: ErasingValue = Arguments.value.defaultValue!
    ) throws {
        try Arguments.p.check(p, op: Self.opName)
        try scale.check(in: 0...1, op: Self.opName, argument: "scale")
        try ratio.check(in: Double.leastNormalMagnitude...maxFactor, op: Self.opName, argument: "ratio")
        if case .constant(let values) = value { try checkEraseValues(values, op: Self.opName) }
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        if case .constant(let values) = value { try checkEraseValueCount(values.count, input, op: Self.opName) }
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> RandomErasingParameters {
        let noise = value == .random ? NoiseKey(random.randomKey) : nil
        guard drawApplied(p, &random) else { return RandomErasingParameters(box: nil, noise: noise) }
        let area = Double(input.height * input.width)
        let logRatio = (Foundation.log(ratio.lower), Foundation.log(ratio.upper))
        for _ in 0..<10 {
            let eraseArea = area * scale.draw(&random)
            let aspect = Foundation.exp(random.uniform(logRatio.0, logRatio.1))
            let h = (eraseArea * aspect).squareRoot().rounded(.toNearestOrEven)
            let w = (eraseArea / aspect).squareRoot().rounded(.toNearestOrEven)
            guard h < Double(input.height), w < Double(input.width) else { continue }  // false for NaN too
            let (height, width) = (Int(h), Int(w))
            let top = random.integer(in: 0...(input.height - height))
            let left = random.integer(in: 0...(input.width - width))
            return RandomErasingParameters(
                box: EraseBox(top: top, left: left, height: height, width: width), noise: noise)
        }
        return RandomErasingParameters(box: nil, noise: noise)
    }

    public func validate(_ parameters: RandomErasingParameters, for input: ImageGeometry) throws {
        if let box = parameters.box {
            guard box.top >= 0, box.left >= 0, box.height >= 0, box.width >= 0,
                box.top + box.height <= input.height, box.left + box.width <= input.width
            else {
                throw AugmentError.parameterMismatch(
                    "random_erasing: box \(box) leaves the \(input.height)x\(input.width) image")
            }
        }
        if value == .random, parameters.box != nil, parameters.noise == nil {
            throw AugmentError.parameterMismatch("random_erasing: random values need a noise stream")
        }
    }

    public func lower(_ parameters: [RandomErasingParameters], into plan: inout PlanBuilder) throws {
        guard parameters.contains(where: { !($0.box?.isEmpty ?? true) }) else { return }
        let fills: [EraseFill] = parameters.map { sample in
            switch (value, sample.noise) {
            case (.random, let key?): return .normal(key)
            case (.constant(let values), _): return .values(values.map { Float($0) })
            default: return .values([0])
            }
        }
        try plan.append(
            Stage(
                EraseStage(
                    count: plan.count, geometry: plan.geometry,
                    boxes: parameters.map { $0.box ?? .none }, fills: fills)))
    }

    private enum CodingKeys: String, CodingKey { case p, scale, ratio, value }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let value = try read(Arguments.value)
        try self.init(p: read(Arguments.p), scale: read(Arguments.scale), ratio: read(Arguments.ratio), value: value)
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let p = OpArgument<Double>(
            "p", default: 0.5, range: 0...1, catalog: 0...1, doc: "probability of erasing a box in each sample")
        public static let scale = OpArgument<ValueRange>(
            "scale", default: ValueRange(0.02, 0.33), allowed: "[min, max] with 0 <= min <= max <= 1",
            doc: "range of the box's area as a fraction of the image's")
        public static let ratio = OpArgument<ValueRange>(
            "ratio", default: ValueRange(0.3, 3.3), allowed: "[min, max] with 0 < min <= max",
            doc: "range of the box's aspect ratio (drawn log-uniform)")
        public static let value = OpArgument<ErasingValue>(
            "value", default: .constant([0]),
            allowed: "a finite number, one per channel, or \"random\"",
            doc: "the fill: one value, one per channel, or \"random\" (standard normal noise per element)")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(p, forKey: .p)
        try c.encode(scale, forKey: .scale)
        try c.encode(ratio, forKey: .ratio)
        switch value {
        case .random: try c.encode("random", forKey: .value)
        case .constant(let values): try c.encode(values, forKey: .value)
        }
    }
}

extension Erase: DescribedArguments {
    public static let arguments = [
        Arguments.top.info, Arguments.left.info, Arguments.height.info, Arguments.width.info, Arguments.value.info,
    ]
    public static let summary = "Sets one box of every image to a constant (torchvision `erase`)."
}

extension RandomErasing: DescribedArguments {
    public static let arguments = [Arguments.p.info, Arguments.scale.info, Arguments.ratio.info, Arguments.value.info]
    public static let summary =
        "Erases one random box per sample with probability `p`, up to 10 tries to fit it (torchvision `RandomErasing`)."
}
