import Augment
import Foundation

/// Lays out images in a grid with margins, a separator after the first column (originals), and
/// optional captions drawn with a built-in 5x7 pixel font — the pictures `augment demo` writes.
public struct ContactSheet {
    public var cellWidth: Int
    public var cellHeight: Int
    public var rows: Int
    public var columns: Int
    public var margin = 12
    public var gap = 6
    public var separator = 10
    public var captionHeight = 0
    public var background: SIMD3<UInt8> = [24, 26, 30]
    private(set) var pixels: [UInt8]
    public let width: Int
    public let height: Int

    public init(
        rows: Int, columns: Int, cellWidth: Int, cellHeight: Int, title: String? = nil, columnCaptions: [String] = []
    ) {
        self.rows = rows
        self.columns = columns
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        let titleHeight = title == nil ? 0 : 2 * 7 + 14
        captionHeight = columnCaptions.isEmpty ? 0 : 7 + 8
        width = 2 * margin + columns * cellWidth + (columns - 1) * gap + separator
        height = 2 * margin + titleHeight + captionHeight + rows * cellHeight + (rows - 1) * gap
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.x
            pixels[3 * i + 1] = background.y
            pixels[3 * i + 2] = background.z
        }
        top = margin + titleHeight + captionHeight
        if let title { drawText(title.uppercased(), x: margin, y: margin, scale: 2, color: [235, 235, 240]) }
        for (column, caption) in columnCaptions.enumerated() where column < columns {
            let x = origin(row: 0, column: column).x
            let fitted = String(caption.uppercased().prefix(max(1, cellWidth / 6)))
            drawText(fitted, x: x, y: top - captionHeight + 2, scale: 1, color: [170, 175, 185])
        }
    }

    private var top: Int = 0

    /// Top-left corner of a cell.
    public func origin(row: Int, column: Int) -> (x: Int, y: Int) {
        let x = margin + column * (cellWidth + gap) + (column > 0 ? separator : 0)
        return (x, top + row * (cellHeight + gap))
    }

    /// Draws an 8-bit image (1, 3 or 4 channels) into a cell, centred, cropped if larger.
    public mutating func place(_ image: DecodedImage, row: Int, column: Int) {
        let (x0, y0) = origin(row: row, column: column)
        let offsetX = (cellWidth - image.width) / 2, offsetY = (cellHeight - image.height) / 2
        for y in 0..<min(image.height, cellHeight) {
            for x in 0..<min(image.width, cellWidth) {
                let tx = x0 + x + max(0, offsetX), ty = y0 + y + max(0, offsetY)
                let sx = x + max(0, -offsetX), sy = y + max(0, -offsetY)
                guard sx < image.width, sy < image.height, tx < width, ty < height else { continue }
                let source = (sy * image.width + sx) * image.channels
                let target = (ty * width + tx) * 3
                for c in 0..<3 {
                    pixels[target + c] = image.pixels[source + (image.channels == 1 ? 0 : c)]
                }
            }
        }
    }

    /// The sheet as an RGB image.
    public var image: DecodedImage {
        get throws { try DecodedImage(width: width, height: height, channels: 3, pixels: pixels) }
    }

    /// Draws `text` (A-Z, 0-9, space and - _ . , : ( ) / + = x %) at (x, y), `scale` pixels per dot.
    public mutating func drawText(_ text: String, x: Int, y: Int, scale: Int, color: SIMD3<UInt8>) {
        var cursor = x
        for character in text {
            let rows = PixelFont.glyph(character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<5 where bits & (1 << (4 - column)) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = cursor + column * scale + dx, py = y + row * scale + dy
                            guard px >= 0, px < width, py >= 0, py < height else { continue }
                            let i = (py * width + px) * 3
                            pixels[i] = color.x
                            pixels[i + 1] = color.y
                            pixels[i + 2] = color.z
                        }
                    }
                }
            }
            cursor += 6 * scale
        }
    }
}

/// Maps values to colours with a perceptually ordered colormap (viridis control points), for
/// spectrogram pictures.
public enum Colormap {
    static let viridis: [SIMD3<Double>] = [
        [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
        [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
    ]

    /// An RGB image of a (rows, columns) array, low frequencies at the bottom, values scaled from
    /// [low, high] (values outside are clamped).
    public static func image(
        _ values: ArraySlice<Float>, rows: Int, columns: Int, low: Float, high: Float
    ) throws -> DecodedImage {
        var pixels = [UInt8](repeating: 0, count: rows * columns * 3)
        let base = values.startIndex
        for r in 0..<rows {
            for c in 0..<columns {
                let v = values[base + r * columns + c]
                let t = v.isFinite ? Double(min(1, max(0, (v - low) / max(high - low, 1e-6)))) : 0
                let position = t * Double(viridis.count - 1)
                let i = min(viridis.count - 2, Int(position))
                let f = position - Double(i)
                let color = viridis[i] * (1 - f) + viridis[i + 1] * f
                let target = ((rows - 1 - r) * columns + c) * 3
                pixels[target] = UInt8(color.x.rounded())
                pixels[target + 1] = UInt8(color.y.rounded())
                pixels[target + 2] = UInt8(color.z.rounded())
            }
        }
        return try DecodedImage(width: columns, height: rows, channels: 3, pixels: pixels)
    }
}

extension DecodedImage {
    /// The image with every row repeated `factor` times (nearest neighbour), for short spectrograms.
    public func scaledVertically(by factor: Int) throws -> DecodedImage {
        let rowBytes = width * channels
        var rows: [UInt8] = []
        rows.reserveCapacity(pixels.count * factor)
        for y in 0..<height {
            let row = pixels[(y * rowBytes)..<((y + 1) * rowBytes)]
            for _ in 0..<max(1, factor) { rows += row }
        }
        return try DecodedImage(width: width, height: height * max(1, factor), channels: channels, pixels: rows)
    }
}

/// A 5x7 bitmap font (rows top to bottom, 5 bits each) for captions.
enum PixelFont {
    static func glyph(_ character: Character) -> [UInt8] {
        table[character] ?? table["?"] ?? []
    }

    static let table: [Character: [UInt8]] = [
        "A": [14, 17, 17, 31, 17, 17, 17], "B": [30, 17, 17, 30, 17, 17, 30], "C": [14, 17, 16, 16, 16, 17, 14],
        "D": [30, 17, 17, 17, 17, 17, 30], "E": [31, 16, 16, 30, 16, 16, 31], "F": [31, 16, 16, 30, 16, 16, 16],
        "G": [14, 17, 16, 23, 17, 17, 15], "H": [17, 17, 17, 31, 17, 17, 17], "I": [14, 4, 4, 4, 4, 4, 14],
        "J": [7, 2, 2, 2, 2, 18, 12], "K": [17, 18, 20, 24, 20, 18, 17], "L": [16, 16, 16, 16, 16, 16, 31],
        "M": [17, 27, 21, 21, 17, 17, 17], "N": [17, 17, 25, 21, 19, 17, 17], "O": [14, 17, 17, 17, 17, 17, 14],
        "P": [30, 17, 17, 30, 16, 16, 16], "Q": [14, 17, 17, 17, 21, 18, 13], "R": [30, 17, 17, 30, 20, 18, 17],
        "S": [15, 16, 16, 14, 1, 1, 30], "T": [31, 4, 4, 4, 4, 4, 4], "U": [17, 17, 17, 17, 17, 17, 14],
        "V": [17, 17, 17, 17, 17, 10, 4], "W": [17, 17, 17, 21, 21, 21, 10], "X": [17, 17, 10, 4, 10, 17, 17],
        "Y": [17, 17, 10, 4, 4, 4, 4], "Z": [31, 1, 2, 4, 8, 16, 31],
        "0": [14, 17, 19, 21, 25, 17, 14], "1": [4, 12, 4, 4, 4, 4, 14], "2": [14, 17, 1, 2, 4, 8, 31],
        "3": [31, 2, 4, 2, 1, 17, 14], "4": [2, 6, 10, 18, 31, 2, 2], "5": [31, 16, 30, 1, 1, 17, 14],
        "6": [6, 8, 16, 30, 17, 17, 14], "7": [31, 1, 2, 4, 8, 8, 8], "8": [14, 17, 17, 14, 17, 17, 14],
        "9": [14, 17, 17, 15, 1, 2, 12],
        " ": [0, 0, 0, 0, 0, 0, 0], "-": [0, 0, 0, 31, 0, 0, 0], "_": [0, 0, 0, 0, 0, 0, 31],
        ".": [0, 0, 0, 0, 0, 12, 12], ",": [0, 0, 0, 0, 12, 4, 8], ":": [0, 12, 12, 0, 12, 12, 0],
        "(": [2, 4, 8, 8, 8, 4, 2], ")": [8, 4, 2, 2, 2, 4, 8], "/": [1, 1, 2, 4, 8, 16, 16],
        "+": [0, 4, 4, 31, 4, 4, 0], "=": [0, 0, 31, 0, 31, 0, 0], "%": [24, 25, 2, 4, 8, 19, 3],
        "?": [14, 17, 1, 2, 4, 0, 4],
    ]
}
