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
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw AugmentError.invalidArgument(op: name, argument: "(file)", value: "not valid JSON",
                                               allowed: "a JSON object {\"ops\": [...]} (\(error.localizedDescription))")
        }
        guard let object = root as? [String: Any] else {
            throw AugmentError.invalidArgument(op: name, argument: "(file)", value: "\(type(of: root))",
                                               allowed: "a JSON object with an \"ops\" array")
        }
        let known: Set<String> = ["seed", "ops", "output", "name", "description", "views", "input"]
        if let extra = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw AugmentError.unknownName(op: name, what: "key", name: extra, known: known.sorted(),
                                           suggestion: suggestion(for: extra, among: known.sorted()))
        }
        if object["views"] != nil, object["ops"] != nil {
            throw AugmentError.invalidArgument(op: name, argument: "views", value: "given together with \"ops\"",
                                               allowed: "either \"ops\" (one pipeline) or \"views\" (view groups, each with its own \"ops\")")
        }
        guard let ops = object["ops"] as? [Any] ?? (object["views"] != nil ? [] : nil) else {
            throw AugmentError.invalidArgument(op: name, argument: "ops", value: "missing or not an array",
                                               allowed: "an array of {\"op\": NAME, ...arguments}")
        }
        var seed: UInt64?
        if let value = object["seed"] {
            guard let number = value as? NSNumber, let exact = UInt64(exactly: number.doubleValue) else {
                throw AugmentError.invalidArgument(op: name, argument: "seed", value: "\(value)",
                                                   allowed: "an integer in [0, 2^64)")
            }
            seed = exact
        }
        var output = OutputFormat.float32NCHW
        if let value = object["output"] {
            output = try parseOutput(value, name: name)
        }
        var input = PipelineInput.image
        if let value = object["input"] {
            guard let text = value as? String, let kind = PipelineInput(rawValue: text) else {
                throw AugmentError.invalidArgument(op: name, argument: "input", value: "\(value)",
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
                throw AugmentError.wrongType(op: "\(opName) (\(opLabel))", argument: "per_frame", expected: "true or false")
            }
            let transform = try parseOp(dict, label: opLabel)
            if bool {
                guard !MultiCopySampling.isMixing(transform) else {
                    throw AugmentError.invalidArgument(op: "\(opName) (\(opLabel))", argument: "per_frame", value: "true",
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
            throw AugmentError.invalidArgument(op: name, argument: "views", value: "\(value)",
                                               allowed: "a non-empty array of {\"name\": NAME, \"count\": N, \"ops\": [...]}")
        }
        let groups = try list.enumerated().map { i, element -> ViewGroup in
            let label = "views[\(i)]"
            guard let dict = element as? [String: Any] else {
                throw AugmentError.invalidArgument(op: label, argument: "(group)", value: "\(element)",
                                                   allowed: "an object {\"name\": NAME, \"count\": N, \"ops\": [...]}")
            }
            let known = ["count", "name", "ops", "output"]
            if let extra = dict.keys.sorted().first(where: { !known.contains($0) }) {
                throw AugmentError.unknownName(op: label, what: "key", name: extra, known: known,
                                               suggestion: suggestion(for: extra, among: known))
            }
            guard let groupName = dict["name"] as? String else {
                throw AugmentError.missingArgument(op: label, argument: "name", expected: "a string naming the group")
            }
            var count = 1
            if let raw = dict["count"] {
                guard let number = raw as? NSNumber,
                      let exact = Int(exactly: number.doubleValue),
                      (1...MultiViewPipeline.maxViewsPerGroup).contains(exact) else {
                    throw AugmentError.invalidArgument(op: "\(label) (\(groupName))", argument: "count", value: "\(raw)",
                                                       allowed: "an integer in [1, \(MultiViewPipeline.maxViewsPerGroup)]")
                }
                count = exact
            }
            guard let ops = dict["ops"] as? [Any] else {
                throw AugmentError.invalidArgument(op: "\(label) (\(groupName))", argument: "ops", value: "missing or not an array",
                                                   allowed: "an array of {\"op\": NAME, ...arguments}")
            }
            let groupOutput = try dict["output"].map { try parseOutput($0, name: label) } ?? output
            return ViewGroup(name: groupName, count: count, pipeline: try parseOps(ops, output: groupOutput, label: "\(label)."))
        }
        return try MultiViewPipeline(groups)
    }

    private static func parseOutput(_ value: Any, name: String) throws -> OutputFormat {
        guard let dict = value as? [String: Any] else {
            throw AugmentError.invalidArgument(op: name, argument: "output", value: "\(value)",
                                               allowed: "{\"dtype\": \"float32\"|\"float16\"|\"uint8\", \"layout\": \"nchw\"|\"nhwc\"}")
        }
        var format = OutputFormat.float32NCHW
        for (key, raw) in dict {
            switch key {
            case "dtype":
                guard let text = raw as? String, let type = PixelType(rawValue: text) else {
                    throw AugmentError.invalidArgument(op: "output", argument: "dtype", value: "\(raw)", allowed: "\"float32\", \"float16\" or \"uint8\"")
                }
                format.pixelType = type
            case "layout":
                guard let text = raw as? String, let layout = ImageLayout(rawValue: text.lowercased()) else {
                    throw AugmentError.invalidArgument(op: "output", argument: "layout", value: "\(raw)", allowed: "\"nchw\" or \"nhwc\"")
                }
                format.layout = layout
            default:
                throw AugmentError.unknownName(op: "output", what: "key", name: key, known: ["dtype", "layout"],
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
            throw AugmentError.invalidArgument(op: label, argument: "(op)", value: "\(value)", allowed: "an object {\"op\": NAME, ...}")
        }
        guard let name = dict.removeValue(forKey: "op") as? String else {
            throw AugmentError.missingArgument(op: label, argument: "op", expected: "an op name: \(OpRegistry.opNames.joined(separator: ", "))")
        }
        guard let type = OpRegistry.type(named: name, input: PipelineInput.parsing) else {
            throw AugmentError.unknownName(op: label, what: "op", name: name, known: OpRegistry.opNames,
                                           suggestion: suggestion(for: name, among: OpRegistry.opNames))
        }
        if PipelineInput.parsing == .depth, OpRegistry.colorOpNames.contains(name) {
            throw AugmentError.invalidArgument(op: "\(name) (\(label))", argument: "(input)", value: "depth",
                                               allowed: "ops that keep depth values meaningful (geometric ops, noise, blur, random_dropout): colour ops do not apply to depth maps")
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
        let data = try JSONSerialization.data(withJSONObject: arguments)
        let transform: T
        do {
            let decoder = JSONDecoder()
            decoder.userInfo[opLabelKey] = label  // composites name their nested ops after it
            transform = try decoder.decode(T.self, from: data)
        } catch let error as AugmentError {
            throw error.relabeled(label, from: T.opName)
        } catch let error as DecodingError {
            // A required argument that is "missing" because it was misspelled: report the spelling.
            if case .keyNotFound(let key, _) = error,
               let typo = arguments.keys.sorted().first(where: { suggestion(for: $0, among: [key.stringValue]) != nil }) {
                throw AugmentError.unknownName(op: label, what: "argument", name: typo, known: [key.stringValue],
                                               suggestion: key.stringValue)
            }
            throw describe(error, label: label)
        }
        let known = try knownArguments(of: transform).sorted()
        if let unknown = arguments.keys.sorted().first(where: { !known.contains($0) }) {
            throw AugmentError.unknownName(op: label, what: "argument", name: unknown, known: known,
                                           suggestion: suggestion(for: unknown, among: known))
        }
        return transform
    }

    /// The argument names an op writes when encoded.
    static func knownArguments<T: Transform>(of transform: T) throws -> Set<String> {
        let encoded = try JSONEncoder().encode(transform)
        let object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any]
        return Set(object?.keys ?? [:].keys)
    }

    private static func describe(_ error: DecodingError, label: String) -> AugmentError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _):
            return .missingArgument(op: label, argument: key.stringValue, expected: "a value (this argument is required)")
        case .typeMismatch(let type, let context):
            return .wrongType(op: label, argument: path(context), expected: jsonTypeName(type))
        case .valueNotFound(let type, let context):
            return .wrongType(op: label, argument: path(context), expected: "\(jsonTypeName(type)), not null")
        case .dataCorrupted(let context):
            return .invalidArgument(op: label, argument: path(context), value: "invalid", allowed: context.debugDescription)
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
