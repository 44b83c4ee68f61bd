"""The Python API: pipelines in every accepted form, shapes and dtypes, record/replay, zero-copy inputs."""
import json
import math

import numpy as np
import pytest

import swift_augment as sa

CROP_FLIP = [{"op": "random_crop", "height": 12, "width": 10}, {"op": "random_horizontal_flip", "p": 0.5}]


def test_devices_lists_the_default_device():
    found = sa.devices()
    assert all(isinstance(d, sa.Device) for d in found)
    if found:
        assert sum(d.default for d in found) == 1
        assert [d.index for d in found] == list(range(len(found)))
        assert found[0].compute_units >= 1 and found[0].name


def test_pipeline_forms_are_equivalent(tmp_path, rng):
    images = rng.integers(0, 256, (3, 16, 14, 3), dtype=np.uint8)
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"ops": CROP_FLIP}))
    forms = [sa.Pipeline(CROP_FLIP), sa.Pipeline({"ops": CROP_FLIP}), sa.Pipeline(json.dumps({"ops": CROP_FLIP})),
             sa.Pipeline(path)]
    backend = sa.Backend("cpu")
    results = [backend.apply(p, images, seed=3) for p in forms]
    for result in results[1:]:
        assert result.tobytes() == results[0].tobytes()
    assert forms[0].op_names == ["random_crop", "random_horizontal_flip"]


def test_crop_flip_values_are_a_crop_of_the_input(rng):
    """Each output image is a window of its input, maybe mirrored, scaled to [0, 1]."""
    images = rng.integers(0, 256, (4, 16, 14, 3), dtype=np.uint8)
    out = sa.Backend("cpu").apply(sa.Pipeline(CROP_FLIP), images, seed=11)
    assert out.shape == (4, 3, 12, 10) and out.dtype == np.float32
    for n in range(4):
        hwc = np.round(out[n].transpose(1, 2, 0) * 255).astype(np.uint8)
        windows = [images[n, t:t + 12, l:l + 10] for t in range(5) for l in range(5)]
        assert any((hwc == w).all() or (hwc == w[:, ::-1]).all() for w in windows)


def test_output_shape_and_formats(rng):
    pipeline = sa.Pipeline(CROP_FLIP, output={"dtype": "uint8", "layout": "nhwc"})
    assert pipeline.output_shape((2, 16, 14, 3)) == ((2, 12, 10, 3), np.dtype(np.uint8))
    images = rng.integers(0, 256, (2, 16, 14, 3), dtype=np.uint8)
    out = sa.Backend("cpu").apply(pipeline, images, seed=1)
    assert out.shape == (2, 12, 10, 3) and out.dtype == np.uint8
    half = sa.Pipeline(CROP_FLIP, output={"dtype": "float16", "layout": "nchw"})
    out16 = sa.Backend("cpu").apply(half, images, seed=1)
    out32 = sa.Backend("cpu").apply(sa.Pipeline(CROP_FLIP), images, seed=1)
    assert out16.dtype == np.float16 and (out16 == out32.astype(np.float16)).all()


def test_float32_nchw_and_uint8_nchw_inputs_agree(rng):
    images = rng.integers(0, 256, (2, 16, 14, 3), dtype=np.uint8)
    pipeline = sa.Pipeline(CROP_FLIP)
    backend = sa.Backend("cpu")
    a = backend.apply(pipeline, images, seed=5)
    b = backend.apply(pipeline, np.ascontiguousarray(images.transpose(0, 3, 1, 2)), seed=5, layout="nchw")
    c = backend.apply(pipeline, np.ascontiguousarray(images.transpose(0, 3, 1, 2)).astype(np.float32) / 255, seed=5)
    assert a.tobytes() == b.tobytes()
    np.testing.assert_allclose(a, c, atol=1e-6)


def test_seed_epoch_index_keys(rng):
    images = rng.integers(0, 256, (4, 16, 14, 3), dtype=np.uint8)
    pipeline, backend = sa.Pipeline(CROP_FLIP), sa.Backend("cpu")
    whole = backend.apply(pipeline, images, seed=9, epoch=2)
    # A sample's draw depends on its global index, not on the batch it is in.
    tail = backend.apply(pipeline, images[2:], seed=9, epoch=2, first_index=2)
    assert tail.tobytes() == whole[2:].tobytes()
    picked = backend.apply(pipeline, images[[3, 1]], seed=9, epoch=2, sample_indices=[3, 1])
    assert picked.tobytes() == whole[[3, 1]].tobytes()
    assert backend.apply(pipeline, images, seed=9, epoch=3).tobytes() != whole.tobytes()
    # seed None: the pipeline's own seed.
    seeded = sa.Pipeline(CROP_FLIP, seed=9)
    assert seeded.seed == 9
    assert backend.apply(seeded, images, epoch=2).tobytes() == whole.tobytes()


def test_record_and_replay(tmp_path, rng, backend):
    images = rng.integers(0, 256, (3, 16, 14, 3), dtype=np.uint8)
    pipeline = sa.Pipeline(sa.builtin_pipeline("crop_flip_normalize").replace("224", "12"))
    recorded = []
    first = backend.apply(pipeline, images, seed=4, record=recorded)
    record = json.loads(recorded[0])
    assert record["format"] == "swift-augment-parameters/1" and record["seed"] == 4 and record["count"] == 3
    path = tmp_path / "params.json"
    backend.apply(pipeline, images, seed=4, record=path)
    assert json.loads(path.read_text()) == record
    for replay in (recorded[0], record, path):
        assert backend.apply(pipeline, images, seed=999, replay=replay).tobytes() == first.tobytes()


def test_labels_class_ids_and_soft(rng, backend):
    images = rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    pipeline = sa.Pipeline([{"op": "mixup", "alpha": 1.0}])
    out, labels = backend.apply(pipeline, images, np.array([0, 1, 2, 1]), seed=2, num_classes=3)
    assert labels.shape == (4, 3) and labels.dtype == np.float32
    np.testing.assert_allclose(labels.sum(axis=1), 1, rtol=1e-6)
    soft = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    out2, labels2 = backend.apply(pipeline, images, soft, seed=2)
    assert out2.tobytes() == out.tobytes() and labels2.tobytes() == labels.tobytes()
    # Mixed with the roll-by-one partner: the label is lambda * own + (1 - lambda) * partner's.
    lam = labels[0, 0] if labels[0, 0] > 0 else 1 - labels[0, 2]
    assert math.isfinite(lam) and 0 <= lam <= 1


class ArrayInterfaceOnly:
    def __init__(self, array):
        self.__array_interface__ = array.__array_interface__
        self._keep = array


class DLPackOnly:
    def __init__(self, array):
        self._array = array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


def test_array_interface_and_dlpack_are_not_copied(rng):
    images = rng.integers(0, 256, (2, 16, 14, 3), dtype=np.uint8)
    for wrapper in (ArrayInterfaceOnly(images), DLPackOnly(images)):
        view = sa.as_array(wrapper)
        assert np.shares_memory(view, images)
        out = sa.Backend("cpu").apply(sa.Pipeline(CROP_FLIP), wrapper, seed=1)
        assert out.tobytes() == sa.Backend("cpu").apply(sa.Pipeline(CROP_FLIP), images, seed=1).tobytes()


def test_out_parameter_is_written(rng):
    images = rng.integers(0, 256, (2, 16, 14, 3), dtype=np.uint8)
    out = np.full((2, 3, 12, 10), np.nan, np.float32)
    returned = sa.Backend("cpu").apply(sa.Pipeline(CROP_FLIP), images, seed=1, out=out)
    assert returned is out and np.isfinite(out).all()


@pytest.mark.parametrize("name", ["blur", "affine", "imagenet"])
def test_opencl_fresh_output_and_out_give_the_same_bytes(rng, name):
    # A fresh result is written by the kernels themselves (in place on devices that share host
    # memory); `out=` is filled from a host copy once the run has succeeded. Same bytes either way,
    # and the same float32 values as the CPU backend within the parity tolerance.
    images = rng.integers(0, 256, (3, 40, 44, 3), dtype=np.uint8)
    pipeline = sa.Pipeline.builtin(name)
    opencl = sa.Backend("opencl")
    fresh = opencl.apply(pipeline, images, seed=7)
    out = np.full(fresh.shape, np.nan, fresh.dtype)
    assert opencl.apply(pipeline, images, seed=7, out=out) is out
    assert fresh.tobytes() == out.tobytes()
    np.testing.assert_allclose(fresh, sa.Backend("cpu").apply(pipeline, images, seed=7), rtol=0, atol=1e-5)


def test_builtin_pipelines():
    imagenet = sa.Pipeline.builtin("imagenet")
    assert imagenet.op_names == ["random_resized_crop", "random_horizontal_flip", "color_jitter", "normalize"]
    assert imagenet.output_shape((1, 256, 256, 3))[0] == (1, 3, 224, 224)
