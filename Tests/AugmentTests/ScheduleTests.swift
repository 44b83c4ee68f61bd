import Foundation
import Testing
@testable import Augment

/// Schedules of numeric arguments over epochs (Transforms/Schedules.swift): values at epochs 0, E/2
/// and E, pipeline files, recorded arguments and exact replay, errors.
@Suite struct ScheduleTests {
    static func schedule(_ json: String) throws -> Schedule {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try Schedule(object, label: "test", argument: "x")
    }

    @Test func valuesAtStartMiddleAndEnd() throws {
        let linear = try Self.schedule(#"{"schedule": "linear", "from": 0.5, "to": 1.5, "epochs": 10}"#)
        #expect(linear.values(at: 0) == [0.5] && linear.values(at: 5) == [1.0] && linear.values(at: 10) == [1.5])
        #expect(linear.values(at: 99) == [1.5], "after E the value stays at `to`")
        let cosine = try Self.schedule(#"{"schedule": "cosine", "from": [0.9, 1.1], "to": [0.5, 1.5], "epochs": 4}"#)
        #expect(cosine.values(at: 0) == [0.9, 1.1] && cosine.values(at: 4) == [0.5, 1.5])
        let middle = cosine.values(at: 2)
        #expect(abs(middle[0] - 0.7) < 1e-12 && abs(middle[1] - 1.3) < 1e-12)
        #expect(abs(cosine.values(at: 1)[0] - (0.9 - 0.4 * (1 - cos(Double.pi / 4)) / 2)) < 1e-12)
        let step = try Self.schedule(#"{"schedule": "step", "from": 3, "to": 7, "epochs": 6}"#)
        #expect(
            step.values(at: 0) == [3] && step.values(at: 3) == [3] && step.values(at: 5) == [3]
                && step.values(at: 6) == [7])
        let integer = try Self.schedule(#"{"schedule": "linear", "from": 1, "to": 4, "epochs": 4}"#)
        #expect(integer.isInteger && integer.values(at: 2) == [3], "2.5 rounds half away from zero")
    }

    /// gaussian_noise with a scheduled sigma: the record holds the sigma in force, replay is exact,
    /// and the draws are those of the plain op with that sigma.
    @Test func pipelineFilesResolveAtTheBatchEpoch() throws {
        let file = try PipelineFile.parse(
            Data(
                #"{"ops": [{"op": "gaussian_noise", "sigma": {"schedule": "linear", "from": 0, "to": 0.2, "epochs": 10}, "clip": false}]}"#
                    .utf8))
        let scheduled = try #require(file.pipeline.transforms.first as? ScheduledOp)
        #expect(scheduled.name == "gaussian_noise")
        let images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 5, width: 6, channels: 3), pixelType: .float32,
            layout: .nchw, seed: 2)
        for (epoch, sigma) in [(UInt64(0), 0.0), (5, 0.1), (10, 0.2)] {
            let sampled = try file.pipeline.sample(count: 3, geometry: images.geometry, seed: 4, epoch: epoch)
            let record = try ParameterRecord.encode(sampled, seed: 4, epoch: epoch, firstSampleIndex: 0)
            let object = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
            let ops = try #require(object["ops"] as? [[String: Any]])
            let first = try #require((ops[0]["parameters"] as? [[String: Any]])?.first)
            let recorded = try #require((first["arguments"] as? [String: Any])?["sigma"] as? NSNumber)
            #expect(abs(recorded.doubleValue - sigma) < 1e-12, "epoch \(epoch): sigma \(recorded)")
            let out = try CPUBackend().run(sampled.plan(for: images), on: AugmentBatch(images: images)).images
            let replayed = try ParameterRecord.decode(record, for: file.pipeline)
            #expect(try CPUBackend().run(replayed.plan(for: images), on: AugmentBatch(images: images)).images == out)
            let plain = try CPUBackend().apply(
                Pipeline([GaussianNoise(sigma: sigma, clip: false)]), to: images, seed: 4, epoch: epoch)
            #expect(out == plain, "epoch \(epoch): the same draws as gaussian_noise(sigma: \(sigma))")
            #expect((out == images) == (sigma == 0))
        }
    }

    @Test func rangesAndIntegerArguments() throws {
        let file = try PipelineFile.parse(
            Data(
                #"""
                {"ops": [
                  {"op": "color_jitter", "brightness": {"schedule": "cosine", "from": [0.9, 1.1], "to": [0.5, 1.5], "epochs": 4}},
                  {"op": "gaussian_blur", "kernel_size": {"schedule": "step", "from": 3, "to": 7, "epochs": 4}, "sigma": 1}
                ]}
                """#.utf8))
        let jitter = try #require(file.pipeline.transforms[0] as? ScheduledOp)
        let atTwo = try #require(try jitter.op(at: 2) as? ColorJitter)
        #expect(
            abs((atTwo.brightness?.lower ?? 0) - 0.7) < 1e-12 && abs((atTwo.brightness?.upper ?? 0) - 1.3) < 1e-12,
            "\(String(describing: atTwo.brightness))")
        let blur = try #require(file.pipeline.transforms[1] as? ScheduledOp)
        #expect((try blur.op(at: 3) as? GaussianBlur)?.kernelSizeX == 3)
        #expect((try blur.op(at: 4) as? GaussianBlur)?.kernelSizeX == 7)
    }

    @Test func badSchedulesAreErrorsNamingTheOp() throws {
        let cases = [
            #"{"ops": [{"op": "gaussian_noise", "sigma": {"schedule": "exp", "from": 0, "to": 1, "epochs": 3}}]}"#,
            #"{"ops": [{"op": "gaussian_noise", "sigma": {"schedule": "linear", "from": 0, "to": 1, "epochs": 0}}]}"#,
            #"{"ops": [{"op": "gaussian_noise", "sigma": {"schedule": "linear", "from": 0, "to": [1, 2], "epochs": 3}}]}"#,
            #"{"ops": [{"op": "gaussian_noise", "sigma": {"schedule": "linear", "from": 0, "to": -1, "epochs": 3}}]}"#,
            #"{"ops": [{"op": "gaussian_noise", "sigma": {"schedule": "linear", "from": 0, "to": 1, "epochs": 3, "warmup": 1}}]}"#,
        ]
        for json in cases {
            do {
                _ = try PipelineFile.parse(Data(json.utf8))
                Issue.record("accepted: \(json)")
            } catch {
                #expect("\(error)".contains("gaussian_noise"), "\(error)")
            }
        }
        // Inside a composite, the top-level op carries the schedule and resolves its children.
        let nested = try PipelineFile.parse(
            Data(
                #"{"ops": [{"op": "one_of", "ops": [{"op": "gaussian_noise", "sigma": {"schedule": "linear", "from": 0, "to": 0.4, "epochs": 4}}]}]}"#
                    .utf8))
        let composite = try #require(nested.pipeline.transforms.first as? ScheduledOp)
        #expect(composite.name == "one_of")
        #expect(((try composite.op(at: 2) as? OneOf)?.ops.first as? GaussianNoise)?.sigma == 0.2)
        // A schedule that would change the output size is refused when the pipeline is sampled.
        let crop = try PipelineFile.parse(
            Data(
                #"{"ops": [{"op": "center_crop", "height": {"schedule": "linear", "from": 4, "to": 2, "epochs": 2}, "width": 3}]}"#
                    .utf8))
        #expect(throws: AugmentError.self) {
            try crop.pipeline.sample(count: 1, geometry: ImageGeometry(height: 6, width: 6, channels: 1), seed: 0)
        }
    }
}
