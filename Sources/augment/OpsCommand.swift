import ArgumentParser
import Augment
import Foundation

struct OpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "List the ops pipeline files can name; --markdown prints the generated argument reference.",
        discussion: """
            The reference (docs/reference.md) is generated from each op's argument declarations \
            (name, default, allowed range, meaning, declared once in the op's source). \
            `augment ops --markdown > docs/reference.md` regenerates it; a test checks it is current.
            """
    )

    @Flag(help: "Print the pipeline argument reference as Markdown (what docs/reference.md holds).")
    var markdown = false

    func run() throws {
        if markdown {
            print(OpReference.markdown(), terminator: "")
            return
        }
        let described = Set(OpReference.describedTypes.map { $0.opName })
        for name in OpRegistry.opNames.sorted() {
            print(described.contains(name) ? "\(name)  (arguments in docs/reference.md)" : name)
        }
    }
}
