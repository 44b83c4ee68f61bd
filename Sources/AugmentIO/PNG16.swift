import Augment
import CPNG
import Foundation

/// One decoded 16-bit image, row-major HWC, values as stored in the file (no scaling).
public struct DecodedImage16: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    public let pixels: [UInt16]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt16]) throws {
        let area = width.multipliedReportingOverflow(by: height)
        let elements = area.partialValue.multipliedReportingOverflow(by: channels)
        guard width >= 1, height >= 1, channels == 1 || channels == 3, !area.overflow, !elements.overflow,
            elements.partialValue == pixels.count
        else {
            throw AugmentError.invalidShape(
                "a 16-bit image of \(height)x\(width)x\(channels) (height x width x channels, 1 or 3 channels) cannot hold \(pixels.count) values"
            )
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public var geometry: ImageGeometry { ImageGeometry(height: height, width: width, channels: channels) }
}

extension ImageCodecs {
    /// Decodes a 16-bit PNG keeping its 16 bits (`augment apply --bit-depth 16`): grey or RGB
    /// files whose samples are 16 bits, values as stored (depth maps in millimetres stay
    /// millimetres). libpng's simplified API reads 16-bit data as linear: a file that declares a
    /// gamma other than 1 (a gAMA or sRGB chunk) is converted to linear values, so such files are
    /// not raw data and should be read with 8 bits. Refused: 8-bit files (there is nothing to keep;
    /// read them without --bit-depth 16), files with alpha (libpng premultiplies 16-bit colour by
    /// alpha), and images above `maxPixels` (checked before allocating). `mode` converts as for
    /// 8 bits: grey to RGB repeats the channel; RGB to grey is round(0.2989 R + 0.587 G + 0.114 B).
    public static func decodePNG16(
        _ data: Data, name: String, maxPixels: Int = DecodeOptions.defaultMaxPixels,
        mode: ImageReadMode = .unchanged
    ) throws -> DecodedImage16 {
        guard data.prefix(4).elementsEqual([0x89, 0x50, 0x4E, 0x47]) else {
            throw IOError.invalidFile(path: name, reason: "not a PNG image; --bit-depth 16 reads 16-bit PNGs only")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else { throw IOError.invalidFile(path: name, reason: "not a valid PNG") }
        defer { png_image_free(&image) }
        let hasColor = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let sixteen = image.format & png_uint_32(PNG_FORMAT_FLAG_LINEAR) != 0
        guard sixteen else {
            throw IOError.invalidFile(
                path: name,
                reason: "is an 8-bit PNG; --bit-depth 16 keeps the 16 bits of 16-bit PNGs, read 8-bit files without it")
        }
        guard !hasAlpha else {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "is a 16-bit PNG with alpha, which --bit-depth 16 does not read (libpng premultiplies 16-bit colour by alpha); drop the alpha channel or read it with 8 bits"
            )
        }
        let width = Int(image.width), height = Int(image.height)
        try checkSize(width, height, maxPixels: maxPixels, format: "PNG", name: name)
        let (leastRaw, rawOverflow) = height.multipliedReportingOverflow(by: 1 + 2 * width)
        guard !rawOverflow, leastRaw <= data.count * 1032 else {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "PNG declares \(height)x\(width) (height x width) pixels but its \(data.count) bytes cannot hold them (corrupt or truncated)"
            )
        }
        let channels = hasColor ? 3 : 1
        image.format = png_uint_32(hasColor ? PNG_FORMAT_LINEAR_RGB : PNG_FORMAT_LINEAR_Y)
        var pixels = [UInt16](repeating: 0, count: width * height * channels)
        // Row stride in components (png_uint_16 units), as the simplified API counts it.
        let finished = pixels.withUnsafeMutableBytes { raw in
            png_image_finish_read(&image, nil, raw.baseAddress, png_int_32(width * channels), nil)
        }
        guard finished != 0 else { throw IOError.invalidFile(path: name, reason: "corrupt PNG") }
        let decoded = try DecodedImage16(width: width, height: height, channels: channels, pixels: pixels)
        switch (mode, channels) {
        case (.unchanged, _), (.rgb, 3), (.gray, 1):
            return decoded
        case (.rgb, _):
            return try DecodedImage16(
                width: width, height: height, channels: 3, pixels: pixels.flatMap { [$0, $0, $0] })
        case (.gray, _):
            let gray = (0..<(width * height)).map { i -> UInt16 in
                let l =
                    0.2989 * Float(pixels[3 * i]) + 0.587 * Float(pixels[3 * i + 1]) + 0.114 * Float(pixels[3 * i + 2])
                return UInt16(min(65535, l.rounded()))
            }
            return try DecodedImage16(width: width, height: height, channels: 1, pixels: gray)
        }
    }

    /// Encodes a grey or RGB image as a 16-bit PNG (values as given; libpng marks the file linear,
    /// gamma 1, which readers of raw 16-bit data such as OpenCV and Pillow ignore).
    public static func encodePNG16(_ image: DecodedImage16, name: String) throws -> Data {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        png.format = png_uint_32(image.channels == 3 ? PNG_FORMAT_LINEAR_RGB : PNG_FORMAT_LINEAR_Y)
        let stride = png_int_32(image.width * image.channels)
        var size: png_alloc_size_t = 0
        let sized = image.pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&png, nil, &size, 0, raw.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else {
            png_image_free(&png)
            throw IOError.unwritable(path: name, reason: "16-bit PNG encoder failed")
        }
        var output = [UInt8](repeating: 0, count: Int(size))
        let written = output.withUnsafeMutableBytes { out in
            image.pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, raw.baseAddress, stride, nil)
            }
        }
        png_image_free(&png)
        guard written != 0 else { throw IOError.unwritable(path: name, reason: "16-bit PNG encoder failed") }
        return Data(output.prefix(Int(size)))
    }
}

extension BatchFiles {
    /// Stacks 16-bit images into one uint16 NHWC batch (dense when all have one size, ragged
    /// otherwise); all must have one channel count.
    public static func stack16(_ images: [DecodedImage16], names: [String]) throws -> ImageBatch {
        guard let first = images.first else { throw AugmentError.emptyBatch("no images to stack") }
        for (image, name) in zip(images, names) where image.channels != first.channels {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "has \(image.channels) channels but \(names[0]) has \(first.channels); decode both with --mode rgb or --mode gray"
            )
        }
        if images.allSatisfy({ $0.geometry == first.geometry }) {
            return try ImageBatch(
                pixels: .uint16(images.flatMap(\.pixels)), count: images.count,
                geometry: first.geometry, layout: .nhwc)
        }
        return try ImageBatch(
            ragged: .uint16(images.flatMap(\.pixels)), geometries: images.map(\.geometry), layout: .nhwc)
    }

    /// One sample of a uint16 batch as a 16-bit HWC image (1 or 3 channels).
    static func decoded16(_ images: ImageBatch, sample: Int, path: String) throws -> DecodedImage16 {
        let g = images.geometry
        guard g.channels == 1 || g.channels == 3, let values = images.uint16Values else {
            throw IOError.unwritable(
                path: path,
                reason:
                    "\(g.channels)-channel uint16 images cannot be written as 16-bit PNG (1 or 3 channels); write a .npy file"
            )
        }
        var pixels = [UInt16](repeating: 0, count: g.elementCount)
        for y in 0..<g.height {
            for x in 0..<g.width {
                for c in 0..<g.channels {
                    pixels[(y * g.width + x) * g.channels + c] =
                        values[images.index(sample: sample, channel: c, y: y, x: x)]
                }
            }
        }
        return try DecodedImage16(width: g.width, height: g.height, channels: g.channels, pixels: pixels)
    }
}
