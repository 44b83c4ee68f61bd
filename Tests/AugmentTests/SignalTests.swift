import Foundation
import Testing
@testable import Augment

/// The signal family on the CPU backend: numpy fixtures (Tests/Fixtures/generate_signal.py), the
/// relative noise's standard deviation, pipeline files with "input": "signal", sampling and errors.
@Suite struct SignalTests {
    struct Fixture {
        let shape: [Int]
        let input: [Float]
        let std: [Float]
        let cases: [[String: Any]]

        static func load() throws -> Fixture {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures").appendingPathComponent("signal.json")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let numbers = { (key: String) throws -> [Float] in
                try #require(object[key] as? [NSNumber]).map { $0.floatValue }
            }
            return Fixture(
                shape: try #require(object["shape"] as? [Int]), input: try numbers("input"), std: try numbers("std"),
                cases: try #require(object["cases"] as? [[String: Any]]))
        }

        func signals() throws -> ImageBatch {
            try SignalBatch(values: input, count: shape[0], channels: shape[1], length: shape[2]).asImages()
        }
    }

    /// A one-op signal pipeline from a pipeline-file op object.
    static func signalOp(_ op: [String: Any]) throws -> any Transform {
        let file = try PipelineFile.parse(JSONSerialization.data(withJSONObject: ["input": "signal", "ops": [op]]))
        return try #require(file.pipeline.transforms.first)
    }

    /// Runs `transform` with explicit per-sample parameters (recorded JSON) on the CPU backend.
    static func replay<T: Transform>(_ transform: T, parameters: Any, on images: ImageBatch) throws -> [Float] {
        let data = try JSONSerialization.data(withJSONObject: parameters)
        let decoded = try JSONDecoder().decode([T.Parameters].self, from: data)
        let sampled = SampledPipeline(
            pipeline: try Pipeline([transform]), count: images.count, inputGeometry: images.geometry,
            ops: [SampledOp(transform, parameters: decoded)])
        let result = try CPUBackend().run(sampled.plan(for: images), on: AugmentBatch(images: images))
        return try #require(result.images.float32Values)
    }

    /// Every fixture case within 1e-4 absolute of numpy's float64 result (the library computes in
    /// float32: positions t * Float(step) and the float32 phase of the wave round at ~1e-6 relative).
    @Test func matchesNumpyReference() throws {
        let fixture = try Fixture.load()
        let images = try fixture.signals()
        #expect(fixture.cases.count == 8)
        for c in fixture.cases {
            let name = try #require(c["name"] as? String)
            var op = try #require(c["args"] as? [String: Any])
            op["op"] = try #require(c["op"] as? String)
            let transform = try Self.signalOp(op)
            let got = try Self.replay(transform, parameters: try #require(c["parameters"]), on: images)
            let want = try #require(c["expected"] as? [NSNumber]).map { $0.floatValue }
            #expect(got.count == want.count, "\(name)")
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "\(name): max |diff| \(worst)")
        }
    }

    /// Relative noise: (out - x) / z is sigma times numpy's std of that (sample, channel).
    @Test func relativeNoiseScalesWithEachChannelsStandardDeviation() throws {
        let fixture = try Fixture.load()
        let images = try fixture.signals()
        let (n, c, t) = (fixture.shape[0], fixture.shape[1], fixture.shape[2])
        let pipeline = try Pipeline([SignalGaussianNoise(sigma: ValueRange(0.1, 0.1), relative: true)])
        let out = try #require(
            try CPUBackend().apply(pipeline, to: images, seed: 9, epoch: 1, firstSampleIndex: 40).float32Values)
        for sample in 0..<n {
            let key = NoiseKey(RandomKey(seed: 9, epoch: 1, sampleIndex: UInt64(40 + sample), opIndex: 0))
            for channel in 0..<c {
                let row = (sample * c + channel) * t
                // The element with the largest |z| gives the best-conditioned ratio.
                let e = (0..<t).max { abs(key.normal(channel * t + $0)) < abs(key.normal(channel * t + $1)) }!
                let sigma = (out[row + e] - fixture.input[row + e]) / key.normal(channel * t + e)
                let want = 0.1 * fixture.std[sample * c + channel]
                #expect(abs(sigma - want) <= 1e-4 * want + 1e-6, "n=\(sample) c=\(channel): \(sigma) vs \(want)")
            }
        }
        // Absolute noise: sigma itself.
        let absolute = try #require(
            try CPUBackend().apply(
                Pipeline([SignalGaussianNoise(sigma: ValueRange(0.25, 0.25))]),
                to: images, seed: 9
            ).float32Values)
        let key = NoiseKey(RandomKey(seed: 9, sampleIndex: 0, opIndex: 0))
        #expect(absolute[5] == fixture.input[5].addingProduct(key.normal(5), 0.25))
    }

    @Test func pipelineFilesSelectSignalOpsWithInputSignal() throws {
        let json =
            #"{"input": "signal", "ops": [{"op": "gaussian_noise", "sigma": [0.01, 0.05], "relative": true}, {"op": "time_masking", "time_mask_param": 10}, {"op": "time_shift", "shift": [-5, 5], "mode": "pad"}]}"#
        let file = try PipelineFile.parse(Data(json.utf8))
        #expect(file.input == .signal)
        let noise = try #require(file.pipeline.transforms[0] as? SignalGaussianNoise)
        #expect(noise.relative && noise.sigma == ValueRange(0.01, 0.05))
        #expect(file.pipeline.transforms[1] is TimeMasking)
        #expect((file.pipeline.transforms[2] as? TimeShift)?.mode == .pad)
        // Without "input": "signal", gaussian_noise is the image op, which has no "relative".
        let imageFile = #"{"ops": [{"op": "gaussian_noise", "sigma": 0.1, "relative": true}]}"#
        #expect(throws: AugmentError.self) { try PipelineFile.parse(Data(imageFile.utf8)) }
        do {
            _ = try PipelineFile.parse(Data(#"{"input": "sound", "ops": []}"#.utf8))
            Issue.record("an unknown input kind was accepted")
        } catch {
            #expect("\(error)".contains("input") && "\(error)".contains("signal"), "\(error)")
        }
        // Signal-only ops resolve without "input" too, and then refuse images by name.
        let wander = try Self.signalOp(["op": "baseline_wander", "amplitude": 0.1, "frequency": [0.5, 1]])
        #expect(wander is BaselineWander)
        do {
            _ = try wander.outputGeometry(for: ImageGeometry(height: 4, width: 9, channels: 3))
            Issue.record("baseline_wander accepted an image")
        } catch {
            #expect("\(error)".contains("baseline_wander") && "\(error)".contains("(N, C, T)"), "\(error)")
        }
    }

    @Test func badArgumentsAreErrorsNamingOpAndArgument() throws {
        let cases: [(() throws -> Any, String, String)] = [
            ({ try TimeStretch(factor: ValueRange(0, 1)) }, "time_stretch", "factor"),
            ({ try TimeStretch(factor: ValueRange(1.2, 1.1)) }, "time_stretch", "factor"),
            ({ try AmplitudeScale(factor: ValueRange(.nan, 1)) }, "amplitude_scale", "factor"),
            ({ try BaselineWander(amplitude: ValueRange(-1, 1)) }, "baseline_wander", "amplitude"),
            ({ try BaselineWander(frequency: ValueRange(0, .infinity)) }, "baseline_wander", "frequency"),
            ({ try SignalGaussianNoise(sigma: ValueRange(-0.1, 0.1)) }, "gaussian_noise", "sigma"),
            ({ try TimeShift(shift: ValueRange(0.2, 0.8)) }, "time_shift", "shift"),
            ({ try TimeShift(shift: ValueRange(0, 1e12)) }, "time_shift", "shift"),
            ({ try ChannelDropout(p: 1.5) }, "channel_dropout", "p"),
        ]
        for (make, op, argument) in cases {
            do {
                _ = try make()
                Issue.record("\(op) \(argument): accepted")
            } catch let AugmentError.invalidArgument(name, arg, _, _) {
                #expect(name == op && arg == argument)
            }
        }
        // Recorded parameters are checked before they are applied.
        let images = try SignalBatch(values: Array(repeating: 1, count: 12), count: 2, channels: 3, length: 2)
            .asImages()
        #expect(throws: AugmentError.self) {
            try Self.replay(
                ChannelPermute(), parameters: [["sourceChannels": [0, 0, 1]], ["sourceChannels": [0, 1, 2]]], on: images
            )
        }
        #expect(throws: AugmentError.self) {
            try Self.replay(TimeStretch(), parameters: [["factor": 100], ["factor": 1]], on: images)
        }
        #expect(throws: AugmentError.self) {
            try TimeStretch().validate(TimeStretchParameters(factor: .nan), for: images.geometry)
        }
        #expect(throws: AugmentError.self) {
            try SignalBatch(values: [1, 2, 3], count: 1, channels: 2, length: 2)
        }
    }

    @Test func channelOpsMoveWholeChannels() throws {
        let (n, c, t) = (6, 8, 5)
        let values = (0..<(n * c * t)).map { Float($0 / t) }  // each row holds its row index
        let signals = try SignalBatch(values: values, count: n, channels: c, length: t)
        let permuted = try CPUBackend().apply(Pipeline([ChannelPermute()]), to: signals, seed: 3).signals
        var moved = 0
        for sample in 0..<n {
            let rows = (0..<c).map { Int(permuted.values[(sample * c + $0) * t]) - sample * c }
            #expect(rows.sorted() == Array(0..<c), "sample \(sample): \(rows)")
            moved += rows.enumerated().filter { $0.offset != $0.element }.count
            for ch in 0..<c {
                #expect(Set(permuted.values[((sample * c + ch) * t)..<((sample * c + ch + 1) * t)]).count == 1)
            }
        }
        #expect(moved > 0)
        let kept = try CPUBackend().apply(Pipeline([ChannelDropout(p: 0)]), to: signals, seed: 3).signals
        #expect(kept.values == values)
        let dropped = try CPUBackend().apply(Pipeline([ChannelDropout(p: 1)]), to: signals, seed: 3).signals
        #expect(dropped.values.allSatisfy { $0 == 0 })
        #expect(dropped.shape == [n, c, t])
    }

    @Test func recordedParametersReplayExactly() throws {
        let fixture = try Fixture.load()
        let images = try fixture.signals()
        let pipeline = try Pipeline([
            TimeStretch(), TimeShift(shift: ValueRange(-4, 4)), BaselineWander(),
            SignalGaussianNoise(sigma: ValueRange(0.01, 0.1), relative: true), ChannelDropout(p: 0.3),
        ])
        let sampled = try pipeline.sample(count: images.count, geometry: images.geometry, seed: 77, epoch: 3)
        let record = try ParameterRecord.encode(sampled, seed: 77, epoch: 3, firstSampleIndex: 0)
        let replayed = try ParameterRecord.decode(record, for: pipeline)
        let a = try CPUBackend().run(sampled.plan(for: images), on: AugmentBatch(images: images)).images
        let b = try CPUBackend().run(replayed.plan(for: images), on: AugmentBatch(images: images)).images
        #expect(a == b)
        #expect(a.float32Values != fixture.input)
        #expect(try sampled.plan(for: images).stages.allSatisfy { $0.family == "signal" })
    }
}
