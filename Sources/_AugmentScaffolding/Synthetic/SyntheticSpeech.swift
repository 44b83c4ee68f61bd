import Augment
import Foundation

/// A deterministic speech-like log-mel spectrogram: syllables of harmonics of a gliding pitch,
/// shaped by moving formants, separated by pauses and fricative noise bursts, over a noise floor.
/// Values are natural-log power, roughly in [-12, 2], as torchaudio's `log(MelSpectrogram + eps)`.
public enum SyntheticSpeech {
    /// A (count, 1, melBins, frames) batch as a ``SpectrogramBatch`` with a channel axis.
    public static func batch(
        count: Int, melBins: Int = 80, frames: Int = 300, seed: UInt64 = 1
    ) throws -> SpectrogramBatch {
        var values: [Float] = []
        for i in 0..<count {
            values += spectrogram(index: i, melBins: melBins, frames: frames, seed: seed)
        }
        return try SpectrogramBatch(values: values, count: count, frequencyBins: melBins, timeFrames: frames)
    }

    /// One (melBins, frames) spectrogram, row-major (frequency rows, time columns).
    public static func spectrogram(index: Int, melBins: Int, frames: Int, seed: UInt64) -> [Float] {
        var random = RandomStream(RandomKey(seed: seed, sampleIndex: UInt64(index), opIndex: 0x00AB_CDEE))
        let maxHz = 8000.0
        func mel(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }
        let melMax = mel(maxHz)
        // Centre frequency of each mel bin.
        let centres = (0..<melBins).map { b -> Double in
            let m = (Double(b) + 0.5) / Double(melBins) * melMax
            return 700 * (pow(10, m / 2595) - 1)
        }
        var power = [Double](repeating: 0, count: melBins * frames)
        var t = random.integer(in: 5...20)
        while t < frames - 5 {
            let length = random.integer(in: 12...40)
            let end = min(frames - 2, t + length)
            if random.bernoulli(0.25) {
                // A fricative: a band of high-frequency noise.
                let low = random.uniform(2500, 4500)
                for f in t..<end {
                    for b in 0..<melBins where centres[b] > low {
                        power[b * frames + f] += 0.02 * random.uniform(0.3, 1.0)
                    }
                }
            } else {
                let pitchStart = random.uniform(95, 230), pitchEnd = pitchStart * random.uniform(0.8, 1.25)
                let formants = [random.uniform(350, 900), random.uniform(900, 2300), random.uniform(2300, 3200)]
                let formantsEnd = formants.map { $0 * random.uniform(0.85, 1.15) }
                for f in t..<end {
                    let progress = Double(f - t) / Double(max(1, end - t - 1))
                    let envelope = sin(.pi * progress)
                    let f0 = pitchStart + (pitchEnd - pitchStart) * progress
                    var harmonic = f0
                    while harmonic < maxHz {
                        var gain = 0.0
                        for (k, start) in formants.enumerated() {
                            let centre = start + (formantsEnd[k] - start) * progress
                            let width = 90.0 + 60 * Double(k)
                            gain += exp(-0.5 * pow((harmonic - centre) / width, 2)) / Double(k + 1)
                        }
                        gain += 0.02 * exp(-harmonic / 1500)
                        // Spread the harmonic over the nearest mel bins.
                        let position = mel(harmonic) / melMax * Double(melBins) - 0.5
                        let lower = Int(floor(position))
                        for (bin, weight) in [
                            (lower, 1 - (position - Double(lower))), (lower + 1, position - Double(lower)),
                        ]
                        where bin >= 0 && bin < melBins {
                            power[bin * frames + f] += envelope * envelope * gain * weight
                        }
                        harmonic += f0
                    }
                }
            }
            t = end + random.integer(in: 3...15)
        }
        return (0..<(melBins * frames)).map { i in
            Float(log(power[i] + 1e-5 * random.uniform(0.5, 1.5)))
        }
    }
}
