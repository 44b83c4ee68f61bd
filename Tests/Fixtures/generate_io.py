"""Writes the small .npy fixtures the I/O tests read, with NumPy's own writer.

Reproduce: python3 -m pip install numpy==2.*; python3 Tests/Fixtures/generate_io.py
"""
import os
import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")
os.makedirs(here, exist_ok=True)
np.save(os.path.join(here, "u8_nhwc.npy"), (np.arange(2 * 3 * 4 * 3) % 251).astype(np.uint8).reshape(2, 3, 4, 3))
np.save(os.path.join(here, "f32_nchw.npy"), (np.arange(2 * 3 * 2 * 2, dtype=np.float32) / 24).reshape(2, 3, 2, 2))
np.save(os.path.join(here, "f32_spec.npy"), (np.arange(2 * 4 * 5, dtype=np.float32) - 7.5).reshape(2, 4, 5))
np.save(os.path.join(here, "i64_ids.npy"), np.array([3, 0, 2], dtype=np.int64))
np.save(os.path.join(here, "i32_ids.npy"), np.array([1, 1], dtype=np.int32))
np.save(os.path.join(here, "f64.npy"), np.zeros((2, 2), dtype=np.float64))
np.save(os.path.join(here, "fortran.npy"), np.asfortranarray(np.zeros((2, 3), dtype=np.float32)))
# float16 (N, C, H, W): values numpy rounds to nearest even, including a tie, a subnormal and 65504.
np.save(os.path.join(here, "f16_nchw.npy"),
        np.array([0.0, 1 / 3, 0.5, 1.0, 1 + 2 ** -11, 6e-8, 65504.0, -2.5], dtype=np.float32).astype(np.float16).reshape(1, 2, 2, 2))
