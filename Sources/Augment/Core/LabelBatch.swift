/// A batch of soft labels: float32 (N, K), one row of class probabilities per sample.
///
/// Built from soft labels directly or from integer class ids (one-hot rows). MixUp and CutMix
/// produce mixed rows; each row of a valid label batch is finite and non-negative.
public struct LabelBatch: Sendable, Equatable {
    /// Number of samples (N).
    public let count: Int
    /// Number of classes (K).
    public let classCount: Int
    /// Row-major (N, K) values.
    public private(set) var values: [Float]

    /// Soft labels, row-major (N, K). Every value must be finite and non-negative.
    public init(softLabels values: [Float], count: Int, classCount: Int) throws {
        guard count >= 1 else {
            throw AugmentError.emptyBatch("a label batch needs at least one sample, got \(count)")
        }
        guard classCount >= 1 else {
            throw AugmentError.invalidShape("label batch: class count must be at least 1, got \(classCount)")
        }
        let expected = try checkedProduct([count, classCount], what: "label batch")
        guard values.count == expected else {
            throw AugmentError.invalidShape(
                "label shape (N=\(count), K=\(classCount)) needs \(expected) values, buffer has \(values.count)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw AugmentError.invalidShape(
                "label batch: value \(values[bad]) at sample \(bad / classCount), class \(bad % classCount) is not a finite non-negative number"
            )
        }
        self.count = count
        self.classCount = classCount
        self.values = values
    }

    /// One-hot labels from integer class ids, each in `0..<classCount`.
    public init<Integer: BinaryInteger>(classIDs: [Integer], classCount: Int) throws {
        guard !classIDs.isEmpty else {
            throw AugmentError.emptyBatch("a label batch needs at least one class id")
        }
        guard classCount >= 1 else {
            throw AugmentError.invalidShape("label batch: class count must be at least 1, got \(classCount)")
        }
        var values = [Float](
            repeating: 0, count: try checkedProduct([classIDs.count, classCount], what: "label batch"))
        for (row, id) in classIDs.enumerated() {
            guard id >= 0, id < classCount else {
                throw AugmentError.invalidShape(
                    "label batch: class id \(id) of sample \(row) is outside 0..<\(classCount)")
            }
            values[row * classCount + Int(id)] = 1
        }
        try self.init(softLabels: values, count: classIDs.count, classCount: classCount)
    }

    /// Row `sample` of the (N, K) matrix.
    /// Each row's class: the index of its largest value (the class id of a one-hot row, the argmax
    /// of a soft label), the lowest index on ties.
    public var classIDs: [Int] {
        (0..<count).map { n in
            var best = 0
            for k in 1..<max(classCount, 1) where values[n * classCount + k] > values[n * classCount + best] {
                best = k
            }
            return best
        }
    }

    public func row(_ sample: Int) -> ArraySlice<Float> {
        values[(sample * classCount)..<((sample + 1) * classCount)]
    }
}
