import ArgumentParser
import Augment
import AugmentIO
import Foundation
import _AugmentScaffolding

/// Writes synthetic "photos" of mixed sizes and formats (and their class labels) for trying
/// `augment apply` without data of one's own; docs/getting-started.md uses them.
struct SamplePhotosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-photos",
        abstract: "Write synthetic photos of mixed sizes (PNG, JPEG, one greyscale, one with alpha) to try apply on.",
        discussion: """
            Each photo is a scene of shapes (class = its largest shape: 0 disc, 1 rectangle, 2 triangle, \
            3 ring). --labels writes those classes as int64 class ids (N,), in the order of the file names.
            """
    )

    @Option(help: "Folder to create for the photos (must not exist unless --force).")
    var output = "photos"

    @Option(help: "Number of photos, 1...1000.")
    var count = 8

    @Option(help: "Also write the photos' class ids (N,) int64 to this .npy file.")
    var labels: String?

    @Option(help: "Seed of the scenes.")
    var seed: UInt64 = 1

    @Flag(help: "Replace the folder and labels file if they exist.")
    var force = false

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("--count must be in 1...1000") }
    }

    func run() throws {
        let outputs = OutputTransaction(force: force)
        do {
            let folder = try outputs.stage(output, flag: "--output")
            let labelsPath = try labels.map { try outputs.stage($0, flag: "--labels") }
            InterruptCleanup.install()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            var classes: [Int64] = []
            let sizes = [(240, 320), (256, 256), (300, 200), (375, 500), (224, 298)]
            for i in 0..<count {
                let (height, width) = sizes[i % sizes.count]
                let (pixels, label) = SyntheticScenes.scene(index: i, height: height, width: width, seed: seed)
                classes.append(Int64(label.rawValue))
                var image = try DecodedImage(width: width, height: height, channels: 3, pixels: pixels)
                let name = String(format: "photo_%03d", i)
                let data: Data
                switch i % 4 {
                case 1:
                    data = try ImageCodecs.encodeJPEG(image, quality: 90, name: name)
                case 2:  // greyscale
                    image = try ImageCodecs.convert(image, to: .gray)
                    data = try ImageCodecs.encodePNG(image, name: name)
                case 3:  // with an alpha channel
                    let rgba: [UInt8] = (0..<(width * height)).flatMap { (p: Int) -> [UInt8] in
                        Array(pixels[(p * 3)..<(p * 3 + 3)]) + [255]
                    }
                    data = try ImageCodecs.encodePNG(
                        DecodedImage(width: width, height: height, channels: 4, pixels: rgba), name: name)
                default:
                    data = try ImageCodecs.encodePNG(image, name: name)
                }
                try TemporaryFiles.writeInside(data, to: "\(folder)/\(name).\(i % 4 == 1 ? "jpg" : "png")")
            }
            if let labelsPath {
                try TemporaryFiles.write(NPY.encode(NPYArray(shape: [count], values: .int64(classes))), to: labelsPath)
            }
            try outputs.commit()
            print(
                "wrote \(count) photos to \(output) (five sizes from 224x298 to 375x500, height x width; PNG, JPEG, greyscale, RGBA)"
            )
            if let labels { print("labels: \(labels) (\(count) int64 class ids, 4 classes)") }
        } catch {
            outputs.rollback()
            fail(describe(error))
        }
    }
}
