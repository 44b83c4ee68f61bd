import Foundation
import Testing
import Augment
import AugmentOpenCL
import AugmentTestSupport
import _AugmentScaffolding

/// CPU vs OpenCL for the signal family (Kernels/signal.cl vs CPU/Signal.swift): outputs poisoned
/// first (Parity.check), then required bit-identical (tolerance 0: portable sine, explicit fma,
/// fixed-order standard deviation, correctly rounded sqrt).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct SignalParityTests {
    static let shapes: [(count: Int, channels: Int, length: Int)] = [(1, 1, 1), (3, 2, 7), (2, 12, 500), (5, 3, 4099)]

    static func ops() throws -> [(String, any Transform)] {
        [
            ("amplitude_scale", try AmplitudeScale(factor: ValueRange(-3, 3))),
            ("baseline_wander", try BaselineWander(amplitude: ValueRange(0, 2), frequency: ValueRange(0, 50))),
            ("gaussian_noise", try SignalGaussianNoise(sigma: ValueRange(0, 0.3))),
            ("gaussian_noise relative", try SignalGaussianNoise(sigma: ValueRange(0.01, 0.3), relative: true)),
            ("time_stretch", try TimeStretch(factor: ValueRange(0.1, 10))),
            ("time_shift roll", try TimeShift(shift: ValueRange(-9000, 9000), mode: .roll)),
            ("time_shift pad", try TimeShift(shift: ValueRange(-600, 600), mode: .pad)),
            ("channel_dropout", try ChannelDropout(p: 0.4)),
            ("channel_permute", ChannelPermute()),
            ("time_masking", try TimeMasking(timeMaskParam: 300, iidMasks: false, numMasks: 2)),
        ]
    }

    @Test func everySignalOpIsBitExact() throws {
        var seed: UInt64 = 900
        for (name, op) in try Self.ops() {
            for shape in Self.shapes {
                seed &+= 1
                let input = try ImageBatch.random(
                    count: shape.count,
                    geometry: ImageGeometry(height: 1, width: shape.length, channels: shape.channels),
                    pixelType: .float32, layout: .nchw, seed: seed)
                try expectBitExact(try Pipeline([op]), on: input, seed: seed, "\(name) \(shape)")
            }
        }
    }

    /// Relative noise is two launches (signal_std, signal_apply); every other op one.
    @Test func launchesPerOp() throws {
        let input = try ImageBatch.random(
            count: 4, geometry: ImageGeometry(height: 1, width: 1000, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 5)
        for (name, op) in try Self.ops() where name != "time_masking" {
            let plan = try Pipeline([op]).sample(count: 4, geometry: input.geometry, seed: 1).plan(for: input)
            let (_, timing) = try Shared.backend().runProfiled(plan, on: input)
            // A float32 NCHW result needs no final conversion pass.
            #expect(timing.launches == (name == "gaussian_noise relative" ? 2 : 1), "\(name): \(timing.launches)")
        }
    }

    /// Chains of signal ops fused into one pass (one program per sample): two stretches, relative
    /// noise after gathers (its standard deviation taken over the signal just before it, a
    /// reduction per relative op), shifts and channel maps between pointwise ops; bit-exact, and
    /// one launch plus one per relative noise.
    @Test func fusedProgramsAreBitExactInOneLaunch() throws {
        let chains: [[any Transform]] = [
            [
                try TimeStretch(factor: ValueRange(0.5, 2)),
                try SignalGaussianNoise(sigma: ValueRange(0.05, 0.2), relative: true),
                try AmplitudeScale(factor: ValueRange(-2, 2)), try TimeStretch(factor: ValueRange(0.3, 3)),
            ],
            [
                try TimeShift(shift: ValueRange(-300, 300), mode: .roll), ChannelPermute(),
                try BaselineWander(amplitude: ValueRange(0, 1), frequency: ValueRange(0, 20)),
                try ChannelDropout(p: 0.3), try TimeShift(shift: ValueRange(-50, 50), mode: .pad),
                try SignalGaussianNoise(sigma: ValueRange(0, 0.3)),
            ],
            [
                try AmplitudeScale(factor: ValueRange(0.5, 3)),
                try SignalGaussianNoise(sigma: ValueRange(0.1, 0.3), relative: true),
                try TimeShift(shift: ValueRange(-20, 20), mode: .pad),
                try SignalGaussianNoise(sigma: ValueRange(0.1, 0.3), relative: true),
            ],
        ]
        var seed: UInt64 = 4400
        for (i, chain) in chains.enumerated() {
            for shape in Self.shapes {
                seed &+= 1
                let input = try ImageBatch.random(
                    count: shape.count,
                    geometry: ImageGeometry(height: 1, width: shape.length, channels: shape.channels),
                    pixelType: .float32, layout: .nchw, seed: seed)
                try expectBitExact(try Pipeline(chain), on: input, seed: seed, "chain \(i) \(shape)")
            }
            let input = try ImageBatch.random(
                count: 3, geometry: ImageGeometry(height: 1, width: 300, channels: 4),
                pixelType: .float32, layout: .nchw, seed: 8)
            let plan = try Pipeline(chain).sample(count: 3, geometry: input.geometry, seed: 1).plan(for: input)
            #expect(plan.passes == 1, "chain \(i): \(plan.summary)")
            let (_, timing) = try Shared.backend().runProfiled(plan, on: input)
            let relative = chain.filter { ($0 as? SignalGaussianNoise)?.relative == true }.count
            #expect(timing.launches == 1 + relative, "chain \(i): \(timing.launches)")
        }
    }

    /// A long signal with a large offset: the fixed-order sums agree on both backends.
    @Test func relativeNoiseOnLongSignalsAgrees() throws {
        let t = 50_000
        let values = (0..<(2 * t)).map { Float(1000) + Float($0 % 97) * 0.01 }
        let input = try SignalBatch(values: values, count: 1, channels: 2, length: t).asImages()
        try expectBitExact(
            try Pipeline([SignalGaussianNoise(sigma: ValueRange(0.5, 0.5), relative: true)]), on: input, seed: 3)
    }

    /// augment apply with "input": "signal": a float32 (N, C, T) .npy in, (N, C, T) out; recorded on
    /// OpenCL and replayed on the CPU to the same bytes.
    @Test func applyReadsAndWritesSignalArrays() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signal-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let values: [Float] = (0..<240).map { (i: Int) -> Float in Float(i % 40) * 0.1 - Float(i / 40) }
        var npy = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 40), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        npy.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { npy.append(contentsOf: $0) }
        let input = folder.appendingPathComponent("in.npy").path
        try npy.write(to: URL(fileURLWithPath: input))
        let pipeline = folder.appendingPathComponent("p.json").path
        try
            #"{"input": "signal", "ops": [{"op": "time_stretch"}, {"op": "gaussian_noise", "sigma": 0.1, "relative": true}, {"op": "channel_permute"}]}"#
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let record = folder.appendingPathComponent("params.json").path
        let (a, b) = (folder.appendingPathComponent("a.npy").path, folder.appendingPathComponent("b.npy").path)
        let first = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output", a, "--record", record,
            "--backend", "opencl", "--seed", "4",
        ])
        #expect(first.status == 0, "\(first.output)")
        let second = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output", b, "--replay", record,
            "--backend", "cpu",
        ])
        #expect(second.status == 0, "\(second.output)")
        let (x, y) = (try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(x == y && x.count == 128 + 2 * 3 * 40 * 4)
        #expect(String(decoding: x.prefix(128), as: UTF8.self).contains("(2, 3, 40)"))
        #expect(x.suffix(2 * 3 * 40 * 4) != Data(npy.suffix(2 * 3 * 40 * 4)), "the signals changed")
        // A 3-D array without "input": "signal" is a spectrogram batch: signal ops refuse it by name.
        try #"{"ops": [{"op": "channel_permute"}]}"#.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let refused = try runAugmentCLI([
            "apply", "--pipeline", pipeline, "--input", input, "--output", a, "--backend", "cpu", "--force",
        ])
        #expect(
            refused.status == 1 && refused.output.contains("channel_permute")
                && refused.output.contains("\"input\": \"signal\""),
            "\(refused.output)")
    }
}
