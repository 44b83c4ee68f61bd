import Testing
@testable import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// Kernels/fanout.cl against CPU/FanOut.swift: replicate and weighted sum, bit for bit.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct FanOutParityTests {
    @Test(arguments: [(1, 1, 1, 1), (3, 7, 5, 3), (2, 13, 9, 4), (4, 6, 17, 1)])
    func replicateAndWeightedSumMatchTheCPUReference(_ shape: (Int, Int, Int, Int)) throws {
        let (count, height, width, channels) = shape
        let geometry = ImageGeometry(height: height, width: width, channels: channels)
        for copies in [1, 2, 4] {
            var random = RandomStream(RandomKey(seed: UInt64(copies), sampleIndex: 0, opIndex: 3))
            var builder = PlanBuilder(count: count, geometry: geometry, inputPixelType: .uint8, inputLayout: .nhwc)
            try builder.replicate(copies: copies)
            try builder.color(
                (0..<(count * copies)).map { $0 % copies == 0 ? [] : [.gamma(random.uniform(0.5, 2), gain: 1)] })
            try builder.weightedSum((0..<count).map { _ in (0..<copies).map { _ in Float(random.uniform(-0.5, 1)) } })
            let plan = try builder.finish(output: .float32NCHW)
            let input = try ImageBatch.random(
                count: count, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 9)
            let options = RunOptions(poisonOutputs: true)
            let reference = try CPUBackend().run(plan, on: input, options: options)
            let (candidate, timing) = try Shared.backend().runProfiled(plan, on: input, options: options)
            let result = Parity.compare(reference, candidate)
            #expect(result.passed && result.maxAbsDifference == 0, "\(shape) x\(copies): \(result)")
            #expect(timing.launches == plan.stages.count)
        }
    }

    @Test func targetsAreRejected() throws {
        let geometry = ImageGeometry(height: 4, width: 4, channels: 1)
        var builder = PlanBuilder(count: 1, geometry: geometry, inputPixelType: .float32, inputLayout: .nchw)
        try builder.replicate(copies: 2)
        try builder.weightedSum([[0.5, 0.5]])
        let plan = try builder.finish(output: .float32NCHW)
        var batch = try AugmentBatch(
            images: ImageBatch.random(count: 1, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1))
        batch.boxes = try BoxBatch(boxes: [[BoundingBox(x0: 0, y0: 0, x1: 2, y1: 2)]], labels: [[1]])
        #expect(throws: AugmentError.self) { try Shared.backend().run(plan, on: batch) }
    }
}
