"""Augmentation inside a training loop, with no framework: epochs shared among ranks, and an
iterable that augments batches on a background thread while the loop trains.

    loader = AugmentedLoader(batches, pipeline, Backend("opencl"), seed=7, epoch=epoch)
    for images, labels in loader:          # numpy arrays; torch.from_numpy(images) shares memory
        ...
    print(loader.wait_seconds)             # time the loop spent waiting for augmented batches
"""
from __future__ import annotations

import ctypes
import queue
import threading
import time
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from ._api import Backend, Pipeline, as_array, _uint64
from ._native import InvalidArgumentError

_SHARES = {"uneven": _native.SHARE_UNEVEN, "pad": _native.SHARE_PAD, "drop": _native.SHARE_DROP}


class EpochPlan:
    """Which dataset samples rank `rank` of `world_size` visits in one epoch, in which order, cut
    into batches: the Swift library's `EpochPlan`, computed by it (so Swift and Python agree).

    Every rank computes the same permutation of the dataset from (seed, epoch) (when `shuffle`)
    and takes every `world_size`-th position starting at `rank`. `share` says what happens when the
    dataset size is not a multiple of the world size: "uneven" (every sample once, shares differ
    by at most one), "pad" (equal shares padded with the first samples, like
    DistributedSampler(drop_last=False)) or "drop" (equal shares, tail skipped).
    """

    def __init__(self, dataset_size: int, batch_size: int, *, seed: int = 0, epoch: int = 0,
                 shuffle: bool = True, rank: int = 0, world_size: int = 1, share: str = "uneven",
                 drop_last: bool = False) -> None:
        if share not in _SHARES:
            raise InvalidArgumentError(f"share must be one of {sorted(_SHARES)}, got {share!r}")
        for value, what in ((dataset_size, "dataset_size"), (batch_size, "batch_size"), (rank, "rank"),
                            (world_size, "world_size")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise InvalidArgumentError(f"{what} must be an integer, got {type(value).__name__}")
        if batch_size < 1:
            raise InvalidArgumentError(f"batch_size must be at least 1, got {batch_size}")
        if dataset_size < 1:
            raise _native.InvalidShapeError(f"an epoch needs at least one sample, the dataset has {dataset_size}")
        if world_size < 1 or not 0 <= rank < world_size:
            raise InvalidArgumentError(f"rank must be in [0, world_size) and world_size >= 1, got rank {rank}, world_size {world_size}")
        capacity = max(int(dataset_size), int(world_size))
        indices = np.empty(capacity, dtype=np.int64)
        count = ctypes.c_int64()
        _native.call(_native.lib().sa_epoch_indices, int(dataset_size), _uint64(seed, "seed"), _uint64(epoch, "epoch"),
                     1 if shuffle else 0, int(rank), int(world_size), _SHARES[share], indices.ctypes.data,
                     capacity, ctypes.byref(count))
        self.indices: np.ndarray = indices[:count.value].copy()
        """This rank's dataset indices (int64), in order."""
        self.batch_size = int(batch_size)
        self.drop_last = bool(drop_last)
        self.seed, self.epoch, self.rank, self.world_size = int(seed), int(epoch), int(rank), int(world_size)

    @property
    def batches(self) -> List[np.ndarray]:
        """This rank's batches, each an array of dataset indices; the last may be smaller unless
        `drop_last`."""
        out = [self.indices[i:i + self.batch_size] for i in range(0, len(self.indices), self.batch_size)]
        if self.drop_last and out and len(out[-1]) < self.batch_size:
            out.pop()
        return out

    def __len__(self) -> int:
        return len(self.batches)


_DONE = object()


class _ArrayBatches:
    """The batches of an in-memory dataset for a list of index arrays (re-iterable)."""

    def __init__(self, images: np.ndarray, labels: Optional[np.ndarray], batches: List[np.ndarray]) -> None:
        self.images, self.labels, self.batches = images, labels, batches

    def __iter__(self) -> Iterator[Any]:
        for index in self.batches:
            if self.labels is None:
                yield self.images[index]
            else:
                yield self.images[index], self.labels[index]

    def __len__(self) -> int:
        return len(self.batches)


class AugmentedLoader:
    """Augments the batches of any iterable on a background thread, `prefetch` batches ahead.

    `source` yields uint8 (or float32) image batches, or tuples/lists whose first item is the
    image batch and whose second, if any, holds labels (class ids (N,) or soft labels (N, K)); a
    PyTorch DataLoader over (image, label) pairs is one. Items may be numpy arrays or anything
    `Backend.apply` takes (CPU torch tensors via DLPack). Each item comes out as
    `(images, labels)` numpy arrays when the source had labels, else `images` alone; the output
    arrays are fresh and owned by the caller (`torch.from_numpy` shares them).

    Random keys: sample k of the epoch (counting every sample the source yields, over all ranks)
    is augmented with the key (seed, epoch, k). With `world_size` > 1 every rank iterates the same
    source (same order: seed the shuffle of a DataLoader identically on every rank) and keeps the
    samples at positions k with k % world_size == rank, as `EpochPlan` shares an epoch: the ranks'
    shares are disjoint, their union is the epoch, and sample k is augmented identically whichever
    rank handles it.

    For an in-memory dataset, `AugmentedLoader.from_arrays` draws the batches from an `EpochPlan`
    and keys every sample by its dataset index, exactly as Swift's `AugmentedBatchStream`.

    `wait_seconds` is the time the consuming loop spent waiting for augmented batches and
    `augment_seconds` the time the background thread spent augmenting (both for the last
    iteration). Leaving the loop early stops the thread; an error in the source or the library is
    raised in the loop.
    """

    def __init__(self, source: Iterable[Any], pipeline: Pipeline, backend: Optional[Backend] = None, *,
                 seed: int = 0, epoch: int = 0, prefetch: int = 2, layout: Optional[str] = None,
                 num_classes: Optional[int] = None, rank: int = 0, world_size: int = 1) -> None:
        if not isinstance(pipeline, Pipeline):
            raise InvalidArgumentError(f"pipeline must be a swift_augment.Pipeline, got {type(pipeline).__name__}")
        if prefetch < 1:
            raise InvalidArgumentError(f"prefetch must be at least 1, got {prefetch}")
        if world_size < 1 or not 0 <= rank < world_size:
            raise InvalidArgumentError(f"rank must be in [0, world_size) and world_size >= 1, got rank {rank}, world_size {world_size}")
        self.source = source
        self.pipeline = pipeline
        self.backend = backend if backend is not None else Backend("opencl")
        self.seed, self.epoch = _uint64(seed, "seed"), _uint64(epoch, "epoch")
        self.prefetch = int(prefetch)
        self.layout, self.num_classes = layout, num_classes
        self.rank, self.world_size = int(rank), int(world_size)
        self.wait_seconds = 0.0
        self.augment_seconds = 0.0
        self._index_batches: Optional[List[np.ndarray]] = None

    @classmethod
    def from_arrays(cls, images: Any, labels: Any = None, *, pipeline: Pipeline, backend: Optional[Backend] = None,
                    batch_size: int, seed: int = 0, epoch: int = 0, shuffle: bool = True, rank: int = 0,
                    world_size: int = 1, share: str = "uneven", drop_last: bool = False, prefetch: int = 2,
                    layout: Optional[str] = None, num_classes: Optional[int] = None) -> "AugmentedLoader":
        """A loader over an in-memory dataset: this rank's batches of `EpochPlan(len(images),
        batch_size, seed=seed, epoch=epoch, rank=rank, world_size=world_size, ...)`, each sample
        augmented with its dataset index as its key. Class-id labels default to
        `num_classes = labels.max() + 1` over the whole dataset."""
        data = as_array(images, "images")
        label_array = None if labels is None else as_array(labels, "labels")
        if label_array is not None and label_array.shape[0] != data.shape[0]:
            raise _native.InvalidShapeError(f"{label_array.shape[0]} labels for {data.shape[0]} images")
        if label_array is not None and label_array.ndim == 1 and num_classes is None and label_array.size:
            num_classes = int(label_array.max()) + 1
        plan = EpochPlan(int(data.shape[0]) if data.ndim else 0, batch_size, seed=seed, epoch=epoch, shuffle=shuffle,
                         rank=rank, world_size=world_size, share=share, drop_last=drop_last)
        batches = plan.batches
        loader = cls(_ArrayBatches(data, label_array, batches), pipeline, backend, seed=seed, epoch=epoch, prefetch=prefetch, layout=layout,
                     num_classes=num_classes)
        loader._index_batches = batches
        return loader

    def _split(self, item: Any) -> Tuple[np.ndarray, Any, bool]:
        if isinstance(item, (tuple, list)):
            if not 1 <= len(item) <= 2:
                raise InvalidArgumentError(f"a batch must be images or (images, labels), got {len(item)} items")
            images = as_array(item[0], "images")
            labels = as_array(item[1], "labels") if len(item) == 2 else None
            return images, labels, len(item) == 2
        return as_array(item, "images"), None, False

    def _augment_all(self, out: "queue.Queue[Any]", stop: threading.Event) -> None:
        position = 0  # samples seen so far, over all ranks
        batch_number = 0
        try:
            for item in self.source:
                if stop.is_set():
                    return
                images, labels, _ = self._split(item)
                if labels is not None and labels.ndim == 1 and self.num_classes is None:
                    raise InvalidArgumentError(
                        "class-id labels need num_classes (a batch's largest id is not the dataset's class count)")
                count = images.shape[0] if images.ndim else 0
                if self._index_batches is not None:
                    keys = self._index_batches[batch_number].astype(np.uint64)
                else:
                    keys = np.arange(position, position + count, dtype=np.uint64)
                    if self.world_size > 1:
                        mine = (keys % self.world_size) == self.rank
                        keys = keys[mine]
                        images = images[mine]
                        labels = labels[mine] if labels is not None else None
                position += count
                batch_number += 1
                if keys.shape[0] == 0:
                    continue
                images = np.ascontiguousarray(images)
                start = time.perf_counter()
                result = self.backend.apply(self.pipeline, images, labels, seed=self.seed, epoch=self.epoch,
                                            sample_indices=keys, layout=self.layout, num_classes=self.num_classes)
                self.augment_seconds += time.perf_counter() - start
                while not stop.is_set():
                    try:
                        out.put(result, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except BaseException as error:  # handed to the consumer, raised there
            self._put_final(out, stop, error)
            return
        self._put_final(out, stop, _DONE)

    @staticmethod
    def _put_final(out: "queue.Queue[Any]", stop: threading.Event, value: Any) -> None:
        while not stop.is_set():
            try:
                out.put(value, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]]:
        self.wait_seconds = 0.0
        self.augment_seconds = 0.0
        out: "queue.Queue[Any]" = queue.Queue(maxsize=self.prefetch)
        stop = threading.Event()
        worker = threading.Thread(target=self._augment_all, args=(out, stop), name="swift-augment-prefetch", daemon=True)
        worker.start()
        try:
            while True:
                start = time.perf_counter()
                item = out.get()
                self.wait_seconds += time.perf_counter() - start
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            worker.join()

    def __len__(self) -> int:
        if self._index_batches is not None:
            return len(self._index_batches)
        return len(self.source)  # type: ignore[arg-type]


__all__: Sequence[str] = ["EpochPlan", "AugmentedLoader"]
