"""Every kind of bad input raises an exception with the library's message, and never crashes."""
import ctypes
import json

import numpy as np
import pytest

import swift_augment as sa
from swift_augment import _native

CROP = [{"op": "random_crop", "height": 8, "width": 8}]


@pytest.fixture
def images(rng):
    return rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)


@pytest.fixture
def cpu():
    return sa.Backend("cpu")


def test_wrong_dtype(cpu, images):
    with pytest.raises(sa.InvalidArgumentError, match="uint8, uint16 or float32.*float64"):
        cpu.apply(sa.Pipeline(CROP), images.astype(np.float64))
    with pytest.raises(sa.InvalidArgumentError, match="uint8, uint16 or float32"):
        cpu.apply(sa.Pipeline(CROP), images.astype(np.float32).byteswap().view(">f4"))


def test_non_contiguous(cpu, images):
    with pytest.raises(sa.InvalidArgumentError, match="C-contiguous"):
        cpu.apply(sa.Pipeline(CROP), images[:, ::2])


def test_wrong_ndim(cpu, images):
    with pytest.raises(sa.InvalidArgumentError, match="4-D"):
        cpu.apply(sa.Pipeline(CROP), images[0])
    with pytest.raises(ValueError):
        cpu.apply(sa.Pipeline(CROP), images[None])


def test_empty_batch(cpu):
    with pytest.raises(sa.InvalidShapeError, match="at least 1"):
        cpu.apply(sa.Pipeline(CROP), np.zeros((0, 16, 16, 3), np.uint8))


def test_not_an_array(cpu):
    with pytest.raises(sa.InvalidArgumentError, match="numpy array"):
        cpu.apply(sa.Pipeline(CROP), "pixels")


@pytest.mark.parametrize("ops, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ([{"op": "random_crup", "height": 8, "width": 8}], "did you mean 'random_crop'"),
    ([{"op": "random_crop", "height": 8, "widht": 8}], "widht"),
    ([{"op": "gaussian_blur", "kernel_size": [4, 4]}], "kernel_size"),
    ([{"op": "random_horizontal_flip", "p": 1.5}], "'p'"),
    ({"ops": CROP, "output": {"dtype": "int7"}}, "dtype"),
    ({"oops": []}, "unknown key 'oops'"),
])
def test_bad_pipeline(ops, message):
    with pytest.raises(sa.PipelineError, match=message):
        sa.Pipeline(ops)


def test_op_that_cannot_apply_to_the_input(cpu, images):
    pipeline = sa.Pipeline([{"op": "crop", "top": 0, "left": 0, "height": 64, "width": 64}])
    with pytest.raises(sa.AugmentError) as raised:
        cpu.apply(pipeline, images)
    assert "64" in str(raised.value) and isinstance(raised.value, ValueError)
    with pytest.raises(sa.AugmentError):
        pipeline.output_shape(images.shape)


def test_bad_labels(cpu, images):
    pipeline = sa.Pipeline(CROP)
    with pytest.raises(sa.InvalidShapeError, match="3 labels for a batch of 2"):
        cpu.apply(pipeline, images, np.array([0, 1, 2]))
    with pytest.raises(sa.InvalidShapeError, match="class id -1"):
        cpu.apply(pipeline, images, np.array([0, -1]), num_classes=3)
    with pytest.raises(sa.InvalidShapeError, match="class id 5"):
        cpu.apply(pipeline, images, np.array([0, 5]), num_classes=3)
    with pytest.raises(sa.InvalidShapeError, match="not a finite non-negative"):
        cpu.apply(pipeline, images, np.array([[1, 0], [np.nan, 1]], np.float32))
    with pytest.raises(sa.InvalidArgumentError, match="class ids"):
        cpu.apply(pipeline, images, np.zeros((2, 2, 2), np.float32))


def test_bad_keys(cpu, images):
    pipeline = sa.Pipeline(CROP)
    for kwargs in ({"seed": -1}, {"seed": 1 << 64}, {"epoch": -3}, {"first_index": 1.5}, {"seed": True}):
        with pytest.raises(sa.InvalidArgumentError):
            cpu.apply(pipeline, images, **kwargs)
    with pytest.raises(sa.InvalidArgumentError, match="sample_indices"):
        cpu.apply(pipeline, images, sample_indices=[1, 2, 3])
    with pytest.raises(sa.InvalidArgumentError, match="non-negative"):
        cpu.apply(pipeline, images, sample_indices=[1, -2])


def test_bad_replay(cpu, images, tmp_path):
    pipeline = sa.Pipeline(CROP)
    recorded = []
    cpu.apply(pipeline, images, record=recorded)
    with pytest.raises(sa.ParameterMismatchError, match="not a JSON object"):
        cpu.apply(pipeline, images, replay="{nope")
    with pytest.raises(sa.ParameterMismatchError, match="op 0"):
        cpu.apply(sa.Pipeline([{"op": "random_horizontal_flip", "p": 0.5}]), images, replay=recorded[0])
    with pytest.raises(sa.ParameterMismatchError, match="sampled for 2 images"):
        cpu.apply(pipeline, np.concatenate([images, images]), replay=recorded[0])
    with pytest.raises(sa.InvalidArgumentError, match="cannot read"):
        cpu.apply(pipeline, images, replay=tmp_path / "missing.json")


def test_bad_out(cpu, images):
    with pytest.raises(sa.InvalidArgumentError, match="out must be"):
        cpu.apply(sa.Pipeline(CROP), images, out=np.empty((2, 3, 8, 9), np.float32))


def test_bad_backend():
    with pytest.raises(sa.InvalidArgumentError, match="'cpu' or 'opencl'"):
        sa.Backend("cuda")
    with pytest.raises(sa.InvalidArgumentError, match="no device"):
        sa.Backend("cpu", device="0")
    with pytest.raises(sa.BackendUnavailableError, match="no OpenCL"):
        sa.Backend("opencl", device="no-such-device-name")


def test_closed_backend(images):
    backend = sa.Backend("cpu")
    backend.close()
    with pytest.raises(sa.InvalidArgumentError, match="closed"):
        backend.apply(sa.Pipeline(CROP), images)


def test_c_abi_rejects_null_pointers_and_overflowing_sizes():
    """Directly through ctypes, what Python never sends: NULLs, absurd sizes, wrong byte counts."""
    lib = _native.lib()
    pipeline = sa.Pipeline(CROP)
    backend = sa.Backend("cpu")
    with pytest.raises(sa.InvalidArgumentError, match="backend is NULL"):
        _native.call(lib.sa_apply, None, pipeline._handle, None, None, 0, None, None, None, 0, None, 0, None)
    with pytest.raises(sa.InvalidArgumentError, match="input is NULL"):
        _native.call(lib.sa_apply, backend._handle, pipeline._handle, None, None, 0, None, None, None, 0, None, 0, None)
    huge = _native.ImageDesc(_native.DTYPE_FLOAT32, _native.LAYOUT_NHWC, 1 << 40, 1 << 40, 16, 3)
    out = _native.ImageDesc()
    with pytest.raises(sa.InvalidShapeError, match="overflows"):
        _native.call(lib.sa_output_desc, pipeline._handle, ctypes.byref(huge), ctypes.byref(out))
    small = _native.ImageDesc(_native.DTYPE_UINT8, _native.LAYOUT_NHWC, 1, 16, 16, 3)
    data = np.zeros(16 * 16 * 3, np.uint8)
    with pytest.raises(sa.InvalidArgumentError, match="need 768 bytes, got 767"):
        _native.call(lib.sa_apply, backend._handle, pipeline._handle, ctypes.byref(small), data.ctypes.data, 767,
                     None, None, None, 0, None, 0, None)
    result = np.zeros(3 * 8 * 8, np.float32)
    with pytest.raises(sa.InvalidArgumentError, match="output data is NULL"):
        _native.call(lib.sa_apply, backend._handle, pipeline._handle, ctypes.byref(small), data.ctypes.data, 768,
                     None, None, None, result.nbytes, None, 0, None)
    bad = _native.ImageDesc(9, 0, 1, 16, 16, 3)
    with pytest.raises(sa.InvalidArgumentError, match="dtype 9"):
        _native.call(lib.sa_output_desc, pipeline._handle, ctypes.byref(bad), ctypes.byref(out))
    half = _native.ImageDesc(_native.DTYPE_FLOAT16, 0, 1, 16, 16, 3)
    with pytest.raises(sa.InvalidArgumentError, match="float16 is an output type"):
        _native.call(lib.sa_apply, backend._handle, pipeline._handle, ctypes.byref(half), data.ctypes.data, 1536,
                     None, None, result.ctypes.data, result.nbytes, None, 0, None)
    with pytest.raises(sa.InvalidArgumentError, match="json is NULL"):
        _native.call(lib.sa_pipeline_create, None, ctypes.byref(ctypes.c_void_p()))
    indices = np.zeros(4, np.int64)
    with pytest.raises(sa.InvalidArgumentError, match="capacity"):
        _native.call(lib.sa_epoch_indices, 10, 0, 0, 1, 0, 1, 0, indices.ctypes.data, 4, ctypes.byref(ctypes.c_int64()))
    with pytest.raises(sa.InvalidArgumentError, match="world size"):
        _native.call(lib.sa_epoch_indices, 4, 0, 0, 1, 0, 1 << 62, 1, indices.ctypes.data, 4, ctypes.byref(ctypes.c_int64()))


def test_errors_are_the_documented_classes():
    assert issubclass(sa.PipelineError, ValueError) and issubclass(sa.PipelineError, sa.AugmentError)
    assert issubclass(sa.BackendUnavailableError, RuntimeError)
    try:
        sa.Pipeline([{"op": "nope"}])
    except sa.AugmentError as error:
        assert error.status == 3 and "nope" in error.message
