import Augment
import AugmentIO
import Foundation
import _AugmentScaffolding

extension MultiImageDemo {
    /// docs/saliency_mix.png: per row a scene, its partner with the saliency peak marked, the
    /// saliency_mix result with the pasted box outlined, and the label weights (the exact kept area).
    static func saliencyMix(runner: any Backend, output: String) throws -> String {
        let path = "\(output)/saliency_mix.png"
        let count = 4, size = 160
        let scenes = try SyntheticScenes.batch(count: count, height: size, width: size, seed: 2031)
        let ids = (0..<count).map { SyntheticScenes.scene(index: $0, height: 8, width: 8, seed: 2031).label.rawValue }
        let batch = try AugmentBatch(images: scenes, labels: LabelBatch(classIDs: ids, classCount: 4))
        let op = try SaliencyMix(alpha: 1, mode: .elem, partner: .reversed)
        let pipeline = try Pipeline([op])
        let sampled = try pipeline.sample(for: scenes, seed: 11)
        let parameters = sampled.ops[0].parameters as? [SaliencyMixParameters] ?? []
        let result = try runner.run(sampled.plan(for: scenes), on: batch)
        let floats = try CPUBackend().apply(Pipeline([]), to: AugmentBatch(images: scenes), seed: 0).images
        let g = scenes.geometry
        var sheet = ContactSheet(
            rows: count, columns: 4, cellWidth: size, cellHeight: size,
            title: "saliency_mix: box centred on the partner peak",
            columnCaptions: ["image", "partner + peak", "saliency_mix + box", "label weights"])
        func marked(_ image: DecodedImage, _ draw: (inout [UInt8], Int, Int) -> Void) throws -> DecodedImage {
            var pixels = image.pixels
            for y in 0..<image.height { for x in 0..<image.width { draw(&pixels, y, x) } }
            return try DecodedImage(width: image.width, height: image.height, channels: image.channels, pixels: pixels)
        }
        func paint(_ pixels: inout [UInt8], _ y: Int, _ x: Int, _ color: [UInt8]) {
            for c in 0..<3 { pixels[(y * size + x) * 3 + c] = color[c] }
        }
        for n in 0..<count {
            let p = parameters.indices.contains(n) ? parameters[n] : .unmixed(n)
            let peak = try SaliencyMix.saliencyPeak(of: floats, sample: p.partner)
            let box = SaliencyCut(cutHeight: p.cutHeight, cutWidth: p.cutWidth).box(
                centerRow: peak.row, centerColumn: peak.column, in: g)
            sheet.place(try BatchFiles.decoded(scenes, sample: n, path: path), row: n, column: 0)
            sheet.place(
                try marked(BatchFiles.decoded(scenes, sample: p.partner, path: path)) { pixels, y, x in
                    if (abs(y - peak.row) <= 6 && abs(x - peak.column) <= 1)
                        || (abs(x - peak.column) <= 6 && abs(y - peak.row) <= 1)
                    {
                        paint(&pixels, y, x, [255, 40, 200])
                    }
                }, row: n, column: 1)
            sheet.place(
                try marked(BatchFiles.decoded(result.images, sample: n, path: path)) { pixels, y, x in
                    let onRows = y >= box.top && y < box.bottom, onColumns = x >= box.left && x < box.right
                    if box.area > 0,
                        (onRows && (x == box.left || x == box.right - 1))
                            || (onColumns && (y == box.top || y == box.bottom - 1))
                    {
                        paint(&pixels, y, x, [255, 230, 40])
                    }
                }, row: n, column: 2)
            let (x0, y0) = sheet.origin(row: n, column: 3)
            let weights = result.labels.map { Array($0.row(n)) } ?? []
            var line = 0
            for (k, w) in weights.enumerated() where w > 0 {
                sheet.drawText(
                    String(format: "CLASS %d: %.3f", k, w), x: x0 + 4, y: y0 + 8 + 14 * line, scale: 1,
                    color: [235, 235, 240])
                line += 1
            }
            sheet.drawText(
                String(format: "AREA %d PX", box.area), x: x0 + 4, y: y0 + 8 + 14 * line, scale: 1,
                color: [170, 175, 185])
        }
        try save(sheet, path)
        return path
    }
}
