// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-augment",
    products: [
        .library(name: "Augment", targets: ["Augment"]),
        .library(name: "AugmentOpenCL", targets: ["AugmentOpenCL"]),
        .library(name: "AugmentIO", targets: ["AugmentIO"]),
        .executable(name: "augment", targets: ["augment"]),
        // The C ABI (Sources/CSwiftAugment/include/swift_augment.h) as libSwiftAugment.so: what the
        // Python package in python/ loads.
        .library(name: "SwiftAugment", type: .dynamic, targets: ["AugmentC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // The OpenCL headers and ICD loader, from Debian's ocl-icd-opencl-dev + opencl-headers.
        .systemLibrary(
            name: "COpenCL",
            pkgConfig: "OpenCL",
            providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]
        ),
        // Image codecs from Debian's -dev packages: libpng (simplified API) and libjpeg-turbo's TurboJPEG.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        // Backend-agnostic core: batches, randomness, transforms, planner, CPU reference backend.
        // A C helper for one malloc setting (mallopt is not exported to Swift).
        .target(name: "CHostMemory"),
        .target(name: "Augment", dependencies: ["CHostMemory"]),
        // Scaffolding, not part of the Augment product (underscored, as swift-numerics does): the
        // transform catalog and CPU-vs-OpenCL parity harness behind `augment verify` and the parity
        // tests (Verification/), and the synthetic scenes and speech of the demo, benchmarks and
        // example (Synthetic/).
        .target(name: "_AugmentScaffolding", dependencies: ["Augment"]),
        // Turns Kernels/*.cl into a Swift source file at build time (used by the plugin below).
        .executableTarget(name: "KernelEmbedder"),
        .plugin(
            name: "EmbedKernels",
            capability: .buildTool(),
            dependencies: ["KernelEmbedder"]
        ),
        // OpenCL runtime wrappers and the OpenCL backend; the kernels are embedded at build time.
        .target(
            name: "AugmentOpenCL",
            dependencies: ["Augment", "COpenCL"],
            plugins: ["EmbedKernels"]
        ),
        // Files: .npy arrays, PNG and JPEG images, folders of them, pipeline and parameter files.
        .target(name: "AugmentIO", dependencies: ["Augment", "CPNG", "CTurboJPEG"]),
        // The C ABI: the header and struct layouts (CSwiftAugment), the @_cdecl entry points (AugmentC).
        .target(name: "CSwiftAugment"),
        .target(name: "AugmentC", dependencies: ["Augment", "AugmentOpenCL", "CSwiftAugment"]),
        .executableTarget(
            name: "augment",
            dependencies: [
                "Augment", "AugmentOpenCL", "AugmentIO", "_AugmentScaffolding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "AugmentBenchmarks",
            dependencies: ["Augment", "AugmentOpenCL"],
            path: "Benchmarks/Throughput"
        ),
        .executableTarget(
            name: "AugmentSoak",
            dependencies: ["Augment", "AugmentOpenCL", "_AugmentScaffolding"],
            path: "Benchmarks/Soak"
        ),
        // Mutated files and pipelines against the decoders, the parser and both backends (scripts/fuzz.sh).
        .executableTarget(
            name: "AugmentFuzz",
            dependencies: ["Augment", "AugmentOpenCL", "AugmentIO", "_AugmentScaffolding"],
            path: "Fuzz/AugmentFuzz"
        ),
        .executableTarget(
            name: "TrainingExample",
            dependencies: ["Augment", "AugmentOpenCL", "_AugmentScaffolding"],
            path: "Examples/TrainingExample"
        ),
        // Helpers the test targets share (hand-made PNG and .npy files, running the built CLI).
        .target(name: "AugmentTestSupport", dependencies: ["Augment"], path: "Tests/AugmentTestSupport"),
        .testTarget(name: "AugmentTests", dependencies: ["Augment", "_AugmentScaffolding"]),
        .testTarget(name: "AugmentIOTests", dependencies: ["Augment", "AugmentIO", "AugmentTestSupport"]),
        .testTarget(
            name: "AugmentOpenCLTests",
            dependencies: ["Augment", "AugmentOpenCL", "_AugmentScaffolding", "AugmentTestSupport"]
        ),
        // The `augment` command line, run as a user runs it (the executable is built for these tests).
        .testTarget(
            name: "AugmentCLITests",
            dependencies: ["Augment", "AugmentTestSupport", "augment"]
        ),
    ]
)
