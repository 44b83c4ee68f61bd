/// Per-pixel class ids that move with the images: (N, H, W), uint8 or int32, warped with nearest
/// sampling through the same matrices as the images and filled with ``ignoreIndex`` where a warp
/// reads outside the image (for the `constant` border; `edge` and `reflect` borders extend the
/// labels like the pixels).
public struct MaskBatch: Sendable, Equatable {
    /// The class ids, N masks back to back, row-major.
    public enum Values: Sendable, Equatable {
        case uint8([UInt8])
        case int32([Int32])

        public var count: Int {
            switch self {
            case .uint8(let v): return v.count
            case .int32(let v): return v.count
            }
        }
    }

    public let count: Int
    /// Each mask's size (channels is 1); all equal unless the batch is ragged.
    public let geometries: [ImageGeometry]
    public private(set) var values: Values
    /// The id written where nothing maps (default 255, the usual "ignore" label).
    public var ignoreIndex: Int32

    /// Dense masks, (N, H, W).
    public init(values: Values, count: Int, height: Int, width: Int, ignoreIndex: Int32 = 255) throws {
        guard count >= 1 else { throw AugmentError.emptyBatch("a mask batch needs at least one mask") }
        try self.init(
            values: values,
            geometries: Array(repeating: ImageGeometry(height: height, width: width, channels: 1), count: count),
            ignoreIndex: ignoreIndex)
    }

    /// Masks of their own sizes (for a ragged image batch), packed back to back.
    public init(values: Values, geometries: [ImageGeometry], ignoreIndex: Int32 = 255) throws {
        guard !geometries.isEmpty else { throw AugmentError.emptyBatch("a mask batch needs at least one mask") }
        var total = 0
        for (i, g) in geometries.enumerated() {
            try g.validate("mask \(i)")
            guard g.channels == 1 else {
                throw AugmentError.invalidShape("mask \(i): masks have one channel, got \(g.channels)")
            }
            total += g.elementCount
        }
        guard values.count == total else {
            throw AugmentError.invalidShape(
                "\(geometries.count) masks need \(total) values, buffer has \(values.count)")
        }
        if case .uint8 = values, !(0...255).contains(ignoreIndex) {
            throw AugmentError.invalidArgument(
                op: "masks", argument: "ignore_index", value: "\(ignoreIndex)",
                allowed: "an integer in [0, 255] for uint8 masks")
        }
        count = geometries.count
        self.geometries = geometries
        self.values = values
        self.ignoreIndex = ignoreIndex
    }

    /// The id at (sample, row, column).
    public func value(sample n: Int, y: Int, x: Int) -> Int32 {
        let base = geometries[..<n].reduce(0) { $0 + $1.elementCount }
        let i = base + y * geometries[n].width + x
        switch values {
        case .uint8(let v): return Int32(v[i])
        case .int32(let v): return v[i]
        }
    }
}

/// An axis-aligned box, xyxy in pixels, in continuous image coordinates: the image spans
/// [0, W] x [0, H] and pixel (i, j) covers [i, i + 1) x [j, j + 1) (torchvision's XYXY convention).
public struct BoundingBox: Sendable, Equatable, Codable {
    public var x0: Float
    public var y0: Float
    public var x1: Float
    public var y1: Float

    public init(x0: Float, y0: Float, x1: Float, y1: Float) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    public var area: Double { Double(max(0, x1 - x0)) * Double(max(0, y1 - y0)) }
}

/// Boxes and their labels, a variable number per sample. Geometric stages move every box through
/// its sample's matrix: the enclosing box of the four transformed corners, clipped to the output
/// image. A box is dropped, with its label, when its clipped area is 0 or less than
/// ``minVisibility`` times the area of the transformed box before clipping.
public struct BoxBatch: Sendable, Equatable {
    public private(set) var boxes: [[BoundingBox]]
    public private(set) var labels: [[Int]]
    /// Keep a box when at least this fraction of it stays inside the image (0...1; default 0 keeps
    /// every box with some area left).
    public var minVisibility: Double

    public init(boxes: [[BoundingBox]], labels: [[Int]], minVisibility: Double = 0) throws {
        guard boxes.count == labels.count else {
            throw AugmentError.invalidShape("\(boxes.count) samples of boxes but \(labels.count) of labels")
        }
        for (i, (b, l)) in zip(boxes, labels).enumerated() {
            guard b.count == l.count else {
                throw AugmentError.invalidShape("sample \(i) has \(b.count) boxes and \(l.count) labels")
            }
            for box in b
            where
                !(box.x0.isFinite && box.y0.isFinite && box.x1.isFinite && box.y1.isFinite
                && box.x0 <= box.x1 && box.y0 <= box.y1)
            {
                throw AugmentError.invalidShape(
                    "sample \(i): box \(box) is not a finite xyxy box with x0 <= x1, y0 <= y1")
            }
        }
        try AugmentError.check(minVisibility, in: 0...1, op: "boxes", argument: "min_visibility")
        self.boxes = boxes
        self.labels = labels
        self.minVisibility = minVisibility
    }

    public var count: Int { boxes.count }

    mutating func replace(sample n: Int, boxes newBoxes: [BoundingBox], labels newLabels: [Int]) {
        boxes[n] = newBoxes
        labels[n] = newLabels
    }
}

/// A point in continuous image coordinates (the same convention as ``BoundingBox``: the centre of
/// pixel (i, j) is (i + 0.5, j + 0.5)), with a visibility flag.
public struct Keypoint: Sendable, Equatable, Codable {
    public var x: Float
    public var y: Float
    /// False once the point has left the image (its coordinates are still transformed).
    public var visible: Bool

    public init(x: Float, y: Float, visible: Bool = true) {
        self.x = x
        self.y = y
        self.visible = visible
    }
}

/// Keypoints, a variable number per sample, transformed through each sample's matrices and flagged
/// invisible when they land outside [0, W) x [0, H).
public struct KeypointBatch: Sendable, Equatable {
    public internal(set) var points: [[Keypoint]]

    public init(points: [[Keypoint]]) throws {
        for (i, p) in points.enumerated() where p.contains(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            throw AugmentError.invalidShape("sample \(i): keypoints must be finite")
        }
        self.points = points
    }

    public var count: Int { points.count }
}

extension AugmentBatch {
    /// Images with their labels and geometric targets. Every target needs one entry per image;
    /// masks must have each image's height and width.
    public init(
        images: ImageBatch, labels: LabelBatch? = nil, masks: MaskBatch?, boxes: BoxBatch? = nil,
        keypoints: KeypointBatch? = nil
    ) throws {
        try self.init(images: images, labels: labels)
        if let masks {
            guard
                masks.geometries.map({ ($0.height, $0.width) }).elementsEqual(
                    images.sampleGeometries.map { ($0.height, $0.width) }, by: ==)
            else {
                throw AugmentError.invalidShape("the masks' sizes do not match the images' sizes")
            }
        }
        if let boxes, boxes.count != images.count {
            throw AugmentError.invalidShape("\(boxes.count) samples of boxes for \(images.count) images")
        }
        if let keypoints, keypoints.count != images.count {
            throw AugmentError.invalidShape("\(keypoints.count) samples of keypoints for \(images.count) images")
        }
        self.masks = masks
        self.boxes = boxes
        self.keypoints = keypoints
    }
}
