import Augment
import AugmentIO

/// `"input": "signal"` in `augment apply`: a float32 3-D .npy (N, C, T) is read as signals (float32
/// NCHW images of height 1, C channels, width T) instead of one-channel spectrograms, and written
/// back as (N, C, T). Only the geometry is reinterpreted; the memory is the same.
enum SignalInput {
    /// The loaded (N, C, T) array as a signal batch.
    static func signals(from loaded: LoadedInput, path: String) throws -> ImageBatch {
        let images = loaded.images
        guard case .spectrogramArray(hasChannelAxis: false) = loaded.kind, let values = images.float32Values else {
            throw AugmentError.incompatible(
                "\(path): the pipeline says \"input\": \"signal\", which reads a float32 .npy of shape (N, C, T); got \(images.shapeDescription)"
            )
        }
        let g = images.geometry  // (F = C, T) as a one-channel image
        return try ImageBatch(
            pixels: .float32(values), count: images.count,
            geometry: ImageGeometry(height: 1, width: g.width, channels: g.height), layout: .nchw)
    }

    /// A signal result (NCHW, height 1) in the one-channel form BatchFiles writes as (N, C, T).
    static func array(from images: ImageBatch) throws -> ImageBatch {
        let g = images.geometry
        guard images.layout == .nchw, g.height == 1, images.pixelType != .uint8 else {
            throw AugmentError.incompatible(
                "signals are written as float32 or float16 (N, C, T) arrays: use an NCHW float output, got \(images.shapeDescription)"
            )
        }
        return try ImageBatch(
            pixels: images.pixels, count: images.count,
            geometry: ImageGeometry(height: g.channels, width: g.width, channels: 1), layout: .nchw)
    }
}
