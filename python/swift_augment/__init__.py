"""swift-augment from Python: batched data augmentation on OpenCL devices, with a CPU reference
backend that computes the same results from the same sampled parameters.

    import numpy as np, swift_augment as sa
    pipeline = sa.Pipeline([{"op": "random_crop", "height": 224, "width": 224},
                            {"op": "random_horizontal_flip", "p": 0.5},
                            {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}])
    images = np.zeros((64, 256, 256, 3), np.uint8)                 # uint8 NHWC
    out = sa.Backend("opencl").apply(pipeline, images, seed=7)     # float32 NCHW (64, 3, 224, 224)

The package loads libSwiftAugment (the library's C ABI), built by `pip install ./python` with
the Swift toolchain. docs/python.md in the repository describes the whole API.
"""
from ._api import Backend, Device, Pipeline, as_array, builtin_pipeline, devices
from ._native import (AugmentError, BackendUnavailableError, DeviceError, InvalidArgumentError, InvalidShapeError,
                      ParameterMismatchError, PipelineError, library_path)
from .training import AugmentedLoader, EpochPlan

__version__ = "0.1.0"

__all__ = [
    "AugmentError", "AugmentedLoader", "Backend", "BackendUnavailableError", "Device", "DeviceError", "EpochPlan",
    "InvalidArgumentError", "InvalidShapeError", "ParameterMismatchError", "Pipeline", "PipelineError", "as_array",
    "builtin_pipeline", "devices", "library_path",
]
