import Augment
import Foundation

// Catalog entries derived from the ops' argument declarations (``OpArgument``): each argument with
// a catalog span (or a list of allowed names, or a bool) is drawn at random, the op object is
// written as a pipeline file writes it and decoded through the op registry, so the entry exercises
// decoding and validation as well as the kernels. A new op with declared arguments gets an entry
// without catalog code; ops whose draws depend on the image (crop boxes, per-channel values) or
// whose arguments must agree with each other keep hand-written entries.

extension TransformCatalog {
    /// Draws one value for an argument, as JSON, or nil when the catalog leaves it at its default.
    static func drawJSON(_ argument: OpArgumentInfo, _ random: inout RandomStream) -> Any? {
        if let choices = argument.choices, !choices.isEmpty {
            // Names are drawn only when the declaration asks (any catalog span): some pairings of
            // names are invalid (mixing ops' mode and partner).
            guard argument.catalog != nil else { return nil }
            return choices[random.integer(in: 0...(choices.count - 1))]
        }
        if argument.type == "bool" { return random.bernoulli(0.5) }
        guard let span = argument.catalog else { return nil }
        let integer = argument.type.contains("integer") && !argument.type.contains("number")
        func one(_ random: inout RandomStream) -> Any {
            integer
                ? random.integer(in: Int(span.lowerBound.rounded(.up))...Int(span.upperBound.rounded(.down)))
                : random.uniform(span.lowerBound, span.upperBound)
        }
        if argument.type.hasPrefix("number or [min, max]") {
            let a = random.uniform(span.lowerBound, span.upperBound)
            let b = random.uniform(span.lowerBound, span.upperBound)
            return [min(a, b), max(a, b)]
        }
        if argument.type.contains("list of") {
            return (0..<(argument.catalogCount ?? 1)).map { _ in one(&random) }
        }
        return one(&random)
    }

    /// The entry of a described op from its declarations, or nil when a required argument has no
    /// catalog draw (such ops need a hand-written entry).
    public static func derivedEntry(
        for type: any DescribedArguments.Type, name: String? = nil, channelCounts: Set<Int>? = nil,
        input: PipelineInput = .image
    ) -> CatalogEntry? {
        let arguments = type.arguments
        var probe = RandomStream(RandomKey(seed: 1, sampleIndex: 0, opIndex: 0))
        guard arguments.allSatisfy({ !$0.isRequired || drawJSON($0, &probe) != nil }) else { return nil }
        let opName = type.opName
        let make: @Sendable (ImageGeometry, inout RandomStream) throws -> Pipeline = { _, random in
            var object: [String: Any] = ["op": opName]
            for argument in arguments {
                if let value = drawJSON(argument, &random) { object[argument.name] = value }
            }
            let file: [String: Any] = ["input": input.rawValue, "ops": [object]]
            let data = try JSONSerialization.data(withJSONObject: file)
            return try PipelineFile.parse(data, name: "catalog entry \(opName)").pipeline
        }
        if input == .signal {
            return .signal(name ?? opName, makePipeline: make)
        }
        return CatalogEntry(
            name: name ?? opName, pixelTypes: input == .spectrogram ? [.float32] : [.uint8, .float32],
            channelCounts: channelCounts, makePipeline: make)
    }

    /// Derived entries of the ops named here (with the channel counts the entry is checked on).
    static func derivedEntries(_ ops: [(any DescribedArguments.Type, Set<Int>?)]) -> [CatalogEntry] {
        ops.map { type, channels in
            guard let entry = derivedEntry(for: type, channelCounts: channels) else {
                preconditionFailure("\(type.opName): a required argument has no catalog span in its declaration")
            }
            return entry
        }
    }
}
