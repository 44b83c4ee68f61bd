import Augment

/// Host side of `Kernels/saliency.cl`.
enum OpenCLSaliency {
    /// `stage` with its SaliencyMix boxes placed: `saliency_peak` finds, on the device, the peak of
    /// every image some pair pastes from (one launch), the peaks come back (one int per sample), and
    /// the boxes and label weights are computed on the host by ``MixStage/resolved(peaks:)``, the
    /// function the CPU backend calls too. Other mix stages are returned unchanged.
    static func resolve(
        _ stage: MixStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions, timing: inout OpenCLTiming
    ) throws -> MixStage {
        guard stage.saliencyCuts != nil else { return stage }
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: stage.op)
        try stage.checkInput(count: input.count, geometry: input.geometry)
        let geometry = stage.geometry
        let sources = stage.saliencySources
        guard !sources.isEmpty else { return try stage.resolved(peaks: Array(repeating: 0, count: stage.count)) }
        guard geometry.pixelCount <= Int(Int32.max) else {
            throw AugmentError.invalidShape(
                "\(stage.op): images of \(geometry.pixelCount) pixels are too large for the saliency kernel")
        }
        var wanted = [Int32](repeating: 0, count: stage.count)
        for n in sources { wanted[n] = 1 }
        var groupSize = backend.reductionGroupSize
        var program = try backend.program(family: "saliency", defines: ["SAL_GROUP": "\(groupSize)"])
        // The local arrays and tree reductions are sized by SAL_GROUP: halve it until the kernel's
        // own limit on this device allows it (as warp_color_stats).
        while groupSize > 1, try program.kernel("saliency_peak").workGroupLimit(on: backend.device) < groupSize {
            groupSize /= 2
            program = try backend.program(family: "saliency", defines: ["SAL_GROUP": "\(groupSize)"])
        }
        let kernel = try program.kernel("saliency_peak")
        let wantedBuffer = try backend.upload(wanted, timing: &timing)
        let sums = try backend.runBuffer(byteCount: max(8, stage.count * geometry.channels * 8))
        // Every peak a pair reads is written by the kernel; the others start at 0 (never read).
        let peaks = try backend.upload([Int32](repeating: 0, count: stage.count), timing: &timing)
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(wantedBuffer), .buffer(sums), .buffer(peaks),
            .value(Int32(geometry.height)), .value(Int32(geometry.width)), .value(Int32(geometry.channels)),
        ])
        try backend.launch(
            kernel, global: [groupSize, stage.count], local: [groupSize, 1], fixedLocal: true, timing: &timing)
        let (values, download) = try peaks.download(Int32.self, count: stage.count, on: backend.context)
        timing.downloadNanoseconds += try download.durationNanoseconds()
        return try stage.resolved(peaks: values.map { Int($0) })
    }
}
