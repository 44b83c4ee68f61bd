// Throughput of the foundation pipelines on the CPU reference and the OpenCL backend.
// Run: swift run -c release AugmentBenchmarks [--batch 64] [--repeats 15]
// Prints medians; a benchmark prints numbers, it never fails on speed.
import Augment
import AugmentOpenCL
import Foundation

func argument(_ name: String, default value: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let n = Int(args[i + 1]) else { return value }
    return n
}

let batch = argument("--batch", default: 64)
let repeats = argument("--repeats", default: 15)
let geometry = ImageGeometry(height: 256, width: 256, channels: 3)

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let pipelines: [(String, Pipeline)] = try [
    ("to_float32", Pipeline([])),
    (
        "crop_flip_normalize",
        Pipeline([
            RandomCrop(height: 224, width: 224), RandomHorizontalFlip(p: 0.5),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
    ),
    (
        "rrc_flip_normalize (bilinear)",
        Pipeline([
            RandomResizedCrop(size: [224, 224]), RandomHorizontalFlip(p: 0.5),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
    ),
    (
        "rrc_affine_flip_normalize (one warp)",
        Pipeline([
            RandomResizedCrop(size: [224, 224]),
            RandomAffine(degrees: [15], translate: [0.1, 0.1], scale: [0.9, 1.1], interpolation: .bilinear),
            RandomHorizontalFlip(p: 0.5),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
    ),
    ("adjust_brightness", Pipeline([AdjustBrightness(brightnessFactor: 1.2)])),
    ("adjust_hue", Pipeline([AdjustHue(hueFactor: 0.1)])),
    ("color_jitter_bcs", Pipeline([ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4)])),
    ("color_jitter_bcsh", Pipeline([ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)])),
    ("gaussian_blur_7", Pipeline([GaussianBlur(kernelSize: [7], sigma: [0.1, 2])])),
    ("gaussian_blur_23", Pipeline([GaussianBlur(kernelSize: [23], sigma: [0.1, 2])])),
    ("equalize", Pipeline([Equalize()])),
    ("gaussian_noise", Pipeline([GaussianNoise(sigma: 0.1)])),
    (
        "simclr_color",
        Pipeline([
            RandomCrop(height: 224, width: 224), RandomHorizontalFlip(p: 0.5),
            ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, p: 0.8), RandomGrayscale(p: 0.2),
            GaussianBlur(kernelSize: [23], sigma: [0.1, 2], p: 0.5), RandomSolarize(threshold: 0.5, p: 0.2),
            Normalize(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
        ])
    ),
]

let input = try ImageBatch.random(count: batch, geometry: geometry, pixelType: .uint8, layout: .nhwc, seed: 1)
let opencl = try? OpenCLBackend()
print("batch \(batch) uint8 NHWC \(geometry) -> float32 NCHW, median of \(repeats) runs")
if let opencl { print("opencl device: \(opencl.device.name)") } else { print("opencl: unavailable") }

for (name, pipeline) in pipelines {
    let sampled = try pipeline.sample(count: batch, geometry: geometry, seed: 7)
    let plan = try sampled.plan(for: input)
    let outputBytes = Double(plan.outputGeometry.elementCount * 4)
    let inputBytes = Double(geometry.elementCount)
    _ = try CPUBackend().run(plan, on: input)
    let cpu = median(try (0..<repeats).map { _ in try time { _ = try CPUBackend().run(plan, on: input) } })
    var line =
        name.padding(toLength: 22, withPad: " ", startingAt: 0)
        + String(format: " cpu %8.0f img/s", Double(batch) / cpu)
    if let opencl {
        _ = try opencl.runProfiled(plan, on: input)
        var kernelTimes: [Double] = []
        let wall = median(
            try (0..<repeats).map { _ in
                try time {
                    let (_, timing) = try opencl.runProfiled(plan, on: input)
                    kernelTimes.append(Double(timing.kernelNanoseconds) / 1e9)
                }
            })
        let kernel = median(kernelTimes)
        line += String(
            format: "   opencl end-to-end %8.0f img/s   kernel-only %8.0f img/s (%.1f GB/s)",
            Double(batch) / wall, Double(batch) / kernel,
            Double(batch) * (inputBytes + outputBytes) / kernel / 1e9)
    }
    print(line)
}
