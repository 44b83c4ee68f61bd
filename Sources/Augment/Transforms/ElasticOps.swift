import Foundation

/// One sample's elastic deformation: a noise stream from which the field is made (drawn), or an
/// explicit displacement field (replaying torchvision's `elastic`).
public struct ElasticParameters: Codable, Sendable, Equatable {
    /// The stream of the field's uniforms (nil when `displacement` is given).
    public var noise: NoiseKey?
    /// An explicit field, H·W·2 values (x then y per pixel, row-major), in torchvision's
    /// normalized grid units (a full image width is 2): what `F.elastic(image, displacement)`
    /// takes as a (1, H, W, 2) tensor.
    public var displacement: [Float]?

    public init(noise: NoiseKey) {
        self.noise = noise
        displacement = nil
    }

    public init(displacement: [Float]) {
        noise = nil
        self.displacement = displacement
    }
}

/// `elastic_transform`: torchvision v2 `ElasticTransform(alpha, sigma, interpolation, fill)`, drawn
/// per sample. Per sample, dx and dy are H x W fields of uniforms in [-1, 1) (24-bit, from the
/// sample's noise stream: Philox block e / 4, word e mod 4, e = plane·H·W + y·W + x; torchvision
/// uses torch.rand, so the values differ while the distribution is the same), each blurred as
/// torchvision's `gaussian_blur(field, [k, k], [sigma_x, sigma_y])` with k = int(8·sigma_plane + 1)
/// made odd (no blur when that sigma is 0; borders reflect without repeating the edge, folding
/// again for fields smaller than the kernel, where torchvision raises), then dx times alpha_x / W
/// and dy times alpha_y / H. The field is added to the identity grid and sampled as `grid_sample`
/// (align_corners=False, zeros padding) with torchvision's fill blend (bilinear: `(v - fill) ·
/// mask + fill`, nearest: `fill` where the all-ones mask is 0, mask being the same sampling of an
/// all-ones image).
/// alpha, sigma: one number or [x, y], alpha in [0, 1e6], sigma in [0, 1000]; interpolation
/// "bilinear" (default) or "nearest"; fill: one value or one per channel (default 0).
///
/// The field is made on the device from the recorded key (``ElasticField``: float32 blur with the
/// taps rounded once, the CPU backend computing the very same bits; replay is exact), and the
/// sampling rides in the warp group of the ops around it (``PlanBuilder/elastic(_:interpolation:fill:)``):
/// op A, then elastic, then op B sample the source once, at M_A(q + d(q)), q = M_B(p). Explicit
/// fields (``ElasticParameters/init(displacement:)``, ``sampled(displacement:count:geometry:)``)
/// reproduce torchvision's functional `elastic`. Masks (nearest, their ignore index outside),
/// boxes and keypoints follow the field (``WarpStage/moveTargets(_:)``).
public struct ElasticTransform: Transform {
    public static let opName = "elastic_transform"
    public let alpha: [Double]
    public let sigma: [Double]
    public let interpolation: Interpolation
    public let fill: [Float]

    public init(
        alpha: [Double] = Arguments.alpha.defaultValue!.values, sigma: [Double] = Arguments.sigma.defaultValue!.values,
        interpolation: Interpolation = .bilinear, fill: [Double] = Arguments.fill.defaultValue!.values
    ) throws {
        func pair(_ values: [Double], _ argument: String, _ bound: Double) throws -> [Double] {
            guard (1...2).contains(values.count), values.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= bound }) else {
                throw AugmentError.invalidArgument(
                    op: Self.opName, argument: argument, value: "\(values)",
                    allowed: "a number or [x, y] in [0, \(bound)]")
            }
            return values.count == 1 ? [values[0], values[0]] : values
        }
        self.alpha = try pair(alpha, "alpha", 1e6)
        self.sigma = try pair(sigma, "sigma", 1000)
        self.interpolation = interpolation
        self.fill = try AugmentError.checkFill(fill, op: Self.opName) ?? [0]
    }

    public func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        try AugmentError.checkFillChannels(fill, channels: input.channels, op: Self.opName)
        return input
    }

    public func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> ElasticParameters {
        ElasticParameters(noise: NoiseKey(random.randomKey))
    }

    public func validate(_ parameters: ElasticParameters, for input: ImageGeometry) throws {
        switch (parameters.noise, parameters.displacement) {
        case (.some, nil): return
        case (nil, .some(let field)):
            guard field.count == input.height * input.width * 2 else {
                throw AugmentError.parameterMismatch(
                    "elastic_transform: a displacement of \(field.count) values does not fit \(input.height)x\(input.width) (H·W·2 = \(input.height * input.width * 2))"
                )
            }
        default:
            throw AugmentError.parameterMismatch(
                "elastic_transform: parameters need exactly one of a noise key and a displacement")
        }
    }

    /// torchvision's 1-D Gaussian kernel: softmax(-(x / sigma)^2) at x = linspace(-lim, lim, k),
    /// lim = (k - 1) / (2 sqrt 2), i.e. exp(-t^2 / (2 sigma^2)) at integer offsets t, normalized.
    static func gaussianKernel(size: Int, sigma: Double) -> [Double] {
        guard sigma > 0 else { return (0..<size).map { $0 == size / 2 ? 1 : 0 } }  // no blur along this axis
        let half = Double(size - 1) / 2
        let raw = (0..<size).map { i -> Double in
            let t = Double(i) - half
            return exp(-t * t / (2 * sigma * sigma))
        }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// Reflect without repeating the edge (torch "reflect"), folding until inside [0, n).
    static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        var j = i
        while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
        return j
    }

    /// Sample's field in pixels (x then y per pixel), from its key, as described above: exactly the
    /// bits the device makes (``ElasticField/pixels(sample:)``).
    public func displacementPixels(noise: NoiseKey, height: Int, width: Int) -> [Float] {
        field(keys: [noise], height: height, width: width).pixels(sample: 0)
    }

    /// The drawn fields of samples with these keys: torchvision's kernels (sizes from each plane's
    /// sigma, horizontal taps from sigma_x, vertical from sigma_y) rounded once to float32, and the
    /// scale alpha / 2 pixels per plane.
    public func field(keys: [NoiseKey], height: Int, width: Int) -> ElasticField {
        var rowTaps: [[Float]] = [[], []], columnTaps: [[Float]] = [[], []]
        for p in 0..<2 where sigma[p] > 0 {
            var size = Int(8 * sigma[p] + 1)
            if size % 2 == 0 { size += 1 }
            rowTaps[p] = Self.gaussianKernel(size: size, sigma: sigma[0]).map { Float($0) }
            columnTaps[p] = Self.gaussianKernel(size: size, sigma: sigma[1]).map { Float($0) }
        }
        return ElasticField(
            count: keys.count, height: height, width: width, keys: keys, rowTaps: rowTaps,
            columnTaps: columnTaps, scale: alpha.map { Float($0 / 2) })
    }

    /// The field in pixels from given uniforms (dx plane then dy plane, H·W each, values in
    /// [-1, 1]): torchvision's blur and alpha scaling (`ElasticTransform.make_params`).
    public func displacementPixels(uniforms: [Double], height: Int, width: Int) -> [Float] {
        let plane = height * width
        var result = [Float](repeating: 0, count: plane * 2)
        for p in 0..<2 {
            var field = Array(uniforms[(p * plane)..<((p + 1) * plane)])
            if sigma[p] > 0 {
                var size = Int(8 * sigma[p] + 1)
                if size % 2 == 0 { size += 1 }
                let kx = Self.gaussianKernel(size: size, sigma: sigma[0])
                let ky = Self.gaussianKernel(size: size, sigma: sigma[1])
                let r = size / 2
                var rows = [Double](repeating: 0, count: plane)
                for y in 0..<height {
                    for x in 0..<width {
                        var sum = 0.0
                        for k in 0..<size { sum += kx[k] * field[y * width + Self.reflect(x + k - r, width)] }
                        rows[y * width + x] = sum
                    }
                }
                for y in 0..<height {
                    for x in 0..<width {
                        var sum = 0.0
                        for k in 0..<size { sum += ky[k] * rows[Self.reflect(y + k - r, height) * width + x] }
                        field[y * width + x] = sum
                    }
                }
            }
            // Normalized units: dx * alpha_x / W (of a width 2), in pixels times W / 2.
            let pixelsPerUnit = Double(p == 0 ? width : height) / 2
            let scale = alpha[p] / Double(p == 0 ? width : height)
            for i in 0..<plane { result[i * 2 + p] = Float(field[i] * scale * pixelsPerUnit) }
        }
        return result
    }

    public func lower(_ parameters: [ElasticParameters], into plan: inout PlanBuilder) throws {
        let geometry = plan.geometry
        let (height, width) = (geometry.height, geometry.width)
        guard Double(height) * Double(width) * Double(max(1, Int(8 * max(sigma[0], sigma[1]) + 2))) < 4e10 else {
            throw AugmentError.invalidArgument(
                op: Self.opName, argument: "sigma", value: "\(sigma)",
                allowed: "a blur small enough for \(height)x\(width) images")
        }
        let fills = fill.count == 1 ? Array(repeating: fill[0], count: geometry.channels) : fill
        var drawn = field(keys: parameters.compactMap(\.noise), height: height, width: width)
        if parameters.contains(where: { $0.displacement != nil }) {
            // Explicit fields travel as values; drawn samples of the same batch are made here (same bits).
            var values: [Float] = []
            values.reserveCapacity(parameters.count * height * width * 2)
            var next = 0
            for p in parameters {
                if let explicit = p.displacement {
                    for i in 0..<(height * width) {
                        values.append(explicit[2 * i] * Float(width) / 2)
                        values.append(explicit[2 * i + 1] * Float(height) / 2)
                    }
                } else {
                    values += drawn.pixels(sample: next)
                    next += 1
                }
            }
            drawn = ElasticField(
                count: parameters.count, height: height, width: width, keys: [], rowTaps: drawn.rowTaps,
                columnTaps: drawn.columnTaps, scale: drawn.scale, explicit: values)
        }
        try plan.elastic(drawn, interpolation: interpolation, fill: fills)
    }

    /// One op per sample with explicit fields: `displacement` holds N·H·W·2 values, an (N, H, W, 2)
    /// array in torchvision's normalized units, for images of `geometry`.
    public func sampled(displacement: [Float], count: Int, geometry: ImageGeometry) throws -> SampledOp {
        let per = geometry.height * geometry.width * 2
        guard count >= 1, displacement.count == count * per else {
            throw AugmentError.invalidShape(
                "elastic_transform: a displacement of \(displacement.count) values is not (N=\(count), H=\(geometry.height), W=\(geometry.width), 2)"
            )
        }
        return SampledOp(
            self,
            parameters: (0..<count).map {
                ElasticParameters(displacement: Array(displacement[($0 * per)..<(($0 + 1) * per)]))
            })
    }

    private enum CodingKeys: String, CodingKey { case alpha, sigma, interpolation, fill }

    public init(from decoder: any Decoder) throws {
        let read = try OpArgumentReader(decoder)
        let mode: Interpolation = try Arguments.interpolation.choice(read(Arguments.interpolation), op: Self.opName)
        try self.init(
            alpha: read(Arguments.alpha).values, sigma: read(Arguments.sigma).values, interpolation: mode,
            fill: read(Arguments.fill).values)
    }

    /// The op's arguments, declared once.
    public enum Arguments {
        public static let alpha = OpArgument<OneOrList<Double>>(
            "alpha", default: OneOrList(single: 50), allowed: "a number or [x, y] in [0, 1000000]",
            doc: "displacement magnitude in pixels, one for both axes or [x, y]")
        public static let sigma = OpArgument<OneOrList<Double>>(
            "sigma", default: OneOrList(single: 5), allowed: "a number or [x, y] in [0, 1000]",
            doc: "smoothness: sigma of the Gaussian blur of the random field, one for both axes or [x, y]")
        public static let interpolation = OpArgument<String>(
            "interpolation", default: "bilinear", choices: Interpolation.allCases.map(\.rawValue),
            doc: "how the displaced image is sampled")
        public static let fill = OpArgument<OneOrList<Double>>(
            "fill", default: OneOrList(single: 0), allowed: "finite numbers, one or one per channel",
            doc: "the value of points displaced outside the image")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(sigma, forKey: .sigma)
        try c.encode(interpolation.rawValue, forKey: .interpolation)
        try c.encode(fill.map(Double.init), forKey: .fill)
    }
}

extension ElasticTransform: DescribedArguments {
    public static let arguments = [
        Arguments.alpha.info, Arguments.sigma.info, Arguments.interpolation.info, Arguments.fill.info,
    ]
    public static let summary =
        "Displaces every pixel by a smoothed random field, drawn per sample (torchvision `ElasticTransform`)."
}
