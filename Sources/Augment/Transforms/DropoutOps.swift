import Foundation

/// One sample's dropout: a noise stream (pixel mode) or patches (x0, y0, x1, y1), and the pixel
/// probability in force.
public struct RandomDropoutParameters: Codable, Sendable, Equatable {
    public var noise: NoiseKey?
    public var patches: [[Int]]
    public init(noise: NoiseKey?, patches: [[Int]]) {
        self.noise = noise
        self.patches = patches
    }
}

/// What `random_dropout` drops.
public enum RandomDropoutMode: String, Codable, Sendable, CaseIterable {
    /// Each pixel independently with probability `p`.
    case pixels
    /// `num_patches` rectangles of `patch_size` pixels.
    case patches
}

/// `random_dropout`: sets pixels, or rectangular patches, to `value` in every channel (missing
/// returns of a depth sensor are 0; sensor dropouts; cutout-like occlusion). For depth maps and any
/// image (1 or more channels), applied after the dtype conversion (uint8 is seen on the float scale:
/// value 0.5 is grey).
///
/// - mode "pixels": each pixel is dropped with probability `p` in [0, 1] (default 0.01), from the
///   sample's noise stream (24-bit: probabilities are multiples of 2^-24, rounded up).
/// - mode "patches": `num_patches` ~ U{min ... max} (default [1, 4], at most 64) rectangles per
///   sample, each side ~ U{min ... max} pixels (`patch_size`, default [4, 16]) independently, placed
///   uniformly so that the patch's top-left corner lies in the image (patches are clipped at the
///   right and bottom).
/// - `value`: the fill (default 0), any finite number.
public struct RandomDropout: Transform {
    public static let opName = "random_dropout"
    public let mode: RandomDropoutMode
    public let p: Double
    public let numPatches: [Int]
    public let patchSize: [Int]
    public let value: Double

    public init(
        mode: RandomDropoutMode = .pixels, p: Double = Arguments.p.defaultValue!, numPatches: [Int] = [1, 4],
        patchSize: [Int] = [4, 16], value: Double = Arguments.value.defaultValue!
    ) throws {
        try Arguments.p.check(p, op: Self.opName)
        func range(_ r: [Int], _ argument: String, _ bounds: ClosedRange<Int>) throws -> [Int] {
            let pair = r.count == 1 ? [r[0], r[0]] : r
            guard pair.count == 2, bounds.contains(pair[0]), bounds.contains(pair[1]), pair[0] <= pair[1] else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: argument, value: "\(r)",
                    allowed: "an integer or [min, max] with \(bounds.lowerBound) <= min <= max <= \(bounds.upperBound)")
            }
            return pair
        }
        self.numPatches = try range(numPatches, "num_patches", 0...64)
        self.patchSize = try range(patchSize, "patch_size", 1...(1 << 24))
        try Arguments.value.check(value, op: Self.opName)
        self.mode = mode
        self.p = p
        self.value = value
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry { input }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> RandomDropoutParameters {
        switch mode {
        case .pixels:
            return RandomDropoutParameters(noise: NoiseKey(random.randomKey), patches: [])
        case .patches:
            let count = random.integer(in: numPatches[0]...numPatches[1])
            let patches = (0..<count).map { _ -> [Int] in
                let h = random.integer(in: patchSize[0]...patchSize[1])
                let w = random.integer(in: patchSize[0]...patchSize[1])
                let y = random.integer(in: 0...(input.height - 1))
                let x = random.integer(in: 0...(input.width - 1))
                return [x, y, min(x + w, input.width), min(y + h, input.height)]
            }
            return RandomDropoutParameters(noise: nil, patches: patches)
        }
    }

    public func validate(_ parameters: RandomDropoutParameters, for input: ImageGeometry) throws {
        guard (mode == .pixels) == (parameters.noise != nil), parameters.patches.count <= 64,
            parameters.patches.allSatisfy({
                $0.count == 4 && $0[0] >= 0 && $0[1] >= 0 && $0[0] <= $0[2] && $0[1] <= $0[3]
                    && $0[2] <= input.width && $0[3] <= input.height
            })
        else {
            throw AugmentError.parameterMismatch(
                "random_dropout: parameters \(parameters) do not fit \(mode) mode on \(input)")
        }
    }

    public func lower(_ parameters: [RandomDropoutParameters], into plan: inout PlanBuilder) throws {
        let count = plan.count
        switch mode {
        case .pixels:
            let threshold = UInt32(min((p * 0x1p24).rounded(.up), 0x1p24))
            try plan.append(
                Stage(
                    DropoutStage(
                        count: count, geometry: plan.geometry, value: Float(value),
                        thresholds: Array(repeating: threshold, count: count),
                        keys: parameters.compactMap(\.noise), boxes: [], boxesPerSample: 0)))
        case .patches:
            let most = parameters.map(\.patches.count).max() ?? 0
            var boxes: [Int32] = []
            for p in parameters {
                for k in 0..<most {
                    boxes += k < p.patches.count ? p.patches[k].map { Int32($0) } : [0, 0, 0, 0]
                }
            }
            try plan.append(
                Stage(
                    DropoutStage(
                        count: count, geometry: plan.geometry, value: Float(value), thresholds: nil,
                        keys: [], boxes: boxes, boxesPerSample: most)))
        }
    }

    private enum CodingKeys: String, CodingKey {
        case mode, p, value
        case numPatches = "num_patches", patchSize = "patch_size"
    }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let mode: RandomDropoutMode = try Arguments.mode.choice(read(Arguments.mode), op: Self.opName)
        try self.init(
            mode: mode, p: read(Arguments.p),
            numPatches: read(Arguments.numPatches).integers(op: Self.opName, argument: Arguments.numPatches.name),
            patchSize: read(Arguments.patchSize).integers(op: Self.opName, argument: Arguments.patchSize.name),
            value: read(Arguments.value))
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let mode = OpArgument<String>(
            "mode", default: "pixels", choices: RandomDropoutMode.allCases.map(\.rawValue),
            doc: "\"pixels\": each pixel independently; \"patches\": rectangles")
        public static let p = OpArgument<Double>(
            "p", default: 0.01, range: 0...1, catalog: 0...0.5, doc: "probability of dropping each pixel (mode pixels)")
        public static let numPatches = OpArgument<OneOrList<Double>>(
            "num_patches", default: OneOrList([1, 4]), allowed: "an integer or [min, max] with 0 <= min <= max <= 64",
            doc: "patches per sample, drawn uniformly from [min, max] (mode patches)")
        public static let patchSize = OpArgument<OneOrList<Double>>(
            "patch_size", default: OneOrList([4, 16]),
            allowed: "an integer or [min, max] with 1 <= min <= max <= 16777216",
            doc: "each patch side in pixels, drawn uniformly from [min, max] (mode patches)")
        public static let value = OpArgument<Double>(
            "value", default: 0, range: -maxFactor...maxFactor, catalog: -1...1, doc: "the fill, on the float scale")
    }
}

extension RandomDropout: DescribedArguments {
    public static let arguments = [
        Arguments.mode.info, Arguments.p.info, Arguments.numPatches.info, Arguments.patchSize.info,
        Arguments.value.info,
    ]
    public static let summary =
        "Sets random pixels, or random rectangular patches, to a constant (sensor dropouts, cutout-like occlusion)."
}
