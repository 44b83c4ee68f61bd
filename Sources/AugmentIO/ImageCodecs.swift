import Augment
import CPNG
import CTurboJPEG
import Foundation

/// One decoded 8-bit image, row-major HWC.
public struct DecodedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (gray), 3 (RGB) or 4 (RGBA).
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        guard width >= 1, height >= 1, [1, 3, 4].contains(channels), pixels.count == width * height * channels else {
            throw AugmentError.invalidShape("an image of \(width)x\(height)x\(channels) cannot hold \(pixels.count) bytes")
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

/// PNG through libpng's simplified API and JPEG through libjpeg-turbo's TurboJPEG API: both report
/// errors through return codes, so a corrupt file is an error that names the file, never a crash.
public enum ImageCodecs {
    /// Decodes PNG or JPEG bytes (detected from the content, not the name). Gray images stay 1
    /// channel, colour images become RGB, and images with alpha keep it (RGBA) for PNG.
    public static func decode(_ data: Data, name: String) throws -> DecodedImage {
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try decodePNG(data, name: name) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try decodeJPEG(data, name: name) }
        throw IOError.invalidFile(path: name, reason: "not a PNG or JPEG image")
    }

    public static func decodePNG(_ data: Data, name: String) throws -> DecodedImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else { throw IOError.invalidFile(path: name, reason: "not a valid PNG (\(pngMessage(image)))") }
        defer { png_image_free(&image) }
        let hasColor = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels: Int
        switch (hasColor, hasAlpha) {
        case (true, true): image.format = png_uint_32(PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA); channels = 4
        case (true, false): image.format = png_uint_32(PNG_FORMAT_RGB); channels = 3
        default: image.format = png_uint_32(PNG_FORMAT_GRAY); channels = 1
        }
        let width = Int(image.width), height = Int(image.height)
        guard width >= 1, height >= 1, width <= 1 << 16, height <= 1 << 16 else {
            throw IOError.invalidFile(path: name, reason: "PNG size \(width)x\(height) is out of range")
        }
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

    public static func decodeJPEG(_ data: Data, name: String) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else {
            throw IOError.invalidFile(path: name, reason: "cannot start the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = data.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                                &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else {
            throw IOError.invalidFile(path: name, reason: "not a valid JPEG (\(jpegMessage(handle)))")
        }
        guard width >= 1, height >= 1, width <= 1 << 16, height <= 1 << 16 else {
            throw IOError.invalidFile(path: name, reason: "JPEG size \(width)x\(height) is out of range")
        }
        let gray = colorspace == Int32(TJCS_GRAY.rawValue)
        let channels = gray ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBytes { raw in
                tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), out.baseAddress,
                              width, 0, height, Int32(gray ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue), 0)
            }
        }
        // A warning (e.g. premature end of data) still yields pixels; an error does not.
        if status != 0, tjGetErrorCode(handle) == Int32(TJERR_FATAL.rawValue) {
            throw IOError.invalidFile(path: name, reason: "corrupt JPEG (\(jpegMessage(handle)))")
        }
        return try DecodedImage(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// Encodes 1- or 3-channel images (an alpha channel is dropped) at `quality` 1...100, 4:4:4.
    public static func encodeJPEG(_ image: DecodedImage, quality: Int = 95, name: String) throws -> Data {
        guard let handle = tjInitCompress() else { throw IOError.unwritable(path: name, reason: "cannot start the JPEG encoder") }
        defer { tjDestroy(handle) }
        var source = image.pixels
        var channels = image.channels
        if channels == 4 {
            source = stride(from: 0, to: source.count, by: 4).flatMap { Array(image.pixels[$0..<($0 + 3)]) }
            channels = 3
        }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = channels == 1 ? TJPF_GRAY : TJPF_RGB
        let status = source.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
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
