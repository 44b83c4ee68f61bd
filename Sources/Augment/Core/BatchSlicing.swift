extension ImageBatch {
    /// The samples at `range`, as a new batch.
    public func slice(_ range: Range<Int>) throws -> ImageBatch {
        guard range.lowerBound >= 0, range.upperBound <= count, !range.isEmpty else {
            throw AugmentError.invalidShape("samples \(range) of a batch of \(count)")
        }
        let per = geometry.elementCount
        let elements = (range.lowerBound * per)..<(range.upperBound * per)
        switch pixels {
        case .uint8(let v):
            return try ImageBatch(
                pixels: .uint8(Array(v[elements])), count: range.count, geometry: geometry, layout: layout)
        case .float32(let v):
            return try ImageBatch(
                pixels: .float32(Array(v[elements])), count: range.count, geometry: geometry, layout: layout)
        case .float16(let v):
            return try ImageBatch(
                pixels: .float16(Array(v[elements])), count: range.count, geometry: geometry, layout: layout)
        case .uint16(let v):
            return try ImageBatch(
                pixels: .uint16(Array(v[elements])), count: range.count, geometry: geometry, layout: layout)
        }
    }

    /// The samples at `indices` (in that order), as a new batch.
    public func gather(_ indices: [Int]) throws -> ImageBatch {
        guard !indices.isEmpty, indices.allSatisfy({ (0..<count).contains($0) }) else {
            throw AugmentError.invalidShape("sample indices \(indices.prefix(8)) of a batch of \(count)")
        }
        let per = geometry.elementCount
        switch pixels {
        case .uint8(let v):
            return try ImageBatch(
                pixels: .uint8(indices.flatMap { v[($0 * per)..<(($0 + 1) * per)] }), count: indices.count,
                geometry: geometry, layout: layout)
        case .float32(let v):
            return try ImageBatch(
                pixels: .float32(indices.flatMap { v[($0 * per)..<(($0 + 1) * per)] }), count: indices.count,
                geometry: geometry, layout: layout)
        case .float16(let v):
            return try ImageBatch(
                pixels: .float16(indices.flatMap { v[($0 * per)..<(($0 + 1) * per)] }), count: indices.count,
                geometry: geometry, layout: layout)
        case .uint16(let v):
            return try ImageBatch(
                pixels: .uint16(indices.flatMap { v[($0 * per)..<(($0 + 1) * per)] }), count: indices.count,
                geometry: geometry, layout: layout)
        }
    }

    /// Batches of one geometry, layout and type, one after the other.
    public static func concatenate(_ parts: [ImageBatch]) throws -> ImageBatch {
        guard let first = parts.first else { throw AugmentError.emptyBatch("nothing to concatenate") }
        guard
            parts.allSatisfy({
                $0.geometry == first.geometry && $0.layout == first.layout && $0.pixelType == first.pixelType
            })
        else {
            throw AugmentError.invalidShape("cannot concatenate batches of different shapes or types")
        }
        let count = parts.reduce(0) { $0 + $1.count }
        switch first.pixels {
        case .uint8:
            return try ImageBatch(
                pixels: .uint8(parts.flatMap { $0.uint8Values ?? [] }), count: count, geometry: first.geometry,
                layout: first.layout)
        case .float32:
            return try ImageBatch(
                pixels: .float32(parts.flatMap { $0.float32Values ?? [] }), count: count, geometry: first.geometry,
                layout: first.layout)
        case .float16:
            return try ImageBatch(
                pixels: .float16(parts.flatMap { $0.float16Values ?? [] }), count: count, geometry: first.geometry,
                layout: first.layout)
        case .uint16:
            return try ImageBatch(
                pixels: .uint16(parts.flatMap { $0.uint16Values ?? [] }), count: count, geometry: first.geometry,
                layout: first.layout)
        case .uint16:
            return try ImageBatch(
                pixels: .uint16(parts.flatMap { $0.uint16Values ?? [] }), count: count, geometry: first.geometry,
                layout: first.layout)
        }
    }
}

extension LabelBatch {
    /// The rows at `indices` (in that order).
    public func gather(_ indices: [Int]) throws -> LabelBatch {
        guard indices.allSatisfy({ (0..<count).contains($0) }) else {
            throw AugmentError.invalidShape("label rows \(indices.prefix(8)) of \(count)")
        }
        return try LabelBatch(softLabels: indices.flatMap { row($0) }, count: indices.count, classCount: classCount)
    }

    /// Label batches of one class count, one after the other.
    public static func concatenate(_ parts: [LabelBatch]) throws -> LabelBatch {
        guard let first = parts.first, parts.allSatisfy({ $0.classCount == first.classCount }) else {
            throw AugmentError.invalidShape("cannot concatenate label batches of different class counts")
        }
        return try LabelBatch(
            softLabels: parts.flatMap(\.values), count: parts.reduce(0) { $0 + $1.count }, classCount: first.classCount)
    }
}

extension AugmentBatch {
    /// The samples at `indices` with their labels.
    public func gather(_ indices: [Int]) throws -> AugmentBatch {
        try AugmentBatch(images: images.gather(indices), labels: labels?.gather(indices))
    }

    /// The samples at `range` with their labels.
    public func slice(_ range: Range<Int>) throws -> AugmentBatch {
        try gather(Array(range))
    }

    /// Batches one after the other (labels present in all or none).
    public static func concatenate(_ parts: [AugmentBatch]) throws -> AugmentBatch {
        let labels = parts.compactMap(\.labels)
        guard labels.isEmpty || labels.count == parts.count else {
            throw AugmentError.invalidShape("cannot concatenate batches with and without labels")
        }
        return try AugmentBatch(
            images: ImageBatch.concatenate(parts.map(\.images)),
            labels: labels.isEmpty ? nil : LabelBatch.concatenate(labels))
    }
}
