import Foundation
import Testing
import Augment
@testable import AugmentOpenCL

/// The OpenCL runtime layer: discovery, errors, program cache, buffers, the device generator.
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct RuntimeTests {
    @Test func listsAtLeastOneDevice() throws {
        let devices = try CLDevice.all()
        #expect(!devices.isEmpty)
        for device in devices {
            #expect(!device.name.isEmpty)
            #expect(device.computeUnits >= 1)
            #expect(device.maxWorkGroupSize >= 1)
            #expect(device.globalMemoryBytes > 0)
        }
        #expect(try CLDevice.select(.index(0)) == devices[0])
        #expect(try CLDevice.select(.platformDevice(platform: 0, device: 0)) == devices[0])
        #expect(try CLDevice.select(.nameContains(String(devices[0].name.prefix(6)).uppercased())) == devices[0])
    }

    @Test func selectorParsing() {
        #expect(CLDeviceSelector(parsing: "2") == .index(2))
        #expect(CLDeviceSelector(parsing: "1:0") == .platformDevice(platform: 1, device: 0))
        #expect(CLDeviceSelector(parsing: "GPU") == .kind(.gpu))
        #expect(CLDeviceSelector(parsing: "cpu") == .kind(.cpu))
        #expect(CLDeviceSelector(parsing: "rtx 4090") == .nameContains("rtx 4090"))
    }

    @Test func selectingAMissingDeviceSaysWhatExists() throws {
        do {
            _ = try CLDevice.select(.index(99))
            Issue.record("selecting device 99 should fail")
        } catch let error as AugmentError {
            #expect(error.description.contains("no OpenCL device matches index 99; available: #0"))
        }
        #expect(throws: AugmentError.self) { try CLDevice.select(.nameContains("no-such-device-xyz")) }
    }

    @Test func statusCodesAndErrorsReadLikeTheCConstants() {
        #expect(CLStatus(rawValue: -11).description == "CL_BUILD_PROGRAM_FAILURE (-11)")
        #expect(CLStatus.invalidKernelArgs.description == "CL_INVALID_KERNEL_ARGS (-52)")
        #expect(CLStatus(rawValue: -1001).name == "CL_PLATFORM_NOT_FOUND_KHR")
        #expect(CLStatus(rawValue: -12345).description == "CL_UNKNOWN_ERROR (-12345)")
        let error = CLError(call: "clCreateBuffer", status: .outOfResources)
        #expect(error.description == "clCreateBuffer failed: CL_OUT_OF_RESOURCES (-5)")
    }

    @Test func buildFailureCarriesTheLogAndSavesTheSource() throws {
        let context = try CLContext(device: Shared.backend().device)
        let source = "__kernel void broken(__global float* x) { x[0] = undefined_symbol; }"
        do {
            _ = try context.program(source: source, options: "-DFOO=1")
            Issue.record("a broken kernel must not build")
        } catch let error as CLError {
            #expect(error.call == "clBuildProgram")
            #expect(error.status == .buildProgramFailure)
            #expect(error.description.hasPrefix("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)"))
            #expect(error.buildLog?.contains("undefined_symbol") == true)
            #expect(error.buildOptions == "-DFOO=1")
            let saved = try #require(error.savedSourcePath)
            #expect(try String(contentsOfFile: saved, encoding: .utf8) == source)
        }
        #expect(context.cachedProgramCount == 0)
    }

    @Test func buildFailureNamesTheDeviceAndTheKernelFile() throws {
        let backend = try Shared.backend()
        let files = [
            "common.cl": "// common\n",
            "mix.cl": "__kernel void mix_apply(__global float* x) { x[0] = not_declared; }",
        ]
        let tampered = try OpenCLBackend(device: backend.device, kernels: KernelLibrary(files: files, origin: "test"))
        do {
            _ = try tampered.program(family: "mix", defines: ["PROBE": "1"])
            Issue.record("a broken mix.cl must not build")
        } catch let error as CLError {
            #expect(error.description.contains("Kernels/mix.cl (test)"))
            #expect(error.description.contains(backend.device.name))
            #expect(error.description.contains(backend.device.driverVersion))
            #expect(error.buildOptions?.contains("-DPROBE=1") == true)
            #expect(error.buildLog?.contains("not_declared") == true)
        }
    }

    /// Launches fit the kernel's own CL_KERNEL_WORK_GROUP_SIZE: a local size above it is cut to a
    /// divisor that keeps every work-item (free kernels), or refused by name (fixed-size kernels).
    @Test func launchesFitTheKernelsOwnWorkGroupLimit() throws {
        let context = try CLContext(device: Shared.backend().device)
        let program = try context.program(
            source: "__kernel void ids(__global int* x) { x[get_global_id(0)] = (int)get_global_id(0) + 1; }")
        let kernel = try program.kernel("ids")
        let limit = min(try kernel.workGroupLimit(on: context.device), context.device.maxWorkGroupSize)
        #expect(limit >= 1)
        #expect(try kernel.argumentCount() == 1)
        let tooLarge = limit * 2
        let buffer = try CLBuffer(context: context, byteCount: tooLarge * 4)
        try kernel.setArgument(0, buffer)
        let before = context.launchCount
        try kernel.enqueue(on: context, global: [tooLarge], local: [tooLarge]).wait()
        #expect(context.launchCount == before + 1)
        let (values, _) = try buffer.download(Int32.self, count: tooLarge, on: context)
        #expect(values == (1...Int32(tooLarge)).map { $0 })
        #expect(
            try kernel.fittedLocal([tooLarge], global: [tooLarge], device: context.device, fixedLocal: false)[0]
                <= limit)
        do {
            try kernel.enqueue(on: context, global: [tooLarge], local: [tooLarge], fixedLocal: true)
            Issue.record("a fixed work-group above the kernel's limit must be refused")
        } catch let error as CLError {
            #expect(error.status == .invalidWorkGroupSize)
            #expect(error.description.contains("ids"))
            #expect(error.description.contains(context.device.name))
        }
        #expect(context.launchCount == before + 1)
    }

    @Test func aLaunchWithMissingArgumentsNamesThem() throws {
        let context = try CLContext(device: Shared.backend().device)
        let program = try context.program(
            source: "__kernel void two(__global int* x, const int v) { x[get_global_id(0)] = v; }")
        let kernel = try program.kernel("two")
        let buffer = try CLBuffer(context: context, byteCount: 64)
        try kernel.setArgument(0, buffer)
        do {
            try kernel.enqueue(on: context, global: [16])
            Issue.record("a launch with argument 1 unset must fail")
        } catch let error as CLError {
            #expect(error.status == .invalidKernelArgs)
            #expect(error.description.contains("declares 2 arguments, the host set [0]"))
        }
        try kernel.setArgument(1, value: Int32(7))
        try kernel.enqueue(on: context, global: [16]).wait()
        #expect(try buffer.download(Int32.self, count: 16, on: context).values == Array(repeating: 7, count: 16))
    }

    @Test func programCacheIsKeyedBySourceAndOptions() throws {
        let context = try CLContext(device: Shared.backend().device)
        let source = "__kernel void twice(__global float* x) { x[get_global_id(0)] *= SCALE; }"
        let a = try context.program(source: source, options: "-DSCALE=2.0f")
        let b = try context.program(source: source, options: "-DSCALE=2.0f")
        let c = try context.program(source: source, options: "-DSCALE=3.0f")
        #expect(a === b)
        #expect(a !== c)
        #expect(context.cachedProgramCount == 2)
        _ = try context.program(source: source + "\n", options: "-DSCALE=2.0f")
        #expect(context.cachedProgramCount == 3)
    }

    @Test func kernelLaunchAndBufferRoundTrip() throws {
        let context = try CLContext(device: Shared.backend().device)
        let program = try context.program(
            source: "__kernel void twice(__global float* x, float k) { x[get_global_id(0)] *= k; }")
        let buffer = try CLBuffer(context: context, byteCount: 10 * 4)
        try buffer.upload((0..<10).map(Float.init), on: context)
        let kernel = try program.kernel("twice")
        try kernel.setArgument(0, buffer)
        try kernel.setArgument(1, value: Float(3))
        let event = try kernel.enqueue(on: context, global: [10])
        _ = try event.durationNanoseconds()
        let (values, _) = try buffer.download(Float.self, count: 10, on: context)
        #expect(values == (0..<10).map { Float($0) * 3 })

        #expect(throws: CLError.self) { try program.kernel("no_such_kernel") }
        #expect(throws: CLError.self) { try kernel.setArgument(5, value: Float(1)) }
        #expect(throws: CLError.self) { try buffer.upload([Float](repeating: 0, count: 11), on: context) }
        #expect(throws: CLError.self) { try CLBuffer(context: context, byteCount: 0) }
        do {
            try kernel.setArgument(0, value: Int8(1))
            Issue.record("a 1-byte value for a buffer argument must fail")
        } catch let error as CLError {
            #expect(error.call == "clSetKernelArg")
        }
    }

    /// Kernels/random.cl's Philox must produce the very words of the Swift mirror.
    @Test func deviceGeneratorMatchesTheSwiftMirror() throws {
        let backend = try Shared.backend()
        let program = try backend.context.program(source: KernelLibrary.embedded.source(family: "random"))
        let key = RandomKey(seed: 123_456_789, epoch: 4, sampleIndex: 0x1_0000_0003, opIndex: 5)
        let base = key.counterBase(domain: .noise)
        let blocks = 64
        let buffer = try CLBuffer(context: backend.context, byteCount: blocks * 16)
        let kernel = try program.kernel("random_philox_blocks")
        try kernel.setArgument(0, buffer)
        try kernel.setArgument(1, value: UInt32(10))
        try kernel.setArgument(2, value: SIMD4<UInt32>(base.0, base.1, base.2, 0))
        try kernel.setArgument(3, value: SIMD2<UInt32>(key.philoxKey.0, key.philoxKey.1))
        try kernel.enqueue(on: backend.context, global: [blocks]).wait()
        let (device, _) = try buffer.download(UInt32.self, count: blocks * 4, on: backend.context)
        var expected: [UInt32] = []
        for block in 0..<UInt32(blocks) {
            let words = Philox4x32.block(counter: (10 + block, base.0, base.1, base.2), key: key.philoxKey)
            expected += [words.0, words.1, words.2, words.3]
        }
        #expect(device == expected)
    }

    @Test func kernelFolderOverrideAndItsErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "augment-kernels-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let embedded = KernelLibrary.embedded
        // A folder without warp.cl: the error names the missing file.
        try "// common\n".write(to: folder.appendingPathComponent("common.cl"), atomically: true, encoding: .utf8)
        let incomplete = try KernelLibrary(directory: folder)
        #expect(throws: AugmentError.backendUnavailable("kernel library (\(folder.path)) has no warp.cl")) {
            try incomplete.source(family: "warp")
        }
        // A warp.cl that does not compile: running a plan throws the build error with its log.
        try "__kernel void warp_remap() { syntax error }".write(
            to: folder.appendingPathComponent("warp.cl"),
            atomically: true, encoding: .utf8)
        let backend = try OpenCLBackend(device: Shared.backend().device, kernels: try KernelLibrary(directory: folder))
        let input = try ImageBatch.random(
            count: 1, geometry: ImageGeometry(height: 4, width: 4, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        do {
            _ = try backend.apply(try Pipeline([HorizontalFlip()]), to: input, seed: 1)
            Issue.record("a broken warp.cl must fail to build")
        } catch let error as CLError {
            #expect(error.status == .buildProgramFailure)
            #expect(error.buildLog?.contains("warp.cl") == true, "the log names the file through #line")
        }
        #expect(throws: AugmentError.self) { try KernelLibrary(directory: folder.appendingPathComponent("missing")) }
        #expect(embedded.fileNames.contains("warp.cl") && embedded.fileNames.contains("common.cl"))
    }

    @Test func backendRejectsAPlanForAnotherBatch() throws {
        let backend = try Shared.backend()
        let input = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 8, width: 8, channels: 3),
            pixelType: .uint8, layout: .nhwc, seed: 1)
        let plan = try Pipeline([RandomCrop(height: 4, width: 4)]).sample(count: 2, geometry: input.geometry, seed: 1)
            .plan(for: input)
        let other = try ImageBatch.random(
            count: 2, geometry: ImageGeometry(height: 8, width: 8, channels: 3),
            pixelType: .float32, layout: .nchw, seed: 1)
        #expect(throws: AugmentError.self) { try backend.run(plan, on: other) }
        #expect(throws: AugmentError.self) { try CPUBackend().run(plan, on: other) }
    }
}
