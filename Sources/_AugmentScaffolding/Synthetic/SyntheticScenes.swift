import Augment
import Foundation

/// Deterministic synthetic images for demos, examples and benchmarks: gradient backgrounds, a
/// texture (stripes, checkerboard or smooth value noise) and a few anti-aliased shapes (discs,
/// rotated rectangles, triangles, rings). Scene `i` of a seed is always the same picture.
public enum SyntheticScenes {
    /// The kind of the largest shape in a scene, usable as a class label (4 classes).
    public enum ShapeClass: Int, CaseIterable, Sendable {
        case disc = 0, rectangle, triangle, ring
    }

    /// A uint8 NHWC batch of `count` RGB scenes.
    public static func batch(count: Int, height: Int = 256, width: Int = 256, seed: UInt64 = 1) throws -> ImageBatch {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(count * height * width * 3)
        for i in 0..<count {
            pixels += scene(index: i, height: height, width: width, seed: seed).pixels
        }
        return try ImageBatch(uint8NHWC: pixels, count: count, height: height, width: width, channels: 3)
    }

    /// A labelled classification set: `count` scenes with one shape each (its class is the label),
    /// as uint8 NHWC images and (N, 4) one-hot labels. Class i is every 4th scene.
    public static func classificationSet(count: Int, size: Int, seed: UInt64) throws -> AugmentBatch {
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for i in 0..<count {
            let (scene, label) = scene(
                index: i, height: size, width: size, seed: seed, shapes: 1,
                forcedClass: ShapeClass(rawValue: i % 4), textured: false)
            pixels += scene
            labels.append(label.rawValue)
        }
        return try AugmentBatch(
            images: ImageBatch(uint8NHWC: pixels, count: count, height: size, width: size, channels: 3),
            labels: LabelBatch(classIDs: labels, classCount: ShapeClass.allCases.count))
    }

    /// One scene as HWC RGB bytes, and the class of its dominant shape.
    public static func scene(
        index: Int, height: Int, width: Int, seed: UInt64, shapes requestedShapes: Int? = nil,
        forcedClass: ShapeClass? = nil, textured: Bool = true
    ) -> (pixels: [UInt8], label: ShapeClass) {
        var random = RandomStream(RandomKey(seed: seed, sampleIndex: UInt64(index), opIndex: 0x00AB_CDEF))
        let h = Double(height), w = Double(width)
        var image = [SIMD3<Double>](repeating: .zero, count: height * width)

        // Background: a linear or radial gradient between two colours.
        let drawnA = randomColor(&random, saturation: 0.55, value: 0.9)
        let drawnB = randomColor(&random, saturation: 0.7, value: 0.35)
        // Untextured scenes (the classification set) are light shapes on a dark background.
        let colorA = textured ? drawnA : drawnA * 0.15 + SIMD3(repeating: 0.08)
        let colorB = textured ? drawnB : drawnB * 0.15 + SIMD3(repeating: 0.05)
        let angle = random.uniform(0, 2 * .pi)
        let radial = random.bernoulli(0.4)
        let (cx, cy) = (random.uniform(0.2, 0.8) * w, random.uniform(0.2, 0.8) * h)
        // Texture: stripes, checkerboard or smooth noise, blended lightly.
        let texture = random.integer(in: 0...2)
        let period = random.uniform(10, 28)
        let textureAngle = random.uniform(0, .pi)
        let strength = textured ? random.uniform(0.08, 0.18) : 0
        let grid = (0..<(9 * 9)).map { _ in random.uniform(-1, 1) }
        for y in 0..<height {
            for x in 0..<width {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let t: Double
                if radial {
                    t = min(1, ((px - cx) * (px - cx) + (py - cy) * (py - cy)).squareRoot() / (0.75 * max(w, h)))
                } else {
                    t = min(1, max(0, 0.5 + ((px - w / 2) * cos(angle) + (py - h / 2) * sin(angle)) / max(w, h)))
                }
                var color = colorA * (1 - t) + colorB * t
                let u = px * cos(textureAngle) + py * sin(textureAngle)
                let v = -px * sin(textureAngle) + py * cos(textureAngle)
                let pattern: Double
                switch texture {
                case 0: pattern = sin(2 * .pi * u / period)
                case 1: pattern = (Int(floor(u / period)) + Int(floor(v / period))) % 2 == 0 ? 1 : -1
                default: pattern = valueNoise(px / w * 8, py / h * 8, grid: grid)
                }
                color += SIMD3(repeating: strength * pattern)
                image[y * width + x] = color
            }
        }

        // Shapes, largest first; the first one is the scene's class.
        let drawnShapes = random.integer(in: 3...5)
        let shapes = requestedShapes ?? drawnShapes
        var label = ShapeClass.disc
        for s in 0..<shapes {
            let size = (s == 0 ? random.uniform(0.22, 0.32) : random.uniform(0.07, 0.16)) * min(w, h)
            let (sx, sy) = (random.uniform(0.2, 0.8) * w, random.uniform(0.2, 0.8) * h)
            let drawnKind = ShapeClass(rawValue: random.integer(in: 0...3)) ?? .disc
            let kind = s == 0 ? (forcedClass ?? drawnKind) : drawnKind
            if s == 0 { label = kind }
            let rotation = random.uniform(0, .pi)
            let drawnFill = randomColor(&random, saturation: random.uniform(0.5, 0.95), value: random.uniform(0.6, 1))
            let fill = textured ? drawnFill : drawnFill * 0.25 + SIMD3(repeating: 0.7)
            let (c, sn) = (cos(rotation), sin(rotation))
            let y0 = max(0, Int(sy - 1.5 * size)), y1 = min(height - 1, Int(sy + 1.5 * size))
            let x0 = max(0, Int(sx - 1.5 * size)), x1 = min(width - 1, Int(sx + 1.5 * size))
            guard y0 <= y1, x0 <= x1 else { continue }
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = Double(x) + 0.5 - sx, dy = Double(y) + 0.5 - sy
                    let lx = dx * c + dy * sn, ly = -dx * sn + dy * c
                    // Signed distance (negative inside), then a 1-pixel anti-aliased edge.
                    let distance: Double
                    switch kind {
                    case .disc: distance = (lx * lx + ly * ly).squareRoot() - size
                    case .ring: distance = abs((lx * lx + ly * ly).squareRoot() - size * 0.8) - size * 0.22
                    case .rectangle:
                        let qx = abs(lx) - size, qy = abs(ly) - size * 0.6
                        distance =
                            (max(qx, 0) * max(qx, 0) + max(qy, 0) * max(qy, 0)).squareRoot() + min(max(qx, qy), 0)
                    case .triangle:
                        // Equilateral triangle of inradius size/2: the largest signed distance to
                        // its three edge lines (exact inside, close enough outside for a 1-px edge).
                        let k = 3.0.squareRoot() / 2
                        distance = max(-ly, max(k * lx + 0.5 * ly, -k * lx + 0.5 * ly)) - size * 0.5
                    }
                    let coverage = min(1, max(0, 0.5 - distance))
                    if coverage > 0 {
                        let i = y * width + x
                        let shade = 1 - 0.25 * (lx / size + ly / size) * 0.5
                        image[i] = image[i] * (1 - coverage) + fill * shade * coverage
                    }
                }
            }
        }
        let bytes = image.flatMap { color in
            [color.x, color.y, color.z].map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        }
        return (bytes, label)
    }

    private static func randomColor(_ random: inout RandomStream, saturation: Double, value: Double) -> SIMD3<Double> {
        let hue = random.uniform(0, 6)
        let chroma = value * saturation
        let x = chroma * (1 - abs(hue.truncatingRemainder(dividingBy: 2) - 1))
        let m = value - chroma
        let rgb: SIMD3<Double>
        switch Int(hue) {
        case 0: rgb = [chroma, x, 0]
        case 1: rgb = [x, chroma, 0]
        case 2: rgb = [0, chroma, x]
        case 3: rgb = [0, x, chroma]
        case 4: rgb = [x, 0, chroma]
        default: rgb = [chroma, 0, x]
        }
        return rgb + SIMD3(repeating: m)
    }

    /// Smooth noise in [-1, 1] from a 9x9 grid of values, bicubic-smoothstep interpolated.
    private static func valueNoise(_ x: Double, _ y: Double, grid: [Double]) -> Double {
        let ix = min(7, Int(x)), iy = min(7, Int(y))
        let fx = x - Double(ix), fy = y - Double(iy)
        let sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy)
        let a = grid[iy * 9 + ix], b = grid[iy * 9 + ix + 1]
        let c = grid[(iy + 1) * 9 + ix], d = grid[(iy + 1) * 9 + ix + 1]
        return (a * (1 - sx) + b * sx) * (1 - sy) + (c * (1 - sx) + d * sx) * sy
    }
}
