// The C ABI of swift-augment: @_cdecl entry points declared in
// Sources/CSwiftAugment/include/swift_augment.h, built into libSwiftAugment.so.
//
// Every entry point validates its pointers and sizes before touching them, runs the library inside
// do/catch and turns any thrown error into a status code plus a malloc'd message. Sizes are
// multiplied with overflow checks, so no caller-provided number can make Swift trap.

import Augment
import AugmentOpenCL
import CSwiftAugment
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Handles

/// What an `sa_backend *` points at. Runs on one handle are serialised by `lock`.
final class BackendHandle: @unchecked Sendable {
    // Safety: `backend` is immutable; calls into it are made under `lock`.
    let backend: any Backend
    let lock = NSLock()

    init(_ backend: any Backend) { self.backend = backend }
}

/// What an `sa_pipeline *` points at: an immutable parsed pipeline file.
final class PipelineHandle: Sendable {
    let file: PipelineFile

    init(_ file: PipelineFile) { self.file = file }
}

/// An error at the boundary: a status code and a message.
struct BoundaryError: Error {
    let status: Int32
    let message: String

    init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }

    static func argument(_ message: String) -> BoundaryError {
        BoundaryError(status: Int32(SA_ERROR_INVALID_ARGUMENT), message: message)
    }

    static func shape(_ message: String) -> BoundaryError {
        BoundaryError(status: Int32(SA_ERROR_INVALID_SHAPE), message: message)
    }

    /// The status and message for anything the library throws.
    init(_ error: any Error) {
        if let error = error as? BoundaryError {
            self = error
            return
        }
        if let error = error as? AugmentError {
            let status: Int32
            switch error {
            case .invalidShape, .emptyBatch: status = Int32(SA_ERROR_INVALID_SHAPE)
            case .invalidArgument, .missingArgument, .wrongType, .unknownName, .incompatible:
                status = Int32(SA_ERROR_PIPELINE)
            case .backendUnavailable: status = Int32(SA_ERROR_BACKEND_UNAVAILABLE)
            case .parameterMismatch: status = Int32(SA_ERROR_PARAMETER_MISMATCH)
            }
            self.init(status: status, message: error.description)
        } else if let error = error as? CLError {
            self.init(status: Int32(SA_ERROR_DEVICE), message: error.description)
        } else {
            self.init(status: Int32(SA_ERROR_INTERNAL), message: String(describing: error))
        }
    }
}

/// A malloc'd copy of `text` for the caller (freed with sa_string_free).
private func cString(_ text: String) -> UnsafeMutablePointer<CChar>? {
    strdup(text)
}

/// Runs `body`, mapping a thrown error to its status and message.
private func boundary(
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: () throws -> Void
) -> Int32 {
    do {
        try body()
        return Int32(SA_OK)
    } catch {
        let failure = BoundaryError(error)
        errorMessage?.pointee = cString(failure.message)
        return failure.status
    }
}

private func backendHandle(_ pointer: OpaquePointer?) throws -> BackendHandle {
    guard let pointer else { throw BoundaryError.argument("backend is NULL") }
    return Unmanaged<BackendHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
}

private func pipelineHandle(_ pointer: OpaquePointer?) throws -> PipelineHandle {
    guard let pointer else { throw BoundaryError.argument("pipeline is NULL") }
    return Unmanaged<PipelineHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
}

private func requiredString(_ pointer: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let pointer else { throw BoundaryError.argument("\(what) is NULL") }
    return String(cString: pointer)
}

/// The product of non-negative factors, or an error when it overflows Int.
private func product(_ factors: [Int], _ what: String) throws -> Int {
    var result = 1
    for factor in factors {
        let (value, overflow) = result.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw BoundaryError.shape("\(what): \(factors) overflows a 64-bit size") }
        result = value
    }
    return result
}

// MARK: - Descriptions

/// A validated `sa_image_desc`.
struct ImageDescription: Equatable {
    var pixelType: PixelType
    var layout: ImageLayout
    var count: Int
    var geometry: ImageGeometry

    init(_ desc: sa_image_desc, what: String) throws {
        switch desc.dtype {
        case Int32(SA_DTYPE_UINT8): pixelType = .uint8
        case Int32(SA_DTYPE_FLOAT32): pixelType = .float32
        case Int32(SA_DTYPE_FLOAT16): pixelType = .float16
        case Int32(SA_DTYPE_UINT16): pixelType = .uint16
        default:
            throw BoundaryError.argument(
                "\(what): dtype \(desc.dtype) is not SA_DTYPE_UINT8 (0), SA_DTYPE_FLOAT32 (1), SA_DTYPE_FLOAT16 (2) or SA_DTYPE_UINT16 (3)"
            )
        }
        switch desc.layout {
        case Int32(SA_LAYOUT_NHWC): layout = .nhwc
        case Int32(SA_LAYOUT_NCHW): layout = .nchw
        default:
            throw BoundaryError.argument(
                "\(what): layout \(desc.layout) is not SA_LAYOUT_NHWC (0) or SA_LAYOUT_NCHW (1)")
        }
        let dims = [desc.count, desc.height, desc.width, desc.channels]
        guard dims.allSatisfy({ $0 >= 1 }) else {
            throw BoundaryError.shape(
                "\(what): every dimension must be at least 1, got N=\(desc.count), H=\(desc.height), W=\(desc.width), C=\(desc.channels)"
            )
        }
        count = Int(desc.count)
        geometry = ImageGeometry(height: Int(desc.height), width: Int(desc.width), channels: Int(desc.channels))
        _ = try byteCount()
    }

    init(pixelType: PixelType, layout: ImageLayout, count: Int, geometry: ImageGeometry) {
        self.pixelType = pixelType
        self.layout = layout
        self.count = count
        self.geometry = geometry
    }

    func elementCount() throws -> Int {
        try product([count, geometry.height, geometry.width, geometry.channels], "image batch")
    }

    func byteCount() throws -> Int {
        try product([elementCount(), pixelType.byteCount], "image batch bytes")
    }

    var desc: sa_image_desc {
        let dtype: Int32
        switch pixelType {
        case .uint8: dtype = Int32(SA_DTYPE_UINT8)
        case .float32: dtype = Int32(SA_DTYPE_FLOAT32)
        case .float16: dtype = Int32(SA_DTYPE_FLOAT16)
        case .uint16: dtype = Int32(SA_DTYPE_UINT16)
        }
        return sa_image_desc(
            dtype: dtype, layout: layout == .nhwc ? Int32(SA_LAYOUT_NHWC) : Int32(SA_LAYOUT_NCHW),
            count: Int64(count), height: Int64(geometry.height), width: Int64(geometry.width),
            channels: Int64(geometry.channels))
    }

    /// What `pipeline` makes of a batch like this one.
    func output(of pipeline: Pipeline) throws -> ImageDescription {
        let geometry = try pipeline.outputGeometry(for: geometry)
        return ImageDescription(
            pixelType: pipeline.output.pixelType, layout: pipeline.output.layout,
            count: count, geometry: geometry)
    }
}

/// `count` values of type T copied out of raw memory (no alignment assumed).
private func copyValues<T>(_ source: UnsafeRawPointer, count: Int, as type: T.Type) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 {
            memcpy(buffer.baseAddress!, source, count * MemoryLayout<T>.stride)
        }
        initialized = count
    }
}

/// Copies an array's bytes into caller memory of exactly `byteCount` bytes.
private func write<T>(_ values: [T], to destination: UnsafeMutableRawPointer, byteCount: Int, what: String) throws {
    let needed = values.count * MemoryLayout<T>.stride
    guard needed == byteCount else {
        throw BoundaryError(
            status: Int32(SA_ERROR_INTERNAL),
            message: "\(what): the result has \(needed) bytes, the buffer \(byteCount)")
    }
    values.withUnsafeBytes { bytes in
        if let base = bytes.baseAddress, needed > 0 { memcpy(destination, base, needed) }
    }
}

private func labelBatch(_ labels: sa_labels, count: Int) throws -> LabelBatch? {
    switch labels.kind {
    case Int32(SA_LABELS_NONE):
        return nil
    case Int32(SA_LABELS_CLASS_IDS), Int32(SA_LABELS_SOFT):
        break
    default:
        throw BoundaryError.argument(
            "labels: kind \(labels.kind) is not SA_LABELS_NONE (0), SA_LABELS_CLASS_IDS (1) or SA_LABELS_SOFT (2)")
    }
    guard labels.count == Int64(count) else {
        throw BoundaryError.shape("labels: \(labels.count) labels for a batch of \(count) images")
    }
    guard labels.classes >= 1 else {
        throw BoundaryError.shape("labels: the number of classes must be at least 1, got \(labels.classes)")
    }
    guard let data = labels.data else { throw BoundaryError.argument("labels: data is NULL") }
    let classes = Int(labels.classes)
    if labels.kind == Int32(SA_LABELS_CLASS_IDS) {
        let bytes = try product([count, 8], "labels")
        guard labels.bytes == Int64(bytes) else {
            throw BoundaryError.argument("labels: \(count) int64 class ids need \(bytes) bytes, got \(labels.bytes)")
        }
        return try LabelBatch(classIDs: copyValues(data, count: count, as: Int64.self), classCount: classes)
    }
    let values = try product([count, classes], "labels")
    let bytes = try product([values, 4], "labels")
    guard labels.bytes == Int64(bytes) else {
        throw BoundaryError.argument(
            "labels: (\(count), \(classes)) float32 soft labels need \(bytes) bytes, got \(labels.bytes)")
    }
    return try LabelBatch(
        softLabels: copyValues(data, count: values, as: Float.self), count: count, classCount: classes)
}

// MARK: - Entry points

@_cdecl("sa_abi_version")
public func saABIVersion() -> Int32 {
    Int32(SA_ABI_VERSION)
}

@_cdecl("sa_string_free")
public func saStringFree(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}

@_cdecl("sa_devices_json")
public func saDevicesJSON(
    _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        guard let json else { throw BoundaryError.argument("json is NULL") }
        var rows: [[String: Any]] = []
        // No platform at all (no ICD installed) is an empty list, not an error.
        if let platforms = try? CLPlatform.all() {
            let chosen = try? CLDevice.select(.automatic)
            var index = 0
            for (p, platform) in platforms.enumerated() {
                guard let devices = try? platform.devices() else { continue }
                for (d, device) in devices.enumerated() {
                    rows.append([
                        "index": index, "platform": p, "device": d, "name": device.name, "vendor": device.vendor,
                        "kind": device.kind.rawValue, "platform_name": platform.name, "version": device.version,
                        "driver_version": device.driverVersion, "compute_units": device.computeUnits,
                        "global_memory_bytes": device.globalMemoryBytes, "default": device == chosen,
                    ])
                    index += 1
                }
            }
        }
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys])
        json.pointee = cString(String(decoding: data, as: UTF8.self))
    }
}

@_cdecl("sa_backend_create")
public func saBackendCreate(
    _ kind: UnsafePointer<CChar>?, _ device: UnsafePointer<CChar>?,
    _ backend: UnsafeMutablePointer<OpaquePointer?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        guard let backend else { throw BoundaryError.argument("backend is NULL") }
        let made: any Backend
        switch try requiredString(kind, "kind").lowercased() {
        case "cpu":
            guard device == nil else { throw BoundaryError.argument("the cpu backend takes no device") }
            made = CPUBackend()
        case "opencl":
            let selector = device.map { CLDeviceSelector(parsing: String(cString: $0)) } ?? .automatic
            made = try OpenCLBackend(selector: selector)
        case let other:
            throw BoundaryError.argument("backend kind '\(other)' is not 'cpu' or 'opencl'")
        }
        backend.pointee = OpaquePointer(Unmanaged.passRetained(BackendHandle(made)).toOpaque())
    }
}

@_cdecl("sa_backend_name")
public func saBackendName(
    _ backend: OpaquePointer?, _ name: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        let handle = try backendHandle(backend)
        guard let name else { throw BoundaryError.argument("name is NULL") }
        name.pointee = cString(handle.backend.name)
    }
}

@_cdecl("sa_backend_free")
public func saBackendFree(_ backend: OpaquePointer?) {
    guard let backend else { return }
    Unmanaged<BackendHandle>.fromOpaque(UnsafeRawPointer(backend)).release()
}

@_cdecl("sa_pipeline_create")
public func saPipelineCreate(
    _ json: UnsafePointer<CChar>?, _ pipeline: UnsafeMutablePointer<OpaquePointer?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        guard let pipeline else { throw BoundaryError.argument("pipeline is NULL") }
        let text = try requiredString(json, "json")
        let file = try PipelineFile.parse(Data(text.utf8))
        pipeline.pointee = OpaquePointer(Unmanaged.passRetained(PipelineHandle(file)).toOpaque())
    }
}

@_cdecl("sa_pipeline_info_json")
public func saPipelineInfoJSON(
    _ pipeline: OpaquePointer?, _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        let file = try pipelineHandle(pipeline).file
        guard let json else { throw BoundaryError.argument("json is NULL") }
        let info: [String: Any] = [
            "seed": file.seed.map { NSNumber(value: $0) } ?? NSNull(),
            "ops": file.pipeline.transforms.count,
            "op_names": file.pipeline.transforms.map(\.opName),
            "output": [
                "dtype": file.pipeline.output.pixelType.rawValue, "layout": file.pipeline.output.layout.rawValue,
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
        json.pointee = cString(String(decoding: data, as: UTF8.self))
    }
}

@_cdecl("sa_pipeline_free")
public func saPipelineFree(_ pipeline: OpaquePointer?) {
    guard let pipeline else { return }
    Unmanaged<PipelineHandle>.fromOpaque(UnsafeRawPointer(pipeline)).release()
}

@_cdecl("sa_builtin_pipeline_json")
public func saBuiltinPipelineJSON(
    _ name: UnsafePointer<CChar>?, _ json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        let wanted = try requiredString(name, "name")
        guard let json else { throw BoundaryError.argument("json is NULL") }
        guard let entry = BuiltinPipelines.entries.first(where: { $0.name == wanted }) else {
            throw BoundaryError(
                status: Int32(SA_ERROR_PIPELINE),
                message:
                    "no built-in pipeline named '\(wanted)'; built-in: \(BuiltinPipelines.entries.map(\.name).joined(separator: ", "))"
            )
        }
        json.pointee = cString(entry.trainJSON)
    }
}

@_cdecl("sa_epoch_indices")
public func saEpochIndices(
    _ datasetSize: Int64, _ seed: UInt64, _ epoch: UInt64, _ shuffle: Int32, _ rank: Int64, _ worldSize: Int64,
    _ share: Int32, _ indices: UnsafeMutablePointer<Int64>?, _ capacity: Int64, _ count: UnsafeMutablePointer<Int64>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        guard let indices else { throw BoundaryError.argument("indices is NULL") }
        guard let count else { throw BoundaryError.argument("count is NULL") }
        guard datasetSize >= 1 else {
            throw BoundaryError.shape("an epoch needs at least one sample, the dataset has \(datasetSize)")
        }
        // The plan builds the whole permutation: the caller's buffer shows that much memory exists.
        guard capacity >= datasetSize else {
            throw BoundaryError.argument("indices: capacity \(capacity) is below the dataset size \(datasetSize)")
        }
        let rankShare: RankShare
        switch share {
        case Int32(SA_SHARE_UNEVEN): rankShare = .uneven
        case Int32(SA_SHARE_PAD): rankShare = .pad
        case Int32(SA_SHARE_DROP): rankShare = .drop
        default:
            throw BoundaryError.argument(
                "share \(share) is not SA_SHARE_UNEVEN (0), SA_SHARE_PAD (1) or SA_SHARE_DROP (2)")
        }
        // With .pad the order grows to a multiple of the world size: bound it by the caller's memory too.
        guard worldSize <= capacity else {
            throw BoundaryError.argument("indices: capacity \(capacity) is below the world size \(worldSize)")
        }
        let plan = try EpochPlan(
            datasetSize: Int(datasetSize), batchSize: 1, seed: seed, epoch: epoch, shuffle: shuffle != 0,
            rank: Int(clamping: rank), worldSize: Int(clamping: worldSize), share: rankShare)
        guard Int64(plan.indices.count) <= capacity else {
            throw BoundaryError.argument("indices: \(plan.indices.count) indices do not fit capacity \(capacity)")
        }
        for (i, index) in plan.indices.enumerated() { indices[i] = Int64(index) }
        count.pointee = Int64(plan.indices.count)
    }
}

@_cdecl("sa_output_desc")
public func saOutputDesc(
    _ pipeline: OpaquePointer?, _ input: UnsafePointer<sa_image_desc>?, _ output: UnsafeMutablePointer<sa_image_desc>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        let file = try pipelineHandle(pipeline).file
        guard let input else { throw BoundaryError.argument("input is NULL") }
        guard let output else { throw BoundaryError.argument("output is NULL") }
        let description = try ImageDescription(input.pointee, what: "input")
        let result = try description.output(of: file.pipeline)
        _ = try result.byteCount()
        output.pointee = result.desc
    }
}

@_cdecl("sa_apply")
public func saApply(
    _ backend: OpaquePointer?, _ pipeline: OpaquePointer?,
    _ input: UnsafePointer<sa_image_desc>?, _ inputData: UnsafeRawPointer?, _ inputBytes: Int64,
    _ labels: UnsafePointer<sa_labels>?, _ options: UnsafePointer<sa_apply_options>?,
    _ outputData: UnsafeMutableRawPointer?, _ outputBytes: Int64,
    _ outputLabels: UnsafeMutablePointer<Float>?, _ outputLabelBytes: Int64,
    _ recordJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    boundary(errorMessage) {
        let handle = try backendHandle(backend)
        let file = try pipelineHandle(pipeline).file
        guard let input else { throw BoundaryError.argument("input is NULL") }
        let description = try ImageDescription(input.pointee, what: "input")
        guard description.pixelType != .float16 else {
            throw BoundaryError.argument("input: float16 is an output type only; pass uint8 or float32 images")
        }
        guard let inputData else { throw BoundaryError.argument("input data is NULL") }
        let inputByteCount = try description.byteCount()
        guard inputBytes == Int64(inputByteCount) else {
            throw BoundaryError.argument(
                "input: \(description.count) x \(description.geometry) \(description.pixelType.rawValue) images need \(inputByteCount) bytes, got \(inputBytes)"
            )
        }
        let result = try description.output(of: file.pipeline)
        let outputByteCount = try result.byteCount()
        guard let outputData else { throw BoundaryError.argument("output data is NULL") }
        guard outputBytes == Int64(outputByteCount) else {
            throw BoundaryError.argument(
                "output: the result (\(result.count) x \(result.geometry) \(result.pixelType.rawValue)) needs \(outputByteCount) bytes, got \(outputBytes)"
            )
        }
        let labelValues = try labels.flatMap { try labelBatch($0.pointee, count: description.count) }
        var labelByteCount = 0
        if let labelValues {
            labelByteCount = try product([labelValues.count, labelValues.classCount, 4], "output labels")
            guard outputLabels != nil else {
                throw BoundaryError.argument("output labels are NULL but labels were given")
            }
            guard outputLabelBytes == Int64(labelByteCount) else {
                throw BoundaryError.argument(
                    "output labels: (\(labelValues.count), \(labelValues.classCount)) float32 need \(labelByteCount) bytes, got \(outputLabelBytes)"
                )
            }
        }
        let settings =
            options?.pointee
            ?? sa_apply_options(
                seed: 0, epoch: 0, first_index: 0, replay_json: nil, record: 0,
                sample_indices: nil, sample_index_count: 0, output_is_scratch: 0)
        if settings.record != 0, recordJSON == nil {
            throw BoundaryError.argument("record is set but record_json is NULL")
        }
        var sampleIndices: [UInt64]?
        if let indices = settings.sample_indices {
            guard settings.sample_index_count == Int64(description.count) else {
                throw BoundaryError.shape(
                    "sample indices: \(settings.sample_index_count) for a batch of \(description.count) images")
            }
            guard settings.replay_json == nil else {
                throw BoundaryError.argument(
                    "sample indices and replay exclude each other (a record holds its own parameters)")
            }
            sampleIndices = copyValues(UnsafeRawPointer(indices), count: description.count, as: UInt64.self)
        }

        let pixels: PixelBuffer
        switch description.pixelType {
        case .uint8: pixels = .uint8(copyValues(inputData, count: try description.elementCount(), as: UInt8.self))
        case .uint16: pixels = .uint16(copyValues(inputData, count: try description.elementCount(), as: UInt16.self))
        default: pixels = .float32(copyValues(inputData, count: try description.elementCount(), as: Float.self))
        }
        let images = try ImageBatch(
            pixels: pixels, count: description.count, geometry: description.geometry,
            layout: description.layout)
        let batch = try AugmentBatch(images: images, labels: labelValues)
        // As `augment apply` does it: sample (or decode the replay), plan, run.
        let sampled: SampledPipeline
        if let replay = settings.replay_json {
            sampled = try ParameterRecord.decode(Data(String(cString: replay).utf8), for: file.pipeline, name: "replay")
        } else if let sampleIndices {
            sampled = try file.pipeline.sample(
                geometry: images.geometry, seed: settings.seed, epoch: settings.epoch,
                sampleIndices: sampleIndices)
        } else {
            sampled = try file.pipeline.sample(
                count: batch.count, geometry: images.geometry, seed: settings.seed,
                epoch: settings.epoch, firstSampleIndex: settings.first_index)
        }
        let plan = try sampled.plan(for: images)
        // Scratch output on OpenCL: the images go straight into the caller's memory (in place where
        // the device shares host memory, else read into it), with no host array in between.
        let opencl = settings.output_is_scratch != 0 ? handle.backend as? OpenCLBackend : nil
        if opencl != nil {
            let planned = ImageDescription(
                pixelType: plan.output.pixelType, layout: plan.output.layout, count: plan.count,
                geometry: plan.outputGeometry)
            guard planned == result else {
                throw BoundaryError(
                    status: Int32(SA_ERROR_INTERNAL),
                    message: "the plan makes \(planned.desc), sa_output_desc said \(result.desc)")
            }
        }
        handle.lock.lock()
        let output: AugmentBatch
        do {
            defer { handle.lock.unlock() }
            if let opencl {
                output = try opencl.runProfiled(
                    plan, on: batch,
                    writingImagesTo: UnsafeMutableRawBufferPointer(start: outputData, count: outputByteCount)
                ).targets
            } else {
                output = try handle.backend.run(plan, on: batch)
            }
        }
        let produced = ImageDescription(
            pixelType: output.images.pixelType, layout: output.images.layout,
            count: output.images.count, geometry: output.images.geometry)
        guard opencl != nil || (produced == result && !output.images.isRagged) else {
            throw BoundaryError(
                status: Int32(SA_ERROR_INTERNAL),
                message: "the backend produced \(output.images.shapeDescription), sa_output_desc said \(result.desc)")
        }
        // Everything that can fail happens before the first byte is written to the caller's memory.
        var record: String?
        if settings.record != 0 {
            let data = try ParameterRecord.encode(
                sampled, seed: settings.replay_json == nil ? settings.seed : nil,
                epoch: settings.epoch, firstSampleIndex: settings.first_index)
            record = String(decoding: data, as: UTF8.self)
        }
        if labelValues != nil, output.labels?.values.count != labelByteCount / 4 {
            throw BoundaryError(
                status: Int32(SA_ERROR_INTERNAL), message: "the backend returned no labels or labels of another size")
        }
        switch opencl != nil ? nil : output.images.pixels {
        case nil: break  // written by the run
        case .uint8(let values): try write(values, to: outputData, byteCount: outputByteCount, what: "output")
        case .float32(let values): try write(values, to: outputData, byteCount: outputByteCount, what: "output")
        case .float16(let values): try write(values, to: outputData, byteCount: outputByteCount, what: "output")
        case .uint16(let values): try write(values, to: outputData, byteCount: outputByteCount, what: "output")
        }
        if labelValues != nil, let outputLabels {
            try write(
                output.labels?.values ?? [], to: UnsafeMutableRawPointer(outputLabels), byteCount: labelByteCount,
                what: "output labels")
        }
        if let record, let recordJSON {
            recordJSON.pointee = cString(record)
        }
    }
}
