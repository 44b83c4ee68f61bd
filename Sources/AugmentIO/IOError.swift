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
/// half-written file and never touches files written before. The temporary file sits beside `path`
/// and is registered in ``TemporaryFiles`` until the rename, so an interrupt removes it.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).augment-\(getpid())-\(TemporaryFiles.nextNumber()).tmp").path
    try TemporaryFiles.write(data, to: temporary)
    try TemporaryFiles.move(temporary, to: path)
}

/// Every temporary file and staging folder the process has made and not yet moved into place.
///
/// Writes, moves and ``removeAllAndExit(status:)`` hold one lock, so an interrupt handler never
/// races a write: it waits for the file being written, then removes everything and exits.
public enum TemporaryFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: Set<String> = []
    nonisolated(unsafe) private static var counter = 0

    static func nextNumber() -> Int {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        return counter
    }

    /// Registers `path` (a file or folder the caller is about to create) for removal on interrupt.
    public static func register(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.insert(path)
    }

    /// Writes `data` to the temporary `path` (registered first).
    public static func write(_ data: Data, to path: String) throws {
        lock.lock(); defer { lock.unlock() }
        paths.insert(path)
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            paths.remove(path)
            throw IOError.unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Writes `data` to a file inside a registered temporary folder.
    public static func writeInside(_ data: Data, to path: String) throws {
        lock.lock(); defer { lock.unlock() }
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw IOError.unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Renames the temporary `path` to `destination` (replacing a file there) and forgets it.
    public static func move(_ path: String, to destination: String) throws {
        lock.lock(); defer { lock.unlock() }
        guard rename(path, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: path)
            paths.remove(path)
            throw IOError.unwritable(path: destination, reason: reason)
        }
        paths.remove(path)
    }

    /// Removes the temporary `path` now (after a failure) and forgets it.
    public static func remove(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        try? FileManager.default.removeItem(atPath: path)
        paths.remove(path)
    }

    /// The paths registered now (for tests).
    public static var registered: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return paths
    }

    /// For an interrupt handler: removes every registered path and ends the process with
    /// `status`, without returning (the lock stays held, so nothing is written afterwards).
    public static func removeAllAndExit(status: Int32) -> Never {
        lock.lock()
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        paths.removeAll()
        _exit(status)
    }
}

func readFile(_ path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw IOError.unreadable(path: path, reason: error.localizedDescription)
    }
}
