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
        ElasticTransform.self,
        RandomDropout.self,
        ChannelShuffle.self,
        Compose.self,
        RandomApply.self,
        OneOf.self,
        SomeOf.self,
        RandAugment.self,
        TrivialAugmentWide.self,
        AugMix.self,
        AutoAugment.self,
        ClassConditionedApply.self,
        ColorChannels.self,
    ]

    /// Ops on (N, C, T) signal batches (`"input": "signal"`). A name here that is also in ``types``
    /// (`gaussian_noise`) means this type when the input is signals; `time_masking` on signals is
    /// the SpecAugment op of ``types``.
    public static let signalTypes: [any Transform.Type] = [
        SignalGaussianNoise.self,
        BaselineWander.self,
        TimeStretch.self,
        AmplitudeScale.self,
        TimeShift.self,
        ChannelDropout.self,
        ChannelPermute.self,
    ]

    /// The registered type for an op name (images and spectrograms first, then signal-only ops).
    public static func type(named name: String) -> (any Transform.Type)? {
        type(named: name, input: .image)
    }

    /// The registered type for an op name on `input`: for signals, ``signalTypes`` come first.
    public static func type(named name: String, input: PipelineInput) -> (any Transform.Type)? {
        let order = input == .signal ? signalTypes + types : types + signalTypes
        return order.first { $0.opName == name }
    }

    /// Ops that read or write colour (and the policies that include such ops): refused on depth
    /// maps (`"input": "depth"`).
    public static let colorOpNames: Set<String> = [
        "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "rgb_to_grayscale", "adjust_gamma",
        "posterize", "solarize", "autocontrast", "equalize", "invert", "color_jitter", "random_grayscale",
        "random_gamma",
        "random_posterize", "random_solarize", "random_equalize", "random_autocontrast", "random_invert",
        "rand_augment",
        "trivial_augment_wide", "aug_mix", "auto_augment", "color_channels",
    ]

    /// All op names, sorted.
    public static var opNames: [String] { Array(Set((types + signalTypes).map { $0.opName })).sorted() }
}

/// What a pipeline file's arrays hold (`"input"`): images (the default), spectrograms (a 3-D .npy
/// (N, F, T) seen as one-channel images F x T), signals (a 3-D .npy (N, C, T) seen as C-channel
/// images 1 x T, selecting the signal ops of ``OpRegistry/signalTypes``), or depth maps (one-channel
/// float32 images in metres, or uint8; colour ops, ``OpRegistry/colorOpNames``, are refused).
public enum PipelineInput: String, Sendable, Codable, CaseIterable {
    case image, spectrogram, signal, depth

    /// The input kind of the pipeline file being parsed (read by nested op parsing).
    @TaskLocal static var parsing: PipelineInput = .image
}
