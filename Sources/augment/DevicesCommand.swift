import ArgumentParser
import Augment
import AugmentOpenCL
import Foundation

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List OpenCL platforms and devices with their key limits.",
        discussion: """
            The number in front of each device selects it: --device N, or \(CLDeviceSelector.environmentVariable)=N. \
            A selector may also be PLATFORM:DEVICE, gpu, cpu, or part of a device name.
            """
    )

    func run() throws {
        let platforms: [CLPlatform]
        do {
            platforms = try CLPlatform.all()
        } catch {
            fail(
                """
                no OpenCL platform found (\(describe(error))).
                Install an OpenCL driver: `apt-get install pocl-opencl-icd` runs kernels on the CPU; \
                docs/gpu.md lists the NVIDIA, AMD and Intel drivers.
                """)
        }
        let chosen = try? CLDevice.select(.automatic)
        var index = 0
        for (p, platform) in platforms.enumerated() {
            print("platform \(p): \(platform.name) — \(platform.vendor) — \(platform.version)")
            let devices: [CLDevice]
            do {
                devices = try platform.devices()
            } catch {
                print("  (cannot list devices: \(describe(error)))")
                continue
            }
            if devices.isEmpty { print("  (no devices)") }
            for (d, device) in devices.enumerated() {
                let marker = device == chosen ? "*" : " "
                print("\(marker) #\(index) [\(p):\(d)] \(device.name)")
                print(
                    "      type \(device.kind.rawValue), \(device.computeUnits) compute units @ \(device.maxClockMHz) MHz"
                )
                print(
                    "      global memory \(megabytes(device.globalMemoryBytes)), max allocation \(megabytes(device.maxAllocationBytes)), local memory \(kilobytes(device.localMemoryBytes))"
                )
                print("      max work-group size \(device.maxWorkGroupSize)")
                print("      \(device.version); driver \(device.driverVersion); \(device.openCLCVersion)")
                print(
                    "      fp16: \(device.extensions.contains("cl_khr_fp16") ? "yes" : "no"), fp64: \(device.extensions.contains("cl_khr_fp64") ? "yes" : "no")"
                )
                index += 1
            }
        }
        if let chosen {
            let how =
                ProcessInfo.processInfo.environment[CLDeviceSelector.environmentVariable].map {
                    "\(CLDeviceSelector.environmentVariable)=\($0)"
                } ?? "GPU first, then CPU"
            print("* default device (\(how)): \(chosen.name)")
        }
    }

    private func megabytes(_ bytes: UInt64) -> String { "\(bytes / (1 << 20)) MiB" }
    private func kilobytes(_ bytes: UInt64) -> String { "\(bytes / (1 << 10)) KiB" }
}
