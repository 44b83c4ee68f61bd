/// Memory order of an image batch.
public enum ImageLayout: String, Codable, Sendable, CaseIterable {
    /// Samples, rows, columns, channels: what image decoders produce.
    case nhwc
    /// Samples, channels, rows, columns: what PyTorch-style models consume.
    case nchw
}

/// Element type of an image batch.
public enum PixelType: String, Codable, Sendable, CaseIterable {
    /// 0...255, as decoded from PNG/JPEG.
    case uint8
    /// Nominally [0, 1] before normalization (torchvision's float image convention).
    case float32
    /// IEEE 754 binary16, an output format only: the final pass rounds its float32 result to the
    /// nearest half (ties to even), halving the bytes a model reads. Pipelines reject float16 inputs.
    case float16
    /// 0...65535 raw values (depth maps in millimetres, 16-bit PNGs read with 16 bits kept). Unlike
    /// uint8 they are not rescaled: a float32 pipeline sees the raw values (as torchvision v2 keeps
    /// uint16 tensors' values through geometric ops), and a uint16 output rounds to nearest and clamps
    /// to 0...65535. Colour ops refuse uint16 input (see docs/semantics.md, "Depth and multispectral").
    case uint16

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .uint8: return 1
        case .float32: return 4
        case .float16: return 2
        case .uint16: return 2
        }
    }
}

/// The size of one image: rows, columns and channels.
public struct ImageGeometry: Hashable, Codable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public var pixelCount: Int { height * width }
    public var elementCount: Int { height * width * channels }
    public var description: String { "\(height)x\(width)x\(channels)" }

    func validate(_ what: String) throws {
        guard height >= 1, width >= 1 else {
            throw AugmentError.invalidShape("\(what): height and width must be at least 1, got \(height)x\(width)")
        }
        guard channels >= 1 else {
            throw AugmentError.invalidShape("\(what): channels must be at least 1, got \(channels)")
        }
        _ = try checkedProduct([height, width, channels], what: what)
    }
}

/// The pixel values of a batch, in one of the supported element types.
public enum PixelBuffer: Sendable, Equatable {
    case uint8([UInt8])
    case float32([Float])
    /// Half-precision values (outputs in ``PixelType/float16``).
    case float16([Float16])
    /// Raw 16-bit values (``PixelType/uint16``).
    case uint16([UInt16])

    public var pixelType: PixelType {
        switch self {
        case .uint8: return .uint8
        case .float32: return .float32
        case .float16: return .float16
        case .uint16: return .uint16
        }
    }

    public var count: Int {
        switch self {
        case .uint8(let values): return values.count
        case .float32(let values): return values.count
        case .float16(let values): return values.count
        case .uint16(let values): return values.count
        }
    }
}

/// A batch of equally sized images, stored densely in one buffer.
///
/// Construction validates the shape against the buffer length and throws
/// ``AugmentError/invalidShape(_:)`` or ``AugmentError/emptyBatch(_:)`` instead of trapping.
public struct ImageBatch: Sendable, Equatable {
    /// Number of images (N).
    public let count: Int
    /// Size of each image.
    public let geometry: ImageGeometry
    /// Memory order.
    public let layout: ImageLayout
    /// The values, `count * geometry.elementCount` of them (ragged: the sum of every sample's
    /// element count).
    public private(set) var pixels: PixelBuffer
    /// For a ragged batch, the size of each sample (see ``init(ragged:geometries:layout:)``); nil for a
    /// dense batch.
    public let raggedGeometries: [ImageGeometry]?

    /// A batch from raw values in the given layout.
    public init(pixels: PixelBuffer, count: Int, geometry: ImageGeometry, layout: ImageLayout) throws {
        guard count >= 1 else {
            throw AugmentError.emptyBatch("an image batch needs at least one image, got \(count)")
        }
        try geometry.validate("image batch")
        let expected = try checkedProduct(
            [count, geometry.height, geometry.width, geometry.channels],
            what: "image batch")
        guard pixels.count == expected else {
            let dims =
                layout == .nhwc
                ? "(N=\(count), H=\(geometry.height), W=\(geometry.width), C=\(geometry.channels))"
                : "(N=\(count), C=\(geometry.channels), H=\(geometry.height), W=\(geometry.width))"
            throw AugmentError.invalidShape(
                "\(layout.rawValue.uppercased()) shape \(dims) needs \(expected) values, buffer has \(pixels.count)")
        }
        self.count = count
        self.geometry = geometry
        self.layout = layout
        self.pixels = pixels
        raggedGeometries = nil
    }

    init(validatedRagged pixels: PixelBuffer, geometries: [ImageGeometry], layout: ImageLayout) {
        count = geometries.count
        geometry = geometries[0]
        self.layout = layout
        self.pixels = pixels
        raggedGeometries = geometries
    }

    /// A uint8 NHWC batch, as image decoders produce (values 0...255).
    public init(uint8NHWC values: [UInt8], count: Int, height: Int, width: Int, channels: Int) throws {
        try self.init(
            pixels: .uint8(values), count: count,
            geometry: ImageGeometry(height: height, width: width, channels: channels),
            layout: .nhwc)
    }

    /// A float32 NCHW batch, as PyTorch-style models consume (values nominally in [0, 1]).
    public init(float32NCHW values: [Float], count: Int, channels: Int, height: Int, width: Int) throws {
        try self.init(
            pixels: .float32(values), count: count,
            geometry: ImageGeometry(height: height, width: width, channels: channels),
            layout: .nchw)
    }

    public var pixelType: PixelType { pixels.pixelType }

    /// The values as uint8, or nil when the batch holds float32.
    public var uint8Values: [UInt8]? {
        if case .uint8(let values) = pixels { return values }
        return nil
    }

    /// The values as float32, or nil when the batch holds another type.
    public var float32Values: [Float]? {
        if case .float32(let values) = pixels { return values }
        return nil
    }

    /// The values as float16, or nil when the batch holds another type.
    public var float16Values: [Float16]? {
        if case .float16(let values) = pixels { return values }
        return nil
    }

    /// The values as uint16, or nil when the batch holds another type.
    public var uint16Values: [UInt16]? {
        if case .uint16(let values) = pixels { return values }
        return nil
    }

    /// Flat index of (sample, channel, row, column) in this batch's layout.
    public func index(sample n: Int, channel c: Int, y: Int, x: Int) -> Int {
        if let raggedGeometries {
            let g = raggedGeometries[n]
            let base = raggedGeometries[..<n].reduce(0) { $0 + $1.elementCount }
            switch layout {
            case .nhwc: return base + (y * g.width + x) * g.channels + c
            case .nchw: return base + (c * g.height + y) * g.width + x
            }
        }
        let g = geometry
        switch layout {
        case .nhwc: return ((n * g.height + y) * g.width + x) * g.channels + c
        case .nchw: return ((n * g.channels + c) * g.height + y) * g.width + x
        }
    }

    /// The value at (sample, channel, row, column) as a Float (uint8 values are not rescaled).
    public func value(sample n: Int, channel c: Int, y: Int, x: Int) -> Float {
        let i = index(sample: n, channel: c, y: y, x: x)
        switch pixels {
        case .uint8(let values): return Float(values[i])
        case .float32(let values): return values[i]
        case .float16(let values): return Float(values[i])
        case .uint16(let values): return Float(values[i])
        }
    }

    /// Description of the shape, e.g. "uint8 NHWC (64, 256, 256, 3)".
    public var shapeDescription: String {
        let g = geometry
        switch layout {
        case .nhwc: return "\(pixelType.rawValue) NHWC (\(count), \(g.height), \(g.width), \(g.channels))"
        case .nchw: return "\(pixelType.rawValue) NCHW (\(count), \(g.channels), \(g.height), \(g.width))"
        }
    }
}

/// The element type and layout a pipeline produces.
public struct OutputFormat: Hashable, Codable, Sendable, CustomStringConvertible {
    public var pixelType: PixelType
    public var layout: ImageLayout

    public init(pixelType: PixelType, layout: ImageLayout) {
        self.pixelType = pixelType
        self.layout = layout
    }

    /// float32 NCHW: what models consume (the default).
    public static let float32NCHW = OutputFormat(pixelType: .float32, layout: .nchw)
    /// uint8 NHWC: what image encoders take.
    public static let uint8NHWC = OutputFormat(pixelType: .uint8, layout: .nhwc)
    /// float16 NCHW: half the bytes of float32 NCHW, rounded to nearest even by the final pass.
    public static let float16NCHW = OutputFormat(pixelType: .float16, layout: .nchw)
    /// uint16 NHWC: raw values rounded to nearest and clamped to 0...65535 (16-bit PNG, depth maps).
    public static let uint16NHWC = OutputFormat(pixelType: .uint16, layout: .nhwc)

    public var description: String { "\(pixelType.rawValue) \(layout.rawValue.uppercased())" }
}
