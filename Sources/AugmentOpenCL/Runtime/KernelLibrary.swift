import Foundation

/// The `.cl` sources of the library: embedded into the binary at build time from `Kernels/`, or
/// read from the folder named by `AUGMENT_KERNELS_DIR` (for kernel development without rebuilding).
public struct KernelLibrary: Sendable {
    /// The environment variable naming a folder of `.cl` files that replaces the embedded ones.
    public static let environmentVariable = "AUGMENT_KERNELS_DIR"

    /// The file every family is built with, prepended to the family's own file.
    static let commonFile = "common.cl"

    private let files: [String: String]
    /// Where the sources came from, for messages: "embedded" or a folder path.
    public let origin: String

    /// The embedded sources, unless `AUGMENT_KERNELS_DIR` names a folder.
    public static func automatic() throws -> KernelLibrary {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return try KernelLibrary(directory: URL(fileURLWithPath: path))
        }
        return .embedded
    }

    /// The sources compiled into this binary.
    public static let embedded = KernelLibrary(files: EmbeddedKernels.files, origin: "embedded")

    /// Every `.cl` file of `directory`.
    public init(directory: URL) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw AugmentError.backendUnavailable(
                "cannot read the kernel folder \(directory.path) (\(Self.environmentVariable)): \(error.localizedDescription)"
            )
        }
        var files: [String: String] = [:]
        for name in names where name.hasSuffix(".cl") {
            let url = directory.appendingPathComponent(name)
            do {
                files[name] = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw AugmentError.backendUnavailable(
                    "cannot read kernel file \(url.path): \(error.localizedDescription)")
            }
        }
        self.init(files: files, origin: directory.path)
    }

    /// Sources given in memory, keyed by file name ("common.cl", "warp.cl", ...).
    public init(files: [String: String], origin: String = "in memory") {
        self.files = files
        self.origin = origin
    }

    /// The names of the available files.
    public var fileNames: [String] { files.keys.sorted() }

    /// The buildable source of one family: `common.cl` followed by `<family>.cl`, with `#line`
    /// markers so compiler messages name the right file and line.
    public func source(family: String) throws -> String {
        let name = "\(family).cl"
        guard let common = files[Self.commonFile] else {
            throw AugmentError.backendUnavailable("kernel library (\(origin)) has no \(Self.commonFile)")
        }
        guard let body = files[name] else {
            throw AugmentError.backendUnavailable("kernel library (\(origin)) has no \(name)")
        }
        return "#line 1 \"\(Self.commonFile)\"\n\(common)\n#line 1 \"\(name)\"\n\(body)"
    }
}

import Augment
