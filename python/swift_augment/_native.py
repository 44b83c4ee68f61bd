"""ctypes bindings to libSwiftAugment (Sources/CSwiftAugment/include/swift_augment.h).

Internal: the public API is in swift_augment. Every call goes through `call`, which turns a
non-zero status into the matching Python exception carrying the library's message.
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Optional

ABI_VERSION = 2

OK = 0
ERROR_INVALID_ARGUMENT = 1
ERROR_INVALID_SHAPE = 2
ERROR_PIPELINE = 3
ERROR_BACKEND_UNAVAILABLE = 4
ERROR_PARAMETER_MISMATCH = 5
ERROR_DEVICE = 6
ERROR_INTERNAL = 7

DTYPE_UINT8, DTYPE_FLOAT32, DTYPE_FLOAT16, DTYPE_UINT16 = 0, 1, 2, 3
LAYOUT_NHWC, LAYOUT_NCHW = 0, 1
LABELS_NONE, LABELS_CLASS_IDS, LABELS_SOFT = 0, 1, 2
SHARE_UNEVEN, SHARE_PAD, SHARE_DROP = 0, 1, 2


class AugmentError(Exception):
    """Base class of every error swift_augment raises; `status` is the C ABI's status code and
    `message` the library's message."""

    status: int = ERROR_INTERNAL

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class InvalidArgumentError(AugmentError, ValueError):
    """A wrong dtype, layout, ndim, non-contiguous array, unknown option or buffer size."""

    status = ERROR_INVALID_ARGUMENT


class InvalidShapeError(AugmentError, ValueError):
    """Bad dimensions, an empty batch, sizes that overflow, or labels that do not fit the batch."""

    status = ERROR_INVALID_SHAPE


class PipelineError(AugmentError, ValueError):
    """A bad pipeline: invalid JSON, unknown op or argument, a value out of range, or an op that
    cannot apply to the input (e.g. a crop larger than the image)."""

    status = ERROR_PIPELINE


class BackendUnavailableError(AugmentError, RuntimeError):
    """No OpenCL platform, or no device matching the selector."""

    status = ERROR_BACKEND_UNAVAILABLE


class ParameterMismatchError(AugmentError, ValueError):
    """Replayed parameters that do not fit the pipeline or the batch."""

    status = ERROR_PARAMETER_MISMATCH


class DeviceError(AugmentError, RuntimeError):
    """An OpenCL call failed; the message names the call and the status code."""

    status = ERROR_DEVICE


_ERRORS = {cls.status: cls for cls in (InvalidArgumentError, InvalidShapeError, PipelineError,
                                       BackendUnavailableError, ParameterMismatchError, DeviceError)}


class ImageDesc(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("layout", ctypes.c_int32), ("count", ctypes.c_int64),
                ("height", ctypes.c_int64), ("width", ctypes.c_int64), ("channels", ctypes.c_int64)]


class Labels(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int32), ("count", ctypes.c_int64), ("classes", ctypes.c_int64),
                ("data", ctypes.c_void_p), ("bytes", ctypes.c_int64)]


class ApplyOptions(ctypes.Structure):
    _fields_ = [("seed", ctypes.c_uint64), ("epoch", ctypes.c_uint64), ("first_index", ctypes.c_uint64),
                ("replay_json", ctypes.c_char_p), ("record", ctypes.c_int32),
                ("sample_indices", ctypes.c_void_p), ("sample_index_count", ctypes.c_int64),
                ("output_is_scratch", ctypes.c_int32)]


assert ctypes.sizeof(ImageDesc) == 40 and ctypes.sizeof(Labels) == 40 and ctypes.sizeof(ApplyOptions) == 64

_c_char_pp = ctypes.POINTER(ctypes.c_char_p)
_library: Optional[ctypes.CDLL] = None
_lock = threading.Lock()


def library_path() -> Path:
    """The shared library to load: $SWIFT_AUGMENT_LIBRARY, else the one bundled in the package."""
    override = os.environ.get("SWIFT_AUGMENT_LIBRARY")
    if override:
        return Path(override)
    name = "libSwiftAugment.dylib" if sys.platform == "darwin" else "libSwiftAugment.so"
    return Path(__file__).resolve().parent / name


def _declare(lib: ctypes.CDLL) -> None:
    P = ctypes.c_void_p
    signatures: dict[str, tuple[Any, list[Any]]] = {
        "sa_abi_version": (ctypes.c_int32, []),
        "sa_string_free": (None, [ctypes.c_void_p]),
        "sa_devices_json": (ctypes.c_int32, [_c_char_pp, _c_char_pp]),
        "sa_backend_create": (ctypes.c_int32, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(P), _c_char_pp]),
        "sa_backend_name": (ctypes.c_int32, [P, _c_char_pp, _c_char_pp]),
        "sa_backend_free": (None, [P]),
        "sa_pipeline_create": (ctypes.c_int32, [ctypes.c_char_p, ctypes.POINTER(P), _c_char_pp]),
        "sa_pipeline_info_json": (ctypes.c_int32, [P, _c_char_pp, _c_char_pp]),
        "sa_pipeline_free": (None, [P]),
        "sa_builtin_pipeline_json": (ctypes.c_int32, [ctypes.c_char_p, _c_char_pp, _c_char_pp]),
        "sa_epoch_indices": (ctypes.c_int32, [ctypes.c_int64, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_int32,
                                              ctypes.c_int64, ctypes.c_int64, ctypes.c_int32, P, ctypes.c_int64,
                                              ctypes.POINTER(ctypes.c_int64), _c_char_pp]),
        "sa_output_desc": (ctypes.c_int32, [P, ctypes.POINTER(ImageDesc), ctypes.POINTER(ImageDesc), _c_char_pp]),
        "sa_apply": (ctypes.c_int32, [P, P, ctypes.POINTER(ImageDesc), P, ctypes.c_int64,
                                      ctypes.POINTER(Labels), ctypes.POINTER(ApplyOptions),
                                      P, ctypes.c_int64, P, ctypes.c_int64, _c_char_pp, _c_char_pp]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use; ctypes releases the GIL during every call)."""
    global _library
    with _lock:
        if _library is None:
            path = library_path()
            if not path.is_file():
                raise AugmentError(
                    f"libSwiftAugment not found at {path}: reinstall with `pip install ./python` from the "
                    "repository (it builds the library with Swift), or set SWIFT_AUGMENT_LIBRARY")
            try:
                loaded = ctypes.CDLL(str(path))
            except OSError as error:
                raise AugmentError(
                    f"cannot load {path}: {error}. The library links the Swift runtime of the toolchain it was "
                    "built with (and libOpenCL.so.1); keep that toolchain installed") from None
            _declare(loaded)
            version = loaded.sa_abi_version()
            if version != ABI_VERSION:
                raise AugmentError(f"{path} has C ABI version {version}, this package expects {ABI_VERSION}: "
                                   "reinstall the package")
            _library = loaded
        return _library


def take_string(pointer: ctypes.c_char_p) -> str:
    """The text of a string the library returned, freed afterwards."""
    if not pointer:
        return ""
    try:
        return (pointer.value or b"").decode("utf-8", errors="replace")
    finally:
        lib().sa_string_free(ctypes.cast(pointer, ctypes.c_void_p))


def call(function: Callable[..., int], *args: Any) -> None:
    """Calls `function(*args, &error)`, raising the matching AugmentError on a non-zero status."""
    error = ctypes.c_char_p()
    status = function(*args, ctypes.byref(error))
    if status != OK:
        message = take_string(error) if error else f"failed with status {status}"
        raise _ERRORS.get(status, AugmentError)(message, status)
