import ArgumentParser
import Augment
import AugmentIO
import AugmentOpenCL
import Foundation

@main
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Batched data augmentation on OpenCL devices, checked against a CPU reference.",
        subcommands: [
            DemoCommand.self, DevicesCommand.self, VerifyCommand.self, ApplyCommand.self, BenchCommand.self,
            PlanCommand.self,
            TTACommand.self, SamplePhotosCommand.self, OpsCommand.self,
        ]
    )
}

/// Prints an error the way every subcommand does and exits non-zero.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("augment: error: \(message)\n".utf8))
    exit(code)
}

/// The message for any error the library throws.
func describe(_ error: any Error) -> String {
    if let error = error as? AugmentError { return error.description }
    if let error = error as? CLError { return error.description }
    if let error = error as? IOError { return error.description }
    return String(describing: error)
}

/// A pipeline named on the command line: a built-in name (`augment bench` lists them) or a JSON file.
struct NamedPipeline {
    var name: String
    var file: PipelineFile
    var input: BuiltinPipelines.Entry.Input

    /// Resolves `text` as a built-in pipeline name first, then as a file. `flag` names the option.
    init(_ text: String, flag: String = "--pipeline") throws {
        if let entry = BuiltinPipelines.entry(named: text) {
            name = entry.name
            file = try PipelineFile.parse(Data(entry.trainJSON.utf8), name: entry.name)
            input = entry.input
            return
        }
        guard FileManager.default.fileExists(atPath: text) else {
            throw IOError.unreadable(
                path: text,
                reason:
                    "\(flag) names neither a file nor a built-in pipeline; built-in: \(BuiltinPipelines.entries.map(\.name).joined(separator: ", "))"
            )
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: text))
        } catch {
            throw IOError.unreadable(path: text, reason: error.localizedDescription)
        }
        name = URL(fileURLWithPath: text).deletingPathExtension().lastPathComponent
        file = try PipelineFile.parse(data, name: text)
        let spectrogramOps: Set<String> = ["frequency_masking", "time_masking", "time_warp"]
        input = file.pipeline.transforms.contains { spectrogramOps.contains($0.opName) } ? .spectrograms : .images
    }
}

/// Removes this run's staged outputs and temporary files on SIGINT, SIGTERM or SIGHUP, then exits
/// with 128 + the signal number (the shell's convention).
enum InterruptCleanup {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install() {
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("augment: interrupted; removed the partial output\n".utf8))
                TemporaryFiles.removeAllAndExit(status: 128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
