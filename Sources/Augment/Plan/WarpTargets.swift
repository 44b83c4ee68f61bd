/// Boxes and keypoints through a warp: host-side Double math shared by every backend (exact and
/// tiny next to the pixels).
enum WarpTargets {
    /// Moves the boxes and keypoints of `batch` through `matrices` (output -> input, continuous
    /// coordinates) onto an output of `output`'s size. Masks are the backend's job.
    static func move(_ batch: inout AugmentBatch, matrices: [WarpMatrix], output: ImageGeometry) throws {
        guard batch.boxes != nil || batch.keypoints != nil else { return }
        let forward = try matrices.enumerated().map { i, m -> WarpMatrix in
            guard let inverse = m.inverse else {
                throw AugmentError.parameterMismatch(
                    "the warp of sample \(i) cannot be inverted to move its boxes and keypoints")
            }
            return inverse
        }
        let width = Double(output.width), height = Double(output.height)
        if var boxes = batch.boxes {
            guard boxes.count == forward.count else {
                throw AugmentError.parameterMismatch("\(boxes.count) samples of boxes for a plan of \(forward.count)")
            }
            for n in 0..<boxes.count {
                var kept: [BoundingBox] = []
                var keptLabels: [Int] = []
                for (box, label) in zip(boxes.boxes[n], boxes.labels[n]) {
                    let corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
                        .compactMap { forward[n].apply(Double($0.0), Double($0.1)) }
                    // A corner that leaves through the horizon of a perspective has no image: drop.
                    guard corners.count == 4 else { continue }
                    let xs = corners.map(\.x), ys = corners.map(\.y)
                    let lo = (x: xs.min() ?? 0, y: ys.min() ?? 0), hi = (x: xs.max() ?? 0, y: ys.max() ?? 0)
                    let full = (hi.x - lo.x) * (hi.y - lo.y)
                    let clipped = (
                        x0: min(max(lo.x, 0), width), y0: min(max(lo.y, 0), height),
                        x1: min(max(hi.x, 0), width), y1: min(max(hi.y, 0), height)
                    )
                    let visible = (clipped.x1 - clipped.x0) * (clipped.y1 - clipped.y0)
                    guard visible > 0, visible >= boxes.minVisibility * full else { continue }
                    kept.append(
                        BoundingBox(
                            x0: Float(clipped.x0), y0: Float(clipped.y0),
                            x1: Float(clipped.x1), y1: Float(clipped.y1)))
                    keptLabels.append(label)
                }
                boxes.replace(sample: n, boxes: kept, labels: keptLabels)
            }
            batch.boxes = boxes
        }
        if var keypoints = batch.keypoints {
            guard keypoints.count == forward.count else {
                throw AugmentError.parameterMismatch(
                    "\(keypoints.count) samples of keypoints for a plan of \(forward.count)")
            }
            for n in 0..<keypoints.count {
                keypoints.points[n] = keypoints.points[n].map { point in
                    guard let p = forward[n].apply(Double(point.x), Double(point.y)) else {
                        return Keypoint(x: point.x, y: point.y, visible: false)
                    }
                    let inside = p.x >= 0 && p.x < width && p.y >= 0 && p.y < height
                    return Keypoint(x: Float(p.x), y: Float(p.y), visible: point.visible && inside)
                }
            }
            batch.keypoints = keypoints
        }
    }

    /// Moves boxes and keypoints through an elastic field (`displacement`: N·H·W·2 floats, pixels, on
    /// the grid `geometry`) as torchvision's `elastic_keypoints` / `elastic_bounding_boxes` do
    /// (host math in Double, shared by both backends): a point is looked up at its pixel (keypoints:
    /// coordinates truncated, boxes: corners rounded up, both clamped into the image) and moved by
    /// minus the displacement there, torchvision's approximation of the inverse field (`id_grid -
    /// displacement`). A box becomes its moved corners' bounding box, clipped to the image and
    /// dropped (with its label) as by the warps (no area left, or below `minVisibility`); a keypoint
    /// that lands outside the image becomes invisible.
    static func moveThroughField(
        _ batch: inout AugmentBatch, displacement: [Float], count: Int, grid geometry: ImageGeometry
    ) throws {
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
                    let clipped = (
                        x0: min(max(lo.x, 0), Double(width)), y0: min(max(lo.y, 0), Double(height)),
                        x1: min(max(hi.x, 0), Double(width)), y1: min(max(hi.y, 0), Double(height))
                    )
                    let visible = (clipped.x1 - clipped.x0) * (clipped.y1 - clipped.y0)
                    guard visible > 0, visible >= boxes.minVisibility * full else { continue }
                    kept.append(
                        BoundingBox(
                            x0: Float(clipped.x0), y0: Float(clipped.y0), x1: Float(clipped.x1), y1: Float(clipped.y1)))
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
}

extension RemapStage {
    /// Moves the boxes and keypoints of `batch` through this pass (host math, shared by backends).
    public func moveTargets(_ batch: inout AugmentBatch) throws {
        try WarpTargets.move(&batch, matrices: matrices, output: output)
    }
}

extension WarpStage {
    /// Moves the boxes and keypoints of `batch` through this warp (host math, shared by backends).
    /// With an elastic step inside: through the ops before it onto its grid, through the field
    /// (``WarpTargets/moveThroughField(_:displacement:count:grid:)``, the field made on the host:
    /// the device's bits), then through the ops after it, as the unfused chain would.
    public func moveTargets(_ batch: inout AugmentBatch) throws {
        guard let displacement else {
            try WarpTargets.move(&batch, matrices: matrices, output: output)
            return
        }
        guard batch.boxes != nil || batch.keypoints != nil else { return }
        try WarpTargets.move(&batch, matrices: matrices, output: displacement.grid)
        try WarpTargets.moveThroughField(
            &batch, displacement: displacement.field.allPixels(), count: count,
            grid: displacement.grid)
        try WarpTargets.move(&batch, matrices: displacement.post, output: output)
    }
}
