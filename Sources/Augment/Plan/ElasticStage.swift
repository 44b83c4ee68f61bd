/// An elastic deformation: every output pixel samples the input at its own displaced position
/// (family `elastic`: `Kernels/elastic.cl`, `CPU/Elastic.swift`).
///
/// For output pixel (x, y) of sample n the sampling point in pixel-index coordinates is
/// `(x + dx, y + dy)` with (dx, dy) = `displacement[((n·H + y)·W + x)·2 ..< +2]` in pixels. The value
/// is torchvision's `grid_sample(align_corners=False, padding_mode="zeros")` followed by its fill
/// blend: bilinear `(v - fill) * mask + fill`, nearest (round half to even) `mask < 0.5 ? fill : v`,
/// where mask is the same sampling of an all-ones image. Masks (class ids) are sampled nearest, with
/// their ignore index outside the image (as the warps do; torchvision fills masks with 0); boxes and
/// keypoints move on the host (``moveTargets(_:)``).
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

    /// Moves boxes and keypoints as torchvision's `elastic_keypoints` / `elastic_bounding_boxes` do
    /// (host math in Double, shared by both backends): a point is looked up at its pixel (keypoints:
    /// coordinates truncated, boxes: corners rounded up, both clamped into the image) and moved by
    /// minus the displacement there, torchvision's approximation of the inverse field (`id_grid -
    /// displacement`). A box becomes its moved corners' bounding box, clipped to the image and
    /// dropped (with its label) as by the warps (no area left, or below `minVisibility`); a keypoint
    /// that lands outside the image becomes invisible.
    public func moveTargets(_ batch: inout AugmentBatch) throws {
        let (height, width) = (geometry.height, geometry.width)
        func moved(_ x: Double, _ y: Double, _ n: Int, roundUp: Bool) -> (x: Double, y: Double) {
            let fx = roundUp ? x.rounded(.up) : x.rounded(.towardZero)
            let fy = roundUp ? y.rounded(.up) : y.rounded(.towardZero)
            let ix = Int(min(max(fx, 0), Double(width - 1)))
            let iy = Int(min(max(fy, 0), Double(height - 1)))
            let d = ((n * height + iy) * width + ix) * 2
            return (Double(ix) - Double(displacement[d]), Double(iy) - Double(displacement[d + 1]))
        }
        if var boxes = batch.boxes {
            guard boxes.count == count else {
                throw AugmentError.parameterMismatch("\(boxes.count) samples of boxes for a plan of \(count)")
            }
            for n in 0..<count {
                var kept: [BoundingBox] = []
                var keptLabels: [Int] = []
                for (box, label) in zip(boxes.boxes[n], boxes.labels[n]) {
                    let corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
                        .map { moved(Double($0.0), Double($0.1), n, roundUp: true) }
                    let xs = corners.map(\.x), ys = corners.map(\.y)
                    let lo = (x: xs.min() ?? 0, y: ys.min() ?? 0), hi = (x: xs.max() ?? 0, y: ys.max() ?? 0)
                    let full = (hi.x - lo.x) * (hi.y - lo.y)
                    let clipped = (x0: min(max(lo.x, 0), Double(width)), y0: min(max(lo.y, 0), Double(height)),
                                   x1: min(max(hi.x, 0), Double(width)), y1: min(max(hi.y, 0), Double(height)))
                    let visible = (clipped.x1 - clipped.x0) * (clipped.y1 - clipped.y0)
                    guard visible > 0, visible >= boxes.minVisibility * full else { continue }
                    kept.append(BoundingBox(x0: Float(clipped.x0), y0: Float(clipped.y0), x1: Float(clipped.x1), y1: Float(clipped.y1)))
                    keptLabels.append(label)
                }
                boxes.replace(sample: n, boxes: kept, labels: keptLabels)
            }
            batch.boxes = boxes
        }
        if var keypoints = batch.keypoints {
            guard keypoints.count == count else {
                throw AugmentError.parameterMismatch("\(keypoints.count) samples of keypoints for a plan of \(count)")
            }
            for n in 0..<count {
                keypoints.points[n] = keypoints.points[n].map { point in
                    let p = moved(Double(point.x), Double(point.y), n, roundUp: false)
                    let inside = p.x >= 0 && p.x < Double(width) && p.y >= 0 && p.y < Double(height)
                    return Keypoint(x: Float(p.x), y: Float(p.y), visible: point.visible && inside)
                }
            }
            batch.keypoints = keypoints
        }
    }

    /// Throws unless `masks` are one (N, H, W) mask per image of this stage.
    public func checkMasks(_ masks: MaskBatch) throws {
        guard masks.count == count,
              masks.geometries.allSatisfy({ $0.height == geometry.height && $0.width == geometry.width }) else {
            throw AugmentError.parameterMismatch("the masks do not have the sizes of the images this plan was made for")
        }
    }
}

extension ElasticStage: PlanStage {
    public static let family = "elastic"
    public var stage: Stage { .elastic(self) }
    public func slicedStage(_ range: Range<Int>) -> Stage? { .elastic(sliced(range)) }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 + geometry.height * geometry.width * 8 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "elastic_transform (\(interpolation.rawValue)) \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}
