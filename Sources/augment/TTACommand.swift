import ArgumentParser
import Augment
import AugmentIO
import AugmentOpenCL
import Foundation

/// `augment tta`: deterministic test-time views of a batch, and the merge of per-view predictions.
struct TTACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tta",
        abstract: "Test-time augmentation: make deterministic views of images, merge per-view predictions.",
        discussion: """
            Views (comma-separated, in this order in the output): identity, hflip, vflip, rot90:K, \
            five_crop:HxW, ten_crop:HxW[:vflip], scales:F1/F2/... (torchvision's five_crop/ten_crop order). \
            Example:
              augment tta apply --input images.npy --views identity,hflip,ten_crop:192 --output views.npy
              (run the model on views.npy: N x V images, the views of sample n adjacent)
              augment tta merge --predictions logits.npy --views identity,hflip,ten_crop:192 --size 224x224 \\
                  --reduction mean --output merged.npy --coverage coverage.npy
            """,
        subcommands: [Apply.self, Merge.self]
    )

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every view of every image of --input as one batch (N x V, views of a sample adjacent).")

        @Option(help: "Input: .npy, .png, .jpg or a folder of images of one size.")
        var input: String

        @Option(help: "The views, e.g. identity,hflip,rot90:1,five_crop:192x192,scales:0.8/1.25.")
        var views: String

        @Option(help: "Output .npy (or a folder of images).")
        var output: String

        @Option(help: "Output dtype: float32, float16 or uint8.")
        var dtype: String = "float32"

        @Option(help: "Output layout: nchw or nhwc.")
        var layout: String = "nchw"

        @Option(help: "Backend: auto (OpenCL, else CPU), opencl or cpu.")
        var backend: BackendChoice = .auto

        @Option(help: "OpenCL device (see `augment devices`).")
        var device: String?

        func run() throws {
            do {
                guard let type = PixelType(rawValue: dtype), let order = ImageLayout(rawValue: layout.lowercased())
                else {
                    throw ValidationError("--dtype must be float32, float16 or uint8 and --layout nchw or nhwc")
                }
                let tta = try TestTimeAugmentation(
                    TestTimeViewSpec.parseList(views), output: OutputFormat(pixelType: type, layout: order))
                let loaded = try BatchFiles.load(input)
                let runner = try makeBackend(backend, device: device)
                let result = try tta.apply(to: loaded.images, on: runner)
                let written = try BatchFiles.write(result.images, to: output, like: nil)
                print(
                    "\(loaded.images.count) images x \(result.views.count) views on \(runner.name): "
                        + result.views.map(\.name).joined(separator: ", "))
                print(
                    "wrote \(written.count == 1 ? written[0] : "\(written.count) files to \(output)") (\(result.images.shapeDescription))"
                )
            } catch let error as ExitCode {
                throw error
            } catch let error as ValidationError {
                throw error
            } catch {
                fail(describe(error))
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map per-view predictions back to the original images and reduce them.")

        @Option(help: "Dense per-view predictions: float32 .npy (N*V, C, h, w), in `tta apply` order.")
        var predictions: String?

        @Option(help: "Per-view boxes: float32 .npy (N*V, B, 4) as x0, y0, x1, y1 in view pixels.")
        var boxes: String?

        @Option(help: "The views given to `tta apply`.")
        var views: String

        @Option(help: "The original image size, HxW.")
        var size: String

        @Option(help: "How maps are reduced over views: mean or max (boxes are always averaged).")
        var reduction: TestTimeReduction = .mean

        @Option(help: "Output .npy: merged maps (N, C, H, W) float32, or merged boxes (N, B, 4).")
        var output: String

        @Option(help: "Also write how many views saw each pixel, int32 (N, H, W).")
        var coverage: String?

        func validate() throws {
            guard (predictions == nil) != (boxes == nil) else {
                throw ValidationError("give exactly one of --predictions and --boxes")
            }
        }

        func run() throws {
            do {
                let parts = size.split(separator: "x").compactMap { Int($0) }
                guard parts.count == 2 else { throw ValidationError("--size must be HxW, got \(size)") }
                let tta = try TestTimeAugmentation(TestTimeViewSpec.parseList(views))
                let list = try tta.views(for: ImageGeometry(height: parts[0], width: parts[1], channels: 1))
                let v = list.count
                let path = predictions ?? boxes!
                let array = try NPY.decode(Data(contentsOf: URL(fileURLWithPath: path)), name: path)
                guard case .float32(let values) = array.values, array.shape.first.map({ $0 > 0 && $0 % v == 0 }) == true
                else {
                    fail(
                        "\(path): expected float32 with a first axis of N x \(v) (the views), got \(array.elementType) \(array.shape)"
                    )
                }
                let count = array.shape[0] / v
                let placeholder = try ImageBatch(float32NCHW: [0], count: 1, channels: 1, height: 1, width: 1)
                let batch = TestTimeBatch(images: placeholder, count: count, views: list)
                if predictions != nil {
                    guard array.shape.count == 4 else { fail("\(path): expected (N*V, C, h, w), got \(array.shape)") }
                    let merged = try batch.mergeMaps(values, channels: array.shape[1], reduction: reduction)
                    try NPY.encode(
                        NPYArray(
                            shape: [count, merged.channels, merged.height, merged.width],
                            values: .float32(merged.values))
                    )
                    .write(to: URL(fileURLWithPath: output), options: .atomic)
                    if let coverage {
                        try NPY.encode(
                            NPYArray(shape: [count, merged.height, merged.width], values: .int32(merged.coverage))
                        )
                        .write(to: URL(fileURLWithPath: coverage), options: .atomic)
                        print("coverage: \(coverage)")
                    }
                    print(
                        "merged \(count) x \(v) views (\(reduction.rawValue)) -> \(output) (\(count), \(merged.channels), \(merged.height), \(merged.width))"
                    )
                } else {
                    guard array.shape.count == 3, array.shape[2] == 4 else {
                        fail("\(path): expected (N*V, B, 4), got \(array.shape)")
                    }
                    let b = array.shape[1]
                    let lists = (0..<(count * v)).map { i in
                        (0..<b).map { j in
                            let o = (i * b + j) * 4
                            return BoundingBox(x0: values[o], y0: values[o + 1], x1: values[o + 2], y1: values[o + 3])
                        }
                    }
                    let merged = try batch.mergeBoxes(lists)
                    let flat = merged.flatMap { $0.flatMap { [$0.x0, $0.y0, $0.x1, $0.y1] } }
                    try NPY.encode(NPYArray(shape: [count, b, 4], values: .float32(flat))).write(
                        to: URL(fileURLWithPath: output), options: .atomic)
                    print("merged \(count) x \(v) views of \(b) boxes (mean) -> \(output) (\(count), \(b), 4)")
                }
            } catch let error as ExitCode {
                throw error
            } catch let error as ValidationError {
                throw error
            } catch {
                fail(describe(error))
            }
        }
    }
}

extension TestTimeReduction: ExpressibleByArgument {}
