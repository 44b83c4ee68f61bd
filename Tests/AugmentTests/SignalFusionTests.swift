import Foundation
import Testing
@testable import Augment

/// Signal ops fuse into one pass per run of consecutive ops (a per-sample program, SignalStage
/// steps): the fused pass computes exactly what the ops compute one pass each.
@Suite struct SignalFusionTests {
    /// The plan's single signal stage split back into one stage per op.
    func unfused(_ plan: Plan) -> Plan {
        var split = plan
        split.stages = plan.stages.flatMap { stage -> [Stage] in
            guard let s = stage.as(SignalStage.self) else { return [stage] }
            return s.steps.map { Stage($0) }
        }
        return split
    }

    @Test func aFusedProgramEqualsItsOpsRunOneByOne() throws {
        let chain: [any Transform] = [
            try TimeStretch(factor: ValueRange(0.5, 2)),
            try SignalGaussianNoise(sigma: ValueRange(0.05, 0.2), relative: true),
            try TimeShift(shift: ValueRange(-30, 30), mode: .pad), ChannelPermute(),
            try AmplitudeScale(factor: ValueRange(-2, 2)),
            try BaselineWander(amplitude: ValueRange(0, 1), frequency: ValueRange(0, 5)),
            try TimeStretch(factor: ValueRange(0.3, 3)),
            try SignalGaussianNoise(sigma: ValueRange(0.1, 0.2), relative: true),
        ]
        let input = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 1, width: 257, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 12)
        let plan = try Pipeline(chain).sample(count: 3, geometry: input.geometry, seed: 4).plan(for: input)
        #expect(plan.passes == 1)
        guard let stage = plan.stages.first?.as(SignalStage.self) else {
            Issue.record("not a signal stage: \(plan.summary)")
            return
        }
        #expect(
            stage.steps.map(\.op) == [
                .timeStretch, .gaussianNoise, .timeShift, .channelMap, .amplitudeScale, .baselineWander,
                .timeStretch, .gaussianNoise,
            ])
        #expect(plan.summary[0].contains("time_stretch + gaussian_noise (relative) + time_shift"), "\(plan.summary)")
        #expect(plan.summary[0].contains("in one pass + 2 signal_std pre-passes"), "\(plan.summary)")
        let fused = try CPUBackend().run(plan, on: input)
        let separate = try CPUBackend().run(unfused(plan), on: input)
        #expect(fused == separate)
    }

    @Test func passesSplitAtTheStepAndStretchLimits() throws {
        let input = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 1, width: 64, channels: 2),
            pixelType: .float32, layout: .nchw, seed: 1)
        let stretches: [any Transform] = try (0..<3).map { _ in try TimeStretch(factor: ValueRange(0.8, 1.2)) }
        #expect(
            try Pipeline(stretches).sample(count: 2, geometry: input.geometry, seed: 1).plan(for: input).passes == 2)
        let scales: [any Transform] = try (0..<(SignalStage.maxSteps + 1)).map { _ in
            try AmplitudeScale(factor: ValueRange(0.9, 1.1))
        }
        #expect(try Pipeline(scales).sample(count: 2, geometry: input.geometry, seed: 1).plan(for: input).passes == 2)
    }
}
