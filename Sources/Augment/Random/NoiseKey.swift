/// The device noise stream of one (sample, op) pair: Philox4x32-10 under `key`, counter
/// (block, base.0, base.1, base.2), with the domain ``RandomDomain/noise`` in the counter, so it
/// never reuses a block of host parameter sampling.
///
/// Element e of the stream (e = c·H·W + y·W + x for a CHW sample) is a standard normal value from
/// block e / 4: lanes 0 and 1 are the Box-Muller pair of words (0, 1), lanes 2 and 3 that of words
/// (2, 3). `noise_normal` in `Kernels/common.cl` computes the same values on the device; the CPU
/// backend calls ``normal(_:)``, so both backends add the very same noise.
public struct NoiseKey: Sendable, Equatable, Codable {
    public var key0: UInt32
    public var key1: UInt32
    /// Counter words 1...3: op index | domain << 24, then the 64-bit global sample index.
    public var base0: UInt32
    public var base1: UInt32
    public var base2: UInt32

    public init(_ randomKey: RandomKey) {
        let key = randomKey.philoxKey
        let base = randomKey.counterBase(domain: .noise)
        key0 = key.0
        key1 = key.1
        base0 = base.0
        base1 = base.1
        base2 = base.2
    }

    /// Elements 4 b ... 4 b + 3 of the stream (`noise_normal4`): one Philox block, two Box-Muller pairs.
    @inline(__always)
    public func normals(block b: UInt32) -> (Float, Float, Float, Float) {
        let words = Philox4x32.block(counter: (b, base0, base1, base2), key: (key0, key1))
        let first = PortableMath.boxMuller(words.0, words.1)
        let second = PortableMath.boxMuller(words.2, words.3)
        return (first.0, first.1, second.0, second.1)
    }

    /// Element `index` of the stream: a standard normal value.
    @inline(__always)
    public func normal(_ index: Int) -> Float {
        let block = Philox4x32.block(
            counter: (UInt32(truncatingIfNeeded: index >> 2), base0, base1, base2),
            key: (key0, key1))
        let lane = index & 3
        let z = lane < 2 ? PortableMath.boxMuller(block.0, block.1) : PortableMath.boxMuller(block.2, block.3)
        return lane & 1 == 1 ? z.1 : z.0
    }
}
