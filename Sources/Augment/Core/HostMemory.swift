import CHostMemory
import Foundation

/// Host memory behaviour that matters for throughput.
///
/// A batch's output is a fresh array of tens of megabytes (64 x 3 x 224 x 224 float32 = 38.5 MB).
/// glibc serves blocks above its mmap threshold (at most 32 MB by default) with new pages and
/// unmaps them on free, so every batch pays page faults on first touch: measured on PoCL, 14 ms of a
/// 22 ms batch. Keeping large freed blocks in the heap lets the next batch reuse them.
public enum HostMemory {
    /// The environment variable that keeps glibc's defaults when set to 1.
    public static let optOutVariable = "AUGMENT_KEEP_MALLOC_DEFAULTS"

    private static let configured: Bool = {
        if ProcessInfo.processInfo.environment[optOutVariable] == "1" { return false }
        return augment_retain_large_blocks() == 1
    }()

    /// Makes large freed blocks stay in the heap for reuse (glibc only; a process-wide malloc
    /// setting, applied once). The backends call it when they are created; set
    /// `AUGMENT_KEEP_MALLOC_DEFAULTS=1` to keep the C library's defaults. Returns whether it applied.
    @discardableResult
    public static func retainLargeBlocks() -> Bool {
        configured
    }
}
