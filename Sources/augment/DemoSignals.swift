import Augment
import AugmentIO
import Foundation

/// The demo's picture of signals before and after augmentation (signals.png): synthetic 3-lead
/// ECG-like traces, one row per signal, the original and three augmentations.
enum SignalDemo {
    static let length = 1000
    static let channels = 3
    static let colors: [SIMD3<UInt8>] = [[220, 60, 50], [40, 120, 220], [30, 160, 80]]

    /// N synthetic signals: a beat train (narrow spikes and a T wave) per lead, scaled per lead.
    static func signals(count: Int) throws -> SignalBatch {
        var values: [Float] = []
        for n in 0..<count {
            let period = 180.0 + 30.0 * Double(n)
            for c in 0..<channels {
                for t in 0..<length {
                    let phase = (Double(t) + 17.0 * Double(c)).truncatingRemainder(dividingBy: period) / period
                    let spike = exp(-pow((phase - 0.3) / 0.012, 2))
                    let wave = 0.25 * exp(-pow((phase - 0.6) / 0.06, 2))
                    values.append(Float((spike + wave) * (1.0 - 0.25 * Double(c))))
                }
            }
        }
        return try SignalBatch(values: values, count: count, channels: channels, length: length)
    }

    /// One cell: each channel's trace as a polyline on white, values [low, high] bottom to top.
    static func plot(_ signals: SignalBatch, sample n: Int, width: Int, height: Int) throws -> DecodedImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        let (low, high): (Float, Float) = (-0.6, 1.4)
        for c in 0..<signals.channels {
            var previous: Int?
            for x in 0..<width {
                let t = x * signals.length / width
                let v = signals.values[(n * signals.channels + c) * signals.length + t]
                let y =
                    v.isFinite ? Int((high - min(max(v, low), high)) / (high - low) * Float(height - 1)) : height - 1
                for yy in min(previous ?? y, y)...max(previous ?? y, y) {
                    let i = (yy * width + x) * 3
                    pixels[i] = colors[c].x
                    pixels[i + 1] = colors[c].y
                    pixels[i + 2] = colors[c].z
                }
                previous = y
            }
        }
        return try DecodedImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func sheet(runner: any Backend, output: String) throws -> String {
        let rows = 3
        let input = try signals(count: rows)
        let pipeline = try PipelineFile.parse(
            Data(
                """
                {"input": "signal", "ops": [
                  {"op": "time_stretch", "factor": [0.85, 1.15]},
                  {"op": "time_shift", "shift": [-100, 100], "mode": "roll"},
                  {"op": "amplitude_scale", "factor": [0.7, 1.3]},
                  {"op": "baseline_wander", "amplitude": [0.1, 0.3], "frequency": [0.5, 2]},
                  {"op": "gaussian_noise", "sigma": [0.05, 0.15], "relative": true},
                  {"op": "time_masking", "time_mask_param": 150, "iid_masks": false},
                  {"op": "channel_dropout", "p": 0.15}]}
                """.utf8), name: "signal demo"
        ).pipeline
        let seeds: [UInt64] = [1, 2, 3]
        let outputs = try seeds.map { try runner.apply(pipeline, to: input, seed: $0).signals }
        let (cellWidth, cellHeight) = (320, 120)
        var sheet = ContactSheet(
            rows: rows, columns: seeds.count + 1, cellWidth: cellWidth, cellHeight: cellHeight,
            title: "signals, 3 leads x 1000: stretch, shift, scale, wander, noise, mask, dropout",
            columnCaptions: ["original"] + seeds.map { "seed \($0)" })
        for row in 0..<rows {
            sheet.place(try plot(input, sample: row, width: cellWidth, height: cellHeight), row: row, column: 0)
            for (column, result) in outputs.enumerated() {
                sheet.place(
                    try plot(result, sample: row, width: cellWidth, height: cellHeight), row: row, column: column + 1)
            }
        }
        let path = "\(output)/signals.png"
        try ImageCodecs.encodePNG(sheet.image, name: path).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }
}
