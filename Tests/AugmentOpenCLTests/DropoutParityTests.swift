import Testing
import Augment
import AugmentOpenCL

/// CPU vs OpenCL for the dropout family (Kernels/dropout.cl vs CPU/Dropout.swift): poisoned
/// outputs, bit-identical results (integer comparisons, copies).
@Suite(.enabled(if: !Shared.skipOpenCL, "AUGMENT_SKIP_OPENCL_TESTS=1"))
struct DropoutParityTests {
    @Test func randomDropoutIsBitExact() throws {
        let seed: UInt64 = 1500
        let ops = [
            try RandomDropout(mode: .pixels, p: 0.2),
            try RandomDropout(mode: .pixels, p: 0.9, value: 3.5),
            try RandomDropout(mode: .patches, numPatches: [0, 5], patchSize: [1, 30], value: 0.5),
        ]
        try sweep(
            try ops.map { op in ("random_dropout \(op.mode)", try Pipeline([op])) }, channels: [1, 3, 4], seed: seed)
    }
}
