import Foundation
import Testing
import Augment
import AugmentOpenCL
import AugmentTestSupport
import _AugmentScaffolding

/// The OpenCL backend every test shares (programs are built once per variant). Tests that need it
/// fail, not skip, when no OpenCL device exists: CI installs PoCL, so a missing device is a broken
/// setup. Set AUGMENT_SKIP_OPENCL_TESTS=1 to skip them deliberately on a machine without OpenCL.
enum Shared {
    static let skipOpenCL = TestEnvironment.skipOpenCL

    static let backendResult: Result<OpenCLBackend, any Error> = Result { try OpenCLBackend() }

    static func backend() throws -> OpenCLBackend {
        try backendResult.get()
    }
}

/// Asserts that `pipeline` gives the same output on the CPU reference and on OpenCL for `input`,
/// with outputs poisoned before each run: float32 within 1e-5, uint8 exactly.
func expectParity(
    _ pipeline: Pipeline, on input: ImageBatch, seed: UInt64, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    try expectParity(pipeline, on: AugmentBatch(images: input), seed: seed, label, sourceLocation: sourceLocation)
}

/// The same for images with targets (labels are compared too).
func expectParity(
    _ pipeline: Pipeline, on input: AugmentBatch, seed: UInt64, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let (result, referenceBatch, candidate) = try Parity.check(
        pipeline, on: input, seed: seed, reference: CPUBackend(),
        candidate: Shared.backend())
    let reference = referenceBatch.images
    #expect(
        result.passed, "\(label) \(input.images.shapeDescription) -> \(pipeline.output): \(result)",
        sourceLocation: sourceLocation)
    // The reference itself must be fully written: no poison left anywhere.
    if case .float32(let values) = reference.pixels {
        #expect(
            !values.contains { $0.isNaN }, "\(label): CPU output still holds poison", sourceLocation: sourceLocation)
    }
    #expect(candidate.count == input.count, sourceLocation: sourceLocation)
}
