import Foundation

/// Device buffers kept for reuse, so a training loop that runs the same plan shapes batch after
/// batch allocates nothing after the first few batches.
///
/// Buffers are bucketed by exact size. Idle buffers are capped (`maxIdleBytes`); beyond it the
/// least recently returned ones are released. Thread-safe.
public final class BufferPool: @unchecked Sendable {
    // Safety: all state is guarded by `lock`.
    private let context: CLContext
    private let lock = NSLock()
    private var idle: [Int: [CLBuffer]] = [:]
    private var idleOrder: [ObjectIdentifier] = []
    private var idleBytes = 0
    /// The most bytes kept idle.
    public let maxIdleBytes: Int
    private var stats = Statistics()

    /// What the pool has done so far.
    public struct Statistics: Sendable, Equatable {
        /// Buffers created with clCreateBuffer over the pool's life.
        public var allocations = 0
        /// Requests served from idle buffers.
        public var reuses = 0
        /// Buffers handed out and not returned yet.
        public var outstanding = 0
        /// Bytes held by the pool: handed out plus idle.
        public var bytesHeld = 0
        /// Idle buffers.
        public var idleBuffers = 0
    }

    public init(context: CLContext, maxIdleBytes: Int = 1 << 30) {
        self.context = context
        self.maxIdleBytes = maxIdleBytes
    }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        var result = stats
        result.idleBuffers = idle.values.reduce(0) { $0 + $1.count }
        return result
    }

    /// A buffer of exactly `byteCount` bytes (at least 1), reused when one is idle.
    public func take(byteCount: Int) throws -> CLBuffer {
        let size = max(1, byteCount)
        lock.lock()
        if var bucket = idle[size], let buffer = bucket.popLast() {
            idle[size] = bucket.isEmpty ? nil : bucket
            idleOrder.removeAll { $0 == ObjectIdentifier(buffer) }
            idleBytes -= size
            stats.reuses += 1
            stats.outstanding += 1
            lock.unlock()
            return buffer
        }
        lock.unlock()
        let buffer = try CLBuffer(context: context, byteCount: size)
        lock.lock()
        stats.allocations += 1
        stats.outstanding += 1
        stats.bytesHeld += size
        lock.unlock()
        return buffer
    }

    /// Returns a buffer taken from this pool.
    public func give(_ buffer: CLBuffer) {
        lock.lock()
        defer { lock.unlock() }
        stats.outstanding -= 1
        idle[buffer.byteCount, default: []].append(buffer)
        idleOrder.append(ObjectIdentifier(buffer))
        idleBytes += buffer.byteCount
        while idleBytes > maxIdleBytes, let oldest = idleOrder.first {
            idleOrder.removeFirst()
            for (size, bucket) in idle {
                if let index = bucket.firstIndex(where: { ObjectIdentifier($0) == oldest }) {
                    idle[size]?.remove(at: index)
                    if idle[size]?.isEmpty == true { idle[size] = nil }
                    idleBytes -= size
                    stats.bytesHeld -= size
                    break
                }
            }
        }
    }

    /// Releases every idle buffer.
    public func drain() {
        lock.lock()
        defer { lock.unlock() }
        stats.bytesHeld -= idleBytes
        idle.removeAll()
        idleOrder.removeAll()
        idleBytes = 0
    }
}
