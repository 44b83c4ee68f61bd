import Foundation

/// A family of deterministic test-time views, resolved into concrete ``TestTimeView``s for an
/// image size by ``TestTimeAugmentation/views(for:)``.
public enum TestTimeViewSpec: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The image itself.
    case identity
    /// Mirrored left-right (torchvision `hflip`).
    case hflip
    /// Mirrored top-bottom (torchvision `vflip`).
    case vflip
    /// `k` quarter turns counter-clockwise (torch.rot90(image, k, dims=(-2, -1)), k modulo 4).
    /// An odd k on a non-square image changes its size, which the other views must share.
    case rot90(k: Int)
    /// torchvision `five_crop(size)`: top-left, top-right, bottom-left, bottom-right, centre (the
    /// centre box as `center_crop`: top = round((H - h) / 2), ties to even), in that order.
    case fiveCrop(height: Int, width: Int)
    /// torchvision `ten_crop(size, vertical_flip)`: the five crops, then the five crops of the image
    /// flipped left-right (top-bottom when `verticalFlip`), in that order.
    case tenCrop(height: Int, width: Int, verticalFlip: Bool)
    /// One view per factor: the image zoomed by the factor about its centre at the same size
    /// (factor > 1 shows the centre 1/factor of it, bilinear; factor < 1 shrinks it inside a zero
    /// border). Factors in [0.125, 8].
    case scales([Double])

    public var description: String {
        switch self {
        case .identity: return "identity"
        case .hflip: return "hflip"
        case .vflip: return "vflip"
        case .rot90(let k): return "rot90:\(k)"
        case .fiveCrop(let h, let w): return "five_crop:\(h)x\(w)"
        case .tenCrop(let h, let w, let v): return "ten_crop:\(h)x\(w)\(v ? ":vflip" : "")"
        case .scales(let factors): return "scales:" + factors.map { "\($0)" }.joined(separator: "/")
        }
    }

    /// Parses a comma-separated list as the CLI takes it: `identity`, `hflip`, `vflip`, `rot90:K`,
    /// `five_crop:H[xW]`, `ten_crop:H[xW][:vflip]`, `scales:F1/F2/...`.
    public static func parseList(_ text: String) throws -> [TestTimeViewSpec] {
        func bad(_ token: String, _ allowed: String) -> AugmentError {
            AugmentError.invalidArgument(op: "tta", argument: "views", value: "'\(token)'", allowed: allowed)
        }
        func size(_ token: String, _ text: Substring) throws -> (Int, Int) {
            let parts = text.split(separator: "x").map { Int($0) }
            guard (1...2).contains(parts.count), let h = parts[0], let w = parts.last ?? nil else {
                throw bad(token, "a crop size H or HxW in pixels")
            }
            return (h, w)
        }
        let tokens = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !tokens.isEmpty else { throw bad(text, "a comma-separated list of views") }
        return try tokens.map { token in
            let parts = token.split(separator: ":", omittingEmptySubsequences: false)
            switch (parts[0], parts.count) {
            case ("identity", 1): return .identity
            case ("hflip", 1): return .hflip
            case ("vflip", 1): return .vflip
            case ("rot90", 2):
                guard let k = Int(parts[1]) else { throw bad(token, "rot90:K with an integer K") }
                return .rot90(k: k)
            case ("five_crop", 2):
                let (h, w) = try size(token, parts[1])
                return .fiveCrop(height: h, width: w)
            case ("ten_crop", 2), ("ten_crop", 3):
                let (h, w) = try size(token, parts[1])
                guard parts.count == 2 || parts[2] == "vflip" else {
                    throw bad(token, "ten_crop:HxW or ten_crop:HxW:vflip")
                }
                return .tenCrop(height: h, width: w, verticalFlip: parts.count == 3)
            case ("scales", 2):
                let factors = parts[1].split(separator: "/").map { Double($0) }
                guard !factors.isEmpty, factors.allSatisfy({ $0 != nil }) else {
                    throw bad(token, "scales:F1/F2/... with numbers")
                }
                return .scales(factors.map { $0! })
            default:
                throw bad(
                    token, "identity, hflip, vflip, rot90:K, five_crop:HxW, ten_crop:HxW[:vflip], scales:F1/F2/...")
            }
        }
    }
}

/// One concrete test-time view of an image of size ``input``: an image of size ``output`` whose
/// continuous point (x, y) (pixel (i, j) spans [i, i+1) x [j, j+1)) shows the original's point
/// ``matrix`` (x, y). Boxes and keypoints predicted on the view map back through ``matrix``; dense
/// maps are read back through its inverse.
public struct TestTimeView: Sendable, Equatable, CustomStringConvertible {
    /// e.g. "identity", "rot90:1", "five_crop:tl", "ten_crop:br+hflip", "scale:1.25".
    public let name: String
    public let input: ImageGeometry
    public let output: ImageGeometry
    /// View coordinates -> original coordinates.
    public let matrix: WarpMatrix
    /// Whether the view resamples between pixel centres (scales other than 1).
    public let resamples: Bool
    /// Whether the view reaches outside the original (scales below 1: zero border).
    public let readsOutside: Bool

    public var description: String { name }

    /// The original-image point that the view's point (x, y) shows.
    public func toOriginal(x: Double, y: Double) -> (x: Double, y: Double) {
        matrix.apply(x, y) ?? (x: .nan, y: .nan)
    }

    /// The view point that shows the original's point (x, y) (it may lie outside the view).
    public func toView(x: Double, y: Double) -> (x: Double, y: Double) {
        matrix.inverse?.apply(x, y) ?? (x: .nan, y: .nan)
    }
}

/// How ``TestTimeBatch/mergeMaps(_:channels:reduction:)`` combines the views that see a pixel.
public enum TestTimeReduction: String, Sendable, CaseIterable, Codable {
    /// The average over the views that see the pixel.
    case mean
    /// The largest value among them.
    case max
}

/// Test-time augmentation: deterministic views of every image as one batch, and the inverse that
/// maps per-view predictions (dense C x H x W maps, boxes, keypoints) back to the original image and
/// reduces them.
///
///     let tta = try TestTimeAugmentation([.identity, .hflip, .fiveCrop(height: 192, width: 192)])
///     let views = try tta.apply(to: images, on: backend)        // N x 7 images, views of a sample adjacent
///     let logits = model(views.images)                          // (N x 7, C, 192, 192) ... sizes must agree
///     let merged = try views.mergeMaps(logits, channels: C, reduction: .mean)   // (N, C, H, W) + coverage
///
/// Every view of one set must have one output size (five_crop and ten_crop with each other, the
/// full-size views with each other). Views are pure pixel moves except scales (bilinear), so the
/// backends agree exactly on them.
public struct TestTimeAugmentation: Sendable {
    public let specs: [TestTimeViewSpec]
    /// Element type and layout of the view batch.
    public var output: OutputFormat
    /// An optional normalize applied after the views (rides in the same pass).
    public var normalize: Normalize?

    /// Throws on an empty list, a crop size < 1, or a scale outside [0.125, 8].
    public init(_ specs: [TestTimeViewSpec], output: OutputFormat = .float32NCHW, normalize: Normalize? = nil) throws {
        guard !specs.isEmpty else {
            throw AugmentError.invalidArgument(op: "tta", argument: "views", value: "[]", allowed: "at least one view")
        }
        for spec in specs {
            switch spec {
            case .fiveCrop(let h, let w), .tenCrop(let h, let w, _):
                guard h >= 1, w >= 1 else {
                    throw AugmentError.invalidArgument(
                        op: "tta", argument: "\(spec)", value: "\(h)x\(w)", allowed: "a crop of at least 1x1 pixels")
                }
            case .scales(let factors):
                guard !factors.isEmpty, factors.allSatisfy({ $0.isFinite && (0.125...8).contains($0) }) else {
                    throw AugmentError.invalidArgument(
                        op: "tta", argument: "scales", value: "\(factors)", allowed: "one or more factors in [0.125, 8]"
                    )
                }
            case .rot90(let k):
                guard abs(k) <= Int(Int32.max) else {
                    throw AugmentError.invalidArgument(
                        op: "tta", argument: "rot90", value: "\(k)", allowed: "an integer k (quarter turns)")
                }
            case .identity, .hflip, .vflip:
                break
            }
        }
        self.specs = specs
        self.output = output
        self.normalize = normalize
    }

    /// The concrete views for images of `input`, in order. Throws when a crop is larger than the
    /// image or when the views do not share one output size.
    public func views(for input: ImageGeometry) throws -> [TestTimeView] {
        try input.validate("tta input")
        let (w, h) = (Double(input.width), Double(input.height))
        let hflip = WarpMatrix(m9: [-1, 0, w, 0, 1, 0, 0, 0, 1])
        let vflip = WarpMatrix(m9: [1, 0, 0, 0, -1, h, 0, 0, 1])
        func plain(_ name: String, _ m: WarpMatrix, _ out: ImageGeometry = input) -> TestTimeView {
            TestTimeView(name: name, input: input, output: out, matrix: m, resamples: false, readsOutside: false)
        }
        func crops(_ ch: Int, _ cw: Int, flip: WarpMatrix?, suffix: String) throws -> [TestTimeView] {
            guard ch <= input.height, cw <= input.width else {
                throw AugmentError.incompatible("tta: a \(ch)x\(cw) crop does not fit an image of \(input)")
            }
            let out = ImageGeometry(height: ch, width: cw, channels: input.channels)
            let centreTop = Int((Double(input.height - ch) / 2).rounded(.toNearestOrEven))
            let centreLeft = Int((Double(input.width - cw) / 2).rounded(.toNearestOrEven))
            let boxes = [
                ("tl", 0, 0), ("tr", 0, input.width - cw), ("bl", input.height - ch, 0),
                ("br", input.height - ch, input.width - cw), ("center", centreTop, centreLeft),
            ]
            return boxes.map { name, top, left in
                let crop = WarpMatrix.translation(Double(left), Double(top))
                return plain(name + suffix, flip.map { $0.concatenating(crop) } ?? crop, out)
            }
        }
        var result: [TestTimeView] = []
        for spec in specs {
            switch spec {
            case .identity: result.append(plain("identity", .identity))
            case .hflip: result.append(plain("hflip", hflip))
            case .vflip: result.append(plain("vflip", vflip))
            case .rot90(let k):
                let op = try Rot90(k: k)
                result.append(plain("rot90:\(k)", op.matrix(for: input), try op.outputGeometry(for: input)))
            case .fiveCrop(let ch, let cw):
                result += try crops(ch, cw, flip: nil, suffix: "").map {
                    plain("five_crop:" + $0.name, $0.matrix, $0.output)
                }
            case .tenCrop(let ch, let cw, let vertical):
                result += try crops(ch, cw, flip: nil, suffix: "").map {
                    plain("ten_crop:" + $0.name, $0.matrix, $0.output)
                }
                result += try crops(ch, cw, flip: vertical ? vflip : hflip, suffix: vertical ? "+vflip" : "+hflip")
                    .map { plain("ten_crop:" + $0.name, $0.matrix, $0.output) }
            case .scales(let factors):
                for s in factors {
                    let m = WarpMatrix(m9: [1 / s, 0, w / 2 - w / (2 * s), 0, 1 / s, h / 2 - h / (2 * s), 0, 0, 1])
                    result.append(
                        TestTimeView(
                            name: "scale:\(s)", input: input, output: input, matrix: m,
                            resamples: s != 1, readsOutside: s < 1))
                }
            }
        }
        if let other = result.first(where: { $0.output != result[0].output }) {
            throw AugmentError.incompatible(
                "tta: view \(other.name) is \(other.output), view \(result[0].name) is \(result[0].output); the views of one set must share one size (use one set per size)"
            )
        }
        return result
    }

    /// Produces every view of every image of `images` (dense) as one batch of N x V images, the
    /// views of sample n at `n * V ..< (n + 1) * V` in ``views(for:)`` order: one warp pass.
    public func apply(
        to images: ImageBatch, on backend: any Backend, options: RunOptions = RunOptions()
    ) throws -> TestTimeBatch {
        let (plan, input, views) = try plan(for: images)
        return TestTimeBatch(
            images: try backend.run(plan, on: input, options: options), count: images.count, views: views)
    }

    /// The plan ``apply(to:on:options:)`` runs, with its input (every image repeated V times, on
    /// the host) and the views. Both backends run this plan; the parity tests compare them.
    public func plan(for images: ImageBatch) throws -> (plan: Plan, input: ImageBatch, views: [TestTimeView]) {
        guard !images.isRagged else {
            throw AugmentError.incompatible("tta needs a dense batch (one image size); got a ragged batch")
        }
        let views = try views(for: images.geometry)
        let input = try images.repeatingEachSample(views.count)
        let op = TestTimeViewOp(views: views)
        var transforms: [any Transform] = [op]
        var sampledOps = [SampledOp(op, parameters: (0..<input.count).map { $0 % views.count })]
        if let normalize {
            transforms.append(normalize)
            sampledOps.append(SampledOp(normalize, parameters: Array(repeating: NoParameters(), count: input.count)))
        }
        let pipeline = try Pipeline(transforms, output: output)
        let sampled = SampledPipeline(
            pipeline: pipeline, inputGeometries: input.sampleGeometries, ragged: false, ops: sampledOps)
        return (try sampled.plan(for: input), input, views)
    }
}

/// The view batch of ``TestTimeAugmentation/apply(to:on:options:)`` and the inverse mappings for
/// predictions made on it.
public struct TestTimeBatch: Sendable {
    /// N x V images, view v of sample n at index `n * V + v`.
    public let images: ImageBatch
    /// Original images (N).
    public let count: Int
    public let views: [TestTimeView]

    public init(images: ImageBatch, count: Int, views: [TestTimeView]) {
        self.images = images
        self.count = count
        self.views = views
    }

    /// Maps dense per-view predictions back to the original frame and reduces them.
    ///
    /// `predictions` is float32 (N x V, C, h, w), row-major, in the view batch's order, with (h, w)
    /// the views' size. Each original pixel centre is carried into every view through the view's
    /// inverse matrix; a view whose area contains it contributes its prediction there (bilinear
    /// between the view's pixel centres, edge-clamped: exact for flips, quarter turns and crops,
    /// which land on pixel centres). `reduction` combines the contributing views; a pixel no view
    /// saw (outside every crop) gets 0 and coverage 0.
    public func mergeMaps(
        _ predictions: [Float], channels: Int, reduction: TestTimeReduction = .mean
    ) throws -> TestTimeMergedMaps {
        let v = views.count
        let view = views[0].output
        let original = views[0].input
        guard channels >= 1 else {
            throw AugmentError.invalidShape("tta merge: channels must be at least 1, got \(channels)")
        }
        let expected = try checkedProduct([count, v, channels, view.height, view.width], what: "tta predictions")
        guard predictions.count == expected else {
            throw AugmentError.invalidShape(
                "tta merge: predictions of (N*V=\(count * v), C=\(channels), H=\(view.height), W=\(view.width)) need \(expected) values, got \(predictions.count)"
            )
        }
        let (oh, ow) = (original.height, original.width)
        let plane = view.height * view.width
        var values = [Float](repeating: 0, count: count * channels * oh * ow)
        var coverage = [Int32](repeating: 0, count: count * oh * ow)
        let inverses = views.map { $0.matrix.inverse ?? .identity }
        var acc = [Double](repeating: 0, count: channels)
        for n in 0..<count {
            for y in 0..<oh {
                for x in 0..<ow {
                    var seen: Int32 = 0
                    for c in 0..<channels { acc[c] = reduction == .max ? -.infinity : 0 }
                    for k in 0..<v {
                        guard let q = inverses[k].apply(Double(x) + 0.5, Double(y) + 0.5),
                            q.x >= 0, q.y >= 0, q.x < Double(view.width), q.y < Double(view.height)
                        else { continue }
                        seen += 1
                        // Bilinear between pixel centres, clamped to the view (align_corners=False).
                        let u = min(max(q.x - 0.5, 0), Double(view.width - 1)),
                            w = min(max(q.y - 0.5, 0), Double(view.height - 1))
                        let x0 = Int(u.rounded(.down)), y0 = Int(w.rounded(.down))
                        let x1 = min(x0 + 1, view.width - 1), y1 = min(y0 + 1, view.height - 1)
                        let fx = u - Double(x0), fy = w - Double(y0)
                        let base = (n * v + k) * channels * plane
                        for c in 0..<channels {
                            let p = base + c * plane
                            func at(_ yy: Int, _ xx: Int) -> Double { Double(predictions[p + yy * view.width + xx]) }
                            var value = at(y0, x0)
                            if fx != 0 || fy != 0 {
                                let top: Double = (1 - fx) * at(y0, x0) + fx * at(y0, x1)
                                let bottom: Double = (1 - fx) * at(y1, x0) + fx * at(y1, x1)
                                value = (1 - fy) * top + fy * bottom
                            }
                            acc[c] = reduction == .max ? max(acc[c], value) : acc[c] + value
                        }
                    }
                    coverage[(n * oh + y) * ow + x] = seen
                    guard seen > 0 else { continue }
                    for c in 0..<channels {
                        values[((n * channels + c) * oh + y) * ow + x] = Float(
                            reduction == .max ? acc[c] : acc[c] / Double(seen))
                    }
                }
            }
        }
        return TestTimeMergedMaps(
            values: values, coverage: coverage, count: count, channels: channels,
            height: oh, width: ow)
    }

    /// The prediction map of one view (`predictions` as in ``mergeMaps(_:channels:reduction:)``)
    /// carried back to the original frame, without reduction: coverage is 1 where the view saw the
    /// pixel and 0 elsewhere.
    public func inverseMap(_ predictions: [Float], channels: Int, view k: Int) throws -> TestTimeMergedMaps {
        guard views.indices.contains(k) else {
            throw AugmentError.invalidArgument(
                op: "tta", argument: "view", value: "\(k)", allowed: "0..<\(views.count)")
        }
        let g = views[0].output
        let per = try checkedProduct([channels, g.height, g.width], what: "tta predictions")
        guard predictions.count == per * count * views.count else {
            throw AugmentError.invalidShape(
                "tta: predictions hold \(predictions.count) values, expected \(per * count * views.count)")
        }
        var only: [Float] = []
        only.reserveCapacity(count * per)
        for n in 0..<count {
            let start: Int = (n * views.count + k) * per
            only.append(contentsOf: predictions[start..<(start + per)])
        }
        return try TestTimeBatch(images: images, count: count, views: [views[k]]).mergeMaps(
            only, channels: channels, reduction: .mean)
    }

    /// Maps per-view boxes (`boxes[n * V + v]`, in view pixels, x0 < x1, y0 < y1) back to the
    /// original image (the bounding box of the mapped corners: exact for flips, quarter turns,
    /// crops and scales) and averages each box's coordinates over the V views. Every view of a
    /// sample must hold the same boxes in the same order (one box per query or anchor).
    public func mergeBoxes(_ boxes: [[BoundingBox]]) throws -> [[BoundingBox]] {
        let v = views.count
        guard boxes.count == count * v else {
            throw AugmentError.invalidShape("tta merge: \(boxes.count) box lists for \(count) images x \(v) views")
        }
        return try (0..<count).map { n in
            let lists = (0..<v).map { boxes[n * v + $0] }
            guard lists.allSatisfy({ $0.count == lists[0].count }) else {
                throw AugmentError.invalidShape("tta merge: the views of sample \(n) hold different numbers of boxes")
            }
            return (0..<lists[0].count).map { b in
                var sum = [0.0, 0.0, 0.0, 0.0]
                for k in 0..<v {
                    let box = lists[k][b]
                    let corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1)]
                        .map { views[k].toOriginal(x: Double($0.0), y: Double($0.1)) }
                    sum[0] += corners.map(\.x).min()!
                    sum[1] += corners.map(\.y).min()!
                    sum[2] += corners.map(\.x).max()!
                    sum[3] += corners.map(\.y).max()!
                }
                let d = Double(v)
                return BoundingBox(
                    x0: Float(sum[0] / d), y0: Float(sum[1] / d), x1: Float(sum[2] / d), y1: Float(sum[3] / d))
            }
        }
    }

    /// Maps per-view keypoints (`keypoints[n * V + v]`, in view pixels) back to the original image
    /// and averages each point over the views in which it is visible; a point visible in no view
    /// comes back invisible at (0, 0).
    public func mergeKeypoints(_ keypoints: [[Keypoint]]) throws -> [[Keypoint]] {
        let v = views.count
        guard keypoints.count == count * v else {
            throw AugmentError.invalidShape(
                "tta merge: \(keypoints.count) keypoint lists for \(count) images x \(v) views")
        }
        return try (0..<count).map { n in
            let lists = (0..<v).map { keypoints[n * v + $0] }
            guard lists.allSatisfy({ $0.count == lists[0].count }) else {
                throw AugmentError.invalidShape(
                    "tta merge: the views of sample \(n) hold different numbers of keypoints")
            }
            return (0..<lists[0].count).map { p in
                var (sx, sy, seen) = (0.0, 0.0, 0)
                for k in 0..<v where lists[k][p].visible {
                    let q = views[k].toOriginal(x: Double(lists[k][p].x), y: Double(lists[k][p].y))
                    sx += q.x
                    sy += q.y
                    seen += 1
                }
                return seen == 0
                    ? Keypoint(x: 0, y: 0, visible: false)
                    : Keypoint(x: Float(sx / Double(seen)), y: Float(sy / Double(seen)), visible: true)
            }
        }
    }
}

/// Merged dense predictions in the original frame: ``values`` (N, C, H, W) row-major and
/// ``coverage`` (N, H, W), the number of views that saw each pixel.
public struct TestTimeMergedMaps: Sendable, Equatable {
    public let values: [Float]
    public let coverage: [Int32]
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int
}

/// The warp behind ``TestTimeAugmentation``: sample i shows view `parameters[i]` of its image. Not a
/// pipeline-file op (its views depend on the input size); built by ``TestTimeAugmentation/plan(for:)``.
struct TestTimeViewOp: Transform {
    typealias Parameters = Int
    static let opName = "test_time_view"
    let views: [TestTimeView]

    func outputGeometry(for input: ImageGeometry) throws -> ImageGeometry {
        guard input == views[0].input else {
            throw AugmentError.incompatible("tta views were made for \(views[0].input), the image is \(input)")
        }
        return views[0].output
    }

    func sampleParameters(for input: ImageGeometry, random: inout RandomStream) -> Int { 0 }

    func validate(_ parameters: Int, for input: ImageGeometry) throws {
        guard views.indices.contains(parameters) else {
            throw AugmentError.parameterMismatch("tta: view \(parameters) of \(views.count)")
        }
    }

    func lower(_ parameters: [Int], into plan: inout PlanBuilder) throws {
        let chosen = parameters.map { views[$0] }
        let resamples = chosen.contains { $0.resamples }
        let reads: WarpReads =
            chosen.contains { $0.readsOutside }
            ? .outside(WarpBorder(mode: .constant))
            : resamples ? .margin : .inside
        try plan.warp(
            chosen.map(\.matrix), outputs: chosen.map(\.output), interpolation: resamples ? .bilinear : nil,
            reads: reads, op: Self.opName)
    }

    // Not written to pipeline files; encodes as the view names.
    init(views: [TestTimeView]) { self.views = views }
    init(from decoder: any Decoder) throws {
        throw AugmentError.invalidArgument(
            op: Self.opName, argument: "(op)", value: "in a file",
            allowed: "TestTimeAugmentation in code or `augment tta`")
    }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(views.map(\.name))
    }
}
