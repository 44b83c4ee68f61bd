/// How one sample was mixed.
public enum MixMethod: String, Codable, Sendable, CaseIterable {
    /// Left as it was (not drawn by `prob`, or paired with itself).
    case none
    /// MixUp: every pixel is `lambda * own + (1 - lambda) * partner`.
    case mixup
    /// CutMix: the pixels inside ``MixParameters/box`` come from the partner, the others stay.
    case cutmix
}

/// A CutMix box: rows `top..<bottom`, columns `left..<right` (half-open, inside the image; empty
/// when `top == bottom` or `left == right`). timm's `(yl, yh, xl, xh)`, torchvision's
/// `(x1, y1, x2, y2)`.
public struct MixBox: Codable, Sendable, Equatable {
    public var top: Int
    public var left: Int
    public var bottom: Int
    public var right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// Number of pixels inside the box.
    public var area: Int { max(0, bottom - top) * max(0, right - left) }

    /// The share of an image of `geometry` that stays the sample's own when this box is pasted
    /// in: `1 - area / (H W)`, in Double. This is the lambda CutMix reports (timm's and
    /// torchvision's corrected lambda).
    public func keptFraction(of geometry: ImageGeometry) -> Double {
        1 - Double(area) / Double(geometry.height * geometry.width)
    }
}

/// What one sample of a MixUp / CutMix op got: enough to recompute the mixed pixels and labels,
/// or to compute a loss as `lambda * loss(y) + (1 - lambda) * loss(y[partner])`.
public struct MixParameters: Codable, Sendable, Equatable {
    public var method: MixMethod
    /// Index, in the batch, of the sample mixed in (the sample's own index for `none`).
    public var partner: Int
    /// Weight of the sample's own content in [0, 1], as mixed: the MixUp weight, or for CutMix
    /// the corrected `1 - box area / (H W)`; 1 for `none`. The labels are mixed with this value.
    public var lambda: Double
    /// The pasted box (CutMix only).
    public var box: MixBox?

    public init(method: MixMethod, partner: Int, lambda: Double, box: MixBox? = nil) {
        self.method = method
        self.partner = partner
        self.lambda = lambda
        self.box = box
    }

    /// A sample left unchanged.
    public static func unmixed(_ index: Int) -> MixParameters {
        MixParameters(method: .none, partner: index, lambda: 1)
    }

    /// Throws unless these parameters are self-consistent for an image of `geometry`: lambda in
    /// [0, 1] (exactly 1 for `none`), a box inside the image for CutMix and none otherwise, and a
    /// CutMix lambda equal to the box's kept fraction (within 1e-9), so that labels are always
    /// mixed with the share of pixels actually mixed.
    public func validate(for geometry: ImageGeometry, op: String) throws {
        guard lambda.isFinite, (0...1).contains(lambda) else {
            throw AugmentError.parameterMismatch("\(op): lambda \(lambda) is outside [0, 1]")
        }
        guard partner >= 0 else {
            throw AugmentError.parameterMismatch("\(op): partner index \(partner) is negative")
        }
        switch method {
        case .none:
            guard lambda == 1, box == nil else {
                throw AugmentError.parameterMismatch(
                    "\(op): an unmixed sample needs lambda 1 and no box, got \(lambda), \(String(describing: box))")
            }
        case .mixup:
            guard box == nil else {
                throw AugmentError.parameterMismatch("\(op): a MixUp sample has no box")
            }
        case .cutmix:
            guard let box else {
                throw AugmentError.parameterMismatch("\(op): a CutMix sample needs a box")
            }
            guard box.top >= 0, box.left >= 0, box.top <= box.bottom, box.left <= box.right,
                box.bottom <= geometry.height, box.right <= geometry.width
            else {
                throw AugmentError.parameterMismatch(
                    "\(op): box \(box) is not inside the \(geometry.height)x\(geometry.width) image")
            }
            let kept = box.keptFraction(of: geometry)
            guard abs(kept - lambda) <= 1e-9 else {
                throw AugmentError.parameterMismatch(
                    "\(op): lambda \(lambda) does not match the box, which keeps \(kept) of the image")
            }
        }
    }
}

/// The box size of one SaliencyMix sample: `cutHeight` rows by `cutWidth` columns before clipping.
public struct SaliencyCut: Codable, Sendable, Equatable {
    public var cutHeight: Int
    public var cutWidth: Int

    public init(cutHeight: Int, cutWidth: Int) {
        self.cutHeight = cutHeight
        self.cutWidth = cutWidth
    }

    /// SaliencyMix's box (Uddin et al. 2021, reference code `saliency_bbox`): rows
    /// [cy - cutHeight / 2, cy + cutHeight / 2) and columns [cx - cutWidth / 2, cx + cutWidth / 2)
    /// (integer halves), clipped to the image.
    public func box(centerRow: Int, centerColumn: Int, in geometry: ImageGeometry) -> MixBox {
        func clip(_ v: Int, _ size: Int) -> Int { min(max(v, 0), size) }
        return MixBox(
            top: clip(centerRow - cutHeight / 2, geometry.height),
            left: clip(centerColumn - cutWidth / 2, geometry.width),
            bottom: clip(centerRow + cutHeight / 2, geometry.height),
            right: clip(centerColumn + cutWidth / 2, geometry.width))
    }
}

/// The MixUp / CutMix pass: sample n becomes a mix of itself and sample `partner` of the
/// ORIGINAL batch (the output is a new buffer, so every sample reads unmixed pixels), and its
/// label row becomes the same mix of the two rows, after label smoothing.
///
/// Pixels (float32 NCHW), for sample n with parameters s, a = own value, b = partner's value:
///
///     none or partner == n:  out = a
///     mixup:                 out = fma(a, Float(lambda), b * Float(1 - lambda))
///     cutmix:                out = (y, x) in box ? b : a
///
/// Labels: see ``mixedLabels(_:)``, the one function both backends call.
public struct MixStage: Sendable, Equatable {
    /// The op that produced the stage, for error messages.
    public var op: String
    public var count: Int
    public var geometry: ImageGeometry
    public var samples: [MixParameters]
    /// timm's label smoothing epsilon in [0, 1): off value eps/K, on value 1 - eps + eps/K.
    public var labelSmoothing: Double
    /// `num_classes`: when set, the labels must have this many classes.
    public var classCount: Int?
    /// SaliencyMix (``SaliencyMix``): per sample the size of the box to paste from its partner, or
    /// nil for a sample left as it is. The box's place depends on the partner's pixels (centred on its
    /// saliency peak), so `samples` hold placeholders (`none`, with the partner) until a backend
    /// resolves the stage with ``resolved(peaks:)``. nil for MixUp / CutMix.
    public var saliencyCuts: [SaliencyCut?]?

    public init(
        op: String, count: Int, geometry: ImageGeometry, samples: [MixParameters],
        labelSmoothing: Double, classCount: Int?, saliencyCuts: [SaliencyCut?]? = nil
    ) {
        self.op = op
        self.count = count
        self.geometry = geometry
        self.samples = samples
        self.labelSmoothing = labelSmoothing
        self.classCount = classCount
        self.saliencyCuts = saliencyCuts
    }

    /// The indices whose saliency peak a SaliencyMix stage needs (the partners of the samples that
    /// paste), in increasing order; empty for other stages.
    public var saliencySources: [Int] {
        guard let cuts = saliencyCuts else { return [] }
        return Set(cuts.indices.filter { cuts[$0] != nil }.map { samples[$0].partner }).sorted()
    }

    /// A SaliencyMix stage with its boxes placed: sample n pastes the box of its cut size centred on
    /// `peaks[partner]` (a flat index y * W + x into the partner's image), clipped to the image, and
    /// its lambda becomes the kept fraction `1 - pasted area / (H W)`. `peaks` holds one entry per
    /// sample (entries no sample needs are ignored). Other stages are returned unchanged.
    public func resolved(peaks: [Int]) throws -> MixStage {
        guard let cuts = saliencyCuts else { return self }
        guard peaks.count == count, cuts.count == count else {
            throw AugmentError.parameterMismatch(
                "\(op): \(peaks.count) saliency peaks and \(cuts.count) cuts for \(count) samples")
        }
        var stage = self
        stage.saliencyCuts = nil
        for (n, cut) in cuts.enumerated() {
            guard let cut else { continue }
            let partner = samples[n].partner
            let peak = peaks[partner]
            guard (0..<geometry.pixelCount).contains(peak) else {
                throw AugmentError.parameterMismatch(
                    "\(op): saliency peak \(peak) of sample \(partner) is outside the image")
            }
            let box = cut.box(centerRow: peak / geometry.width, centerColumn: peak % geometry.width, in: geometry)
            stage.samples[n] = MixParameters(
                method: .cutmix, partner: partner, lambda: box.keptFraction(of: geometry), box: box)
        }
        return stage
    }

    /// Throws unless the stage is consistent and `count` images of `geometry` are what it was
    /// planned for.
    public func checkInput(count: Int, geometry: ImageGeometry) throws {
        guard count == self.count, geometry == self.geometry, samples.count == count else {
            throw AugmentError.parameterMismatch(
                "\(op): the plan mixes \(samples.count) samples of \(self.geometry), got \(count) images of \(geometry)"
            )
        }
        for (i, sample) in samples.enumerated() {
            guard sample.partner < count else {
                throw AugmentError.parameterMismatch(
                    "\(op): sample \(i) has partner \(sample.partner) in a batch of \(count)")
            }
            try sample.validate(for: geometry, op: op)
        }
    }

    /// The mixed labels, computed on the host in Double and rounded once to Float. Both backends
    /// call this function, so labels agree exactly.
    ///
    /// With s(y) = y (1 - eps) + eps / K (timm's smoothing: one-hot rows become eps/K off,
    /// 1 - eps + eps/K on), row n of the result is
    /// `lambda[n] * s(y[n]) + (1 - lambda[n]) * s(y[partner[n]])`, reading the rows of `labels`
    /// as they came in. Rows that sum to 1 keep summing to 1 (up to rounding to Float).
    ///
    /// Throws `incompatible` when `labels` is nil (mixing images without their labels would
    /// silently train on wrong targets) or when its class count differs from `num_classes`.
    public func mixedLabels(_ labels: LabelBatch?) throws -> LabelBatch {
        guard let labels else {
            throw AugmentError.incompatible(
                "\(op) mixes labels along with the images, but the batch has none: pass an AugmentBatch with labels (LabelBatch(classIDs:classCount:) or soft labels)"
            )
        }
        guard labels.count == count else {
            throw AugmentError.incompatible("\(op): \(labels.count) label rows for a batch of \(count)")
        }
        let classes = labels.classCount
        if let classCount, classCount != classes {
            throw AugmentError.incompatible(
                "\(op): num_classes is \(classCount) but the labels have \(classes) classes")
        }
        let keep = 1 - labelSmoothing
        let offset = labelSmoothing / Double(classes)
        let input = labels.values
        var output = [Float](repeating: 0, count: input.count)
        for n in 0..<count {
            let sample = samples[n]
            let own = n * classes
            let other = sample.partner * classes
            let lambda = sample.lambda
            for k in 0..<classes {
                let a = Double(input[own + k]) * keep + offset
                let b = Double(input[other + k]) * keep + offset
                output[own + k] = Float(lambda * a + (1 - lambda) * b)
            }
        }
        return try LabelBatch(softLabels: output, count: count, classCount: classes)
    }

    /// Per-sample values for the pixel pass, identical for both backends. `table` holds two int4
    /// per sample: (kind, partner, 0, 0) with kind 0 = copy, 1 = blend, 2 = paste box, then the
    /// box (top, left, bottom, right). `weights` holds (Float(lambda), Float(1 - lambda)).
    public var kernelTable: (table: [Int32], weights: [Float]) {
        var table = [Int32]()
        var weights = [Float]()
        table.reserveCapacity(count * 8)
        weights.reserveCapacity(count * 2)
        for (n, sample) in samples.enumerated() {
            let kind: Int32
            switch sample.method {
            case .none: kind = 0
            case .mixup: kind = sample.partner == n ? 0 : 1
            case .cutmix: kind = sample.partner == n ? 0 : 2
            }
            let box = sample.box ?? MixBox(top: 0, left: 0, bottom: 0, right: 0)
            table += [
                kind, Int32(clamping: sample.partner), 0, 0,
                Int32(clamping: box.top), Int32(clamping: box.left),
                Int32(clamping: box.bottom), Int32(clamping: box.right),
            ]
            weights += [Float(sample.lambda), Float(1 - sample.lambda)]
        }
        return (table, weights)
    }
}

extension MixStage: PlanStage {
    public static let family = "mix"
    public func slicedStage(_ range: Range<Int>) -> Stage? {
        nil  // partners may lie on the other side of the cut
    }
    public var bytesReadPerSample: Int { 2 * geometry.elementCount * 4 }  // the sample and its partner
    public var bytesWrittenPerSample: Int { geometry.elementCount * 4 }
    public var checkedOutputBytes: Int? { outputBytes(geometry, 4) }
    public var detail: String { "\(op) \(geometry)" }
    public func maskedEffects(_ spread: SampleSpread) throws -> [MaskedEffect] {
        throw spread.notMaskable("its \(family) stage has no per-sample identity")
    }
}
