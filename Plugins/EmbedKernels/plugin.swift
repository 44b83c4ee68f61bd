import Foundation
import PackagePlugin

/// Embeds every `Kernels/*.cl` file of the package into the target as Swift string literals, so a
/// built binary (or a package that depends on this one) finds its kernels from any working
/// directory. The build re-runs the embedder whenever a `.cl` file changes.
@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernelsDirectory = context.package.directoryURL.appending(path: "Kernels")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: kernelsDirectory.path())) ?? []
        let inputs = names.filter { $0.hasSuffix(".cl") }.sorted().map {
            kernelsDirectory.appending(path: $0)
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKernels.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) OpenCL kernel files",
                executable: try context.tool(named: "KernelEmbedder").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
