import Foundation

/// The outputs of one run (images, labels, recorded parameters), written all or nothing.
///
/// ``stage(_:flag:)`` checks each destination before any work is done (its folder exists; nothing
/// is there unless `force`) and returns a hidden staging path beside it (`.augment-<pid>-<n>-<name>`)
/// to write instead. ``commit()`` renames every staged output into place at the end;
/// ``rollback()`` (after an error) removes them. Staging paths are registered in
/// ``TemporaryFiles``, so an interrupt handler that calls
/// ``TemporaryFiles/removeAllAndExit(status:)`` leaves neither output nor temporary file.
public final class OutputTransaction {
    /// Whether existing destinations may be replaced (`--force`). A replaced folder is replaced as a
    /// whole, so no stale file of an earlier run stays in it.
    public let force: Bool
    private var staged: [(staging: String, destination: String)] = []

    public init(force: Bool) {
        self.force = force
    }

    /// Checks that `path` can be written and returns where to write it for now. `flag` names the
    /// command-line option in messages (`--output`).
    public func stage(_ path: String, flag: String) throws -> String {
        var destination = path
        while destination.count > 1, destination.hasSuffix("/") { destination.removeLast() }
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw IOError.unwritable(
                path: path,
                reason:
                    "\(flag): the folder \(folder) does not exist; create it first (mkdir -p \(folder))")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw IOError.unwritable(path: path, reason: "\(flag): the folder \(folder) is not writable")
        }
        if staged.contains(where: { $0.destination == url.path }) {
            throw IOError.unwritable(
                path: path, reason: "\(flag) names a path that another output of this run writes too")
        }
        if FileManager.default.fileExists(atPath: url.path), !force {
            throw IOError.unwritable(path: path, reason: "\(flag): it already exists; pass --force to replace it")
        }
        let staging = url.deletingLastPathComponent()
            .appendingPathComponent(".augment-\(getpid())-\(staged.count)-\(url.lastPathComponent)").path
        TemporaryFiles.register(staging)
        staged.append((staging, url.path))
        return staging
    }

    /// Moves every staged output into place (replacing what `force` allows), in the order staged.
    /// An output that was never written is skipped.
    public func commit() throws {
        let fm = FileManager.default
        for (staging, destination) in staged where fm.fileExists(atPath: staging) {
            var aside: String?
            var isFolder: ObjCBool = false
            if fm.fileExists(atPath: destination, isDirectory: &isFolder), isFolder.boolValue {
                // rename(2) cannot replace a non-empty folder: move the old one aside first.
                let old = staging + ".old"
                guard rename(destination, old) == 0 else {
                    throw IOError.unwritable(
                        path: destination, reason: "cannot replace it: \(String(cString: strerror(errno)))")
                }
                aside = old
            }
            do {
                try TemporaryFiles.move(staging, to: destination)
            } catch {
                if let aside { _ = rename(aside, destination) }
                throw error
            }
            if let aside { try? fm.removeItem(atPath: aside) }
        }
        staged.removeAll()
    }

    /// Removes every staged output (after an error); destinations are left as they were.
    public func rollback() {
        for (staging, _) in staged { TemporaryFiles.remove(staging) }
        staged.removeAll()
    }
}
