/// A batch of video clips: N clips of T frames each, every frame an image.
///
/// The frames are stored clip-major in one ``ImageBatch`` of N x T images (``frames``): frame t of
/// clip n is image `n * T + t`. That is exactly the memory of a C-ordered (N, T, H, W, C) array for
/// an NHWC frame batch, and of an (N, T, C, H, W) array for an NCHW one, so a clip batch costs no
/// copy to build or to hand back. Clips may differ in height and width (a ragged frame batch); all
/// frames of one clip share their clip's size, and every clip has the same number of frames.
///
/// A pipeline runs on a clip batch as on an image batch of N x T frames, in the same passes (one
/// warp for a clip's whole geometry); only sampling differs: every op draws its parameters once
/// per clip, keyed by the clip's global index, and all T frames use them (see
/// ``Pipeline/sample(for:seed:epoch:firstClipIndex:)``). ``labels``, when present, hold one row per
/// clip; MixUp and CutMix pair whole clips.
public struct ClipBatch: Sendable, Equatable {
    /// Number of clips (N).
    public let count: Int
    /// Frames per clip (T).
    public let frameCount: Int
    /// Every frame, clip-major: frame t of clip n is image `n * frameCount + t`.
    public let frames: ImageBatch
    /// (N, K) soft labels, one row per clip; nil when the caller has none.
    public var labels: LabelBatch?

    /// A clip batch over `frames` (N x T images, clip-major). Throws when `frameCount` < 1, when
    /// the frame count is not a multiple of it, when the frames of one clip differ in size, or when
    /// the labels do not have one row per clip.
    public init(frames: ImageBatch, frameCount: Int, labels: LabelBatch? = nil) throws {
        guard frameCount >= 1 else {
            throw AugmentError.emptyBatch("a clip needs at least one frame, got T = \(frameCount)")
        }
        guard frames.count % frameCount == 0 else {
            throw AugmentError.invalidShape("\(frames.count) frames do not split into clips of \(frameCount) frames")
        }
        let count = frames.count / frameCount
        let geometries = frames.sampleGeometries
        for clip in 0..<count {
            let first = geometries[clip * frameCount]
            if let bad = (1..<frameCount).first(where: { geometries[clip * frameCount + $0] != first }) {
                throw AugmentError.invalidShape(
                    "clip \(clip): frame \(bad) is \(geometries[clip * frameCount + bad]), frame 0 is \(first); the frames of a clip share one size"
                )
            }
        }
        if let labels, labels.count != count {
            throw AugmentError.invalidShape("\(labels.count) label rows for \(count) clips")
        }
        self.count = count
        self.frameCount = frameCount
        self.frames = frames
        self.labels = labels
    }

    /// Clips from raw values: (N, T, H, W, C) for `.nhwc` (uint8 or float32), (N, T, C, H, W) for
    /// `.nchw`.
    public init(pixels: PixelBuffer, count: Int, frameCount: Int, geometry: ImageGeometry, layout: ImageLayout) throws {
        guard count >= 1 else { throw AugmentError.emptyBatch("a clip batch needs at least one clip, got \(count)") }
        guard frameCount >= 1 else {
            throw AugmentError.emptyBatch("a clip needs at least one frame, got T = \(frameCount)")
        }
        let frames = try checkedProduct([count, frameCount], what: "clip batch")
        try self.init(
            frames: ImageBatch(pixels: pixels, count: frames, geometry: geometry, layout: layout),
            frameCount: frameCount)
    }

    /// uint8 clips (N, T, H, W, C), values 0...255, as video decoders produce.
    public init(uint8NTHWC values: [UInt8], count: Int, frameCount: Int, height: Int, width: Int, channels: Int) throws
    {
        try self.init(
            pixels: .uint8(values), count: count, frameCount: frameCount,
            geometry: ImageGeometry(height: height, width: width, channels: channels), layout: .nhwc)
    }

    /// float32 clips (N, T, H, W, C), values nominally in [0, 1].
    public init(
        float32NTHWC values: [Float], count: Int, frameCount: Int, height: Int, width: Int, channels: Int
    ) throws {
        try self.init(
            pixels: .float32(values), count: count, frameCount: frameCount,
            geometry: ImageGeometry(height: height, width: width, channels: channels), layout: .nhwc)
    }

    /// float32 clips (N, T, C, H, W), values nominally in [0, 1] (PyTorch video models' frame order).
    public init(
        float32NTCHW values: [Float], count: Int, frameCount: Int, channels: Int, height: Int, width: Int
    ) throws {
        try self.init(
            pixels: .float32(values), count: count, frameCount: frameCount,
            geometry: ImageGeometry(height: height, width: width, channels: channels), layout: .nchw)
    }

    /// Ragged clips: clip n has size `geometries[n]` (one channel count for all); `pixels` holds the
    /// clips back to back, each as T frames of its size in `layout`.
    public init(ragged pixels: PixelBuffer, frameCount: Int, geometries: [ImageGeometry], layout: ImageLayout) throws {
        guard !geometries.isEmpty else { throw AugmentError.emptyBatch("a clip batch needs at least one clip") }
        guard frameCount >= 1 else {
            throw AugmentError.emptyBatch("a clip needs at least one frame, got T = \(frameCount)")
        }
        _ = try checkedProduct([geometries.count, frameCount], what: "clip batch")
        let frameGeometries = geometries.flatMap { Array(repeating: $0, count: frameCount) }
        try self.init(
            frames: ImageBatch(ragged: pixels, geometries: frameGeometries, layout: layout), frameCount: frameCount)
    }

    /// Whether clips differ in size.
    public var isRagged: Bool { frames.isRagged }

    /// The size of every clip (each frame of clip n has `clipGeometries[n]`).
    public var clipGeometries: [ImageGeometry] {
        let all = frames.sampleGeometries
        return (0..<count).map { all[$0 * frameCount] }
    }

    /// Frame `t` of clip `n` as image index in ``frames``.
    public func frameIndex(clip n: Int, frame t: Int) -> Int { n * frameCount + t }

    /// Description of the shape, e.g. "uint8 (N=2, T=8, H=64, W=64, C=3)".
    public var shapeDescription: String {
        let g = frames.geometry
        let hw = isRagged ? "ragged H, W" : "H=\(g.height), W=\(g.width)"
        switch frames.layout {
        case .nhwc: return "\(frames.pixelType.rawValue) (N=\(count), T=\(frameCount), \(hw), C=\(g.channels))"
        case .nchw: return "\(frames.pixelType.rawValue) (N=\(count), T=\(frameCount), C=\(g.channels), \(hw))"
        }
    }
}
