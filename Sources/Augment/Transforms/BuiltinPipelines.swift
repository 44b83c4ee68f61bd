import Foundation

/// The named pipelines of `augment demo` and `augment bench`, written as pipeline files (they are
/// also the examples in docs/pipelines.md). `display` pipelines produce uint8 pictures; `train`
/// pipelines produce what a model consumes.
public enum BuiltinPipelines {
    public struct Entry: Sendable {
        /// Name for `augment bench --pipeline NAME`.
        public let name: String
        /// What it shows.
        public let summary: String
        /// The training form (float32 NCHW, normalized where the recipe does).
        public let trainJSON: String
        /// A picture-friendly form for the demo (uint8 output, no normalize), if different.
        public let displayJSON: String?
        /// Whether the pipeline needs labels (mixing) or spectrograms.
        public let input: Input

        public enum Input: Sendable { case images, imagesWithLabels(classes: Int), spectrograms }
    }

    public static let entries: [Entry] = [
        Entry(
            name: "imagenet",
            summary:
                "random_resized_crop 224 (scale 0.08-1, antialias) + random_horizontal_flip + color_jitter(0.4, 0.4, 0.4, 0.1) + normalize",
            trainJSON: """
                {"ops": [{"op": "random_resized_crop", "size": [224, 224], "scale": [0.08, 1.0], "interpolation": "bilinear",
                          "antialias": true},
                         {"op": "random_horizontal_flip", "p": 0.5},
                         {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
                         {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]}
                """,
            displayJSON: """
                {"output": {"dtype": "uint8", "layout": "nhwc"},
                 "ops": [{"op": "random_resized_crop", "size": [224, 224], "scale": [0.08, 1.0], "interpolation": "bilinear",
                          "antialias": true},
                         {"op": "random_horizontal_flip", "p": 0.5},
                         {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1}]}
                """,
            input: .images),
        Entry(
            name: "crop_flip_normalize",
            summary: "random_crop 224 + random_horizontal_flip + normalize",
            trainJSON: """
                {"ops": [{"op": "random_crop", "height": 224, "width": 224},
                         {"op": "random_horizontal_flip", "p": 0.5},
                         {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]}
                """,
            displayJSON: """
                {"output": {"dtype": "uint8", "layout": "nhwc"},
                 "ops": [{"op": "random_crop", "height": 192, "width": 192},
                         {"op": "random_horizontal_flip", "p": 0.5},
                         {"op": "random_vertical_flip", "p": 0.3}]}
                """,
            input: .images),
        Entry(
            name: "affine",
            summary: "random_affine (30 degrees, translate 0.1, scale 0.8-1.2, shear 10), bilinear + normalize",
            trainJSON: """
                {"ops": [{"op": "random_affine", "degrees": [-30, 30], "translate": [0.1, 0.1], "scale": [0.8, 1.2],
                          "shear": [-10, 10], "interpolation": "bilinear", "fill": [0]},
                         {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]}
                """,
            displayJSON: """
                {"output": {"dtype": "uint8", "layout": "nhwc"},
                 "ops": [{"op": "random_affine", "degrees": [-30, 30], "translate": [0.1, 0.1], "scale": [0.8, 1.2],
                          "shear": [-10, 10], "interpolation": "bilinear", "fill": [0]}]}
                """,
            input: .images),
        Entry(
            name: "blur",
            summary: "gaussian_blur 7x7 with sigma ~ U(0.1, 2) per sample",
            trainJSON: """
                {"ops": [{"op": "gaussian_blur", "kernel_size": [7, 7], "sigma": [0.1, 2.0]}]}
                """,
            displayJSON: """
                {"output": {"dtype": "uint8", "layout": "nhwc"},
                 "ops": [{"op": "gaussian_blur", "kernel_size": [23, 23], "sigma": [0.1, 5.0]}]}
                """,
            input: .images),
        Entry(
            name: "mixup_cutmix",
            summary: "timm Mixup: mixup 0.8 / cutmix 1.0, switch 0.5, label smoothing 0.1, 1000 classes",
            trainJSON: """
                {"ops": [{"op": "mixup_cutmix", "mixup_alpha": 0.8, "cutmix_alpha": 1.0, "prob": 1.0, "switch_prob": 0.5,
                          "mode": "batch", "label_smoothing": 0.1, "num_classes": 1000},
                         {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]}
                """,
            displayJSON: """
                {"output": {"dtype": "uint8", "layout": "nhwc"},
                 "ops": [{"op": "mixup_cutmix", "mixup_alpha": 0.8, "cutmix_alpha": 1.0, "prob": 1.0, "switch_prob": 0.5,
                          "mode": "elem", "label_smoothing": 0.1, "num_classes": 4}]}
                """,
            input: .imagesWithLabels(classes: 1000)),
        Entry(
            name: "specaugment",
            summary: "SpecAugment LibriSpeech double: time_warp 80, 2 frequency masks (27), 2 time masks (100)",
            trainJSON: """
                {"ops": [{"op": "time_warp", "window": 80, "mode": "linear"},
                         {"op": "frequency_masking", "freq_mask_param": 27, "num_masks": 2},
                         {"op": "time_masking", "time_mask_param": 100, "num_masks": 2, "p": 1.0}]}
                """,
            // Raw log-mel values are far from 0, so the picture masks with each example's mean.
            displayJSON: """
                {"ops": [{"op": "time_warp", "window": 80, "mode": "linear"},
                         {"op": "frequency_masking", "freq_mask_param": 27, "num_masks": 2, "mask_value": "mean"},
                         {"op": "time_masking", "time_mask_param": 100, "num_masks": 2, "p": 1.0, "mask_value": "mean"}]}
                """,
            input: .spectrograms),
    ]

    public static func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The parsed training pipeline of an entry.
    public static func trainPipeline(_ entry: Entry) throws -> Pipeline {
        try PipelineFile.parse(Data(entry.trainJSON.utf8), name: entry.name).pipeline
    }

    /// The parsed display pipeline of an entry (the training one when it has none).
    public static func displayPipeline(_ entry: Entry) throws -> Pipeline {
        try PipelineFile.parse(Data((entry.displayJSON ?? entry.trainJSON).utf8), name: entry.name).pipeline
    }
}
