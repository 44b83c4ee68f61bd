// AugmentFuzz: feeds mutated .npy/PNG/JPEG files and malformed pipelines to the decoders, the
// pipeline parser and both backends, and counts crashes and hangs.
//
//     AugmentFuzz [--files N] [--pipelines N] [--seconds S] [--seed N] [--backends cpu,opencl]
//                 [--hang-seconds S] [--work DIR]
//
// A supervisor runs the cases in a worker process (this program with --worker). Before each case the
// worker writes the case number to a progress file; when the worker dies on a signal the supervisor
// records a crash for that case, when a case runs past --hang-seconds it kills the worker and
// records a hang; either way it restarts the worker after that case. Every case is a pure function
// of (seed, case number), so `--seed S --only K` replays case K, and the failing input is kept in
// the work folder (crash-K.* / hang-K.*). Exit status: 0 when nothing crashed or hung, 1 otherwise.
// Errors thrown by the library are the expected outcome for bad input and are only counted.

import Augment
import AugmentIO
import AugmentOpenCL
import Foundation
import _AugmentScaffolding

// MARK: - Options

/// What the cases reached (an error at any step is a clean refusal).
nonisolated(unsafe) var outcomes: [String: Int] = [:]
func count(_ what: String) { outcomes[what, default: 0] += 1 }

struct Options {
    var files = 200
    var pipelines = 500
    var seconds: Double = 60
    var seed: UInt64 = 1
    var backends = ["cpu", "opencl"]
    var hangSeconds: Double = 20
    var work = FileManager.default.temporaryDirectory.appendingPathComponent("augment-fuzz-\(getpid())").path
    var worker = false
    var start = 0
    var only: Int?
    var keepWork = false

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { fatalError("missing value after \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--files": files = Int(value()) ?? files
            case "--pipelines": pipelines = Int(value()) ?? pipelines
            case "--seconds": seconds = Double(value()) ?? seconds
            case "--seed": seed = UInt64(value()) ?? seed
            case "--backends": backends = value().split(separator: ",").map(String.init)
            case "--hang-seconds": hangSeconds = Double(value()) ?? hangSeconds
            case "--work": work = value(); keepWork = true
            case "--worker": worker = true
            case "--start": start = Int(value()) ?? 0
            case "--only": only = Int(value())
            case "--help", "-h":
                print(
                    "AugmentFuzz [--files N] [--pipelines N] [--seconds S] [--seed N] [--backends cpu,opencl] [--hang-seconds S] [--work DIR] [--only CASE]"
                )
                exit(0)
            default:
                FileHandle.standardError.write(Data("AugmentFuzz: unknown argument \(arguments[i])\n".utf8))
                exit(2)
            }
            i += 1
        }
    }

    var total: Int { files + pipelines }
}

/// SplitMix64: the fuzzer's own deterministic generator.
struct Random {
    var state: UInt64
    init(_ seed: UInt64, _ stream: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 ^ stream &* 0xD1B5_4A32_D192_ED03 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }
}

// MARK: - File cases

/// Valid files to mutate: PNGs of every colour type and depth, JPEGs, image arrays, labels.
func seedFiles() throws -> [(name: String, data: Data)] {
    var seeds: [(String, Data)] = []
    var random = Random(7, 7)
    for (channels, name) in [(1, "gray"), (2, "ga"), (3, "rgb"), (4, "rgba")] {
        let (h, w) = (random.int(3...17), random.int(3...17))
        let pixels = (0..<(h * w * channels)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let image = try DecodedImage(width: w, height: h, channels: channels, pixels: pixels)
        seeds.append(("\(name).png", try ImageCodecs.encodePNG(image, name: name)))
        if channels != 2 {
            seeds.append(("\(name).jpg", try ImageCodecs.encodeJPEG(image, quality: 80, name: name)))
        }
    }
    let u8 = NPYArray(values: .uint8((0..<(2 * 5 * 6 * 3)).map { UInt8($0 % 251) }), shape: [2, 5, 6, 3])
    let f32 = NPYArray(values: .float32((0..<(2 * 3 * 4 * 5)).map { Float($0) / 120 }), shape: [2, 3, 4, 5])
    let spec = NPYArray(values: .float32((0..<(2 * 8 * 12)).map { Float($0 % 7) }), shape: [2, 8, 12])
    let ids = NPYArray(values: .int64([0, 3]), shape: [2])
    let soft = NPYArray(values: .float32([0.5, 0.5, 1, 0]), shape: [2, 2])
    for (name, array) in [("u8.npy", u8), ("f32.npy", f32), ("spec.npy", spec), ("ids.npy", ids), ("soft.npy", soft)] {
        seeds.append((name, NPY.encode(array)))
    }
    return seeds
}

extension NPYArray {
    init(values: Values, shape: [Int]) { try! self.init(shape: shape, values: values) }
}

let interestingNumbers = [
    "0", "-1", "1", "2147483647", "2147483648", "4294967296", "4611686018427387904",
    "9223372036854775807", "9223372036854775808", "1152921504606846976", "65535", "65536", "100000",
]

/// One mutation of a seed file: bit flips, interesting bytes, truncation, splices, header fields.
func mutateFile(_ data: Data, name: String, random: inout Random) -> Data {
    var bytes = [UInt8](data)
    for _ in 0..<random.int(1...4) {
        guard !bytes.isEmpty else { break }
        switch random.int(0...7) {
        case 0:  // flip bits
            for _ in 0..<random.int(1...8) { bytes[random.int(0...(bytes.count - 1))] ^= UInt8(1 << random.int(0...7)) }
        case 1:  // interesting bytes
            for _ in 0..<random.int(1...4) {
                bytes[random.int(0...(bytes.count - 1))] = random.pick([0, 0xFF, 0x7F, 0x80, 0x01, 0xFE])
            }
        case 2:  // truncate
            bytes = Array(bytes.prefix(random.int(0...bytes.count)))
        case 3:  // insert or duplicate a run
            let start = random.int(0...(bytes.count - 1))
            let run = Array(bytes[start..<min(bytes.count, start + random.int(1...64))])
            bytes.insert(contentsOf: run, at: random.int(0...bytes.count))
        case 4:  // delete a run
            let start = random.int(0...(bytes.count - 1))
            bytes.removeSubrange(start..<min(bytes.count, start + random.int(1...32)))
        case 5:  // image size fields: PNG IHDR width/height, JPEG SOF height/width
            if name.hasSuffix(".png"), bytes.count >= 24 {
                for offset in random.chance(0.5) ? [16] : [16, 20] {
                    let v: UInt32 = random.pick([65535, 2_147_483_647, 20000, 0, 1, 100_000, 46341])
                    bytes[offset] = UInt8(v >> 24); bytes[offset + 1] = UInt8(v >> 16 & 0xFF)
                    bytes[offset + 2] = UInt8(v >> 8 & 0xFF); bytes[offset + 3] = UInt8(v & 0xFF)
                }
            } else if name.hasSuffix(".jpg"),
                let sof = (0..<max(0, bytes.count - 9)).first(where: {
                    bytes[$0] == 0xFF && (0xC0...0xC3).contains(bytes[$0 + 1])
                })
            {
                let v = UInt16(random.pick([65500, 65535, 20000, 0, 1, 4096]))
                let field = sof + random.pick([5, 7])
                bytes[field] = UInt8(v >> 8); bytes[field + 1] = UInt8(v & 0xFF)
                if random.chance(0.3) { bytes[sof + 1] = random.pick([0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC9, 0xCF]) }
            }
        case 6:  // .npy header: shape and dtype
            if name.hasSuffix(".npy"), let text = String(bytes: bytes.prefix(128), encoding: .ascii),
                let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")")
            {
                let dims = (0..<random.int(0...5)).map { _ in random.pick(interestingNumbers + ["2", "3", "5"]) }
                var shape = "(" + dims.joined(separator: ", ") + (dims.count == 1 ? ",)" : ")")
                if random.chance(0.1) { shape = random.pick(["(-1, 2)", "(2.5,)", "(,)", "((2,3),)", "(2 3)"]) }
                var header = text.replacingCharacters(in: open...close, with: shape)
                if random.chance(0.3) {
                    header = header.replacingOccurrences(
                        of: random.pick(["<f4", "|u1", "<i8"]),
                        with: random.pick(["<f8", ">f4", "|b1", "<u2", "<f2", "<i4", "|u1", "O"]))
                }
                bytes = Array(header.utf8) + bytes.dropFirst(128)
            } else {
                bytes[random.int(0...(bytes.count - 1))] = UInt8(truncatingIfNeeded: random.next())
            }
        default:  // overwrite a 4-byte field with an interesting integer
            if bytes.count >= 4 {
                let at = random.int(0...(bytes.count - 4))
                let v = random.pick([UInt32.max, 0x7FFF_FFFF, 0x8000_0000, 0, 0xFFFF, 0x10000])
                for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            }
        }
    }
    return Data(bytes)
}

/// Decodes a mutated file the way `augment apply` reads inputs and labels; decoded images go
/// through a small pipeline on every backend.
func runFileCase(_ index: Int, options: Options, seeds: [(name: String, data: Data)], backends: [any Backend]) throws {
    var random = Random(options.seed, UInt64(index))
    let seed = random.pick(seeds)
    let data = mutateFile(seed.data, name: seed.name, random: &random)
    let path = "\(options.work)/case-\(index)-\(seed.name)"
    try data.write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    if seed.name == "ids.npy" || seed.name == "soft.npy" {
        count(
            (try? BatchFiles.loadLabels(path, classCount: random.chance(0.5) ? nil : random.int(-2...20))) == nil
                ? "files refused" : "files decoded")
        return
    }
    let mode = random.pick(ImageReadMode.allCases)
    guard
        let loaded = try? BatchFiles.load(
            path, options: DecodeOptions(mode: mode, allowCorruptJPEG: random.chance(0.2)))
    else {
        count("files refused")
        return
    }
    count("files decoded")
    let pipeline = try PipelineFile.parse(
        Data(
            #"{"ops": [{"op": "resize", "size": [12, 10]}, {"op": "adjust_brightness", "brightness_factor": 1.3}, {"op": "random_horizontal_flip"}]}"#
                .utf8)
    ).pipeline
    try? run(pipeline, on: AugmentBatch(images: loaded.images), seed: UInt64(index), backends: backends)
}

// MARK: - Pipeline cases

/// Every catalog op, encoded as `{"op": NAME, ...}` with random valid arguments: the seed corpus.
func seedOps() -> [[String: Any]] {
    var ops: [[String: Any]] = []
    for (n, entry) in TransformCatalog.entries.enumerated() {
        var stream = RandomStream(RandomKey(seed: 3, sampleIndex: UInt64(n), opIndex: 0))
        guard let pipeline = try? entry.makePipeline(ImageGeometry(height: 24, width: 32, channels: 3), &stream) else {
            continue
        }
        for transform in pipeline.transforms {
            if var object = encodeOp(transform) { object["op"] = transform.opName; ops.append(object) }
        }
    }
    for entry in BuiltinPipelines.entries {
        if let object = try? JSONSerialization.jsonObject(with: Data(entry.trainJSON.utf8)) as? [String: Any],
            let list = object["ops"] as? [[String: Any]]
        {
            ops += list
        }
    }
    return ops
}

func encodeOp<T: Transform>(_ transform: T) -> [String: Any]? {
    guard let data = try? JSONEncoder().encode(transform) else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
}

nonisolated(unsafe) let interestingValues: [Any] = [
    0, -1, 1, 0.5, 2.5, -0.0, 1e308, -1e308, 9007199254740993, 2147483647, 4294967297,
    100000, 65536, 1e-300, "nan", "", "bilinear", true, NSNull(), [Any](), [1], [1, 2, 3],
    [0.1, 2.0], [[1, 2], [3, 4]], ["op": "hflip"], [-5, 5], [0, 100000],
]
let interestingKeys = [
    "p", "size", "height", "width", "transforms", "ops", "sigma", "kernel_size", "threshold",
    "num_magnitude_bins", "num_ops", "fill", "expand", "n", "degrees", "mean", "std", "max_size",
    "scale", "ratio", "padding", "num_classes", "bits", "Size", "kernelSize", "center", "magnitude",
]
let compositeNames = ["compose", "random_apply", "one_of", "some_of"]

func mutateValue(_ value: Any, random: inout Random, depth: Int) -> Any {
    if random.chance(0.5) { return random.pick(interestingValues) }
    switch value {
    case let number as NSNumber where !(value is Bool):
        return random.pick(
            [
                number.doubleValue * Double(random.int(-3...1000)), number.doubleValue + 0.5,
                -number.doubleValue, number.doubleValue * 1e6,
            ] as [Double])
    case let array as [Any]:
        var copy = array
        if !copy.isEmpty, random.chance(0.5) { copy.removeLast() } else { copy.append(random.pick(interestingValues)) }
        if !copy.isEmpty {
            copy[random.int(0...(copy.count - 1))] = mutateValue(copy[0], random: &random, depth: depth + 1)
        }
        return copy
    case let object as [String: Any]:
        return mutateOp(object, random: &random, depth: depth + 1)
    default:
        return random.pick(interestingValues)
    }
}

func mutateOp(_ op: [String: Any], random: inout Random, depth: Int) -> [String: Any] {
    var op = op
    for _ in 0..<random.int(0...3) {
        let keys = op.keys.filter { $0 != "op" }.sorted()
        switch random.int(0...6) {
        case 0 where !keys.isEmpty:
            op[random.pick(keys)] = mutateValue(op[random.pick(keys)]!, random: &random, depth: depth)
        case 1 where !keys.isEmpty: op.removeValue(forKey: random.pick(keys))
        case 2: op[random.pick(interestingKeys)] = random.pick(interestingValues)
        case 3:  // rename the op: CamelCase, typos, another op
            let name = op["op"] as? String ?? "hflip"
            op["op"] = random.pick([
                name.split(separator: "_").map { $0.capitalized }.joined(), String(name.dropLast()),
                random.pick(OpRegistry.opNames), name.uppercased(), "ToTensor",
            ])
        case 4 where !keys.isEmpty:  // null for an argument
            op[random.pick(keys)] = NSNull()
        case 5 where depth < 40:  // wrap in a composite (torchvision's "transforms" sometimes)
            op = [
                "op": random.pick(compositeNames), random.chance(0.2) ? "transforms" : "ops": [op],
                "p": random.pick([0.5, 1, 1.5, -1]),
            ]
        default: break
        }
    }
    return op
}

/// A random pipeline built from the corpus and mutated, as JSON bytes (sometimes mutated as text).
func makePipeline(_ index: Int, options: Options, corpus: [[String: Any]]) -> Data {
    var random = Random(options.seed, 0x5EED_0000 + UInt64(index))
    let light = random.chance(0.3)  // some pipelines stay valid, to reach the backends
    var ops: [Any] = (0..<random.int(0...4)).map { _ in
        light ? random.pick(corpus) : mutateOp(random.pick(corpus), random: &random, depth: 0)
    }
    if random.chance(0.05) {  // deep nesting
        var op: [String: Any] = random.pick(corpus)
        for _ in 0..<random.int(1...300) { op = ["op": random.pick(compositeNames), "ops": [op]] }
        ops.append(op)
    }
    if random.chance(0.05) { ops = Array(repeating: random.pick(corpus), count: random.int(1...2000)) }
    var root: [String: Any] = ["ops": ops]
    if random.chance(0.2) { root["seed"] = random.pick(interestingValues) }
    if random.chance(0.2) {
        root["output"] = random.pick(
            [["dtype": "uint8", "layout": "nhwc"], ["dtype": "float16"], ["dtype": "f64"], "x"] as [Any])
    }
    if random.chance(0.05) { root[random.pick(["sed", "Ops", "transforms"])] = 1 }
    var data = (try? JSONSerialization.data(withJSONObject: root)) ?? Data("{}".utf8)
    if random.chance(0.15) {  // text-level damage
        var bytes = [UInt8](data)
        for _ in 0..<random.int(1...3) where !bytes.isEmpty {
            let at = random.int(0...(bytes.count - 1))
            switch random.int(0...2) {
            case 0: bytes[at] = random.pick(Array("{}[],:\"0-.e".utf8))
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + random.int(1...8)))
            default:
                bytes.insert(
                    contentsOf: Array(random.pick(["[", "{\"op\":", "1e999", "null", "\"\\u0000\""]).utf8), at: at)
            }
        }
        data = Data(bytes)
    }
    return data
}

func runPipelineCase(_ index: Int, options: Options, corpus: [[String: Any]], backends: [any Backend]) throws {
    let data = makePipeline(index, options: options, corpus: corpus)
    let path = "\(options.work)/case-\(index)-pipeline.json"
    try data.write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard let file = try? PipelineFile.parse(data, name: path) else {
        count("pipelines refused by the parser")
        return
    }
    count("pipelines parsed")
    var random = Random(options.seed, 0xBA7C_0000 + UInt64(index))
    let images: ImageBatch
    switch random.int(0...3) {
    case 0:
        images = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 24, width: 32, channels: 3), pixelType: .uint8, layout: .nhwc,
            seed: 1)
    case 1:
        images = try ImageBatch.random(
            count: 3, geometry: ImageGeometry(height: 16, width: 16, channels: 1), pixelType: .float32, layout: .nchw,
            seed: 2)
    case 2:
        images = try ImageBatch(
            uint8HWC: [[UInt8](repeating: 90, count: 20 * 30 * 3), [UInt8](repeating: 200, count: 25 * 17 * 3)],
            sizes: [(20, 30), (25, 17)], channels: 3)
    default:
        images = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 20, width: 40, channels: 1), pixelType: .float32, layout: .nchw,
            seed: 3)
    }
    let classes = random.pick([2, 10, 1000])
    let labels = try LabelBatch(classIDs: (0..<images.count).map { $0 % classes }, classCount: classes)
    try? run(
        file.pipeline, on: AugmentBatch(images: images, labels: labels), seed: file.seed ?? UInt64(index),
        backends: backends)
}

/// Samples, plans and runs on every backend; passes bigger than the fuzzer's budget are skipped
/// (the budget keeps a case short; the backends' own limits are tested elsewhere).
func run(_ pipeline: Pipeline, on batch: AugmentBatch, seed: UInt64, backends: [any Backend]) throws {
    let sampled: SampledPipeline, plan: Plan
    do {
        sampled = try pipeline.sample(for: batch.images, seed: seed)
        plan = try sampled.plan(for: batch.images)
        try CPUBackend(maxBufferBytes: 64 << 20).checkSizes(plan)
    } catch {
        count("refused by sampling or planning")
        throw error
    }
    for backend in backends {
        count((try? backend.run(plan, on: batch)) == nil ? "refused by \(backend.name)" : "ran on \(backend.name)")
    }
}

// MARK: - Worker and supervisor

func worker(_ options: Options) throws -> Never {
    var backends: [any Backend] = []
    if options.backends.contains("cpu") { backends.append(CPUBackend(maxBufferBytes: 64 << 20)) }
    if options.backends.contains("opencl") {
        if let opencl = try? OpenCLBackend() {
            backends.append(opencl)
        } else {
            FileHandle.standardError.write(Data("AugmentFuzz: no OpenCL device; fuzzing the CPU backend only\n".utf8))
        }
    }
    let seeds = try seedFiles()
    let corpus = seedOps()
    let progress = FileHandle(forWritingAtPath: "\(options.work)/progress")!
    let end = options.only.map { $0 + 1 } ?? options.total
    let supervisor = getppid()
    for index in (options.only ?? options.start)..<end {
        if options.only == nil, getppid() != supervisor { exit(3) }  // the supervisor is gone
        progress.seek(toFileOffset: 0)
        progress.write(Data(String(format: "%-20d\n", index).utf8))
        if index < options.files {
            try? runFileCase(index, options: options, seeds: seeds, backends: backends)
        } else {
            try? runPipelineCase(index, options: options, corpus: corpus, backends: backends)
        }
        // Written after every case, so the counts of a worker that is killed later still count.
        let text = outcomes.map { "\($0.key)\t\($0.value)" }.joined(separator: "\n")
        try? text.write(toFile: "\(options.work)/outcomes-\(getpid())", atomically: false, encoding: .utf8)
    }
    exit(0)
}

func supervise(_ options: Options) throws -> Int32 {
    try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
    let progressPath = "\(options.work)/progress"
    let deadline = Date().addingTimeInterval(options.seconds)
    var next = options.start
    var crashes: [Int] = [], hangs: [Int] = []
    var finished = 0
    var timedOut = false
    while next < options.total, !timedOut {
        guard
            FileManager.default.createFile(
                atPath: progressPath, contents: Data(String(format: "%-20d\n", next).utf8))
        else {
            FileHandle.standardError.write(Data("augment-fuzz: cannot write \(progressPath)\n".utf8))
            exit(2)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            .resolvingSymlinksInPath()
        process.arguments = [
            "--worker", "--start", "\(next)", "--files", "\(options.files)", "--pipelines", "\(options.pipelines)",
            "--seed", "\(options.seed)", "--backends", options.backends.joined(separator: ","), "--work", options.work,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var current = next, since = Date()
        func currentCase() -> Int {
            (try? String(contentsOfFile: progressPath, encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            } ?? current
        }
        var hung = false
        while process.isRunning {
            usleep(20_000)
            let now = currentCase()
            if now != current { current = now; since = Date() }
            if Date().timeIntervalSince(since) > options.hangSeconds {
                kill(process.processIdentifier, SIGKILL)
                hung = true
            } else if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                timedOut = true
            }
        }
        process.waitUntilExit()
        let last = currentCase()
        if timedOut && !hung {
            finished += last - next
            break
        }
        if process.terminationReason == .exit && process.terminationStatus == 0 && !hung {
            finished += options.total - next
            next = options.total
            break
        }
        (hung ? { hangs.append(last) } : { crashes.append(last) })()
        let kind = hung ? "hang" : "crash"
        FileHandle.standardError.write(
            Data(
                "AugmentFuzz: \(kind) in case \(last) (replay: --seed \(options.seed) --only \(last) --files \(options.files) --pipelines \(options.pipelines))\n"
                    .utf8))
        if let kept = try? FileManager.default.contentsOfDirectory(atPath: options.work).first(where: {
            $0.hasPrefix("case-\(last)-")
        }) {
            try? FileManager.default.moveItem(
                atPath: "\(options.work)/\(kept)", toPath: "\(options.work)/\(kind)-\(kept)")
        }
        finished += last + 1 - next
        next = last + 1
    }
    var totals: [String: Int] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: options.work)) ?? []
    where name.hasPrefix("outcomes-") {
        for line in ((try? String(contentsOfFile: "\(options.work)/\(name)", encoding: .utf8)) ?? "").split(
            separator: "\n")
        {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let n = Int(parts[1]) { totals[String(parts[0]), default: 0] += n }
        }
    }
    print(
        "fuzz: outcomes: " + totals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    let fileCases = min(finished, options.files)
    let pipelineCases = max(0, finished - options.files)
    print(
        "fuzz: seed \(options.seed), backends \(options.backends.joined(separator: ",")): \(fileCases) of \(options.files) files, \(pipelineCases) of \(options.pipelines) pipelines; \(crashes.count) crashes, \(hangs.count) hangs\(timedOut ? " (stopped at the \(Int(options.seconds)) s budget)" : "")"
    )
    if !crashes.isEmpty || !hangs.isEmpty {
        print("fuzz: kept the failing inputs in \(options.work)")
        return 1
    }
    if !options.keepWork { try? FileManager.default.removeItem(atPath: options.work) }
    return 0
}

let options = Options(CommandLine.arguments)
if options.worker {
    try worker(options)
}
if options.only != nil {
    try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: "\(options.work)/progress", contents: nil) else {
        FileHandle.standardError.write(Data("augment-fuzz: cannot create \(options.work)/progress\n".utf8))
        exit(2)
    }
    try worker(options)
}
exit(try supervise(options))
