import Testing
@testable import Augment

/// Batch types validate their shapes on construction and throw, never trap.
@Suite struct BatchTests {
    @Test func imageBatchRejectsBadShapes() throws {
        #expect(throws: AugmentError.invalidShape("NHWC shape (N=2, H=2, W=2, C=3) needs 24 values, buffer has 23")) {
            try ImageBatch(uint8NHWC: [UInt8](repeating: 0, count: 23), count: 2, height: 2, width: 2, channels: 3)
        }
        #expect(throws: AugmentError.self) {
            try ImageBatch(float32NCHW: [], count: 0, channels: 3, height: 4, width: 4)
        }
        #expect(throws: AugmentError.self) {
            try ImageBatch(float32NCHW: [], count: 1, channels: 0, height: 4, width: 4)
        }
        #expect(throws: AugmentError.self) {
            try ImageBatch(uint8NHWC: [], count: 1, height: -1, width: 4, channels: 1)
        }
        #expect(throws: AugmentError.self) {
            try ImageBatch(uint8NHWC: [], count: Int.max / 2, height: Int.max / 2, width: 4, channels: 1)
        }
        let ok = try ImageBatch(
            float32NCHW: [Float](repeating: 0.5, count: 2 * 3 * 4 * 5), count: 2,
            channels: 3, height: 4, width: 5)
        #expect(ok.shapeDescription == "float32 NCHW (2, 3, 4, 5)")
        #expect(ok.index(sample: 1, channel: 2, y: 3, x: 4) == 2 * 3 * 4 * 5 - 1)
    }

    @Test func emptyBatchIsAnError() {
        #expect(throws: AugmentError.emptyBatch("an image batch needs at least one image, got 0")) {
            try ImageBatch(uint8NHWC: [], count: 0, height: 2, width: 2, channels: 3)
        }
        #expect(throws: AugmentError.self) { try LabelBatch(classIDs: [Int](), classCount: 10) }
        #expect(throws: AugmentError.self) {
            try SpectrogramBatch(values: [], count: 0, frequencyBins: 80, timeFrames: 100)
        }
    }

    @Test func spectrogramShapesRoundTrip() throws {
        let flat = try SpectrogramBatch(
            values: [Float](repeating: 0, count: 2 * 8 * 5), count: 2,
            frequencyBins: 8, timeFrames: 5)
        #expect(flat.shape == [2, 8, 5])
        #expect(flat.channels == 1)
        let stereo = try SpectrogramBatch(
            values: [Float](repeating: 0, count: 2 * 2 * 8 * 5), count: 2,
            channels: 2, frequencyBins: 8, timeFrames: 5)
        #expect(stereo.shape == [2, 2, 8, 5])
        #expect(throws: AugmentError.self) {
            try SpectrogramBatch(values: [Float](repeating: 0, count: 79), count: 2, frequencyBins: 8, timeFrames: 5)
        }
    }

    @Test func labelsFromClassIDsAreOneHot() throws {
        let labels = try LabelBatch(classIDs: [2, 0, 1], classCount: 3)
        #expect(labels.values == [0, 0, 1, 1, 0, 0, 0, 1, 0])
        #expect(Array(labels.row(1)) == [1, 0, 0])
        #expect(throws: AugmentError.invalidShape("label batch: class id 3 of sample 1 is outside 0..<3")) {
            try LabelBatch(classIDs: [0, 3], classCount: 3)
        }
        #expect(throws: AugmentError.self) { try LabelBatch(classIDs: [Int32(-1)], classCount: 3) }
        #expect(throws: AugmentError.self) { try LabelBatch(softLabels: [0.5, .nan], count: 1, classCount: 2) }
        #expect(throws: AugmentError.self) { try LabelBatch(softLabels: [0.5, 0.5, 1], count: 1, classCount: 2) }
        let soft = try LabelBatch(softLabels: [0.25, 0.75], count: 1, classCount: 2)
        #expect(soft.values == [0.25, 0.75])
    }
}

@Suite struct AugmentBatchTests {
    @Test func labelsMustMatchTheImages() throws {
        let images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 2, width: 2, channels: 1),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        #expect(throws: AugmentError.invalidShape("2 label rows for 3 images")) {
            try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1], classCount: 2))
        }
        let batch = try AugmentBatch(images: images, labels: LabelBatch(classIDs: [0, 1, 1], classCount: 2))
        // A plan of image ops leaves labels as they were.
        let out = try CPUBackend().apply(Pipeline([HorizontalFlip()]), to: batch, seed: 1)
        #expect(out.labels == batch.labels)
    }

    @Test func spectrogramsRoundTripThroughImages() throws {
        let values = (0..<(2 * 3 * 5)).map(Float.init)
        let flat = try SpectrogramBatch(values: values, count: 2, frequencyBins: 3, timeFrames: 5)
        let images = try flat.asImages()
        #expect(images.geometry == ImageGeometry(height: 3, width: 5, channels: 1))
        #expect(images.value(sample: 1, channel: 0, y: 2, x: 4) == 29)
        #expect(try flat.replacingValues(with: images) == flat)
        let stereo = try SpectrogramBatch(values: values, count: 1, channels: 2, frequencyBins: 3, timeFrames: 5)
        #expect(try stereo.replacingValues(with: stereo.asImages()) == stereo)
    }

    @Test func registryKnowsEveryCatalogOp() {
        #expect(OpRegistry.type(named: "random_crop") == RandomCrop.self)
        #expect(OpRegistry.type(named: "random_crops") == nil)
        #expect(Set(OpRegistry.types.map { $0.opName }).count == OpRegistry.types.count, "op names are unique")
        #expect(
            Set(OpRegistry.signalTypes.map { $0.opName }).count == OpRegistry.signalTypes.count,
            "signal op names are unique")
        // Signal and image ops share only gaussian_noise, which pipeline files resolve by "input".
        #expect(
            Set(OpRegistry.types.map { $0.opName }).intersection(OpRegistry.signalTypes.map { $0.opName }) == [
                "gaussian_noise"
            ])
        #expect(OpRegistry.type(named: "gaussian_noise") == GaussianNoise.self)
        #expect(OpRegistry.type(named: "gaussian_noise", input: .signal) == SignalGaussianNoise.self)
        #expect(OpRegistry.type(named: "time_masking", input: .signal) == TimeMasking.self)
    }

    @Test func batchStreamIsSharedBySamplesOfOneBatchOnly() {
        let context = SamplingContext(
            count: 4, geometry: ImageGeometry(height: 1, width: 1, channels: 1), seed: 3,
            epoch: 0, firstSampleIndex: 8, opIndex: 2)
        var a = context.batchStream(), b = context.batchStream()
        #expect(a.nextUInt64() == b.nextUInt64())
        var s = context.stream(sample: 0)
        var batch = context.batchStream()
        #expect(s.nextUInt64() != batch.nextUInt64(), "batch draws use their own domain")
    }
}
