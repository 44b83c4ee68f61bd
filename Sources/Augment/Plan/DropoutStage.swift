/// Pixels or rectangular patches set to one value (family `dropout`: `Kernels/dropout.cl`,
/// `CPU/Dropout.swift`); every channel of a dropped pixel takes `value`, the rest is copied.
///
/// Pixel mode (``threshold`` set): pixel (x, y) of sample n is dropped when the top 24 bits of its
/// noise word are below `threshold[n]` (an integer comparison: probability threshold / 2^24). The
/// word is lane e mod 4 of Philox block e / 4 of the sample's noise stream, e = y·W + x. Patch
/// mode: dropped inside any of the sample's boxes `[x0, x1) x [y0, y1)` (`boxesPerSample` per
/// sample, empty boxes padding).
public struct DropoutStage: Sendable, Equatable {
    public var count: Int
    public var geometry: ImageGeometry
    public var value: Float
    /// Pixel mode: one threshold (of 2^24) per sample; nil in patch mode.
    public var thresholds: [UInt32]?
    public var keys: [NoiseKey]
    /// Patch mode: `boxesPerSample` boxes (x0, y0, x1, y1) per sample.
    public var boxes: [Int32]
    public var boxesPerSample: Int

    public init(
        count: Int, geometry: ImageGeometry, value: Float, thresholds: [UInt32]?, keys: [NoiseKey],
        boxes: [Int32], boxesPerSample: Int
    ) {
        self.count = count
        self.geometry = geometry
        self.value = value
        self.thresholds = thresholds
        self.keys = keys
        self.boxes = boxes
        self.boxesPerSample = boxesPerSample
    }

    /// Throws unless the stage fits a float32 NCHW batch of `count` images of `geometry`.
    public func check(count: Int, geometry: ImageGeometry) throws {
        let pixelsOK = thresholds.map { $0.count == count && keys.count == count } ?? true
        guard count == self.count, geometry == self.geometry, pixelsOK, boxesPerSample >= 0,
            boxes.count == count * boxesPerSample * 4, value.isFinite
        else {
            throw AugmentError.parameterMismatch(
                "the random_dropout stage expects \(self.count) images of \(self.geometry), got \(count) images of \(geometry)"
            )
        }
        guard geometry.height * geometry.width < Int(UInt32.max) / 2 else {
            throw AugmentError.invalidShape("random_dropout: \(geometry) has too many pixels (2^31 at most)")
        }
    }

    func sliced(_ range: Range<Int>) -> DropoutStage {
        var s = self
        s.thresholds = thresholds.map { Array($0[range]) }
        if !keys.isEmpty { s.keys = Array(keys[range]) }
        let per = boxesPerSample * 4
        s.boxes = Array(boxes[(range.lowerBound * per)..<(range.upperBound * per)])
        s.count = range.count
        return s
    }
}

extension DropoutStage: PlanStage {
    public static let family = "dropout"
    public func slicedStage(_ range: Range<Int>) -> Stage? { Stage(sliced(range)) }
    public var bytesReadPerSample: Int { geometry.elementCount * 4 }
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String {
        "random_dropout (\(thresholds == nil ? "up to \(boxesPerSample) patches" : "pixels")) \(geometry)"
    }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        var s = self
        // Identity: threshold 0 (no pixel dropped) or no patch.
        if let thresholds = s.thresholds {
            guard let key = s.keys.first else { return [] }
            s.thresholds = spread.spread(thresholds, identity: 0)
            s.keys = spread.spread(s.keys, identity: key)
        } else {
            let per = s.boxesPerSample * 4
            let chunks = (0..<s.count).map { Array(s.boxes[($0 * per)..<(($0 + 1) * per)]) }
            s.boxes = spread.spread(chunks, identity: Array(repeating: 0, count: per)).flatMap { $0 }
        }
        s.count = spread.count
        return [.stage(Stage(s))]
    }
}
