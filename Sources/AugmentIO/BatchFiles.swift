import Augment
import Foundation

/// What `augment apply` reads: a batch and where its samples came from.
public struct LoadedInput: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A `.npy` image batch (uint8 or uint16 NHWC, or float32 NCHW).
        case imageArray
        /// A `.npy` uint16 batch (N, H, W) of one-channel images (depth maps), read as NHWC with C = 1.
        case depthArray
        /// A `.npy` spectrogram batch, (N, F, T) when `hasChannelAxis` is false.
        case spectrogramArray(hasChannelAxis: Bool)
        /// PNG/JPEG files, one per sample.
        case imageFiles(names: [String])
    }

    public let images: ImageBatch
    public let kind: Kind
}

/// Reading inputs and writing outputs of `augment apply`: `.npy` arrays, single PNG/JPEG files, and
/// folders of them. Every error names the file; outputs are written one file at a time through a
/// temporary file and a rename, so files written before an error are kept intact.
public enum BatchFiles {
    /// Loads a `.npy` file, a PNG/JPEG file, or every PNG/JPEG file of a folder (sorted by name),
    /// decoding images as `options` says (default: as stored). Images of different sizes become a
    /// ragged batch; they must share one channel count (`options.mode` `.rgb` or `.gray` makes
    /// sure of that). `warnings` receives messages about data accepted with a loss.
    public static func load(
        _ path: String, options: DecodeOptions = DecodeOptions(),
        warnings: ((String) -> Void)? = nil
    ) throws -> LoadedInput {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw IOError.unreadable(path: path, reason: "no such file or folder")
        }
        guard options.bitDepth == 8 || options.bitDepth == 16 else {
            throw IOError.invalidFile(path: path, reason: "bit depth \(options.bitDepth) is not 8 or 16")
        }
        let sixteen = options.bitDepth == 16 && !path.lowercased().hasSuffix(".npy")
        if isFolder.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { ImageFileFormat(path: $0) != nil && !$0.hasPrefix(".") }.sorted()
            } catch {
                throw IOError.unreadable(path: path, reason: error.localizedDescription)
            }
            guard !names.isEmpty else {
                throw IOError.invalidFile(path: path, reason: "the folder has no .png, .jpg or .jpeg files")
            }
            if sixteen {
                let images = try names.map {
                    try ImageCodecs.decodePNG16(
                        readFile("\(path)/\($0)"), name: "\(path)/\($0)", maxPixels: options.maxPixels,
                        mode: options.mode)
                }
                return LoadedInput(
                    images: try stack16(images, names: names.map { "\(path)/\($0)" }), kind: .imageFiles(names: names))
            }
            let images = try names.map {
                try ImageCodecs.decode(
                    readFile("\(path)/\($0)"), name: "\(path)/\($0)", options: options, warnings: warnings)
            }
            return LoadedInput(
                images: try stack(images, names: names.map { "\(path)/\($0)" }), kind: .imageFiles(names: names))
        }
        if path.lowercased().hasSuffix(".npy") {
            return try loadArray(path)
        }
        if sixteen {
            let image = try ImageCodecs.decodePNG16(
                readFile(path), name: path, maxPixels: options.maxPixels, mode: options.mode)
            return LoadedInput(
                images: try stack16([image], names: [path]),
                kind: .imageFiles(names: [URL(fileURLWithPath: path).lastPathComponent]))
        }
        let image = try ImageCodecs.decode(readFile(path), name: path, options: options, warnings: warnings)
        return LoadedInput(
            images: try stack([image], names: [path]),
            kind: .imageFiles(names: [URL(fileURLWithPath: path).lastPathComponent]))
    }

    /// Stacks decoded images into one uint8 NHWC batch: dense when all have one size, ragged
    /// (``ImageBatch/init(ragged:geometries:layout:)``) when sizes differ. All must have one
    /// channel count.
    public static func stack(_ images: [DecodedImage], names: [String]) throws -> ImageBatch {
        guard let first = images.first else { throw AugmentError.emptyBatch("no images to stack") }
        for (image, name) in zip(images, names) where image.channels != first.channels {
            throw IOError.invalidFile(
                path: name,
                reason:
                    "has \(image.channels) channels (\(image.height)x\(image.width)x\(image.channels), height x width x channels) but \(names[0]) has \(first.channels); decode both with --mode rgb or --mode gray"
            )
        }
        if images.allSatisfy({ $0.geometry == first.geometry }) {
            return try ImageBatch(
                uint8NHWC: images.flatMap(\.pixels), count: images.count, height: first.height,
                width: first.width, channels: first.channels)
        }
        return try ImageBatch(
            ragged: .uint8(images.flatMap(\.pixels)), geometries: images.map(\.geometry), layout: .nhwc)
    }

    static func loadArray(_ path: String) throws -> LoadedInput {
        let array = try NPY.decode(readFile(path), name: path)
        let s = array.shape
        func wrap<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as AugmentError {
                throw IOError.invalidFile(path: path, reason: error.description)
            }
        }
        switch (array.values, s.count) {
        case (.uint8(let values), 4):
            return LoadedInput(
                images: try wrap {
                    try ImageBatch(uint8NHWC: values, count: s[0], height: s[1], width: s[2], channels: s[3])
                },
                kind: .imageArray)
        case (.uint16(let values), 4):
            return LoadedInput(
                images: try wrap {
                    try ImageBatch(
                        pixels: .uint16(values), count: s[0],
                        geometry: ImageGeometry(height: s[1], width: s[2], channels: s[3]), layout: .nhwc)
                },
                kind: .imageArray)
        case (.uint16(let values), 3):
            return LoadedInput(
                images: try wrap {
                    try ImageBatch(
                        pixels: .uint16(values), count: s[0],
                        geometry: ImageGeometry(height: s[1], width: s[2], channels: 1), layout: .nhwc)
                },
                kind: .depthArray)
        case (.float32(let values), 4):
            return LoadedInput(
                images: try wrap {
                    try ImageBatch(float32NCHW: values, count: s[0], channels: s[1], height: s[2], width: s[3])
                },
                kind: .imageArray)
        case (.float32(let values), 3):
            return LoadedInput(
                images: try wrap {
                    try ImageBatch(float32NCHW: values, count: s[0], channels: 1, height: s[1], width: s[2])
                },
                kind: .spectrogramArray(hasChannelAxis: false))
        default:
            throw IOError.invalidFile(
                path: path,
                reason:
                    "holds \(array.elementType) \(s); expected uint8 or uint16 NHWC (N, H, W, C), uint16 depth maps (N, H, W), float32 NCHW (N, C, H, W), or a float32 spectrogram (N, F, T) / (N, C, F, T)"
            )
        }
    }

    /// Writes a batch to `.npy`, to one PNG/JPEG file (a batch of one), or to a folder (one file per
    /// sample, named after the input files or sample_00000.png). Float values are written to images
    /// as round(clamp(x, 0, 1) * 255); returns the paths written.
    @discardableResult
    public static func write(_ images: ImageBatch, to path: String, like input: LoadedInput?) throws -> [String] {
        if path.lowercased().hasSuffix(".npy") {
            let array: NPYArray
            let g = images.geometry
            switch images.pixels {
            case .uint8(let values):
                let shape =
                    images.layout == .nhwc
                    ? [images.count, g.height, g.width, g.channels] : [images.count, g.channels, g.height, g.width]
                array = try NPYArray(shape: shape, values: .uint8(values))
            case .float32(let values):
                var shape =
                    images.layout == .nhwc
                    ? [images.count, g.height, g.width, g.channels] : [images.count, g.channels, g.height, g.width]
                if case .spectrogramArray(hasChannelAxis: false)? = input?.kind, g.channels == 1, images.layout == .nchw
                {
                    shape = [images.count, g.height, g.width]
                }
                array = try NPYArray(shape: shape, values: .float32(values))
            case .float16(let values):
                var shape =
                    images.layout == .nhwc
                    ? [images.count, g.height, g.width, g.channels] : [images.count, g.channels, g.height, g.width]
                if case .spectrogramArray(hasChannelAxis: false)? = input?.kind, g.channels == 1, images.layout == .nchw
                {
                    shape = [images.count, g.height, g.width]
                }
                array = try NPYArray(shape: shape, values: .float16(values))
            case .uint16(let values):
                var shape =
                    images.layout == .nhwc
                    ? [images.count, g.height, g.width, g.channels] : [images.count, g.channels, g.height, g.width]
                if input?.kind == .depthArray, g.channels == 1 {
                    shape = [images.count, g.height, g.width]
                }
                array = try NPYArray(shape: shape, values: .uint16(values))
            }
            try writeAtomically(NPY.encode(array), to: path)
            return [path]
        }
        if let format = ImageFileFormat(path: path) {
            guard images.count == 1 else {
                throw IOError.unwritable(
                    path: path, reason: "the batch has \(images.count) images; write to a folder or a .npy file")
            }
            try writeAtomically(encodeSample(images, sample: 0, format: format, path: path), to: path)
            return [path]
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw IOError.unwritable(path: path, reason: error.localizedDescription)
        }
        var names: [String] = (0..<images.count).map { String(format: "sample_%05d.png", $0) }
        if case .imageFiles(let inputNames)? = input?.kind, inputNames.count == images.count {
            names = inputNames
        }
        var written: [String] = []
        for (sample, name) in names.enumerated() {
            let file = "\(path)/\(name)"
            let format = ImageFileFormat(path: name) ?? .png
            try writeAtomically(encodeSample(images, sample: sample, format: format, path: file), to: file)
            written.append(file)
        }
        return written
    }

    /// Sample `sample` encoded as `format`: uint16 batches as 16-bit PNG (JPEG has 8 bits only),
    /// everything else as 8 bits.
    static func encodeSample(_ images: ImageBatch, sample: Int, format: ImageFileFormat, path: String) throws -> Data {
        guard images.pixelType == .uint16 else {
            return try encode(decoded(images, sample: sample, path: path), format: format, name: path)
        }
        guard format == .png else {
            throw IOError.unwritable(
                path: path, reason: "uint16 images need 16 bits, which JPEG does not have; write .png or .npy")
        }
        return try ImageCodecs.encodePNG16(decoded16(images, sample: sample, path: path), name: path)
    }

    static func encode(_ image: DecodedImage, format: ImageFileFormat, name: String) throws -> Data {
        switch format {
        case .png: return try ImageCodecs.encodePNG(image, name: name)
        case .jpeg: return try ImageCodecs.encodeJPEG(image, name: name)
        }
    }

    /// One sample as an 8-bit HWC image (1, 3 or 4 channels).
    public static func decoded(_ images: ImageBatch, sample: Int, path: String) throws -> DecodedImage {
        let g = images.geometry
        guard (1...4).contains(g.channels) else {
            throw IOError.unwritable(
                path: path, reason: "\(g.channels)-channel images cannot be written as PNG/JPEG; write a .npy file")
        }
        var pixels = [UInt8](repeating: 0, count: g.elementCount)
        for y in 0..<g.height {
            for x in 0..<g.width {
                for c in 0..<g.channels {
                    let i = images.index(sample: sample, channel: c, y: y, x: x)
                    let value: UInt8
                    switch images.pixels {
                    case .uint8(let v): value = v[i]
                    case .float32(let v): value = UInt8((Float.minimum(Float.maximum(v[i], 0), 1) * 255).rounded())
                    case .float16(let v):
                        value = UInt8((Float.minimum(Float.maximum(Float(v[i]), 0), 1) * 255).rounded())
                    case .uint16(let v): value = UInt8((Float(v[i]) * 255 / 65535).rounded())
                    }
                    pixels[(y * g.width + x) * g.channels + c] = value
                }
            }
        }
        return try DecodedImage(width: g.width, height: g.height, channels: g.channels, pixels: pixels)
    }

    /// The most classes a label file may imply (class ids are checked against it before the (N, K)
    /// one-hot matrix is allocated).
    public static let maxClassCount = 1 << 20

    /// Labels from `.npy`: int32/int64 class ids (N,) (one-hot with `classCount` classes, or
    /// max + 1 when nil; at most ``maxClassCount``) or float32 soft labels (N, K). Errors name the
    /// file and the command-line flags (`--labels`, `--num-classes`) rather than Swift types.
    public static func loadLabels(_ path: String, classCount: Int?) throws -> LabelBatch {
        let array = try NPY.decode(readFile(path), name: path)
        func classes<I: BinaryInteger>(_ ids: [I]) throws -> Int {
            if let bad = ids.first(where: { $0 < 0 }) {
                throw IOError.invalidFile(
                    path: path, reason: "class id \(bad) is negative; --labels takes class ids 0, 1, 2, ...")
            }
            let largest = ids.max().map { Int(clamping: $0) } ?? 0
            if let classCount {
                guard (1...maxClassCount).contains(classCount) else {
                    throw IOError.invalidFile(
                        path: path, reason: "--num-classes \(classCount) is outside 1...\(maxClassCount)")
                }
                guard largest < classCount else {
                    throw IOError.invalidFile(
                        path: path,
                        reason:
                            "class id \(largest) needs at least \(largest + 1) classes but there are \(classCount) (--num-classes, or the mixing op's num_classes)"
                    )
                }
                return classCount
            }
            guard largest < maxClassCount else {
                throw IOError.invalidFile(
                    path: path,
                    reason:
                        "class id \(largest) would make \(largest) + 1 classes; at most \(maxClassCount) are supported (check the file holds class ids, or pass soft labels (N, K))"
                )
            }
            return largest + 1
        }
        do {
            switch (array.values, array.shape.count) {
            case (.int32(let ids), 1): return try LabelBatch(classIDs: ids, classCount: classes(ids))
            case (.int64(let ids), 1): return try LabelBatch(classIDs: ids, classCount: classes(ids))
            case (.float32(let values), 2):
                return try LabelBatch(softLabels: values, count: array.shape[0], classCount: array.shape[1])
            default:
                throw IOError.invalidFile(
                    path: path,
                    reason:
                        "holds \(array.elementType) \(array.shape); --labels takes int32/int64 class ids (N,) or float32 soft labels (N, K)"
                )
            }
        } catch let error as AugmentError {
            throw IOError.invalidFile(
                path: path, reason: error.description.replacingOccurrences(of: "label batch: ", with: ""))
        }
    }

    /// Writes (N, K) float32 soft labels.
    public static func writeLabels(_ labels: LabelBatch, to path: String) throws {
        try writeAtomically(
            NPY.encode(NPYArray(shape: [labels.count, labels.classCount], values: .float32(labels.values))), to: path)
    }
}
