import Foundation
import Testing
import Augment
import AugmentOpenCL
import _AugmentScaffolding

/// Every stage type has an implementation on both backends (its `CPUStageRunner` and
/// `OpenCLStageRunner` conformances), and the plans of the whole catalog use no other stage type.
struct StageCompletenessTests {
    static let allBodyTypes: [any PlanStage.Type] = [
        RemapStage.self, MixStage.self, MaskStage.self, TimeWarpStage.self, WarpStage.self, ColorStage.self,
        GaussianBlurStage.self, SharpnessStage.self, EraseStage.self, NoiseStage.self, SignalStage.self,
        DropoutStage.self, ReplicateStage.self, WeightedSumStage.self, ChannelShuffleStage.self,
    ]

    @Test func everyStageTypeRunsOnBothBackends() {
        for type in Self.allBodyTypes {
            #expect(
                CPUBackend.implements(type),
                "\(type) (family \(type.family)) has no CPUStageRunner conformance in Sources/Augment/CPU/")
            #expect(
                OpenCLBackend.implements(type),
                "\(type) (family \(type.family)) has no OpenCLStageRunner conformance in Sources/AugmentOpenCL/Backend/"
            )
        }
    }

    /// The catalog's plans (what `augment verify` runs) use only listed stage types, each body
    /// answers for its own case, and every listed type occurs in some plan.
    @Test func catalogPlansUseListedStageTypes() throws {
        var seen: Set<String> = []
        let shape = ImageGeometry(height: 9, width: 12, channels: 3)
        for entry in TransformCatalog.entries {
            let geometry = entry.inputGeometry(
                for: entry.supports(shape) ? shape : ImageGeometry(height: 9, width: 12, channels: 1))
            var random = RandomStream(RandomKey(seed: 7, sampleIndex: 0, opIndex: 0))
            let pipeline = try entry.makePipeline(geometry, &random)
            let batch = try entry.makeBatch(count: 4, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 3)
            let plan = try pipeline.sample(for: batch, seed: 11).plan(for: batch.images)
            for stage in plan.stages {
                let type = Swift.type(of: stage.body)
                #expect(stage.body.stage == stage, "\(entry.name): \(stage.family)")
                seen.insert("\(type)")
            }
        }
        let listed = Set(Self.allBodyTypes.map { "\($0)" })
        #expect(listed.count == Self.allBodyTypes.count)
        #expect(seen.isSubset(of: listed))
        // Stage types no catalog entry plans are not checked by `augment verify`.
        #expect(
            listed.subtracting(seen).isEmpty, "stage types no catalog entry plans: \(listed.subtracting(seen).sorted())"
        )
    }
}
