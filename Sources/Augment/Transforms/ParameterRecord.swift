import Foundation

/// Sampled parameters on disk: everything needed to replay a batch's augmentation exactly.
///
///     {"format": "swift-augment-parameters/1", "seed": 7, "epoch": 0, "first_sample_index": 0,
///      "count": 2, "input": {"height": 256, "width": 256, "channels": 3},
///      "ops": [{"op": "random_crop", "parameters": [{"top": 3, "left": 17}, {"top": 0, "left": 5}]}, ...]}
///
/// Replaying a record through the pipeline it was made with reproduces the outputs bit for bit on
/// the same backend, and within parity tolerance on the other.
public enum ParameterRecord {
    public static let format = "swift-augment-parameters/1"

    /// Encodes the sampled parameters of a batch.
    public static func encode(
        _ sampled: SampledPipeline, seed: UInt64?, epoch: UInt64, firstSampleIndex: UInt64
    ) throws -> Data {
        var ops: [[String: Any]] = []
        for op in sampled.ops {
            ops.append(["op": op.opName, "parameters": try encodeParameters(op)])
        }
        var root: [String: Any] = [
            "format": format, "count": sampled.count, "epoch": epoch, "first_sample_index": firstSampleIndex,
            "input": [
                "height": sampled.inputGeometry.height, "width": sampled.inputGeometry.width,
                "channels": sampled.inputGeometry.channels,
            ],
            "ops": ops,
        ]
        if let seed { root["seed"] = seed }
        return try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
    }

    private static func encodeParameters(_ op: SampledOp) throws -> Any {
        guard let values = op.parameters as? any Encodable else {
            throw AugmentError.parameterMismatch("\(op.opName): parameters cannot be encoded")
        }
        let data = try JSONEncoder().encode(values)
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Decodes a record for `pipeline`, checking that its ops match the pipeline's, op by op.
    public static func decode(
        _ data: Data, for pipeline: Pipeline, name: String = "parameters"
    ) throws -> SampledPipeline {
        func bad(_ why: String) -> AugmentError { .parameterMismatch("\(name): \(why)") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        guard root["format"] as? String == format else { throw bad("not a \(format) file") }
        guard let count = (root["count"] as? NSNumber)?.intValue, count >= 1 else {
            throw bad("missing or bad 'count'")
        }
        guard let input = root["input"] as? [String: Any],
            let height = (input["height"] as? NSNumber)?.intValue,
            let width = (input["width"] as? NSNumber)?.intValue,
            let channels = (input["channels"] as? NSNumber)?.intValue
        else { throw bad("missing or bad 'input'") }
        guard let ops = root["ops"] as? [[String: Any]] else { throw bad("missing 'ops'") }
        guard ops.count == pipeline.transforms.count else {
            throw bad("records \(ops.count) ops, the pipeline has \(pipeline.transforms.count)")
        }
        var sampledOps: [SampledOp] = []
        for (index, (entry, transform)) in zip(ops, pipeline.transforms).enumerated() {
            guard entry["op"] as? String == transform.opName else {
                throw bad(
                    "op \(index) is '\(entry["op"] ?? "?")' in the record but '\(transform.opName)' in the pipeline")
            }
            guard let parameters = entry["parameters"] else { throw bad("op \(index) has no parameters") }
            sampledOps.append(try decodeOp(transform, parameters: parameters, index: index, name: name))
        }
        return SampledPipeline(
            pipeline: pipeline, count: count,
            inputGeometry: ImageGeometry(height: height, width: width, channels: channels), ops: sampledOps)
    }

    private static func decodeOp<T: Transform>(
        _ transform: T, parameters: Any, index: Int, name: String
    ) throws -> SampledOp {
        do {
            let data = try JSONSerialization.data(withJSONObject: parameters, options: [.fragmentsAllowed])
            return SampledOp(transform, parameters: try JSONDecoder().decode([T.Parameters].self, from: data))
        } catch {
            throw AugmentError.parameterMismatch(
                "\(name): op \(index) (\(T.opName)) parameters do not decode: \(error)")
        }
    }
}
