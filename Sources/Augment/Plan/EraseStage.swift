/// The box one sample erases: rows top..<top+height, columns left..<left+width (clipped to the
/// image, as a tensor slice). An empty box erases nothing.
public struct EraseBox: Sendable, Equatable, Codable {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    public static let none = EraseBox(top: 0, left: 0, height: 0, width: 0)

    public var isEmpty: Bool { height <= 0 || width <= 0 }
}

/// What one sample writes into its box.
public enum EraseFill: Sendable, Equatable, Codable {
    /// One value per channel (a single value is used for every channel).
    case values([Float])
    /// A standard normal value per element, from the sample's device noise stream (element index
    /// c·H·W + y·W + x of the image, as ``NoiseKey/normal(_:)``).
    case normal(NoiseKey)
}

/// torchvision's `erase` with one box and fill per sample (family `erase`: `Kernels/erase.cl`,
/// `CPU/Erase.swift`). Every output element is written: the input outside the box, the fill inside.
public struct EraseStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    public var boxes: [EraseBox]
    public var fills: [EraseFill]

    public init(count: Int, geometry: ImageGeometry, boxes: [EraseBox], fills: [EraseFill]) {
        self.count = count
        self.geometry = geometry
        self.boxes = boxes
        self.fills = fills
    }

    /// Throws unless the stage fits a float32 NCHW batch of `count` images of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, boxes.count == count, fills.count == count else {
            throw AugmentError.parameterMismatch(
                "the erase stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)")
        }
        for (n, box) in boxes.enumerated() where box.top < 0 || box.left < 0 {
            throw AugmentError.parameterMismatch("the erase box of sample \(n) starts at (\(box.top), \(box.left))")
        }
        for (n, fill) in fills.enumerated() {
            if case .values(let values) = fill, values.count != 1, values.count != geometry.channels {
                throw AugmentError.parameterMismatch(
                    "sample \(n) erases with \(values.count) values for \(geometry.channels) channels")
            }
        }
    }

    /// The box clipped to the image: (y0, y1, x0, x1), half-open.
    public func clippedBox(_ n: Int) -> (y0: Int, y1: Int, x0: Int, x1: Int) {
        let box = boxes[n]
        if box.isEmpty { return (0, 0, 0, 0) }
        let y0 = min(box.top, geometry.height), x0 = min(box.left, geometry.width)
        return (y0, min(geometry.height, y0 + box.height), x0, min(geometry.width, x0 + box.width))
    }
}

extension EraseStage: PlanStage {
    public static let family = "erase"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        var s = self
        s.boxes = Array(s.boxes[range])
        s.fills = Array(s.fills[range])
        s.count = range.count
        return Stage(s)
    }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "erase \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        var s = self
        s.boxes = spread.spread(s.boxes, identity: .none)
        s.fills = spread.spread(s.fills, identity: .values([0]))
        s.count = spread.count
        return [.stage(Stage(s))]
    }
}
