import Foundation
import Testing
@testable import Augment

/// docs/reference.md is generated from the ops' argument declarations and must match them.
/// Regenerate with `augment ops --markdown > docs/reference.md` (or run this test with
/// AUGMENT_UPDATE_REFERENCE=1).
struct OpReferenceTests {
    @Test func committedReferenceMatchesTheDeclarations() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("docs/reference.md")
        let generated = OpReference.markdown()
        if ProcessInfo.processInfo.environment["AUGMENT_UPDATE_REFERENCE"] == "1" {
            try generated.write(to: path, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: path, encoding: .utf8)
        #expect(committed == generated, "docs/reference.md is stale: run `augment ops --markdown > docs/reference.md`")
    }

    /// A declaration's default, range and decoding agree: the default passes its own check, and
    /// decoding `{}` gives the defaults.
    @Test func declarationsDecodeAndValidateConsistently() throws {
        let noise = try JSONDecoder().decode(GaussianNoise.self, from: Data("{}".utf8))
        #expect(
            noise.mean == GaussianNoise.Arguments.mean.defaultValue
                && noise.sigma == GaussianNoise.Arguments.sigma.defaultValue
                && noise.clip == GaussianNoise.Arguments.clip.defaultValue)
        let flip = try JSONDecoder().decode(
            RandomVerticalFlip.self, from: Data(#"{"p": 0.25, "same_on_batch": true}"#.utf8))
        #expect(flip.p == 0.25 && flip.sameOnBatch)
        #expect(throws: AugmentError.self) {
            try JSONDecoder().decode(RandomHorizontalFlip.self, from: Data(#"{"p": 2}"#.utf8))
        }
        #expect(throws: AugmentError.self) { try GaussianNoise(sigma: -1) }
        for type in OpReference.describedTypes {
            #expect(OpRegistry.opNames.contains(type.opName))
            #expect(
                Set(type.arguments.map(\.name)).count == type.arguments.count,
                "\(type.opName): an argument declared twice")
        }
    }
}
