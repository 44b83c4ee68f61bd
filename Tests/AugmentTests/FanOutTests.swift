import Testing
@testable import Augment

/// The replicate and weighted-sum stages (family `fanout`) on the CPU reference.
@Suite struct FanOutTests {
    let geometry = ImageGeometry(height: 5, width: 7, channels: 3)

    /// 2 samples, 3 copies each; copy j of sample n gets program j; then folded with per-sample weights.
    func plan(weights: [[Float]]) throws -> Plan {
        var builder = PlanBuilder(count: 2, geometry: geometry, inputPixelType: .uint8, inputLayout: .nhwc)
        try builder.replicate(copies: 3)
        #expect(builder.count == 6)
        try builder.color([[], [.invert], [.brightness(0.5)], [], [.invert], [.brightness(0.5)]])
        try builder.weightedSum(weights)
        #expect(builder.count == 2)
        return try builder.finish(output: .float32NCHW)
    }

    @Test func replicatedCopiesAreTransformedAndFoldedInOrder() throws {
        let weights: [[Float]] = [[0.2, 0.3, 0.5], [1, 0, 0.25]]
        let plan = try plan(weights: weights)
        // The chain's colour rides in a warp pass between the replicate and the weighted sum.
        #expect(plan.stages.map(\.family) == ["warp", "fanout", "warp", "fanout"])
        #expect(plan.count == 2 && plan.outputGeometry == geometry)
        let input = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 3)
        let out = try CPUBackend().run(plan, on: input)
        #expect(out.count == 2 && out.layout == .nchw)
        for n in 0..<2 {
            let w = weights[n]
            for c in 0..<3 {
                for y in 0..<5 {
                    for x in 0..<7 {
                        let v =
                            Float(try #require(input.uint8Values)[input.index(sample: n, channel: c, y: y, x: x)])
                            * (1 / Float(255))
                        var expected = w[0] * v
                        expected = expected + w[1] * (1 - v)
                        expected = expected + w[2] * min(max(v * Float(0.5), 0), 1)
                        #expect(out.value(sample: n, channel: c, y: y, x: x) == expected)
                    }
                }
            }
        }
    }

    @Test func bytesCountEveryCopy() throws {
        let plan = try plan(weights: [[1, 0, 0], [0, 1, 0]])
        let e = geometry.elementCount
        // uint8 -> float32 conversion, replicate (reads 1, writes 3), colour on 3 copies, sum (reads 3).
        #expect(plan.bytesMovedPerSample == (e + 4 * e) + (4 * e + 12 * e) + 3 * (4 * e + 4 * e) + (12 * e + 4 * e))
        #expect(plan.sliced(0..<1) == nil, "a plan that changes its batch size is not cut")
    }

    @Test func identityWeightsGiveTheCopyBack() throws {
        let input = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1)
        var builder = PlanBuilder(count: 2, geometry: geometry, inputPixelType: .float32, inputLayout: .nchw)
        try builder.replicate(copies: 4)
        try builder.weightedSum([[0, 0, 1, 0], [0, 1, 0, 0]])
        let plan = try builder.finish(output: .float32NCHW)
        #expect(plan.stages.count == 2, "no conversion pass for a float32 NCHW input")
        #expect(try CPUBackend().run(plan, on: input) == input)
    }

    @Test func badShapesAndTargetsAreErrors() throws {
        var builder = PlanBuilder(count: 2, geometry: geometry, inputPixelType: .float32, inputLayout: .nchw)
        #expect(throws: AugmentError.self) { try builder.replicate(copies: 0) }
        try builder.replicate(copies: 2)
        #expect(throws: AugmentError.self) { try builder.weightedSum([[1, 0, 0]]) }
        #expect(throws: AugmentError.self) { try builder.weightedSum([[1], [1], [1]]) }
        let stage = WeightedSumStage(count: 1, terms: 2, geometry: geometry, weights: [[1, .nan]])
        #expect(throws: AugmentError.self) { try stage.check(count: 2, geometry: geometry) }
        try builder.weightedSum([[1, 0], [0, 1]])
        let plan = try builder.finish(output: .float32NCHW)
        let images = try ImageBatch.random(count: 2, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1)
        var batch = try AugmentBatch(images: images)
        batch.keypoints = try KeypointBatch(points: [[Keypoint(x: 1, y: 1)], []])
        #expect(throws: AugmentError.self) { try CPUBackend().run(plan, on: batch) }
    }
}
