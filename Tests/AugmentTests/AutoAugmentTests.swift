import Foundation
import Testing
@testable import Augment
import _AugmentScaffolding

/// rand_augment, trivial_augment_wide and aug_mix on the CPU reference: statistics of the per-sample
/// draws, pass counts, replay, errors, and how much fusing changes against torchvision's order.
@Suite struct AutoAugmentTests {
    let geometry = ImageGeometry(height: 16, width: 20, channels: 3)

    func context(_ count: Int, seed: UInt64 = 1, geometry: ImageGeometry? = nil) -> SamplingContext {
        SamplingContext(
            count: count, geometry: geometry ?? self.geometry, seed: seed, epoch: 0, firstSampleIndex: 0, opIndex: 3)
    }

    @Test func randAugmentDrawsEachOperationAndSignUniformlyPerSample() throws {
        let policy = try RandAugment()
        let draws = policy.sampleBatchParameters(context(20_000))
        #expect(draws.allSatisfy { $0.ops.count == 2 })
        var counts: [AutoAugmentOp: Int] = [:]
        var negative = 0, signed = 0
        for op in draws.flatMap(\.ops) {
            counts[op.op, default: 0] += 1
            let (table, isSigned) = AugmentationSpace.randAugment.magnitudes(op.op, bins: 31, height: 16, width: 20)
            if let table {
                #expect(abs(op.magnitude) == table[9], "\(op)")
                if isSigned {
                    signed += 1
                    if op.magnitude < 0 { negative += 1 }
                }
            } else {
                #expect(op.magnitude == 0)
            }
        }
        // 40000 draws over 14 operations: 2857 each, binomial sd 51.
        #expect(counts.count == 14 && counts.values.allSatisfy { abs($0 - 2857) < 260 }, "\(counts)")
        #expect(abs(Double(negative) / Double(signed) - 0.5) < 0.015, "\(negative) of \(signed)")
        // Per sample: a batch of 64 draws many different pairs.
        #expect(Set(draws.prefix(64).map { $0.ops.map(\.op) }).count > 30)
    }

    @Test func trivialAugmentWideDrawsOperationAndBinUniformly() throws {
        let policy = try TrivialAugmentWide()
        let draws = policy.sampleBatchParameters(context(28_000, seed: 2))
        var counts: [AutoAugmentOp: Int] = [:]
        var bins = Array(repeating: 0, count: 31)
        for op in draws.map({ $0.ops[0] }) {
            counts[op.op, default: 0] += 1
            if op.op == .rotate {
                let table = AugmentationSpace.linspace(0, 135, 31)
                let bin = try #require(table.firstIndex(of: abs(op.magnitude)))
                bins[bin] += 1
            }
        }
        #expect(counts.values.allSatisfy { abs($0 - 2000) < 230 }, "\(counts)")  // sd 43
        let rotations = try #require(counts[.rotate])
        let expected = Double(rotations) / 31
        #expect(bins.allSatisfy { abs(Double($0) - expected) < 5 * expected.squareRoot() + 1 }, "\(bins)")
    }

    @Test func augMixDrawsDepthsOperationsAndDirichletWeights() throws {
        let policy = try AugMix()
        let draws = policy.sampleBatchParameters(context(12_000, seed: 3))
        var depths = [0, 0, 0, 0]
        var counts: [AutoAugmentOp: Int] = [:]
        var m0Sum = 0.0, chainSum = [0.0, 0.0, 0.0]
        var m0Histogram = Array(repeating: 0, count: 10)
        for p in draws {
            #expect(p.chains.count == 3 && p.weights.count == 4)
            #expect(abs(p.weights.reduce(0, +) - 1) < 1e-12)
            for chain in p.chains {
                depths[chain.count] += 1
                for op in chain { counts[op.op, default: 0] += 1 }
            }
            m0Sum += p.weights[0]
            m0Histogram[min(9, Int(p.weights[0] * 10))] += 1
            for k in 0..<3 { chainSum[k] += p.weights[k + 1] }
        }
        // Depth uniform in 1...3 (36000 chains: 12000 each, sd 89).
        #expect(depths[0] == 0 && depths[1...].allSatisfy { abs($0 - 12_000) < 450 }, "\(depths)")
        // 13 operations with all_ops: each 1/13 of 72000 draws on average.
        let total = counts.values.reduce(0, +)
        #expect(
            counts.count == 13 && counts.values.allSatisfy { abs(Double($0) - Double(total) / 13) < 400 }, "\(counts)")
        // alpha = 1: m0 ~ Beta(1, 1) = U(0, 1), each chain weight has mean (1/2)(1/3) = 1/6.
        #expect(abs(m0Sum / 12_000 - 0.5) < 0.015)
        #expect(m0Histogram.allSatisfy { abs($0 - 1200) < 170 }, "\(m0Histogram)")
        #expect(chainSum.allSatisfy { abs($0 / 12_000 - 1.0 / 6) < 0.01 }, "\(chainSum)")
        // Fixed depth and the partial set.
        let fixed = try AugMix(severity: 1, mixtureWidth: 2, chainDepth: 2, allOps: false)
        for p in fixed.sampleBatchParameters(context(500, seed: 4)) {
            #expect(p.chains.allSatisfy { $0.count == 2 })
            #expect(p.chains.joined().allSatisfy { AugmentationSpace.augMix(allOps: false).ops.contains($0.op) })
            // severity 1: bin 0 only, the smallest magnitude of each table.
            #expect(p.chains.joined().allSatisfy { [0.0, 4.0, 1.0].contains(abs($0.magnitude)) }, "\(p.chains)")
        }
    }

    func plan(
        _ transform: any Transform, _ parameters: some Sendable, count: Int, pixelType: PixelType = .float32,
        layout: ImageLayout = .nchw
    ) throws -> Plan {
        func sampledOp<T: Transform>(_ t: T) throws -> SampledOp {
            SampledOp(t, parameters: try #require(parameters as? [T.Parameters]))
        }
        let sampled = SampledPipeline(
            pipeline: try Pipeline([transform]), count: count, inputGeometry: geometry,
            ops: [try sampledOp(transform)])
        return try sampled.plan(inputPixelType: pixelType, inputLayout: layout)
    }

    @Test func policiesCompileToOneWarpAndOneColourPass() throws {
        let drawn: [PolicyParameters] = [
            PolicyParameters(ops: [PolicyOp(.shearX, magnitude: 0.09), PolicyOp(.brightness, magnitude: -0.27)]),
            PolicyParameters(ops: [PolicyOp(.equalize), PolicyOp(.rotate, magnitude: 9)]),
            PolicyParameters(ops: [PolicyOp(.identity), PolicyOp(.sharpness, magnitude: 0.27)]),
            PolicyParameters(ops: [PolicyOp(.contrast, magnitude: 0.27), PolicyOp(.autoContrast)]),
        ]
        // Colour steps that need an image statistic (equalize, autocontrast, contrast) ride in the
        // warp after a statistics pre-pass (one per sample at most), the others in the warp too.
        let fused = try plan(try RandAugment(), drawn, count: 4)
        #expect(fused.stages.map(\.family) == ["warp", "color", "blur"], "\(fused.summary)")
        let exact = try plan(try RandAugment(exactOrder: true), drawn, count: 4)
        #expect(exact.stages.map(\.family) == ["warp", "warp", "blur"], "\(exact.summary)")
        // A uint8 NHWC input converts inside the policy's warp: no extra pass.
        let converted = try plan(try RandAugment(), drawn, count: 4, pixelType: .uint8, layout: .nhwc)
        #expect(converted.stages.map(\.family) == ["warp", "color", "blur"])
        // Random draws on a batch of 64: one warp whatever was drawn, at most num_ops colour passes.
        for seed in UInt64(1)...8 {
            let pipeline = try Pipeline([try RandAugment()])
            let sampled = try pipeline.sample(count: 64, geometry: geometry, seed: seed)
            let stages = try sampled.plan(inputPixelType: .uint8, inputLayout: .nhwc).stages.map(\.family)
            #expect(
                stages.filter { $0 == "warp" }.count == 1 && stages.filter { $0 == "color" }.count <= 2
                    && stages.filter { $0 == "blur" }.count <= 2, "\(stages)")
            let trivial = try Pipeline([try TrivialAugmentWide()]).sample(count: 64, geometry: geometry, seed: seed)
            #expect(
                try trivial.plan(inputPixelType: .uint8, inputLayout: .nhwc).stages.map(\.family) == [
                    "warp", "blur",
                ])  // one op per sample: its colour step (statistic or not) rides in the warp
        }
        // aug_mix: replicate, the chains' passes, the weighted sum.
        let augMix = try Pipeline([try AugMix()]).sample(count: 64, geometry: geometry, seed: 3)
        let stages = try augMix.plan(inputPixelType: .float32, inputLayout: .nchw).stages
        #expect(stages.first?.family == "fanout" && stages.last?.family == "fanout")
        #expect(stages.filter { $0.family == "warp" }.count == 1 && stages.filter { $0.family == "color" }.count <= 3)
        if let r = stages[0].as(ReplicateStage.self) { #expect(r.copies == 4 && r.outputCount == 256) }
    }

    @Test func parametersRecordAndReplayBitIdentically() throws {
        let pipeline = try Pipeline([
            try RandAugment(numOps: 3), try TrivialAugmentWide(fill: [0.5]),
            try AugMix(mixtureWidth: 2, exactOrder: true),
            try OneOf([try RandAugment(magnitude: 20, exactOrder: true), try TrivialAugmentWide()]),
        ])
        let images = try ImageBatch.random(count: 6, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 4)
        let sampled = try pipeline.sample(for: images, seed: 12, epoch: 1, firstSampleIndex: 100)
        let data = try ParameterRecord.encode(sampled, seed: 12, epoch: 1, firstSampleIndex: 100)
        let replayed = try ParameterRecord.decode(data, for: pipeline)
        #expect(replayed.ops[0].parameters as? [PolicyParameters] == sampled.ops[0].parameters as? [PolicyParameters])
        #expect(replayed.ops[2].parameters as? [AugMixParameters] == sampled.ops[2].parameters as? [AugMixParameters])
        let cpu = CPUBackend()
        #expect(try cpu.run(replayed.plan(for: images), on: images) == cpu.run(sampled.plan(for: images), on: images))
        #expect(String(decoding: data, as: UTF8.self).contains("\"op\" : \"rand_augment\""))
        // A magnitude no table holds is refused when planning.
        let text = String(decoding: data, as: UTF8.self)
        if let range = text.range(of: "\"magnitude\" : ") {
            var tampered = text
            tampered.replaceSubrange(range, with: "\"magnitude\" : 1000 + ")
            let fixedUp = tampered.replacingOccurrences(of: "1000 + ", with: "1000")
            if let decoded = try? ParameterRecord.decode(Data(fixedUp.utf8), for: pipeline) {
                #expect(throws: AugmentError.self) { try decoded.plan(for: images) }
            }
        }
    }

    @Test func badArgumentsAndInputsAreErrors() throws {
        func parse(_ json: String) throws -> PipelineFile { try PipelineFile.parse(Data(json.utf8), name: "p.json") }
        let cases: [(String, String)] = [
            (
                #"{"ops": [{"op": "rand_augment", "magnitude": 31}]}"#,
                "rand_augment (ops[0]): argument 'magnitude' = 31 is out of range"
            ),
            (#"{"ops": [{"op": "rand_augment", "magnitude": -1}]}"#, "argument 'magnitude' = -1"),
            (
                #"{"ops": [{"op": "rand_augment", "num_magnitude_bins": 1, "magnitude": 0}]}"#,
                "argument 'num_magnitude_bins' = 1"
            ),
            (#"{"ops": [{"op": "rand_augment", "num_ops": -2}]}"#, "argument 'num_ops' = -2"),
            (#"{"ops": [{"op": "rand_augment", "interpolation": "bicubic"}]}"#, "argument 'interpolation' = bicubic"),
            (
                #"{"ops": [{"op": "trivial_augment_wide", "num_magnitude_bins": 0}]}"#,
                "trivial_augment_wide (ops[0]): argument 'num_magnitude_bins' = 0"
            ),
            (#"{"ops": [{"op": "aug_mix", "severity": 11}]}"#, "aug_mix (ops[0]): argument 'severity' = 11"),
            (#"{"ops": [{"op": "aug_mix", "alpha": 0}]}"#, "argument 'alpha' = 0.0"),
            (#"{"ops": [{"op": "aug_mix", "mixture_width": 0}]}"#, "argument 'mixture_width' = 0"),
            (#"{"ops": [{"op": "aug_mix", "fill": [0.1, "x"]}]}"#, "aug_mix (ops[0])"),
            (
                #"{"ops": [{"op": "one_of", "ops": [{"op": "aug_mix"}]}]}"#,
                "one_of (ops[0]): argument 'ops[0]' = aug_mix"
            ),
            (
                #"{"ops": [{"op": "rand_augment", "magnitudes": 3}]}"#,
                "unknown argument 'magnitudes' (did you mean 'magnitude'?)"
            ),
        ]
        for (json, expected) in cases {
            do {
                _ = try parse(json)
                Issue.record("\(json) must fail")
            } catch let error as AugmentError {
                #expect(error.description.contains(expected), "\(error.description) should contain \(expected)")
            }
        }
        // Defaults and fill: null are accepted.
        let file = try parse(#"{"ops": [{"op": "rand_augment", "fill": null}, {"op": "aug_mix", "chain_depth": 2}]}"#)
        #expect((file.pipeline.transforms[0] as? RandAugment)?.magnitude == 9)
        // Two channels: torchvision's policies take 1 or 3 (4 or more: colour on the first three).
        let two = ImageGeometry(height: 8, width: 8, channels: 2)
        #expect(throws: AugmentError.self) {
            try Pipeline([try RandAugment()]).sample(count: 1, geometry: two, seed: 1)
        }
        // aug_mix does not carry boxes.
        let images = try ImageBatch.random(count: 1, geometry: geometry, pixelType: .float32, layout: .nchw, seed: 1)
        var batch = try AugmentBatch(images: images)
        batch.boxes = try BoxBatch(boxes: [[BoundingBox(x0: 1, y0: 1, x1: 5, y1: 5)]], labels: [[0]])
        #expect(throws: AugmentError.self) { try CPUBackend().apply(Pipeline([try AugMix()]), to: batch, seed: 1) }
        // Replayed operations outside the policy's set are refused.
        let bad = SampledPipeline(
            pipeline: try Pipeline([try AugMix(allOps: false)]), count: 1, inputGeometry: geometry,
            ops: [
                SampledOp(
                    try AugMix(allOps: false),
                    parameters: [
                        AugMixParameters(
                            chains: [
                                [PolicyOp(.brightness, magnitude: 0.1)], [PolicyOp(.equalize)], [PolicyOp(.equalize)],
                            ],
                            weights: [0.25, 0.25, 0.25, 0.25])
                    ])
            ])
        #expect(throws: AugmentError.self) { try bad.plan(for: images) }
    }

    /// Two geometric operations composed into one matrix (fused) equal the two warps one after the
    /// other (exact_order) away from the fill borders, on a smooth image: the composition order is
    /// torchvision's (the first operation's matrix on the left).
    @Test func composedGeometryEqualsTheTwoWarpsInside() throws {
        let g = ImageGeometry(height: 64, width: 64, channels: 1)
        var values: [Float] = []
        for y in 0..<64 {
            for x in 0..<64 {
                let fx = Float(x) / 128
                let fy = Float(y * y) / 8192
                values.append(fx + fy)
            }
        }
        let images = try ImageBatch(float32NCHW: values, count: 1, channels: 1, height: 64, width: 64)
        let ops = [
            PolicyOp(.shearX, magnitude: 0.3), PolicyOp(.rotate, magnitude: 30), PolicyOp(.translateY, magnitude: -5.7),
        ]
        func run(_ exact: Bool) throws -> [Float] {
            var builder = PlanBuilder(count: 1, geometry: g, inputPixelType: .float32, inputLayout: .nchw)
            let lowering = PolicyLowering(interpolation: .bilinear, fill: nil, exactOrder: exact, op: "test")
            try SampleMasking.emit(lowering.effects([ops], geometries: [g]), into: &builder)
            let plan = try builder.finish(output: .float32NCHW)
            #expect(plan.stages.count == (exact ? 3 : 1))
            return try #require(CPUBackend().run(plan, on: images).float32Values)
        }
        let fused = try run(false)
        let exact = try run(true)
        var worst: Float = 0
        for y in 20..<44 { for x in 20..<44 { worst = max(worst, abs(fused[y * 64 + x] - exact[y * 64 + x])) } }
        #expect(worst < 2e-3, "interior difference \(worst)")
        // The reverse composition order would be far off.
        var reversed = ops
        reversed.reverse()
        var builder = PlanBuilder(count: 1, geometry: g, inputPixelType: .float32, inputLayout: .nchw)
        let lowering = PolicyLowering(interpolation: .bilinear, fill: nil, exactOrder: false, op: "t")
        try SampleMasking.emit(lowering.effects([reversed], geometries: [g]), into: &builder)
        let other = try #require(CPUBackend().run(builder.finish(output: .float32NCHW), on: images).float32Values)
        var far: Float = 0
        for y in 20..<44 { for x in 20..<44 { far = max(far, abs(other[y * 64 + x] - exact[y * 64 + x])) } }
        #expect(far > 0.02)
    }

    /// How much fusing changes at a realistic size: rand_augment's default (2 operations,
    /// magnitude 9, nearest) and aug_mix's default, fused vs exact_order (which matches torchvision,
    /// see AutoAugmentFixtureTests), on 32 synthetic 128x128 scenes. The numbers are in
    /// docs/semantics.md.
    @Test func fusedDeviationAtARealisticSize() throws {
        let images = try SyntheticScenes.batch(count: 32, height: 128, width: 128, seed: 5)
        for (name, fused, exact) in [
            ("rand_augment", try RandAugment() as any Transform, try RandAugment(exactOrder: true) as any Transform),
            ("aug_mix", try AugMix() as any Transform, try AugMix(exactOrder: true) as any Transform),
        ] {
            let cpu = CPUBackend()
            let a = try #require(cpu.apply(Pipeline([fused]), to: images, seed: 21).float32Values)
            let b = try #require(cpu.apply(Pipeline([exact]), to: images, seed: 21).float32Values)
            let per = a.count / 32
            var samples = 0, over = 0
            var sum = 0.0
            for n in 0..<32 {
                var differs = false
                for i in (n * per)..<((n + 1) * per) {
                    let d = abs(a[i] - b[i])
                    sum += Double(d)
                    if d > 1.0 / 255 { over += 1 }
                    if d > 1e-5 { differs = true }
                }
                if differs { samples += 1 }
            }
            print(
                String(
                    format:
                        "%@ fused vs torchvision's order: %d of 32 samples differ, mean |diff| %.5f, %.2f%% of values off by > 1/255",
                    name, samples, sum / Double(a.count), 100 * Double(over) / Double(a.count)))
            #expect(samples >= 1 && samples < 32)
            #expect(Double(over) / Double(a.count) < 0.25)
        }
    }
}
