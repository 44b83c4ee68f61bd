/// An elastic deformation: every output pixel samples the input at its own displaced position
/// (family `elastic`: `Kernels/elastic.cl`, `CPU/Elastic.swift`).
///
/// For output pixel (x, y) of sample n the sampling point in pixel-index coordinates is
/// `(x + dx, y + dy)` with (dx, dy) = `displacement[((n·H + y)·W + x)·2 ..< +2]` in pixels. The value
/// is torchvision's `grid_sample(align_corners=False, padding_mode="zeros")` followed by its fill
/// blend: bilinear `(v - fill) * mask + fill`, nearest (round half to even) `mask < 0.5 ? fill : v`,
/// where mask is the same sampling of an all-ones image.
public struct ElasticStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    public var interpolation: Interpolation
    /// One fill value per channel.
    public var fill: [Float]
    /// N·H·W·2 floats, pixels.
    public var displacement: [Float]

    public init(count: Int, geometry: ImageGeometry, interpolation: Interpolation, fill: [Float], displacement: [Float]) {
        self.count = count
        self.geometry = geometry
        self.interpolation = interpolation
        self.fill = fill
        self.displacement = displacement
    }

    /// Throws unless the stage fits a float32 NCHW batch of `count` images of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, fill.count == geometry.channels,
              displacement.count == count * geometry.height * geometry.width * 2 else {
            throw AugmentError.parameterMismatch(
                "the elastic stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)")
        }
        guard geometry.height < 1 << 24, geometry.width < 1 << 24 else {
            throw AugmentError.invalidShape("elastic_transform: \(geometry) is too large (sides below 2^24)")
        }
    }

    /// The stage for samples `range` alone.
    func sliced(_ range: Range<Int>) -> ElasticStage {
        var s = self
        let per = geometry.height * geometry.width * 2
        s.displacement = Array(displacement[(range.lowerBound * per)..<(range.upperBound * per)])
        s.count = range.count
        return s
    }

    /// Throws when the batch carries targets: elastic_transform moves pixels only (so far).
    public static func checkNoTargets(_ batch: AugmentBatch) throws {
        guard batch.masks == nil, batch.boxes == nil, batch.keypoints == nil else {
            throw AugmentError.incompatible(
                "elastic_transform does not move masks, boxes or keypoints yet: apply it to images alone")
        }
    }
}
