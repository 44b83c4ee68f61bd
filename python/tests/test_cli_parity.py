"""The Python API gives the same bytes as `augment apply` for the same input, seed and backend."""
import json
import subprocess

import numpy as np
import pytest

import swift_augment as sa

PIPELINES = {
    "crop_flip_normalize": {"ops": [{"op": "random_crop", "height": 20, "width": 18},
                                    {"op": "random_horizontal_flip", "p": 0.5},
                                    {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]},
    "imagenet": json.loads(sa.builtin_pipeline("imagenet").replace("224", "20")),
    "affine_blur_uint8": {"output": {"dtype": "uint8", "layout": "nhwc"},
                          "ops": [{"op": "random_affine", "degrees": [-30, 30], "scale": [0.8, 1.2]},
                                  {"op": "gaussian_blur", "kernel_size": [5, 5], "sigma": [0.1, 2.0]}]},
    "mixup_cutmix": json.loads(sa.builtin_pipeline("mixup_cutmix")),
}


def run_cli(cli, *args):
    done = subprocess.run([cli, "apply", *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_bytes_as_augment_apply(name, tmp_path, augment_cli, backend, backend_kind, rng):
    spec = PIPELINES[name]
    pipeline_file = tmp_path / "pipeline.json"
    pipeline_file.write_text(json.dumps(spec))
    images = rng.integers(0, 256, (5, 24, 22, 3), dtype=np.uint8)
    np.save(tmp_path / "in.npy", images)
    args = ["--pipeline", str(pipeline_file), "--input", str(tmp_path / "in.npy"), "--output", str(tmp_path / "out.npy"),
            "--backend", backend_kind, "--seed", "7", "--epoch", "3", "--first-sample-index", "11",
            "--record", str(tmp_path / "cli-params.json")]
    labels = None
    if name == "mixup_cutmix":
        labels = rng.integers(0, 10, 5).astype(np.int64)
        np.save(tmp_path / "labels.npy", labels)
        args += ["--labels", str(tmp_path / "labels.npy"), "--output-labels", str(tmp_path / "out-labels.npy"),
                 "--num-classes", "1000"]
    run_cli(augment_cli, *args)
    expected = np.load(tmp_path / "out.npy")

    recorded = []
    result = backend.apply(sa.Pipeline(pipeline_file), images, labels, seed=7, epoch=3, first_index=11, record=recorded,
                           num_classes=1000 if labels is not None else None)
    if labels is not None:
        result, mixed = result
        expected_labels = np.load(tmp_path / "out-labels.npy")
        assert mixed.dtype == expected_labels.dtype and mixed.tobytes() == expected_labels.tobytes()
    assert result.shape == expected.shape and result.dtype == expected.dtype
    assert result.tobytes() == expected.tobytes()
    assert json.loads(recorded[0]) == json.loads((tmp_path / "cli-params.json").read_text())


def test_cli_replays_a_python_record_and_float32_input(tmp_path, augment_cli, rng):
    """Parameters recorded in Python replay in the CLI; float32 NCHW .npy input takes the same path."""
    images = rng.random((3, 3, 24, 22), dtype=np.float32)
    np.save(tmp_path / "in.npy", images)
    spec = PIPELINES["imagenet"]
    (tmp_path / "p.json").write_text(json.dumps(spec))
    backend = sa.Backend("cpu")
    first = backend.apply(sa.Pipeline(spec), images, seed=21, record=tmp_path / "params.json")
    run_cli(augment_cli, "--pipeline", str(tmp_path / "p.json"), "--input", str(tmp_path / "in.npy"),
            "--output", str(tmp_path / "out.npy"), "--backend", "cpu", "--replay", str(tmp_path / "params.json"))
    assert np.load(tmp_path / "out.npy").tobytes() == first.tobytes()
