import Augment
import Foundation

/// Clip batches in `.npy` files: 5-D arrays, uint8 (N, T, H, W, C) or float32 (N, T, C, H, W)
/// (the same element-type rule as 4-D image arrays: uint8 is channels-last, float32 channels-first).
public enum ClipFiles {
    /// Whether `path` is a `.npy` file holding a 5-D array (read from its header).
    public static func isClipArray(_ path: String) -> Bool {
        guard path.lowercased().hasSuffix(".npy"), let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 1024)
        guard let text = String(data: head.dropFirst(10), encoding: .isoLatin1),
            let range = text.range(of: "'shape': (")
        else { return false }
        let rest = text[range.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return false }
        return rest[..<close].split(separator: ",").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
            == 5
    }

    /// Loads a 5-D `.npy` array as clips.
    public static func load(_ path: String) throws -> ClipBatch {
        let array = try NPY.decode(readFile(path), name: path)
        let s = array.shape
        func wrap<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as AugmentError {
                throw IOError.invalidFile(path: path, reason: error.description)
            }
        }
        switch (array.values, s.count) {
        case (.uint8(let values), 5):
            return try wrap {
                try ClipBatch(
                    uint8NTHWC: values, count: s[0], frameCount: s[1], height: s[2], width: s[3], channels: s[4])
            }
        case (.float32(let values), 5):
            return try wrap {
                try ClipBatch(
                    float32NTCHW: values, count: s[0], frameCount: s[1], channels: s[2], height: s[3], width: s[4])
            }
        default:
            throw IOError.invalidFile(
                path: path,
                reason:
                    "holds \(array.elementType) \(s); expected clips: uint8 (N, T, H, W, C) or float32 (N, T, C, H, W)")
        }
    }

    /// Writes dense clips as a 5-D `.npy` array: (N, T, H, W, C) for NHWC frames, (N, T, C, H, W) for
    /// NCHW frames, in the frames' element type.
    public static func write(_ clips: ClipBatch, to path: String) throws {
        guard path.lowercased().hasSuffix(".npy") else {
            throw IOError.unwritable(path: path, reason: "clips are written as .npy (N, T, ...) arrays")
        }
        guard !clips.isRagged else {
            throw IOError.unwritable(
                path: path, reason: "the clips have different sizes; end the pipeline with a fixed-size op")
        }
        let g = clips.frames.geometry
        let shape =
            clips.frames.layout == .nhwc
            ? [clips.count, clips.frameCount, g.height, g.width, g.channels]
            : [clips.count, clips.frameCount, g.channels, g.height, g.width]
        let values: NPYArray.Values
        switch clips.frames.pixels {
        case .uint8(let v): values = .uint8(v)
        case .float32(let v): values = .float32(v)
        case .float16(let v): values = .float16(v)
        case .uint16(let v): values = .uint16(v)
        }
        try writeAtomically(NPY.encode(NPYArray(shape: shape, values: values)), to: path)
    }
}
