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
        subcommands: [DemoCommand.self, DevicesCommand.self, VerifyCommand.self, ApplyCommand.self, BenchCommand.self, PlanCommand.self, TTACommand.self]
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
