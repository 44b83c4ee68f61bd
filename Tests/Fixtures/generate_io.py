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
# uint16 depth maps (N, H, W) in millimetres, and a 16-bit grey PNG (Pillow writes no gAMA chunk:
# raw values) and a 16-bit RGB PNG (written with NumPy's bytes through zlib: Pillow has no 16-bit RGB).
np.save(os.path.join(here, "u16_depth.npy"), np.array([0, 1, 255, 256, 1000, 4095, 65534, 65535, 12345, 7, 40000, 2],
                                                     dtype=np.uint16).reshape(2, 2, 3))
from PIL import Image  # noqa: E402
Image.fromarray(np.array([[0, 1, 256, 65535], [1000, 4095, 40000, 7], [2, 3, 5, 8]], dtype=np.uint16)).save(
    os.path.join(here, "gray16.png"))
import struct, zlib  # noqa: E402,E401
rgb = np.array([[[0, 1, 2], [300, 65535, 4]], [[1000, 2000, 3000], [65534, 7, 8]]], dtype=">u2")
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
raw = b"".join(b"\x00" + row.tobytes() for row in rgb)
with open(os.path.join(here, "rgb16.png"), "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
