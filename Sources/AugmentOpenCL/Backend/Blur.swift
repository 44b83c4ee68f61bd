import Augment

/// Host side of `Kernels/blur.cl`.
enum OpenCLBlur {
    /// Runs a ``GaussianBlurStage``. Radii up to ``GaussianBlurStage/maxTileRadius``: one pass over
    /// memory, `blur_strip` and `blur_strip_edges` (both passes in registers, one read of the input,
    /// one write, each output written by one of them); wider kernels: `blur_rows` then
    /// `blur_columns` through an intermediate batch (a pass whose kernels all have one tap is
    /// skipped). Either path reads the input in the stage's format.
    static func gaussian(
        _ stage: GaussianBlurStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try stage.check(count: input.count, geometry: input.geometry)
        guard input.pixelType == stage.inputPixelType, input.layout == stage.inputLayout,
            input.raggedGeometries == nil
        else {
            throw AugmentError.parameterMismatch(
                "the blur stage reads \(stage.inputPixelType.rawValue) \(stage.inputLayout.rawValue.uppercased()), got \(input.count) \(input.pixelType.rawValue) \(input.layout.rawValue.uppercased()) of \(input.geometry)"
            )
        }
        if stage.isSinglePass {
            return try gaussianStrip(stage, input: input, backend: backend, options: options, timing: &timing)
        }
        var passes = [(stage.kernelsX, "blur_rows"), (stage.kernelsY, "blur_columns")]
            .filter { $0.0.contains { $0.count > 1 } }
        if passes.isEmpty {
            passes = [(stage.kernelsX, "blur_rows")]  // one-tap kernels: the pass copies
        }
        var current = input
        for (pass, (kernels, name)) in passes.enumerated() {
            let program = try backend.exactProgram(
                family: "blur", defines: sourceDefines(current.pixelType, current.layout, stage.geometry.channels))
            let (weightBuffer, radii, maxRadius) = try paddedWeights(kernels, backend: backend, timing: &timing)
            let write = {
                try backend.outputImages(
                    count: stage.count, geometry: stage.geometry, format: .float32NCHW, options: options)
            }
            let destination = try pass == passes.count - 1 ? write() : backend.intermediate(write)
            let kernel = try program.kernel(name)
            try kernel.setArguments([
                .buffer(current.buffer), .buffer(destination.buffer), .buffer(weightBuffer), .buffer(radii),
                .value(Int32(maxRadius)), .value(Int32(stage.geometry.channels)),
                .value(Int32(stage.geometry.height)), .value(Int32(stage.geometry.width)),
            ])
            try launchPerElement(kernel, stage.geometry, count: stage.count, backend: backend, timing: &timing)
            current = destination
        }
        return current
    }

    /// Outputs per work-item of `blur_strip` (a column of them) and its work-group width (narrower
    /// where a device allows fewer work-items per group).
    static let strip = 16, groupWidth = 32

    /// Lanes of one input row (`blur_strip`'s work-items along x: every element of a row, all
    /// channels in NHWC) and how many of them `blur_strip` takes (the interior, a multiple of the
    /// group width); `blur_strip_edges` takes the rest.
    static func stripLanes(
        _ stage: GaussianBlurStage, groupWidth: Int = groupWidth
    ) -> (
        step: Int, lanes: Int, interior: Int
    ) {
        let step = stage.inputLayout == .nhwc ? stage.geometry.channels : 1
        let lanes = stage.geometry.width * step
        return (step, lanes, max(0, lanes - 2 * stage.maxRadius.x * step) / groupWidth * groupWidth)
    }

    /// The one-pass path: `blur_strip` on the interior lanes, `blur_strip_edges` on the others,
    /// built for the batch's largest radii.
    private static func gaussianStrip(
        _ stage: GaussianBlurStage, input: DeviceImages, backend: OpenCLBackend,
        options: RunOptions, timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        let (rx, ry) = stage.maxRadius
        let groupWidth = min(groupWidth, backend.device.maxWorkGroupSize)
        var defines = sourceDefines(input.pixelType, input.layout, stage.geometry.channels)
        defines["RX"] = "\(rx)"
        defines["RY"] = "\(ry)"
        defines["GROUP_W"] = "\(groupWidth)"
        defines["STRIP"] = "\(strip)"
        let geometry = stage.geometry
        defines["SINGLE_FOLD"] = geometry.width > rx && geometry.height > ry ? "1" : "0"
        defines["UNIFORM_X"] = stage.kernelsX.allSatisfy { $0.count / 2 == rx } ? "1" : "0"
        defines["UNIFORM_Y"] = stage.kernelsY.allSatisfy { $0.count / 2 == ry } ? "1" : "0"
        defines["EXACT_ROWS"] = geometry.height % strip == 0 ? "1" : "0"
        let program = try backend.exactProgram(family: "blur", defines: defines)
        let (weightsX, radiiX, _) = try paddedWeights(stage.kernelsX, backend: backend, timing: &timing)
        let (weightsY, radiiY, _) = try paddedWeights(stage.kernelsY, backend: backend, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW, options: options)
        let (step, lanes, interiorLanes) = stripLanes(stage, groupWidth: groupWidth)
        let arguments: [KernelArgument] = [
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(weightsX), .buffer(radiiX),
            .buffer(weightsY), .buffer(radiiY), .value(Int32(geometry.height)), .value(Int32(geometry.width)),
        ]
        let strips = (geometry.height + strip - 1) / strip
        let rows = stage.count * (geometry.channels / step)
        if interiorLanes > 0 {
            let kernel = try program.kernel("blur_strip")
            try kernel.setArguments(arguments)
            try backend.launch(
                kernel, global: [interiorLanes, strips, rows],
                local: [groupWidth, 1, 1], fixedLocal: true, timing: &timing)
        }
        if lanes > interiorLanes {
            let kernel = try program.kernel("blur_strip_edges")
            try kernel.setArguments(arguments + [.value(Int32(interiorLanes))])
            try backend.launch(
                kernel, global: [roundUp(lanes - interiorLanes, to: groupWidth), strips, rows],
                local: [groupWidth, 1, 1], fixedLocal: true, timing: &timing)
        }
        return destination
    }

    /// The input format defines of the blur kernels (see the header of Kernels/blur.cl).
    static func sourceDefines(_ pixelType: PixelType, _ layout: ImageLayout, _ channels: Int) -> [String: String] {
        let type: String
        switch pixelType {
        case .uint8: type = "SRC_U8"
        case .uint16: type = "SRC_U16"
        default: type = "SRC_F32"
        }
        return [type: "", layout == .nhwc ? "SRC_NHWC" : "SRC_NCHW": "", "CHANNELS": "\(channels)"]
    }

    /// Per-sample kernels as one array padded to the largest radius R (2R + 1 taps per sample,
    /// centred on R), their radii, and R.
    private static func paddedWeights(
        _ kernels: [[Float]], backend: OpenCLBackend, timing: inout OpenCLTiming
    ) throws -> (weights: CLBuffer, radii: CLBuffer, maxRadius: Int) {
        let maxRadius = (kernels.map(\.count).max() ?? 1) / 2
        let taps = 2 * maxRadius + 1
        var weights = [Float](repeating: 0, count: max(1, kernels.count * taps))
        for (n, kernel) in kernels.enumerated() {
            let r = kernel.count / 2
            for (t, w) in kernel.enumerated() { weights[n * taps + maxRadius - r + t] = w }
        }
        return (
            try backend.upload(weights, timing: &timing),
            try backend.upload(kernels.map { Int32($0.count / 2) }, timing: &timing), maxRadius
        )
    }

    /// Runs a ``SharpnessStage``: one `blur_sharpness` launch.
    static func sharpness(
        _ stage: SharpnessStage, input: DeviceImages, backend: OpenCLBackend, options: RunOptions,
        timing: inout OpenCLTiming
    ) throws -> DeviceImages {
        try input.checkFloatNCHW(count: stage.count, geometry: stage.geometry, stage: "the sharpness stage")
        try stage.check(count: input.count, geometry: input.geometry)
        let program = try backend.exactProgram(
            family: "blur", defines: sourceDefines(.float32, .nchw, stage.geometry.channels))
        let factors = try backend.upload(
            stage.factors.flatMap { f in f.map { [Float($0), Float(1 - $0)] } ?? [1, 0] },
            timing: &timing)
        let applied = try backend.upload(stage.factors.map { Int32($0 == nil ? 0 : 1) }, timing: &timing)
        let destination = try backend.outputImages(
            count: stage.count, geometry: stage.geometry, format: .float32NCHW,
            options: options)
        let kernel = try program.kernel("blur_sharpness")
        try kernel.setArguments([
            .buffer(input.buffer), .buffer(destination.buffer), .buffer(factors), .buffer(applied),
            .value(Int32(stage.geometry.channels)), .value(Int32(stage.geometry.height)),
            .value(Int32(stage.geometry.width)), .value(Float(1.0 / 13.0)), .value(Float(5.0 / 13.0)),
        ])
        try launchPerElement(kernel, stage.geometry, count: stage.count, backend: backend, timing: &timing)
        return destination
    }
}

extension GaussianBlurStage: OpenCLStageRunner {
    /// The kernel launches the OpenCL backend runs for this stage (on devices that allow 32
    /// work-items per group): one pass, `blur_strip` and `blur_strip_edges` where each has lanes;
    /// wider kernels, one per pass with more than one tap.
    public var openCLLaunches: Int {
        if isSinglePass {
            let (_, lanes, interior) = OpenCLBlur.stripLanes(self)
            return (interior > 0 ? 1 : 0) + (lanes > interior ? 1 : 0)
        }
        return max(1, [kernelsX, kernelsY].filter { $0.contains { $0.count > 1 } }.count)
    }

    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLBlur.gaussian(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}

extension SharpnessStage: OpenCLStageRunner {
    func run(on run: inout OpenCLRun, backend: OpenCLBackend, options: RunOptions) throws {
        run.images = try OpenCLBlur.sharpness(
            self, input: run.images, backend: backend, options: options, timing: &run.timing)
    }
}
