import Augment
import AugmentIO
import Foundation
import _AugmentScaffolding

/// The demo's pictures of clips, views and test-time augmentation (docs/clips.png, views.png,
/// tta.png are made by these).
enum MultiImageDemo {
    /// A synthetic clip: a 112x112 window panning across a scene, `frames` frames.
    static func panningClip(frames: Int, seed: UInt64) throws -> ClipBatch {
        let scene = try SyntheticScenes.batch(count: 1, height: 160, width: 160, seed: seed)
        let values = scene.uint8Values!
        var pixels: [UInt8] = []
        for t in 0..<frames {
            let (top, left) = (6 * t, 8 * t)
            for y in 0..<112 {
                for x in 0..<112 {
                    for c in 0..<3 {
                        pixels.append(values[((top + y) * 160 + left + x) * 3 + c])
                    }
                }
            }
        }
        return try ClipBatch(uint8NTHWC: pixels, count: 1, frameCount: frames, height: 112, width: 112, channels: 3)
    }

    static func pipeline(_ json: String) throws -> Pipeline {
        try PipelineFile.parse(Data(json.utf8), name: "demo").pipeline
    }

    static func save(_ sheet: ContactSheet, _ path: String) throws {
        try ImageCodecs.encodePNG(sheet.image, name: path).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Rows: the clip, two augmentations with clip-level parameters, one with per-frame colour.
    static func clips(runner: any Backend, output: String) throws -> String {
        let path = "\(output)/clips.png"
        let frames = 6
        let clip = try panningClip(frames: frames, seed: 2026)
        let shared = try pipeline(
            """
            {"ops": [{"op": "random_resized_crop", "size": 96, "scale": [0.3, 1.0]}, {"op": "random_horizontal_flip"},
                     {"op": "random_rotation", "degrees": 25, "interpolation": "bilinear"},
                     {"op": "color_jitter", "brightness": 0.5, "contrast": 0.5, "saturation": 0.5, "hue": 0.2}]}
            """)
        var perFrame = shared
        perFrame.perFrameOpIndices = [3]
        let rows = [
            ("original", clip),
            ("seed 1", try runner.apply(shared, to: clip, seed: 1)),
            ("seed 2", try runner.apply(shared, to: clip, seed: 2)),
            ("seed 1, colour per frame", try runner.apply(perFrame, to: clip, seed: 1)),
        ]
        var sheet = ContactSheet(
            rows: rows.count, columns: frames, cellWidth: 112, cellHeight: 112,
            title: "clips: one draw per clip, row 4 colour per frame",
            columnCaptions: (0..<frames).map { "frame \($0)" })
        for (r, row) in rows.enumerated() {
            for t in 0..<frames {
                sheet.place(try BatchFiles.decoded(row.1.frames, sample: t, path: path), row: r, column: t)
            }
        }
        try save(sheet, path)
        return path
    }

    /// Rows: images; columns: the original, two global views (96), four local views (48).
    static func views(runner: any Backend, output: String) throws -> String {
        let path = "\(output)/views.png"
        let images = try SyntheticScenes.batch(count: 3, height: 128, width: 128, seed: 2026)
        let file = try PipelineFile.parse(
            Data(
                """
                {"views": [
                  {"name": "global", "count": 2, "ops": [{"op": "random_resized_crop", "size": 96, "scale": [0.4, 1.0]},
                    {"op": "random_horizontal_flip"}, {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.2, "hue": 0.1}]},
                  {"name": "local", "count": 4, "ops": [{"op": "random_resized_crop", "size": 48, "scale": [0.05, 0.4]},
                    {"op": "random_horizontal_flip"}]}]}
                """.utf8), name: "views")
        let groups = try runner.apply(file.views!, to: images, seed: 7)
        var sheet = ContactSheet(
            rows: images.count, columns: 7, cellWidth: 128, cellHeight: 128,
            title: "views: 2 global (96) + 4 local (48) per image",
            columnCaptions: ["original", "global 0", "global 1", "local 0", "local 1", "local 2", "local 3"])
        for n in 0..<images.count {
            sheet.place(try BatchFiles.decoded(images, sample: n, path: path), row: n, column: 0)
            var column = 1
            for group in groups {
                for v in 0..<group.viewCount {
                    sheet.place(
                        try BatchFiles.decoded(group.batch.images, sample: n * group.viewCount + v, path: path),
                        row: n, column: column)
                    column += 1
                }
            }
        }
        try save(sheet, path)
        return path
    }

    /// Row 1: the ten_crop views; row 2: each view's "prediction" (the view itself) mapped back to
    /// the original frame; last column: the mean merge and how many views saw each pixel.
    static func tta(runner: any Backend, output: String) throws -> String {
        let path = "\(output)/tta.png"
        let image = try SyntheticScenes.batch(count: 1, height: 128, width: 128, seed: 2027)
        let tta = try TestTimeAugmentation([.tenCrop(height: 80, width: 80, verticalFlip: false)])
        let views = try tta.apply(to: image, on: runner)
        let predictions = views.images.float32Values!
        let columns = views.views.count + 2
        var sheet = ContactSheet(
            rows: 2, columns: columns, cellWidth: 128, cellHeight: 128,
            title: "tta: ten_crop 80 of 128, views mapped back, mean and coverage",
            columnCaptions: ["original"] + views.views.map { $0.name.replacingOccurrences(of: "ten_crop:", with: "") }
                + ["merged"])
        sheet.place(try BatchFiles.decoded(image, sample: 0, path: path), row: 0, column: 0)
        for k in views.views.indices {
            sheet.place(try BatchFiles.decoded(views.images, sample: k, path: path), row: 0, column: k + 1)
            let back = try views.inverseMap(predictions, channels: 3, view: k)
            let batch = try ImageBatch(float32NCHW: back.values, count: 1, channels: 3, height: 128, width: 128)
            sheet.place(try BatchFiles.decoded(batch, sample: 0, path: path), row: 1, column: k + 1)
        }
        let merged = try views.mergeMaps(predictions, channels: 3, reduction: .mean)
        let batch = try ImageBatch(float32NCHW: merged.values, count: 1, channels: 3, height: 128, width: 128)
        sheet.place(try BatchFiles.decoded(batch, sample: 0, path: path), row: 0, column: columns - 1)
        let coverage = merged.coverage.map(Float.init)
        sheet.place(
            try Colormap.image(coverage[...], rows: 128, columns: 128, low: 0, high: 10), row: 1, column: columns - 1)
        try save(sheet, path)
        return path
    }
}
