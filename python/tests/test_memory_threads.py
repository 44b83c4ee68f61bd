"""1,000 calls leave the resident set flat; calls on separate backends from several threads are correct."""
import threading

import numpy as np
import pytest

import swift_augment as sa


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


PIPELINE = [{"op": "random_resized_crop", "size": [24, 24], "scale": [0.3, 1.0]},
            {"op": "random_horizontal_flip", "p": 0.5},
            {"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
            {"op": "normalize", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}]


def test_one_thousand_calls_leave_rss_flat(backend, rng):
    """Each call moves 32 x 32x32x3 uint8 in (96 KiB), 32 x 3x24x24 float32 out (216 KiB), labels
    and a ~6 KiB parameter record: a leak of any of them over 1,000 calls adds 6-216 MiB."""
    pipeline = sa.Pipeline(PIPELINE[:2] + PIPELINE[3:])  # colour jitter is slow in a debug build
    images = rng.integers(0, 256, (32, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(32) % 4

    def calls(count: int) -> None:
        for i in range(count):
            recorded = []
            out, mixed = backend.apply(pipeline, images, labels, seed=i, num_classes=4, record=recorded)
            assert out.shape == (32, 3, 24, 24) and mixed.shape == (32, 4) and len(recorded[0]) > 6000
            if i % 10 == 0:  # errors too: messages are malloc'd and must be freed
                with pytest.raises(sa.InvalidShapeError):
                    backend.apply(pipeline, images, labels[:3])

    calls(100)  # warm-up: kernels, buffer pools, allocator arenas
    before = rss_bytes()
    calls(1000)
    grown = rss_bytes() - before
    print(f"RSS grew by {grown / 2**20:.2f} MiB over 1,000 calls")
    assert grown < 3 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB over 1,000 calls"


def test_handles_are_freed(rng):
    """Making and dropping 300 pipelines and CPU backends does not grow the resident set."""
    images = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)

    def cycle(count):
        for i in range(count):
            backend = sa.Backend("cpu")
            backend.apply(sa.Pipeline(PIPELINE), images, seed=i)
            del backend

    cycle(50)
    before = rss_bytes()
    cycle(300)
    assert rss_bytes() - before < 8 * 2**20


def test_concurrent_calls_on_separate_backends(rng):
    kinds = ["cpu", "cpu"] + (["opencl", "opencl"] if sa.devices() else [])
    pipeline = sa.Pipeline(PIPELINE[:2] + PIPELINE[3:])  # geometry + normalize: bit-identical on both backends
    batches = [rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8) for _ in range(8)]
    reference = sa.Backend("cpu")
    expected = [[reference.apply(pipeline, batch, seed=s) for s in range(3)] for batch in batches]
    failures, done = [], []

    def worker(kind: str, offset: int) -> None:
        try:
            backend = sa.Backend(kind)
            for round_ in range(3):
                for b in range(len(batches)):
                    k = (b + offset) % len(batches)
                    for s in range(3):
                        got = backend.apply(pipeline, batches[k], seed=s)
                        if got.tobytes() != expected[k][s].tobytes():
                            failures.append((kind, k, s))
            done.append(kind)
        except Exception as error:  # reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=worker, args=(kind, i)) for i, kind in enumerate(kinds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and sorted(done) == sorted(kinds)


def test_one_backend_shared_by_threads_serialises_correctly(rng):
    backend = sa.Backend("cpu")
    pipeline = sa.Pipeline(PIPELINE)
    batch = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    expected = {s: backend.apply(pipeline, batch, seed=s).tobytes() for s in range(6)}
    results = {}

    def worker(s):
        results[s] = backend.apply(pipeline, batch, seed=s).tobytes()

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected
