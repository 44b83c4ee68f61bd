import Augment
import CPNG
import CTurboJPEG
import Foundation

/// One decoded 8-bit image, row-major HWC.
public struct DecodedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        let area = width.multipliedReportingOverflow(by: height)
        let elements = area.partialValue.multipliedReportingOverflow(by: channels)
        guard width >= 1, height >= 1, (1...4).contains(channels), !area.overflow, !elements.overflow,
            elements.partialValue == pixels.count
        else {
            throw AugmentError.invalidShape(
                "an image of \(height)x\(width)x\(channels) (height x width x channels, 1...4 channels) cannot hold \(pixels.count) bytes"
            )
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public var geometry: ImageGeometry { ImageGeometry(height: height, width: width, channels: channels) }
}

/// Image file formats the tool reads and writes.
public enum ImageFileFormat: String, Sendable {
    case png, jpeg

    /// The format a path's extension names (.png, .jpg, .jpeg; case-insensitive), if any.
    public init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }
}

/// How decoded images are converted, as torchvision's `read_image(mode=ImageReadMode...)`.
public enum ImageReadMode: String, Sendable, CaseIterable {
    /// Three channels: grey is repeated, alpha is dropped (not composited).
    case rgb
    /// One channel: L = 0.2989 R + 0.587 G + 0.114 B rounded (torchvision's weights), alpha dropped.
    case gray
    /// As stored: grey 1, grey + alpha 2, colour 3, colour + alpha 4 channels.
    case unchanged
}

/// What a decoder accepts; checked from the file's header before any pixel memory is allocated.
public struct DecodeOptions: Sendable, Equatable {
    /// Pillow's `DecompressionBombError` threshold (2 x `Image.MAX_IMAGE_PIXELS`): about 179
    /// megapixels, above every camera's photos (a 150 MP frame fits).
    public static let defaultMaxPixels = 178_956_970

    /// The most pixels (height x width) one image may declare, 1 ... Int.max; larger headers are an
    /// error before anything is allocated.
    public var maxPixels: Int
    /// Channel conversion after decoding.
    public var mode: ImageReadMode
    /// Truncated or corrupt JPEG data (libjpeg-turbo warnings such as "premature end of data
    /// segment") is an error unless this is true; then the decoder's partial image is kept and the
    /// warning goes to `warnings`.
    public var allowCorruptJPEG: Bool
    /// 8 (the default: 16-bit PNGs are scaled exactly to 8 bits, as photo pipelines expect) or 16
    /// (16-bit PNGs keep their 16 bits as a uint16 batch of raw values, e.g. depth in millimetres;
    /// see ``ImageCodecs/decodePNG16(_:name:maxPixels:mode:)``).
    public var bitDepth: Int

    public init(
        maxPixels: Int = DecodeOptions.defaultMaxPixels, mode: ImageReadMode = .unchanged,
        allowCorruptJPEG: Bool = false, bitDepth: Int = 8
    ) {
        self.maxPixels = maxPixels
        self.mode = mode
        self.allowCorruptJPEG = allowCorruptJPEG
        self.bitDepth = bitDepth
    }
}

/// PNG through libpng's simplified API and JPEG through libjpeg-turbo's TurboJPEG API: both report
/// errors through return codes, so a corrupt file is an error that names the file, never a crash.
///
/// Every decoder reads the header first and refuses, before allocating, an image larger than
/// ``DecodeOptions/maxPixels`` or one whose compressed data is too small to hold the size it
/// declares. 16-bit PNGs are scaled exactly to 8 bits (v * 255 / 65535, rounded; never
/// gamma-converted); alpha is kept in `unchanged` mode and dropped (never composited) otherwise;
/// CMYK JPEGs are refused by name.
public enum ImageCodecs {
    /// Decodes PNG or JPEG bytes (detected from the content, not the name) with default options
    /// (`unchanged` mode).
    public static func decode(_ data: Data, name: String) throws -> DecodedImage {
        try decode(data, name: name, options: DecodeOptions())
    }

    /// Decodes PNG or JPEG bytes (detected from the content, not the name) and converts the
    /// channels as `options.mode` says. `warnings` receives messages about data that was accepted
    /// with a loss (corrupt JPEG data with `allowCorruptJPEG`).
    public static func decode(
        _ data: Data, name: String, options: DecodeOptions,
        warnings: ((String) -> Void)? = nil
    ) throws -> DecodedImage {
        let bytes = [UInt8](data.prefix(8))
        let image: DecodedImage
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            image = try decodePNG(data, name: name, maxPixels: options.maxPixels)
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            image = try decodeJPEG(
                data, name: name, maxPixels: options.maxPixels,
                allowCorrupt: options.allowCorruptJPEG, warnings: warnings)
        } else {
            throw IOError.invalidFile(path: name, reason: "not a PNG or JPEG image")
        }
        return try convert(image, to: options.mode)
    }

    /// `image` with its channels converted as `mode` says (see ``ImageReadMode``).
    public static func convert(_ image: DecodedImage, to mode: ImageReadMode) throws -> DecodedImage {
        let c = image.channels
        let n = image.width * image.height
        let p = image.pixels
        switch (mode, c) {
        case (.unchanged, _), (.rgb, 3), (.gray, 1):
            return image
        case (.rgb, _):
            var out = [UInt8](repeating: 0, count: n * 3)
            for i in 0..<n {
                for k in 0..<3 { out[i * 3 + k] = c < 3 ? p[i * c] : p[i * c + k] }
            }
            return try DecodedImage(width: image.width, height: image.height, channels: 3, pixels: out)
        case (.gray, _):
            var out = [UInt8](repeating: 0, count: n)
            for i in 0..<n {
                if c < 3 {
                    out[i] = p[i * c]
                } else {
                    let l = 0.2989 * Float(p[i * c]) + 0.587 * Float(p[i * c + 1]) + 0.114 * Float(p[i * c + 2])
                    out[i] = UInt8(min(255, l.rounded()))
                }
            }
            return try DecodedImage(width: image.width, height: image.height, channels: 1, pixels: out)
        }
    }

    /// Throws unless `width` x `height` is a plausible image within `maxPixels`.
    static func checkSize(_ width: Int, _ height: Int, maxPixels: Int, format: String, name: String) throws {
        guard width >= 1, height >= 1 else {
            throw IOError.invalidFile(
                path: name, reason: "\(format) declares a size of \(height)x\(width) (height x width)")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "\(format) declares \(height)x\(width) (height x width) pixels, more than the limit of \(maxPixels); raise it with --max-pixels (DecodeOptions.maxPixels) if the image is real"
            )
        }
    }

    /// Decodes a PNG (8-bit result; 16-bit samples scaled exactly) with default options.
    public static func decodePNG(_ data: Data, name: String) throws -> DecodedImage {
        try decodePNG(data, name: name, maxPixels: DecodeOptions.defaultMaxPixels)
    }

    /// Decodes a PNG as stored (grey, grey + alpha, RGB or RGBA), refusing images above `maxPixels`.
    public static func decodePNG(_ data: Data, name: String, maxPixels: Int) throws -> DecodedImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else {
            throw IOError.invalidFile(path: name, reason: "not a valid PNG (\(pngMessage(image)))")
        }
        defer { png_image_free(&image) }
        let hasColor = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let width = Int(image.width), height = Int(image.height)
        try checkSize(width, height, maxPixels: maxPixels, format: "PNG", name: name)
        // Deflate expands at most 1032:1 and a PNG row holds at least a filter byte and width / 8
        // bytes (1-bit samples): a file too small for its declared size is corrupt, whatever it says.
        let (leastRaw, rawOverflow) = height.multipliedReportingOverflow(by: 1 + (width + 7) / 8)
        guard !rawOverflow, leastRaw <= data.count * 1032 else {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "PNG declares \(height)x\(width) (height x width) pixels but its \(data.count) bytes cannot hold them (corrupt or truncated)"
            )
        }
        let channels: Int
        switch (hasColor, hasAlpha) {
        case (true, true): image.format = png_uint_32(PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA); channels = 4
        case (true, false): image.format = png_uint_32(PNG_FORMAT_RGB); channels = 3
        case (false, true): image.format = png_uint_32(PNG_FORMAT_GA); channels = 2
        case (false, false): image.format = png_uint_32(PNG_FORMAT_GRAY); channels = 1
        }
        // 16-bit samples are read as sRGB-encoded, so reaching 8 bits is the exact scaling
        // round(v * 255 / 65535) and never a linear-to-sRGB gamma curve.
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes { raw in
            png_image_finish_read(&image, nil, raw.baseAddress, png_int_32(width * channels), nil)
        }
        guard finished != 0 else { throw IOError.invalidFile(path: name, reason: "corrupt PNG (\(pngMessage(image)))") }
        return try DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    public static func encodePNG(_ image: DecodedImage, name: String) throws -> Data {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        switch image.channels {
        case 1: png.format = png_uint_32(PNG_FORMAT_GRAY)
        case 2: png.format = png_uint_32(PNG_FORMAT_GA)
        case 3: png.format = png_uint_32(PNG_FORMAT_RGB)
        default: png.format = png_uint_32(PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA)
        }
        let stride = png_int_32(image.width * image.channels)
        var size: png_alloc_size_t = 0
        let sized = image.pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&png, nil, &size, 0, raw.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else {
            throw IOError.unwritable(path: name, reason: "PNG encoder failed (\(pngMessage(png)))")
        }
        var output = [UInt8](repeating: 0, count: Int(size))
        let written = output.withUnsafeMutableBytes { out in
            image.pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, raw.baseAddress, stride, nil)
            }
        }
        png_image_free(&png)
        guard written != 0 else { throw IOError.unwritable(path: name, reason: "PNG encoder failed") }
        return Data(output.prefix(Int(size)))
    }

    private static func pngMessage(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "libpng reported no detail" : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Decodes a JPEG with default options (corrupt data is an error).
    public static func decodeJPEG(_ data: Data, name: String) throws -> DecodedImage {
        try decodeJPEG(data, name: name, maxPixels: DecodeOptions.defaultMaxPixels, allowCorrupt: false, warnings: nil)
    }

    /// Decodes a grey or colour JPEG, refusing images above `maxPixels`, CMYK/YCCK images, and
    /// (unless `allowCorrupt`) data that libjpeg-turbo only warns about (truncated or corrupt).
    public static func decodeJPEG(
        _ data: Data, name: String, maxPixels: Int, allowCorrupt: Bool,
        warnings: ((String) -> Void)?
    ) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else {
            throw IOError.invalidFile(path: name, reason: "cannot start the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = data.withUnsafeBytes { raw in
            tjDecompressHeader3(
                handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else {
            throw IOError.invalidFile(path: name, reason: "not a valid JPEG (\(jpegMessage(handle)))")
        }
        try checkSize(Int(width), Int(height), maxPixels: maxPixels, format: "JPEG", name: name)
        if colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue) {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "is a CMYK JPEG (print colours), which is not supported; convert it to RGB first (e.g. `convert in.jpg -colorspace sRGB out.jpg`)"
            )
        }
        let gray = colorspace == Int32(TJCS_GRAY.rawValue)
        let channels = gray ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        // LIMITSCANS refuses progressive files with absurd scan counts (a decoding-time bomb).
        let flags = Int32(TJFLAG_LIMITSCANS) | (allowCorrupt ? 0 : Int32(TJFLAG_STOPONWARNING))
        let status = pixels.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBytes { raw in
                tjDecompress2(
                    handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), out.baseAddress,
                    width, 0, height, Int32(gray ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue), flags)
            }
        }
        if status != 0 {
            let message = jpegMessage(handle)
            if tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) || !allowCorrupt {
                throw IOError.invalidFile(
                    path: name,
                    reason:
                        "corrupt or truncated JPEG (\(message))"
                        + (allowCorrupt ? "" : "; --allow-corrupt-jpeg keeps what decodes, with a warning"))
            }
            warnings?("\(name): corrupt or truncated JPEG data (\(message)); kept what decoded")
        }
        return try DecodedImage(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// Encodes 1- or 3-channel images (an alpha channel of 2- or 4-channel images is dropped) at
    /// `quality` 1...100, 4:4:4.
    public static func encodeJPEG(_ image: DecodedImage, quality: Int = 95, name: String) throws -> Data {
        guard let handle = tjInitCompress() else {
            throw IOError.unwritable(path: name, reason: "cannot start the JPEG encoder")
        }
        defer { tjDestroy(handle) }
        var source = image.pixels
        var channels = image.channels
        if channels == 4 {
            source = stride(from: 0, to: source.count, by: 4).flatMap { Array(image.pixels[$0..<($0 + 3)]) }
            channels = 3
        } else if channels == 2 {
            source = stride(from: 0, to: source.count, by: 2).map { image.pixels[$0] }
            channels = 1
        }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = channels == 1 ? TJPF_GRAY : TJPF_RGB
        let status = source.withUnsafeBufferPointer { src in
            tjCompress2(
                handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                &buffer, &size, Int32(channels == 1 ? TJSAMP_GRAY.rawValue : TJSAMP_444.rawValue),
                Int32(min(100, max(1, quality))), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            throw IOError.unwritable(path: name, reason: "JPEG encoder failed (\(jpegMessage(handle)))")
        }
        return Data(bytes: buffer, count: Int(size))
    }

    private static func jpegMessage(_ handle: tjhandle) -> String {
        guard let message = tjGetErrorStr2(handle) else { return "libjpeg-turbo reported no detail" }
        return String(cString: message)
    }
}
