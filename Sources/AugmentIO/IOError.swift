import Foundation

/// Errors reading or writing files. Each names the file and says what was wrong with it.
public enum IOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file exists but is not what it claims or what the command needs.
    case invalidFile(path: String, reason: String)
    /// The file or folder cannot be read or written.
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidFile(let path, let reason): return "\(path): \(reason)"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .unwritable(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}

/// Writes `data` to `path` through a temporary file and a rename, so a failure never leaves a
/// half-written file and never touches files written before.
func writeAtomically(_ data: Data, to path: String) throws {
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw IOError.unwritable(path: path, reason: error.localizedDescription)
    }
}

func readFile(_ path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw IOError.unreadable(path: path, reason: error.localizedDescription)
    }
}
