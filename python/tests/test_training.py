"""EpochPlan and AugmentedLoader, with numpy alone."""
import threading
import time

import numpy as np
import pytest

import swift_augment as sa

PIPELINE = [{"op": "random_crop", "height": 12, "width": 12}, {"op": "random_horizontal_flip", "p": 0.5}]


@pytest.mark.parametrize("size, world", [(10, 1), (10, 3), (17, 4), (5, 8)])
def test_epoch_plan_uneven_shares_partition_the_epoch(size, world):
    shares = [sa.EpochPlan(size, 3, seed=5, epoch=2, rank=r, world_size=world).indices for r in range(world)]
    joined = np.concatenate(shares)
    assert sorted(joined.tolist()) == list(range(size))
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    # Every rank sees the same permutation: interleaving the shares rebuilds it.
    order = np.empty(size, np.int64)
    for r, share in enumerate(shares):
        order[r::world] = share
    assert order.tolist() == sa.EpochPlan(size, 3, seed=5, epoch=2).indices.tolist()


def test_epoch_plan_shuffles_per_epoch_and_shares():
    a = sa.EpochPlan(50, 8, seed=1, epoch=0).indices
    assert a.tolist() == sa.EpochPlan(50, 8, seed=1, epoch=0).indices.tolist()
    assert a.tolist() != sa.EpochPlan(50, 8, seed=1, epoch=1).indices.tolist()
    assert a.tolist() != list(range(50))
    assert sa.EpochPlan(50, 8, seed=1, shuffle=False).indices.tolist() == list(range(50))
    pad = [len(sa.EpochPlan(10, 2, seed=1, rank=r, world_size=4, share="pad").indices) for r in range(4)]
    drop = [len(sa.EpochPlan(10, 2, seed=1, rank=r, world_size=4, share="drop").indices) for r in range(4)]
    assert pad == [3, 3, 3, 3] and drop == [2, 2, 2, 2]
    plan = sa.EpochPlan(10, 4, seed=1, drop_last=True)
    assert [len(b) for b in plan.batches] == [4, 4] and len(plan) == 2
    assert [len(b) for b in sa.EpochPlan(10, 4, seed=1).batches] == [4, 4, 2]
    with pytest.raises(sa.InvalidArgumentError):
        sa.EpochPlan(10, 4, rank=2, world_size=2)
    with pytest.raises(sa.InvalidArgumentError):
        sa.EpochPlan(10, 4, share="some")


def test_from_arrays_keys_samples_by_dataset_index(rng):
    images = rng.integers(0, 256, (23, 16, 16, 3), dtype=np.uint8)
    labels = rng.integers(0, 5, 23)
    pipeline, backend = sa.Pipeline(PIPELINE), sa.Backend("cpu")
    seen = []
    for rank in range(2):
        plan = sa.EpochPlan(23, 4, seed=3, epoch=1, rank=rank, world_size=2)
        loader = sa.AugmentedLoader.from_arrays(images, labels, pipeline=pipeline, backend=backend, batch_size=4,
                                                seed=3, epoch=1, rank=rank, world_size=2)
        assert len(loader) == len(plan.batches)
        got = list(loader)
        assert len(got) == len(plan.batches)
        for (out, mixed), index in zip(got, plan.batches):
            want = backend.apply(pipeline, images[index], seed=3, epoch=1, sample_indices=index)
            assert out.tobytes() == want.tobytes()
            assert (mixed.argmax(axis=1) == labels[index]).all() and mixed.shape[1] == 5
            # The same sample alone gets the same augmentation: keys are dataset indices.
            alone = backend.apply(pipeline, images[index[:1]], seed=3, epoch=1, first_index=int(index[0]))
            assert alone.tobytes() == out[:1].tobytes()
            seen.extend(index.tolist())
    assert sorted(seen) == list(range(23))


def test_wrapping_an_iterable_shards_by_rank(rng):
    """Ranks keep the samples at positions k % world_size == rank of the same source; sample k is
    augmented with key k whichever rank or batch size handles it."""
    images = rng.integers(0, 256, (20, 16, 16, 3), dtype=np.uint8)
    pipeline, backend = sa.Pipeline(PIPELINE), sa.Backend("cpu")
    whole = backend.apply(pipeline, images, seed=8, epoch=4)
    batches = [images[i:i + 6] for i in range(0, 20, 6)]
    single = np.concatenate(list(sa.AugmentedLoader(batches, pipeline, backend, seed=8, epoch=4)))
    assert single.tobytes() == whole.tobytes()
    for world in (2, 3):
        parts = [np.concatenate(list(sa.AugmentedLoader(batches, pipeline, backend, seed=8, epoch=4, rank=r,
                                                        world_size=world))) for r in range(world)]
        for r, part in enumerate(parts):
            assert part.tobytes() == whole[r::world].tobytes()


class DataLoaderLike:
    """Yields (images, labels) pairs like a PyTorch DataLoader, recording when each is produced."""

    def __init__(self, images, labels, batch):
        self.images, self.labels, self.batch = images, labels, batch
        self.produced = 0

    def __iter__(self):
        for i in range(0, len(self.images), self.batch):
            self.produced += 1
            yield self.images[i:i + self.batch], self.labels[i:i + self.batch]

    def __len__(self):
        return (len(self.images) + self.batch - 1) // self.batch


def test_prefetch_runs_ahead_and_labels_pass(rng):
    images = rng.integers(0, 256, (40, 16, 16, 3), dtype=np.uint8)
    labels = np.arange(40) % 3
    source = DataLoaderLike(images, labels, 4)
    loader = sa.AugmentedLoader(source, sa.Pipeline(PIPELINE), sa.Backend("cpu"), prefetch=3, num_classes=3)
    assert len(loader) == 10
    iterator = iter(loader)
    first_images, first_labels = next(iterator)
    time.sleep(0.5)  # the loop "trains": the thread augments ahead, up to prefetch batches
    assert source.produced >= 4
    assert first_labels.shape == (4, 3) and (first_labels.argmax(1) == labels[:4]).all()
    rest = list(iterator)
    assert len(rest) == 9 and loader.wait_seconds >= 0 and loader.augment_seconds > 0


def test_class_ids_need_num_classes(rng):
    source = DataLoaderLike(rng.integers(0, 256, (8, 16, 16, 3), dtype=np.uint8), np.arange(8) % 2, 4)
    with pytest.raises(sa.InvalidArgumentError, match="num_classes"):
        list(sa.AugmentedLoader(source, sa.Pipeline(PIPELINE), sa.Backend("cpu")))


def test_early_exit_stops_the_thread(rng):
    images = rng.integers(0, 256, (200, 16, 16, 3), dtype=np.uint8)
    source = DataLoaderLike(images, np.zeros(200, np.int64), 2)
    before = threading.active_count()
    loader = sa.AugmentedLoader(source, sa.Pipeline(PIPELINE), sa.Backend("cpu"), prefetch=2, num_classes=1)
    for step, _ in enumerate(loader):
        if step == 2:
            break
    assert threading.active_count() == before
    assert source.produced < 10  # it stopped instead of running through all 100 batches


def test_errors_in_the_source_or_library_reach_the_loop(rng):
    def broken():
        yield rng.integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
        raise OSError("disk on fire")

    loader = sa.AugmentedLoader(broken(), sa.Pipeline(PIPELINE), sa.Backend("cpu"))
    with pytest.raises(OSError, match="disk on fire"):
        list(loader)
    too_small = [rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)]
    with pytest.raises(sa.AugmentError, match="12"):
        list(sa.AugmentedLoader(too_small, sa.Pipeline(PIPELINE), sa.Backend("cpu")))
