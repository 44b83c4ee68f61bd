import Foundation

/// Every transform type that pipeline files can name, keyed by ``Transform/opName``. A new
/// transform is registered by adding its type to ``OpRegistry/types``.
public enum OpRegistry {
    public static let types: [any Transform.Type] = [
        Normalize.self,
        HorizontalFlip.self,
        VerticalFlip.self,
        RandomHorizontalFlip.self,
        RandomVerticalFlip.self,
        Crop.self,
        CenterCrop.self,
        RandomCrop.self,
        MixUp.self,
        CutMix.self,
        MixUpCutMix.self,
        SaliencyMix.self,
        FrequencyMasking.self,
        TimeMasking.self,
        TimeWarp.self,
        Affine.self,
        Rotate.self,
        Perspective.self,
        Resize.self,
        ResizedCrop.self,
        Rot90.self,
        Pad.self,
        RandomAffine.self,
        RandomRotation.self,
        RandomPerspective.self,
        RandomResizedCrop.self,
        AdjustBrightness.self,
        AdjustContrast.self,
        AdjustSaturation.self,
        AdjustHue.self,
        RGBToGrayscale.self,
        AdjustGamma.self,
        AdjustSharpness.self,
        Posterize.self,
        Solarize.self,
        Autocontrast.self,
        Equalize.self,
        Invert.self,
        GaussianBlur.self,
        Erase.self,
        GaussianNoise.self,
        ColorJitter.self,
        RandomGrayscale.self,
        RandomGamma.self,
        RandomPosterize.self,
        RandomSolarize.self,
        RandomEqualize.self,
        RandomAutocontrast.self,
        RandomAdjustSharpness.self,
        RandomInvert.self,
        RandomErasing.self,
        Compose.self,
        RandomApply.self,
        OneOf.self,
        SomeOf.self,
        RandAugment.self,
        TrivialAugmentWide.self,
        AugMix.self,
        AutoAugment.self,
        ClassConditionedApply.self,
    ]

    /// The registered type for an op name.
    public static func type(named name: String) -> (any Transform.Type)? {
        types.first { $0.opName == name }
    }

    /// All op names, sorted.
    public static var opNames: [String] { types.map { $0.opName }.sorted() }
}
