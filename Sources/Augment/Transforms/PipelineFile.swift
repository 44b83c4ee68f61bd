import Foundation

/// A pipeline as written in a JSON file:
///
///     {"seed": 7, "output": {"dtype": "float32", "layout": "nchw"}, "ops": [
///       {"op": "random_crop", "height": 224, "width": 224},
///       {"op": "random_horizontal_flip", "p": 0.5},
///       {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]}
///
/// Op and argument names follow torchvision.transforms.v2 in snake_case (docs/pipelines.md lists
/// them). An unknown op, a misspelled, missing or mistyped argument, or a value out of range is an
/// error naming the op (with its position), the argument and what is allowed.
public struct PipelineFile: Sendable {
    /// The file's pipeline; for a file with `"views"`, the first view group's (use ``views``).
    public var pipeline: Pipeline
    /// The file's seed, if it has one (command-line `--seed` overrides it).
    public var seed: UInt64?
    /// The view groups of a file that declares `"views"` instead of `"ops"`; nil otherwise.
    public var views: MultiViewPipeline?
    /// What the file's ops run on (`"input"`: "image", the default, "spectrogram" or "signal").
    public var input: PipelineInput = .image

    public init(pipeline: Pipeline, seed: UInt64? = nil, views: MultiViewPipeline? = nil) {
        self.pipeline = pipeline
        self.seed = seed
        self.views = views
    }

    /// Parses pipeline JSON; `name` appears in error messages.
    public static func parse(_ data: Data, name: String = "pipeline") throws -> PipelineFile {
        try checkNesting(data, name: name)
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw AugmentError.invalidArgument(
                op: name, argument: "(file)", value: "not valid JSON",
                allowed: "a JSON object {\"ops\": [...]} (\(error.localizedDescription))")
        }
        guard let object = root as? [String: Any] else {
            throw AugmentError.invalidArgument(
                op: name, argument: "(file)", value: "\(type(of: root))",
                allowed: "a JSON object with an \"ops\" array")
        }
        let known: Set<String> = ["seed", "ops", "output", "name", "description", "views", "input"]
        if let extra = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw AugmentError.unknownName(
                op: name, what: "key", name: extra, known: known.sorted(),
                suggestion: suggestion(for: extra, among: known.sorted()))
        }
        if object["views"] != nil, object["ops"] != nil {
            throw AugmentError.invalidArgument(
                op: name, argument: "views", value: "given together with \"ops\"",
                allowed: "either \"ops\" (one pipeline) or \"views\" (view groups, each with its own \"ops\")")
        }
        guard let ops = object["ops"] as? [Any] ?? (object["views"] != nil ? [] : nil) else {
            throw AugmentError.invalidArgument(
                op: name, argument: "ops", value: "missing or not an array",
                allowed: "an array of {\"op\": NAME, ...arguments}")
        }
        var seed: UInt64?
        if let value = object["seed"] {
            guard let exact = exactUInt64(value) else {
                throw AugmentError.invalidArgument(
                    op: name, argument: "seed", value: "\(value)",
                    allowed: "a whole number from 0 to 18446744073709551615 (2^64 - 1)")
            }
            seed = exact
        }
        var output = OutputFormat.float32NCHW
        if let value = object["output"] {
            output = try parseOutput(value, name: name)
        }
        // The limit counts every op of the file, nested ones and those of every view group included.
        var allOps = ops
        for group in object["views"] as? [Any] ?? [] {
            allOps += (group as? [String: Any])?["ops"] as? [Any] ?? []
        }
        let opCount = countOps(allOps)
        guard opCount <= maxOpCount else {
            throw AugmentError.incompatible(
                "\(name): the pipeline has \(opCount) ops (nested ones included), more than the limit of \(maxOpCount); a training pipeline needs a few dozen at most"
            )
        }
        var input = PipelineInput.image
        if let value = object["input"] {
            guard let text = value as? String, let kind = PipelineInput(rawValue: text) else {
                throw AugmentError.invalidArgument(
                    op: name, argument: "input", value: "\(value)",
                    allowed: PipelineInput.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
            input = kind
        }
        return try PipelineInput.$parsing.withValue(input) {
            if let value = object["views"] {
                let views = try parseViews(value, output: output, name: name)
                var file = PipelineFile(pipeline: views.groups[0].pipeline, seed: seed, views: views)
                file.input = input
                return file
            }
            var file = PipelineFile(pipeline: try parseOps(ops, output: output, label: ""), seed: seed)
            file.input = input
            return file
        }
    }

    /// An "ops" array as a pipeline: each op parsed strictly; `"per_frame": true` on a top-level
    /// op marks it in ``Pipeline/perFrameOpIndices``. `label` prefixes positions ("views[1].").
    static func parseOps(_ ops: [Any], output: OutputFormat, label: String) throws -> Pipeline {
        var perFrame: Set<Int> = []
        let transforms = try ops.enumerated().map { position, element -> any Transform in
            let opLabel = "\(label)ops[\(position)]"
            guard var dict = element as? [String: Any], let flag = dict.removeValue(forKey: "per_frame") else {
                return try parseOp(element, label: opLabel)
            }
            let opName = dict["op"] as? String ?? "op"
            guard let bool = flag as? Bool else {
                throw AugmentError.wrongType(
                    op: "\(opName) (\(opLabel))", argument: "per_frame", expected: "true or false")
            }
            let transform = try parseOp(dict, label: opLabel)
            if bool {
                guard !MultiCopySampling.isMixing(transform) else {
                    throw AugmentError.invalidArgument(
                        op: "\(opName) (\(opLabel))", argument: "per_frame", value: "true",
                        allowed: "false: mixing ops pair whole clips, with one lambda per clip")
                }
                perFrame.insert(position)
            }
            return transform
        }
        var pipeline = try Pipeline(transforms, output: output)
        pipeline.perFrameOpIndices = perFrame
        return pipeline
    }

    /// `"views": [{"name": "global", "count": 2, "ops": [...], "output": {...}}, ...]`; a group
    /// without "output" uses the file's.
    static func parseViews(_ value: Any, output: OutputFormat, name: String) throws -> MultiViewPipeline {
        guard let list = value as? [Any], !list.isEmpty else {
            throw AugmentError.invalidArgument(
                op: name, argument: "views", value: "\(value)",
                allowed: "a non-empty array of {\"name\": NAME, \"count\": N, \"ops\": [...]}")
        }
        let groups = try list.enumerated().map { i, element -> ViewGroup in
            let label = "views[\(i)]"
            guard let dict = element as? [String: Any] else {
                throw AugmentError.invalidArgument(
                    op: label, argument: "(group)", value: "\(element)",
                    allowed: "an object {\"name\": NAME, \"count\": N, \"ops\": [...]}")
            }
            let known = ["count", "name", "ops", "output"]
            if let extra = dict.keys.sorted().first(where: { !known.contains($0) }) {
                throw AugmentError.unknownName(
                    op: label, what: "key", name: extra, known: known,
                    suggestion: suggestion(for: extra, among: known))
            }
            guard let groupName = dict["name"] as? String else {
                throw AugmentError.missingArgument(op: label, argument: "name", expected: "a string naming the group")
            }
            var count = 1
            if let raw = dict["count"] {
                guard let number = raw as? NSNumber,
                    let exact = Int(exactly: number.doubleValue),
                    (1...MultiViewPipeline.maxViewsPerGroup).contains(exact)
                else {
                    throw AugmentError.invalidArgument(
                        op: "\(label) (\(groupName))", argument: "count", value: "\(raw)",
                        allowed: "an integer in [1, \(MultiViewPipeline.maxViewsPerGroup)]")
                }
                count = exact
            }
            guard let ops = dict["ops"] as? [Any] else {
                throw AugmentError.invalidArgument(
                    op: "\(label) (\(groupName))", argument: "ops", value: "missing or not an array",
                    allowed: "an array of {\"op\": NAME, ...arguments}")
            }
            let groupOutput = try dict["output"].map { try parseOutput($0, name: label) } ?? output
            return ViewGroup(
                name: groupName, count: count, pipeline: try parseOps(ops, output: groupOutput, label: "\(label)."))
        }
        return try MultiViewPipeline(groups)
    }

    private static func parseOutput(_ value: Any, name: String) throws -> OutputFormat {
        guard let dict = value as? [String: Any] else {
            throw AugmentError.invalidArgument(
                op: name, argument: "output", value: "\(value)",
                allowed: "{\"dtype\": \"float32\"|\"float16\"|\"uint8\"|\"uint16\", \"layout\": \"nchw\"|\"nhwc\"}")
        }
        var format = OutputFormat.float32NCHW
        for (key, raw) in dict {
            switch key {
            case "dtype":
                guard let text = raw as? String, let type = PixelType(rawValue: text) else {
                    throw AugmentError.invalidArgument(
                        op: "output", argument: "dtype", value: "\(raw)",
                        allowed:
                            "\"float32\", \"float16\", \"uint8\" or \"uint16\" (raw values, for uint16 input such as depth in millimetres)"
                    )
                }
                format.pixelType = type
            case "layout":
                guard let text = raw as? String, let layout = ImageLayout(rawValue: text.lowercased()) else {
                    throw AugmentError.invalidArgument(
                        op: "output", argument: "layout", value: "\(raw)", allowed: "\"nchw\" or \"nhwc\"")
                }
                format.layout = layout
            default:
                throw AugmentError.unknownName(
                    op: "output", what: "key", name: key, known: ["dtype", "layout"],
                    suggestion: suggestion(for: key, among: ["dtype", "layout"]))
            }
        }
        return format
    }

    /// One `{"op": NAME, ...}` object: the registered type decodes it, then every given key must be
    /// one the type knows (checked by encoding the decoded op back).
    public static func parseOp(_ value: Any, position: Int) throws -> any Transform {
        try parseOp(value, label: "ops[\(position)]")
    }

    /// One `{"op": NAME, ...}` object at `label` ("ops[2]", or "one_of (ops[2]).ops[1]" for an op
    /// nested in a composite's "ops").
    static func parseOp(_ value: Any, label: String) throws -> any Transform {
        guard var dict = value as? [String: Any] else {
            throw AugmentError.invalidArgument(
                op: label, argument: "(op)", value: "\(value)", allowed: "an object {\"op\": NAME, ...}")
        }
        guard let name = dict.removeValue(forKey: "op") as? String else {
            throw AugmentError.missingArgument(
                op: label, argument: "op", expected: "an op name: \(OpRegistry.opNames.joined(separator: ", "))")
        }
        guard let type = OpRegistry.type(named: name, input: PipelineInput.parsing) else {
            if torchvisionNames[snakeCase(name)] == "" {
                throw AugmentError.incompatible(
                    "\(label): '\(name)' is not an op here: conversions are the pipeline's \"output\" format ({\"output\": {\"dtype\": \"float32\", \"layout\": \"nchw\"}}); uint8 input is scaled to [0, 1] as torchvision's to_dtype(scale=True)"
                )
            }
            throw AugmentError.unknownName(
                op: label, what: "op", name: name, known: OpRegistry.opNames,
                suggestion: opSuggestion(for: name))
        }
        if PipelineInput.parsing == .depth, OpRegistry.colorOpNames.contains(name) {
            throw AugmentError.invalidArgument(
                op: "\(name) (\(label))", argument: "(input)", value: "depth",
                allowed:
                    "ops that keep depth values meaningful (geometric ops, noise, blur, random_dropout): colour ops do not apply to depth maps"
            )
        }
        // "channels": [...] on a colour op: the op inside color_channels (the other channels unchanged).
        if OpRegistry.colorOpNames.contains(name), let channels = dict.removeValue(forKey: "channels") {
            let opLabel = "\(name) (\(label))"
            let list = channels as? [Any] ?? []
            let indices = list.compactMap { ($0 as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } }
            guard channels is [Any], indices.count == list.count else {
                throw AugmentError.wrongType(
                    op: opLabel, argument: "channels", expected: "a list of channel indices, e.g. [0, 1, 2]")
            }
            dict["op"] = name
            return try ColorChannels([parseOp(dict, label: label)], channels: indices)
        }
        // "p": {"by_class": [...]} or {"class_balanced": {...}} on any op: the op with p = 1 inside
        // class_conditioned_apply, which draws each sample's choice with its class's probability.
        if type != ClassConditionedApply.self, let spec = dict["p"], spec is [String: Any] {
            let opLabel = "\(name) (\(label))"
            let value = try ClassValue.parse(spec, op: opLabel, argument: "p", range: 0...1)
            dict["p"] = 1
            return try ClassConditionedApply([decode(type, from: dict, label: opLabel)], p: value)
        }
        if Schedule.occurs(in: dict) {
            // Schedules anywhere in the op (nested ops of a composite included) make the whole op a
            // ScheduledOp, resolved per batch epoch (Schedules.swift).
            return try ScheduledOp(type: type, arguments: dict, label: label)
        }
        return try decode(type, from: dict, label: "\(name) (\(label))")
    }

    /// Decodes a registered type from its argument dictionary with strict key checking.
    static func decode<T: Transform>(_ type: T.Type, from arguments: [String: Any], label: String) throws -> T {
        var arguments = arguments
        var nested: NestedOps?
        if compositeOpNames.contains(T.opName) {
            // torchvision's RandomApply/RandomChoice/Compose call the list "transforms".
            if arguments["ops"] == nil, let transforms = arguments.removeValue(forKey: "transforms") {
                arguments["ops"] = transforms
            }
            // The nested ops go to the composite as they are, never re-serialized: each op of the
            // file is read once, so parsing stays linear in the file's size at any depth.
            if let ops = arguments["ops"] as? [Any] {
                arguments.removeValue(forKey: "ops")
                nested = NestedOps(values: ops)
            }
        }
        // torchvision's CenterCrop/RandomCrop take `size` (an int or [height, width]).
        if ["center_crop", "random_crop"].contains(T.opName), let size = arguments["size"],
            arguments["height"] == nil, arguments["width"] == nil
        {
            let values = (size as? [Any]) ?? [size]
            guard (1...2).contains(values.count), values.allSatisfy({ $0 is NSNumber && !($0 is Bool) }) else {
                throw AugmentError.wrongType(op: label, argument: "size", expected: "an integer or [height, width]")
            }
            arguments.removeValue(forKey: "size")
            arguments["height"] = values[0]
            arguments["width"] = values[values.count - 1]
        }
        let transform: T
        do {
            transform = try decodeOnce(T.self, from: arguments, nested: nested, label: label)
        } catch let error as AugmentError {
            throw error.relabeled(label, from: T.opName)
        } catch let error as DecodingError {
            // A required argument that is "missing" because it was misspelled: report the spelling.
            if case .keyNotFound(let key, _) = error {
                if compositeOpNames.contains(T.opName), key.stringValue == "ops" {
                    throw AugmentError.missingArgument(
                        op: label, argument: "ops",
                        expected: "an array of {\"op\": NAME, ...} (torchvision's \"transforms\" is read as \"ops\")")
                }
                if let typo = arguments.keys.sorted().first(where: {
                    suggestion(for: $0, among: [key.stringValue]) != nil
                }) {
                    throw AugmentError.unknownName(
                        op: label, what: "argument", name: typo, known: [key.stringValue],
                        suggestion: key.stringValue)
                }
            }
            throw describe(error, label: label, arguments: arguments)
        }
        var known = try knownArguments(of: transform)
        if nested != nil { known.insert("ops") }
        for key in arguments.keys.sorted() where !known.contains(key) {
            // null for an optional argument the op did not write back: known when the op reads the key.
            if arguments[key] is NSNull, readsArgument(T.self, key, arguments, nested: nested, label: label) {
                continue
            }
            let names = known.sorted()
            throw AugmentError.unknownName(
                op: label, what: "argument", name: key, known: names,
                suggestion: argumentSuggestion(for: key, op: T.opName, among: names))
        }
        return transform
    }

    private static func decodeOnce<T: Transform>(
        _ type: T.Type, from arguments: [String: Any], nested: NestedOps?,
        label: String
    ) throws -> T {
        let data = try JSONSerialization.data(withJSONObject: arguments)
        let decoder = JSONDecoder()
        decoder.userInfo[opLabelKey] = label  // composites name their nested ops after it
        if let nested { decoder.userInfo[nestedOpsKey] = nested }
        return try decoder.decode(T.self, from: data)
    }

    /// Whether `T` reads `key`: decoding again with a value of the wrong kind there fails naming it.
    private static func readsArgument<T: Transform>(
        _ type: T.Type, _ key: String, _ arguments: [String: Any],
        nested: NestedOps?, label: String
    ) -> Bool {
        var probe = arguments
        probe[key] = ["swift-augment probe": [true]]
        do {
            _ = try decodeOnce(T.self, from: probe, nested: nested, label: label)
            return false
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return context.codingPath.first?.stringValue == key
            case .keyNotFound(_, let context):
                return context.codingPath.first?.stringValue == key
            @unknown default:
                return false
            }
        } catch {
            return "\(error)".contains("'\(key)'")
        }
    }

    /// The composites, whose "ops" hold nested ops.
    static let compositeOpNames: Set<String> = ["compose", "random_apply", "one_of", "some_of", "color_channels"]

    /// Nested ops handed from ``decode(_:from:label:)`` to a composite's decoder.
    final class NestedOps: @unchecked Sendable {
        let values: [Any]
        init(values: [Any]) { self.values = values }
    }

    /// The `userInfo` key under which nested ops travel.
    static let nestedOpsKey = CodingUserInfoKey(rawValue: "swift-augment.nested-ops")!

    /// The most ops a pipeline file may hold, nested ones included: 256.
    public static let maxOpCount = 256

    /// The op objects in `ops`, nested ones included.
    static func countOps(_ ops: [Any]) -> Int {
        ops.reduce(0) { total, value in
            guard let object = value as? [String: Any] else { return total + 1 }
            let nested = (object["ops"] as? [Any]) ?? (object["transforms"] as? [Any]) ?? []
            return total + 1 + countOps(nested)
        }
    }

    /// How deep ops may nest (compose in one_of in random_apply ...): 32 levels.
    public static let maxNestingDepth = 32

    /// Refuses files nested deeper than ``maxNestingDepth`` levels of ops before parsing them (a
    /// level is an op object and its "ops" array; 4 more levels allow arrays inside arguments).
    static func checkNesting(_ data: Data, name: String) throws {
        let limit = 2 * maxNestingDepth + 4
        var depth = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= limit else {
                    throw AugmentError.incompatible(
                        "\(name): ops nest deeper than the limit of \(maxNestingDepth) levels (brackets more than \(limit) deep); a composite (compose, random_apply, one_of, some_of) inside another is one level: flatten the pipeline"
                    )
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    /// A whole number in 0 ... UInt64.max from a JSON number, exactly (2^64 - 1 included).
    static func exactUInt64(_ value: Any) -> UInt64? {
        guard let number = value as? NSNumber, !(value is Bool) else { return nil }
        let text = number.stringValue
        if let exact = UInt64(text) { return exact }
        let double = number.doubleValue
        guard double.isFinite, double >= 0, double < 18_446_744_073_709_551_616.0, double == double.rounded() else {
            return nil
        }
        return UInt64(exactly: double)
    }

    /// torchvision names that are spelled differently here (or are not ops at all).
    static let torchvisionNames: [String: String] = [
        "random_choice": "one_of", "random_order": "some_of", "grayscale": "rgb_to_grayscale",
        "to_grayscale": "rgb_to_grayscale", "gaussian_noise": "gaussian_noise", "rand_augment": "rand_augment",
        "trivial_augment": "trivial_augment_wide", "augmix": "aug_mix", "random_rotate": "random_rotation",
        "rotation": "rotate", "horizontal_flip": "hflip", "vertical_flip": "vflip", "to_tensor": "", "to_image": "",
        "to_dtype": "", "to_pil_image": "", "convert_image_dtype": "",
    ]

    /// "did you mean" for an op name: CamelCase and torchvision spellings map to this project's.
    static func opSuggestion(for name: String) -> String? {
        let snake = snakeCase(name)
        if let mapped = torchvisionNames[snake], !mapped.isEmpty { return mapped }
        if OpRegistry.type(named: snake) != nil { return snake }
        return suggestion(for: snake, among: OpRegistry.opNames) ?? suggestion(for: name, among: OpRegistry.opNames)
    }

    /// "RandomResizedCrop" -> "random_resized_crop"; "randomResizedCrop" and "random-resized-crop" too.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        let characters = Array(name)
        for (i, ch) in characters.enumerated() {
            if ch == "-" || ch == " " { out.append("_"); continue }
            if ch.isUppercase {
                let previous = i > 0 ? characters[i - 1] : nil
                let next = i + 1 < characters.count ? characters[i + 1] : nil
                if let previous, previous != "_",
                    previous.isLowercase || previous.isNumber || (next?.isLowercase ?? false)
                {
                    out.append("_")
                }
                out.append(contentsOf: ch.lowercased())
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// "did you mean" for an argument: torchvision's spellings first, then the closest name.
    static func argumentSuggestion(for key: String, op: String, among known: [String]) -> String? {
        let aliases: [String: String] = [
            "transforms": "ops", "kernel": "kernel_size", "prob": "p", "probability": "p",
            "degree": "degrees", "interpolation_mode": "interpolation",
        ]
        if let alias = aliases[key], known.contains(alias) { return alias }
        if key == "size", known.contains("height"), known.contains("width") { return "height and width" }
        return suggestion(for: key, among: known) ?? suggestion(for: snakeCase(key), among: known)
    }

    /// The argument names an op writes when encoded (its top-level keys only: nested values are
    /// not encoded, so the check costs the same at any depth).
    static func knownArguments<T: Transform>(of transform: T) throws -> Set<String> {
        let encoder = KeyRecordingEncoder()
        try transform.encode(to: encoder)
        return encoder.box.keys
    }

    private static func describe(_ error: DecodingError, label: String, arguments: [String: Any]) -> AugmentError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return .missingArgument(
                op: label, argument: key.stringValue, expected: "a value (this argument is required)")
        case .typeMismatch(let type, let context):
            if (type == Int.self || type == Int32.self || type == UInt64.self),
                let key = context.codingPath.first?.stringValue,
                let number = arguments[key] as? NSNumber, !(arguments[key] is Bool)
            {
                return .wrongType(op: label, argument: path(context), expected: "a whole number (got \(number))")
            }
            return .wrongType(op: label, argument: path(context), expected: jsonTypeName(type))
        case .valueNotFound(let type, let context):
            return .wrongType(op: label, argument: path(context), expected: "\(jsonTypeName(type)), not null")
        case .dataCorrupted(let context):
            // Foundation reports a fraction (or a huge number) for an integer without its key: find it.
            if context.debugDescription.contains("does not fit") || path(context).isEmpty {
                for key in arguments.keys.sorted() {
                    guard let number = arguments[key] as? NSNumber, !(arguments[key] is Bool) else { continue }
                    let value = number.doubleValue
                    if value != value.rounded() || abs(value) > 9.007_199_254_740_992e15 {
                        return .wrongType(op: label, argument: key, expected: "a whole number (got \(number))")
                    }
                }
            }
            return .invalidArgument(
                op: label, argument: path(context), value: "invalid", allowed: context.debugDescription)
        @unknown default:
            return .invalidArgument(op: label, argument: "(op)", value: "invalid", allowed: "\(error)")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int32.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is [Double].Type, is [Int].Type: return "an array of numbers"
        default: return "\(type)"
        }
    }

    /// The closest known name within edit distance 2, for "did you mean" hints.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = candidates.map { ($0, distance(Array(name), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }
}

extension AugmentError {
    /// The same error with the op label replaced by `label` (adds the op's position in the file),
    /// when the op `opName` itself raised it (an error of a nested op keeps its own label).
    func relabeled(_ label: String, from opName: String) -> AugmentError {
        if case .invalidArgument(let op, let argument, let value, let allowed) = self, op == opName {
            return .invalidArgument(op: label, argument: argument, value: value, allowed: allowed)
        }
        return self
    }
}

extension PipelineFile {
    /// The `userInfo` key under which ``decode(_:from:label:)`` passes an op's label (for example
    /// "one_of (ops[2])") to its decoder.
    static let opLabelKey = CodingUserInfoKey(rawValue: "swift-augment.op-label")!
}

/// An `Encoder` that records the top-level keys a value writes and nothing else.
final class KeyRecordingEncoder: Encoder {
    final class Box { var keys: Set<String> = [] }
    let box = Box()
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(box: box))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { Single() }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        var codingPath: [any CodingKey] = []
        mutating func encodeNil(forKey key: Key) throws { box.keys.insert(key.stringValue) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { box.keys.insert(key.stringValue) }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            box.keys.insert(key.stringValue)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: Box()))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            box.keys.insert(key.stringValue)
            return Unkeyed()
        }
        mutating func superEncoder() -> any Encoder { KeyRecordingEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            box.keys.insert(key.stringValue)
            return KeyRecordingEncoder()
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        var codingPath: [any CodingKey] = []
        var count = 0
        mutating func encodeNil() throws { count += 1 }
        mutating func encode<T: Encodable>(_ value: T) throws { count += 1 }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type
        ) -> KeyedEncodingContainer<NestedKey> {
            count += 1
            return KeyedEncodingContainer(Keyed<NestedKey>(box: Box()))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { count += 1; return Unkeyed() }
        mutating func superEncoder() -> any Encoder { KeyRecordingEncoder() }
    }

    struct Single: SingleValueEncodingContainer {
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {}
    }
}
