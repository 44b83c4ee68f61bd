extension ImageBatch {
    /// A batch of uniformly random pixels (uint8 in 0...255, uint16 in 0...65535, float32 and float16 in [0, 1)), a pure function of
    /// `seed`: for tests, `augment verify` and benchmarks.
    public static func random(
        count: Int, geometry: ImageGeometry, pixelType: PixelType, layout: ImageLayout, seed: UInt64
    ) throws -> ImageBatch {
        guard count >= 1 else {
            throw AugmentError.emptyBatch("a random batch needs at least one image, got \(count)")
        }
        try geometry.validate("random batch")
        let total = try checkedProduct([count, geometry.elementCount], what: "random batch")
        var random = RandomStream(RandomKey(seed: seed, epoch: 0, sampleIndex: 0, opIndex: 0x00FF_FFFF))
        switch pixelType {
        case .uint8:
            var values = [UInt8](repeating: 0, count: total)
            for i in 0..<total { values[i] = UInt8(truncatingIfNeeded: random.nextUInt32() >> 24) }
            return try ImageBatch(pixels: .uint8(values), count: count, geometry: geometry, layout: layout)
        case .float32:
            var values = [Float](repeating: 0, count: total)
            for i in 0..<total { values[i] = Float(random.nextUInt32() >> 8) * 0x1p-24 }
            return try ImageBatch(pixels: .float32(values), count: count, geometry: geometry, layout: layout)
        case .float16:
            var values = [Float16](repeating: 0, count: total)
            for i in 0..<total { values[i] = Float16(Float(random.nextUInt32() >> 21) * 0x1p-11) }
            return try ImageBatch(pixels: .float16(values), count: count, geometry: geometry, layout: layout)
        case .uint16:
            var values = [UInt16](repeating: 0, count: total)
            for i in 0..<total { values[i] = UInt16(truncatingIfNeeded: random.nextUInt32() >> 16) }
            return try ImageBatch(pixels: .uint16(values), count: count, geometry: geometry, layout: layout)
        }
    }
}
