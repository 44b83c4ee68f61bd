/// Which random stream of a (sample, op) pair is used.
///
/// Host-side parameter sampling and device-side noise use disjoint counter ranges, so the two never
/// reuse a Philox block.
public enum RandomDomain: UInt32, Sendable {
    /// Per-sample parameters drawn on the host (angles, crop boxes, factors, flips).
    case parameters = 0
    /// Per-element noise drawn on the device (and mirrored on the CPU backend).
    case noise = 1
    /// Draws made once per batch (keyed by the batch's first sample index).
    case batch = 2
    /// The order of an epoch (keyed by seed and epoch only).
    case shuffle = 3
}

/// The identity of one sample's random stream for one op: (seed, epoch, global sample index, op
/// index). Everything random in the library is a pure function of these four numbers, so a sample's
/// augmentation does not depend on the batch size, on how a batch is split across devices, on the
/// backend, or on the rank in distributed training.
public struct RandomKey: Hashable, Codable, Sendable {
    public var seed: UInt64
    public var epoch: UInt64
    public var sampleIndex: UInt64
    public var opIndex: UInt32

    public init(seed: UInt64, epoch: UInt64 = 0, sampleIndex: UInt64, opIndex: UInt32) {
        self.seed = seed
        self.epoch = epoch
        self.sampleIndex = sampleIndex
        self.opIndex = opIndex
    }

    /// The Philox key for (seed, epoch): two SplitMix64 rounds, so nearby seeds and epochs give
    /// unrelated keys.
    public var philoxKey: (UInt32, UInt32) {
        let mixed = splitMix64(seed ^ splitMix64(epoch &+ 0x632B_E59B_D9B4_E019))
        return (UInt32(truncatingIfNeeded: mixed), UInt32(truncatingIfNeeded: mixed >> 32))
    }

    /// Counter words 1...3 (word 0 counts blocks): op index (its low 24 bits; a ``Pipeline``
    /// holds fewer ops than that) and domain, then the 64-bit sample index.
    public func counterBase(domain: RandomDomain) -> (UInt32, UInt32, UInt32) {
        (
            (opIndex & 0x00FF_FFFF) | (domain.rawValue << 24),
            UInt32(truncatingIfNeeded: sampleIndex),
            UInt32(truncatingIfNeeded: sampleIndex >> 32)
        )
    }
}

/// A sequential reader over one (sample, op) Philox stream: block 0, 1, 2 ... of the counter
/// space named by a ``RandomKey``. Draws are deterministic; the order of calls is part of each
/// transform's sampling contract.
public struct RandomStream: Sendable {
    /// The (seed, epoch, sample, op) this stream belongs to; ops that draw on the device derive
    /// their noise stream from it (``NoiseKey``).
    public let randomKey: RandomKey
    private let key: (UInt32, UInt32)
    private let base: (UInt32, UInt32, UInt32)
    private var block: UInt32 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    public init(_ randomKey: RandomKey, domain: RandomDomain = .parameters) {
        self.randomKey = randomKey
        key = randomKey.philoxKey
        base = randomKey.counterBase(domain: domain)
    }

    /// The next 32 random bits.
    public mutating func nextUInt32() -> UInt32 {
        if used == 4 {
            buffer = Philox4x32.block(counter: (block, base.0, base.1, base.2), key: key)
            block &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// The next 64 random bits (two 32-bit draws, high word first).
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return (high << 32) | UInt64(nextUInt32())
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// Uniform in [lower, upper); returns `lower` when the range is empty.
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// Uniform integer in `range` (both ends included), unbiased (Lemire's method with rejection).
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound)) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: nextUInt64()) }  // the full 64-bit range
        var product = nextUInt64().multipliedFullWidth(by: span)
        if product.low < span {
            let threshold = (0 &- span) % span
            while product.low < threshold {
                product = nextUInt64().multipliedFullWidth(by: span)
            }
        }
        return range.lowerBound &+ Int(truncatingIfNeeded: product.high)
    }

    /// True with probability `p` (a uniform draw below `p`, as torchvision's `torch.rand(1) < p`).
    public mutating func bernoulli(_ p: Double) -> Bool {
        uniform() < p
    }
}
