import Foundation
import Testing
@testable import Augment

/// auto_augment against torchvision 0.29's AutoAugment (Tests/Fixtures/autoaugment_policies.json, made
/// by Tests/Fixtures/generate_autoaugment_policies.py): the sub-policy tables, the magnitude of every
/// entry, and whole sub-policies applied in torchvision's order; plus the draw statistics.
@Suite struct AutoAugmentPolicyTests {
    struct Fixture: Decodable {
        struct Image: Decodable {
            let shape: [Int]
            let float32: String
        }
        struct Magnitudes: Decodable {
            let policy: String
            let height: Int
            let width: Int
            let values: [[Double?]]
            let signed: [[Bool]]
        }
        struct Case: Decodable {
            let policy: String
            let sub_policy: Int
            let image: String
            let ops: [[JSONValue]]
            let shape: [Int]
            let output: String
        }
        let torchvision: String
        let images: [String: Image]
        let policies: [String: [[[JSONValue]]]]
        let magnitudes: [Magnitudes]
        let cases: [Case]
    }

    static let fixture: Fixture? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/autoaugment_policies.json")
        return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Fixture.self, from: $0) }
    }()

    func image(_ name: String) throws -> ImageBatch {
        let fixture = try #require(Self.fixture)
        let image = try #require(fixture.images[name])
        return try ImageBatch(
            float32NCHW: AutoAugmentFixtureTests.floats(image.float32), count: 1, channels: image.shape[0],
            height: image.shape[1], width: image.shape[2])
    }

    @Test func subPolicyTablesAreTorchvisions() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.torchvision.hasPrefix("0.29"))
        for policy in AutoAugmentPolicy.allCases {
            let theirs = try #require(fixture.policies[policy.rawValue])
            let ours = policy.subPolicies
            #expect(ours.count == 25 && theirs.count == 25)
            for (a, b) in zip(ours, theirs) {
                #expect(a.count == 2 && b.count == 2)
                for (entry, row) in zip(a, b) {
                    #expect(row[0] == .string(entry.op.rawValue), "\(policy) \(entry) vs \(row)")
                    let p: Double? = {
                        if case .double(let v) = row[1] {
                            return v
                        } else if case .int(let v) = row[1] {
                            return Double(v)
                        } else {
                            return nil
                        }
                    }()
                    #expect(p == entry.probability, "\(policy) \(entry) vs \(row)")
                    switch row[2] {
                    case .int(let bin):
                        #expect(entry.magnitudeBin.map(Int64.init) == bin, "\(policy) \(entry) vs \(row)")
                    case .null: #expect(entry.magnitudeBin == nil, "\(policy) \(entry) vs \(row)")
                    default: Issue.record("bin \(row[2])")
                    }
                }
            }
        }
    }

    @Test func entryMagnitudesAreTorchvisionsWithinOneFloat32Step() throws {
        let fixture = try #require(Self.fixture)
        var checked = 0
        for table in fixture.magnitudes {
            let policy = try #require(AutoAugmentPolicy(rawValue: table.policy))
            let g = ImageGeometry(height: table.height, width: table.width, channels: 3)
            for (k, sub) in policy.subPolicies.enumerated() {
                for (i, entry) in sub.enumerated() {
                    let ours = AutoAugment.magnitude(entry, geometry: g)
                    if let theirs = table.values[k][i] {
                        let value = try #require(ours, "\(policy) \(k) \(entry)")
                        #expect(
                            abs(Float(value.value) - Float(theirs)) <= Float(theirs).ulp,
                            "\(policy) \(k) \(entry): \(value.value) vs \(theirs)")
                        #expect(value.signed == table.signed[k][i])
                        checked += 1
                    } else {
                        #expect(ours == nil, "\(policy) \(k) \(entry)")
                    }
                }
            }
        }
        #expect(checked > 200)
    }

    /// Whole sub-policies in torchvision's order: exact_order reproduces torchvision (bilinear, 1e-4);
    /// the fused default stays within the bounds docs/semantics.md states for rand_augment.
    @Test func subPoliciesMatchTorchvisionInExactOrder() throws {
        let fixture = try #require(Self.fixture)
        var worstFused: Float = 0
        for c in fixture.cases {
            let policy = try #require(AutoAugmentPolicy(rawValue: c.policy))
            let images = try image(c.image)
            let parameters = AutoAugmentParameters(subPolicy: c.sub_policy, ops: try AutoAugmentFixtureTests.ops(c.ops))
            let expected = AutoAugmentFixtureTests.floats(c.output)
            for exactOrder in [true, false] {
                let op = try AutoAugment(policy: policy, interpolation: .bilinear, exactOrder: exactOrder)
                try op.validate(parameters, for: images.geometry)
                let sampled = SampledPipeline(
                    pipeline: try Pipeline([op]), count: 1, inputGeometry: images.geometry,
                    ops: [SampledOp(op, parameters: [parameters])])
                let ours = try #require(CPUBackend().run(sampled.plan(for: images), on: images).float32Values)
                let worst = zip(ours, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(ours.count == expected.count)
                if exactOrder {
                    #expect(
                        worst <= 1e-4, "\(c.policy) sub-policy \(c.sub_policy) \(c.image) \(parameters.ops): \(worst)")
                } else {
                    #expect(worst <= 1, "fused \(c.policy) \(c.sub_policy): \(worst)")
                    worstFused = max(worstFused, worst)
                }
            }
        }
        #expect(fixture.cases.count >= 40)
        print("auto_augment fused vs torchvision's order: max |diff| \(worstFused)")
    }

    @Test func drawsFollowTheSubPolicyProbabilities() throws {
        let op = try AutoAugment(policy: .cifar10)
        let g = ImageGeometry(height: 32, width: 32, channels: 3)
        let count = 25_000
        let sampled = try Pipeline([op]).sample(count: count, geometry: g, seed: 11)
        let drawn = try #require(sampled.ops[0].parameters as? [AutoAugmentParameters])
        var perSub = [Int](repeating: 0, count: 25)
        var appliedFirst = [Int](repeating: 0, count: 25)
        var negative = 0, signed = 0
        for p in drawn {
            try op.validate(p, for: g)
            perSub[p.subPolicy] += 1
            let sub = AutoAugmentPolicy.cifar10.subPolicies[p.subPolicy]
            if p.ops.first?.op == sub[0].op { appliedFirst[p.subPolicy] += 1 }
            for o in p.ops
            where o.magnitude != 0
                && AugmentationSpace.autoAugment.magnitudes(o.op, bins: 10, height: 32, width: 32).signed
            {
                signed += 1
                if o.magnitude < 0 { negative += 1 }
            }
            // cifar10 sub-policy 14's Invert has p = 0: never applied.
            if p.subPolicy == 14 { #expect(!p.ops.contains { $0.op == .invert }) }
        }
        for k in 0..<25 {
            #expect(abs(Double(perSub[k]) / Double(count) - 0.04) < 0.006, "sub-policy \(k): \(perSub[k])")
        }
        // Sub-policy 1: Rotate p 0.7 then TranslateX p 0.3 (distinct ops: the first op present means entry 0 applied).
        let rate = Double(appliedFirst[1]) / Double(perSub[1])
        #expect(abs(rate - 0.7) < 0.05, "Rotate p 0.7 applied at \(rate)")
        #expect(abs(Double(negative) / Double(signed) - 0.5) < 0.03)
    }

    @Test func pipelineFilesNameThePolicyAndRejectUnknownOnes() throws {
        let file = try PipelineFile.parse(
            Data(#"{"ops": [{"op": "auto_augment", "policy": "svhn", "interpolation": "bilinear", "fill": 0.5}]}"#.utf8)
        )
        let op = try #require(file.pipeline.transforms.first as? AutoAugment)
        #expect(op.policy == .svhn && op.interpolation == .bilinear && op.fill == [0.5])
        #expect {
            try PipelineFile.parse(Data(#"{"ops": [{"op": "auto_augment", "policy": "mnist"}]}"#.utf8))
        } throws: {
            "\($0)".contains("auto_augment") && "\($0)".contains("policy")
                && "\($0)".contains("imagenet, cifar10 or svhn")
        }
        // Recorded parameters that do not belong to the sub-policy are rejected.
        let g = ImageGeometry(height: 8, width: 10, channels: 3)
        #expect(throws: AugmentError.self) { try op.validate(AutoAugmentParameters(subPolicy: 25, ops: []), for: g) }
        #expect(throws: AugmentError.self) {
            try op.validate(AutoAugmentParameters(subPolicy: 0, ops: [PolicyOp(.rotate, magnitude: 3)]), for: g)
        }
        // svhn sub-policy 0 is ShearX bin 4 (0.3 * 4/9) then Invert.
        try op.validate(
            AutoAugmentParameters(
                subPolicy: 0,
                ops: [
                    PolicyOp(.shearX, magnitude: -Double(Float(0.3) * 4 / 9)),
                    PolicyOp(.invert),
                ]), for: g)
    }
}
