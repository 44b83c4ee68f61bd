"""Devices, pipelines and backends: the Python face of the C ABI."""
from __future__ import annotations

import ctypes
import json
import os
import threading
from dataclasses import dataclass
from typing import Any, List, Mapping, MutableSequence, Optional, Sequence, Tuple, Union, overload

import numpy as np

from . import _native
from ._native import AugmentError, InvalidArgumentError

PathLike = Union[str, "os.PathLike[str]"]
OpsLike = Union[str, Mapping[str, Any], Sequence[Mapping[str, Any]], "os.PathLike[str]"]

_UINT64_LIMIT = 1 << 64
_DTYPES = {_native.DTYPE_UINT8: np.dtype(np.uint8), _native.DTYPE_FLOAT32: np.dtype(np.float32),
           _native.DTYPE_FLOAT16: np.dtype(np.float16), _native.DTYPE_UINT16: np.dtype(np.uint16)}
_LAYOUTS = {"nhwc": _native.LAYOUT_NHWC, "nchw": _native.LAYOUT_NCHW}


@dataclass(frozen=True)
class Device:
    """One OpenCL device, as `augment devices` lists it."""

    index: int
    """Position in the flat list; `Backend("opencl", device=str(index))` selects it."""
    platform: int
    """Platform number (the P of a "P:D" selector)."""
    device: int
    """Device number within its platform (the D of a "P:D" selector)."""
    name: str
    vendor: str
    kind: str
    """"gpu", "cpu", "accelerator" or "other"."""
    platform_name: str
    version: str
    driver_version: str
    compute_units: int
    global_memory_bytes: int
    default: bool
    """Whether `Backend("opencl")` without a device picks this one."""

    @property
    def selector(self) -> str:
        """The "P:D" selector string for this device."""
        return f"{self.platform}:{self.device}"


def devices() -> List[Device]:
    """The OpenCL devices of every platform, in `augment devices` order; empty when no OpenCL
    platform is installed."""
    out = ctypes.c_char_p()
    _native.call(_native.lib().sa_devices_json, ctypes.byref(out))
    return [Device(**row) for row in json.loads(_native.take_string(out))]


def builtin_pipeline(name: str) -> str:
    """The pipeline-file JSON of a built-in pipeline of `augment bench` (imagenet, affine, blur,
    crop_flip_normalize, mixup_cutmix, specaugment, ...), in its training form."""
    out = ctypes.c_char_p()
    _native.call(_native.lib().sa_builtin_pipeline_json, _encode(name, "name"), ctypes.byref(out))
    return _native.take_string(out)


def _encode(text: str, what: str) -> bytes:
    if not isinstance(text, str):
        raise InvalidArgumentError(f"{what} must be a str, got {type(text).__name__}")
    if "\0" in text:
        raise InvalidArgumentError(f"{what} contains a NUL character")
    return text.encode("utf-8")


def _uint64(value: Any, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidArgumentError(f"{what} must be an integer, got {type(value).__name__}")
    if not 0 <= int(value) < _UINT64_LIMIT:
        raise InvalidArgumentError(f"{what} must be in [0, 2**64), got {value}")
    return int(value)


def _read_text(path: PathLike, what: str) -> str:
    try:
        with open(os.fspath(path), "r", encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise InvalidArgumentError(f"{what}: cannot read {os.fspath(path)!r}: {error.strerror}") from None


class Pipeline:
    """A pipeline of ops, as in a pipeline file (docs/pipelines.md lists every op).

    `ops` is one of:

    - the JSON text of a pipeline file (``'{"ops": [...], "seed": 7, "output": {...}}'``),
    - a dict of the same form (``{"ops": [{"op": "random_crop", "height": 224, "width": 224}]}``),
    - a list of op dicts (``[{"op": "random_horizontal_flip", "p": 0.5}]``),
    - a ``pathlib.Path`` (or other ``os.PathLike``) of a pipeline file.

    `seed` and `output` (``{"dtype": "float32"|"float16"|"uint8", "layout": "nchw"|"nhwc"}``)
    override the file's own. The default output is float32 NCHW.

    Raises PipelineError with the library's message for an unknown op, a misspelled or
    out-of-range argument, or invalid JSON. A pipeline is immutable and may be shared by threads.
    """

    def __init__(self, ops: OpsLike, *, seed: Optional[int] = None,
                 output: Optional[Mapping[str, str]] = None) -> None:
        self._handle: Optional[int] = None
        if isinstance(ops, os.PathLike):
            ops = _read_text(ops, "pipeline")
        if isinstance(ops, str):
            text = ops
        elif isinstance(ops, Mapping):
            text = json.dumps(dict(ops))
        elif isinstance(ops, Sequence) and not isinstance(ops, (bytes, bytearray)):
            text = json.dumps({"ops": list(ops)})
        else:
            raise InvalidArgumentError(
                f"ops must be pipeline JSON text, a dict {{'ops': [...]}}, a list of op dicts or a path; got {type(ops).__name__}")
        if seed is not None or output is not None:
            try:
                document = json.loads(text)
            except ValueError as error:
                raise _native.PipelineError(f"pipeline: not valid JSON ({error})") from None
            if not isinstance(document, dict):
                raise _native.PipelineError("pipeline: a JSON object with an \"ops\" array is needed")
            if seed is not None:
                document["seed"] = _uint64(seed, "seed")
            if output is not None:
                document["output"] = dict(output)
            text = json.dumps(document)
        handle = ctypes.c_void_p()
        _native.call(_native.lib().sa_pipeline_create, _encode(text, "pipeline JSON"), ctypes.byref(handle))
        self._handle = handle.value
        self.json: str = text
        """The pipeline-file JSON this pipeline was made from."""
        info_text = ctypes.c_char_p()
        _native.call(_native.lib().sa_pipeline_info_json, self._handle, ctypes.byref(info_text))
        info = json.loads(_native.take_string(info_text))
        self.seed: Optional[int] = info["seed"]
        """The file's seed (used by `Backend.apply` when its `seed` is None), or None."""
        self.op_names: List[str] = list(info["op_names"])
        """The op names, in order."""
        self.output_dtype: np.dtype = np.dtype(info["output"]["dtype"])
        """Element type of the output: float32 (default), float16 or uint8."""
        self.output_layout: str = info["output"]["layout"]
        """Memory order of the output: "nchw" (default) or "nhwc"."""

    @classmethod
    def builtin(cls, name: str) -> "Pipeline":
        """A built-in pipeline of `augment bench` by name (see `builtin_pipeline`)."""
        return cls(builtin_pipeline(name))

    def output_shape(self, shape: Sequence[int], dtype: Any = np.uint8,
                     layout: Optional[str] = None) -> Tuple[Tuple[int, ...], np.dtype]:
        """The shape and dtype `Backend.apply` returns for images of `shape` (4-D), `dtype` and
        `layout` (default: "nhwc" for uint8, "nchw" for float32)."""
        desc = _describe(tuple(int(v) for v in shape), np.dtype(dtype), layout)
        out = _output_desc(self, desc)
        return _shape(out), _DTYPES[out.dtype]

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and _native._library is not None:
            _native._library.sa_pipeline_free(handle)

    def __repr__(self) -> str:
        return f"Pipeline({self.op_names}, output={self.output_dtype.name} {self.output_layout.upper()}, seed={self.seed})"


def _describe(shape: Tuple[int, ...], dtype: np.dtype, layout: Optional[str]) -> _native.ImageDesc:
    if dtype == np.uint8:
        code = _native.DTYPE_UINT8
    elif dtype == np.float32:
        code = _native.DTYPE_FLOAT32
    elif dtype == np.uint16:
        code = _native.DTYPE_UINT16
    else:
        raise InvalidArgumentError(
            f"images must be uint8, uint16 or float32 (native byte order), got {dtype}; convert with .astype(np.float32)")
    if layout is None:
        layout = "nhwc" if code in (_native.DTYPE_UINT8, _native.DTYPE_UINT16) else "nchw"
    if not isinstance(layout, str) or layout.lower() not in _LAYOUTS:
        raise InvalidArgumentError(f"layout must be 'nhwc' or 'nchw', got {layout!r}")
    layout = layout.lower()
    if len(shape) != 4:
        dims = "(N, H, W, C)" if layout == "nhwc" else "(N, C, H, W)"
        raise InvalidArgumentError(f"images must be 4-D {dims} for layout {layout.upper()}, got {len(shape)}-D shape {shape}")
    if any(v < 1 for v in shape):
        raise _native.InvalidShapeError(f"images: every dimension must be at least 1, got shape {shape}")
    n, a, b, c = shape
    h, w, ch = (a, b, c) if layout == "nhwc" else (b, c, a)
    return _native.ImageDesc(code, _LAYOUTS[layout], n, h, w, ch)


def _shape(desc: _native.ImageDesc) -> Tuple[int, ...]:
    if desc.layout == _native.LAYOUT_NHWC:
        return (desc.count, desc.height, desc.width, desc.channels)
    return (desc.count, desc.channels, desc.height, desc.width)


def _output_desc(pipeline: Pipeline, desc: _native.ImageDesc) -> _native.ImageDesc:
    if not isinstance(pipeline, Pipeline) or not pipeline._handle:
        raise InvalidArgumentError(f"pipeline must be a swift_augment.Pipeline, got {type(pipeline).__name__}")
    out = _native.ImageDesc()
    _native.call(_native.lib().sa_output_desc, pipeline._handle, ctypes.byref(desc), ctypes.byref(out))
    return out


def as_array(obj: Any, what: str = "images") -> np.ndarray:
    """`obj` as a numpy array without copying: numpy arrays, objects with `__array_interface__` or
    `__array__`, and DLPack producers (torch CPU tensors, JAX CPU arrays, ...)."""
    if isinstance(obj, np.ndarray):
        return obj
    try:
        if hasattr(obj, "__dlpack__"):
            return np.from_dlpack(obj)
        if hasattr(obj, "__array_interface__") or hasattr(obj, "__array__"):
            return np.asarray(obj)
    except (TypeError, ValueError, RuntimeError, BufferError) as error:
        raise InvalidArgumentError(
            f"{what}: cannot view {type(obj).__name__} as a host array ({error}); pass a CPU array or tensor "
            "(e.g. tensor.detach().cpu())") from None
    raise InvalidArgumentError(
        f"{what} must be a numpy array or support __array_interface__ / DLPack, got {type(obj).__name__}")


def _page_aligned_empty(shape: Tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """np.empty(shape, dtype) whose data starts on a 4096-byte boundary: OpenCL devices that share
    host memory use such memory in place without a copy (Intel's CPU runtime needs its 128-byte
    CL_DEVICE_MEM_BASE_ADDR_ALIGN; numpy's own large arrays start 16 bytes past a page)."""
    nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    raw = np.empty(nbytes + 4096, dtype=np.uint8)
    offset = (-raw.ctypes.data) % 4096
    return raw[offset:offset + nbytes].view(dtype).reshape(shape)


def _labels(labels: Any, count: int, num_classes: Optional[int]) -> Tuple[_native.Labels, np.ndarray, int]:
    array = as_array(labels, "labels")
    if array.ndim == 1 and (np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_):
        ids = np.ascontiguousarray(array, dtype=np.int64)
        if num_classes is None:
            if ids.size == 0:
                raise _native.InvalidShapeError("labels: no class ids")
            num_classes = int(ids.max()) + 1
        classes = int(num_classes)
        if classes < 1:
            raise _native.InvalidShapeError(f"num_classes must be at least 1, got {classes}")
        desc = _native.Labels(_native.LABELS_CLASS_IDS, ids.shape[0], classes, ids.ctypes.data, ids.nbytes)
        return desc, ids, classes
    if array.ndim == 2 and np.issubdtype(array.dtype, np.floating):
        soft = np.ascontiguousarray(array, dtype=np.float32)
        if num_classes is not None and int(num_classes) != soft.shape[1]:
            raise _native.InvalidShapeError(f"labels have {soft.shape[1]} classes, num_classes says {num_classes}")
        desc = _native.Labels(_native.LABELS_SOFT, soft.shape[0], soft.shape[1], soft.ctypes.data, soft.nbytes)
        return desc, soft, soft.shape[1]
    raise InvalidArgumentError(
        f"labels must be integer class ids (N,) or float soft labels (N, K), got {array.dtype} with shape {array.shape}")


def _replay_text(replay: Any) -> str:
    if isinstance(replay, Mapping):
        return json.dumps(dict(replay))
    if isinstance(replay, (bytes, bytearray)):
        return bytes(replay).decode("utf-8")
    if isinstance(replay, str) and replay.lstrip().startswith("{"):
        return replay
    if isinstance(replay, (str, os.PathLike)):
        return _read_text(replay, "replay")
    raise InvalidArgumentError(f"replay must be recorded JSON (text, dict) or a path, got {type(replay).__name__}")


class Backend:
    """Where pipelines run: ``Backend("opencl", device=None)`` or ``Backend("cpu")``.

    `device` (OpenCL only) selects the device as `augment devices` numbers them: 3 or "3", "0:1"
    (platform:device), "gpu", "cpu", or part of a device name. None means the environment variable
    AUGMENT_OPENCL_DEVICE, else the first GPU, else the CPU device.

    Calls on one backend run one at a time; for parallel work, make one backend per thread (the
    library releases the GIL while it runs). Raises BackendUnavailableError when no OpenCL platform
    or no matching device exists.
    """

    def __init__(self, kind: str = "opencl", device: Union[str, int, None] = None) -> None:
        self._handle: Optional[int] = None
        self._lock = threading.Lock()
        if device is not None and not isinstance(device, (str, int)):
            raise InvalidArgumentError(f"device must be a str, an int or None, got {type(device).__name__}")
        handle = ctypes.c_void_p()
        _native.call(_native.lib().sa_backend_create, _encode(kind, "kind"),
                     None if device is None else _encode(str(device), "device"), ctypes.byref(handle))
        self._handle = handle.value
        name = ctypes.c_char_p()
        _native.call(_native.lib().sa_backend_name, self._handle, ctypes.byref(name))
        self.name: str = _native.take_string(name)
        """E.g. "cpu" or "opencl: pthread-... (Portable Computing Language)"."""
        self.kind: str = kind.lower()

    @overload
    def apply(self, pipeline: Pipeline, images: Any, labels: None = None, *, seed: Optional[int] = None,
              epoch: int = 0, first_index: int = 0, sample_indices: Optional[Sequence[int]] = None,
              layout: Optional[str] = None, num_classes: Optional[int] = None,
              record: Union[PathLike, MutableSequence[str], None] = None, replay: Any = None,
              out: Optional[np.ndarray] = None) -> np.ndarray: ...

    @overload
    def apply(self, pipeline: Pipeline, images: Any, labels: Any, *, seed: Optional[int] = None,
              epoch: int = 0, first_index: int = 0, sample_indices: Optional[Sequence[int]] = None,
              layout: Optional[str] = None, num_classes: Optional[int] = None,
              record: Union[PathLike, MutableSequence[str], None] = None, replay: Any = None,
              out: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]: ...

    def apply(self, pipeline: Pipeline, images: Any, labels: Any = None, *, seed: Optional[int] = None,
              epoch: int = 0, first_index: int = 0, sample_indices: Optional[Sequence[int]] = None,
              layout: Optional[str] = None, num_classes: Optional[int] = None,
              record: Union[PathLike, MutableSequence[str], None] = None, replay: Any = None,
              out: Optional[np.ndarray] = None) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
        """Augments a batch and returns the result as a new numpy array (or `out`).

        images: a dense, C-contiguous 4-D batch, uint8, uint16 or float32 (numpy, `__array_interface__`
            or DLPack, e.g. a CPU torch tensor; not copied on the Python side). Layout NHWC for
            uint8 and NCHW for float32 unless `layout` says otherwise; float32 values nominally
            in [0, 1].
        labels: optional integer class ids (N,) (one-hot over `num_classes`, default the largest
            id + 1, as `augment apply --labels`) or float soft labels (N, K); mixing ops
            (mixup, cutmix) mix them. When given, returns (images, labels) with float32 (N, K)
            labels.
        seed, epoch, first_index: the random key of sample i is (seed, epoch, first_index + i,
            op); seed None means the pipeline's own seed, else 0 (as `augment apply`).
        sample_indices: the global index of every sample instead (e.g. dataset indices), so a
            sample gets the same draw whichever batch it is in.
        record: a path to write the sampled parameters to (the JSON of `augment apply
            --record`), or a list to append that JSON text to.
        replay: parameters recorded earlier (JSON text, a dict, or a path) to apply instead of
            sampling.
        out: an optional C-contiguous array of the output shape and dtype to write into.

        The output is float32 NCHW unless the pipeline's "output" says otherwise; its bytes
        equal `augment apply --seed S --epoch E --first-sample-index I` on the same input and
        backend. Errors raise AugmentError subclasses (also ValueError or RuntimeError) carrying
        the library's message.
        """
        array = as_array(images, "images")
        desc = _describe(tuple(array.shape), array.dtype, layout)
        if not array.flags.c_contiguous:
            raise InvalidArgumentError(
                f"images must be C-contiguous (dense), got strides {array.strides} for shape {array.shape}; "
                "use np.ascontiguousarray(images)")
        if not array.flags.aligned:
            raise InvalidArgumentError("images must be aligned to their element size")
        out_desc = _output_desc(pipeline, desc)
        out_shape, out_dtype = _shape(out_desc), _DTYPES[out_desc.dtype]
        if out is None:
            result = _page_aligned_empty(out_shape, out_dtype)
        else:
            if not isinstance(out, np.ndarray) or out.shape != out_shape or out.dtype != out_dtype \
                    or not out.flags.c_contiguous or not out.flags.writeable:
                raise InvalidArgumentError(
                    f"out must be a writeable C-contiguous {out_dtype} array of shape {out_shape}")
            result = out
        label_desc, label_values, classes = (None, None, 0)
        out_labels = None
        if labels is not None:
            label_desc, label_values, classes = _labels(labels, desc.count, num_classes)
            out_labels = np.empty((desc.count, classes), dtype=np.float32)
        options = _native.ApplyOptions()
        # A fresh result array holds nothing to keep: the library may write it as it goes (in place
        # on OpenCL devices that share host memory). A caller's `out` is written only on success.
        options.output_is_scratch = 1 if out is None else 0
        options.seed = _uint64(pipeline.seed or 0, "seed") if seed is None else _uint64(seed, "seed")
        options.epoch = _uint64(epoch, "epoch")
        options.first_index = _uint64(first_index, "first_index")
        replay_bytes = None
        if replay is not None:
            replay_bytes = _encode(_replay_text(replay), "replay")
            options.replay_json = replay_bytes
        indices = None
        if sample_indices is not None:
            indices = np.asarray(sample_indices)
            if indices.ndim != 1 or not (np.issubdtype(indices.dtype, np.integer)) or indices.shape[0] != desc.count:
                raise InvalidArgumentError(
                    f"sample_indices must be {desc.count} integers (one per image), got {indices.dtype} shape {indices.shape}")
            if indices.size and int(indices.min()) < 0:
                raise InvalidArgumentError("sample_indices must be non-negative")
            indices = np.ascontiguousarray(indices, dtype=np.uint64)
            options.sample_indices = indices.ctypes.data
            options.sample_index_count = indices.shape[0]
        if record is not None and not isinstance(record, (str, os.PathLike, MutableSequence)):
            raise InvalidArgumentError(f"record must be a path or a list, got {type(record).__name__}")
        options.record = 1 if record is not None else 0
        record_text = ctypes.c_char_p()
        with self._lock:
            if not self._handle:
                raise InvalidArgumentError("this backend is closed")
            _native.call(_native.lib().sa_apply, self._handle, pipeline._handle, ctypes.byref(desc),
                         array.ctypes.data, array.nbytes,
                         ctypes.byref(label_desc) if label_desc is not None else None, ctypes.byref(options),
                         result.ctypes.data, result.nbytes,
                         out_labels.ctypes.data if out_labels is not None else None,
                         out_labels.nbytes if out_labels is not None else 0,
                         ctypes.byref(record_text))
        del label_values, replay_bytes, indices  # kept alive until the call returned
        if record is not None:
            text = _native.take_string(record_text)
            if isinstance(record, (str, os.PathLike)):
                with open(os.fspath(record), "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                record.append(text)
        if out_labels is not None:
            return result, out_labels
        return result

    def close(self) -> None:
        """Frees the backend now (waits for a call in progress); later calls raise."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle:
            _native.lib().sa_backend_free(handle)

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and _native._library is not None:
            _native._library.sa_backend_free(handle)

    def __repr__(self) -> str:
        return f"Backend({self.name!r})"
