#!/usr/bin/env python3
"""Trains a small PyTorch CNN (CPU) on synthetic shapes with few labelled images, once without and
once with swift-augment's per-sample augmentation, and prints both validation accuracies and the
time the training loop spent waiting for augmented batches.

The training batches come from a plain PyTorch DataLoader (uint8 NHWC tensors + class ids);
swift_augment.AugmentedLoader wraps it, augments on the OpenCL device (or the CPU backend) on a
background thread, and hands back numpy arrays that torch.from_numpy shares without copying.

Run (after `pip install ./python` and `pip install torch`):
    python3 Examples/python/train_torch.py [--epochs 30] [--train 64] [--backend opencl|cpu]
Without torch it says so and only measures the augmentation loop.
"""
import argparse
import time

import numpy as np

import swift_augment as sa

CLASSES = ["disc", "square", "triangle", "cross"]
STORED, SIDE = 40, 32  # images are stored at 40x40 and cropped to 32x32


def shapes(count: int, seed: int):
    """`count` 40x40 RGB uint8 images (NHWC) of one shape each on a noisy background, and class ids."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % len(CLASSES)
    rng.shuffle(labels)
    yy, xx = np.mgrid[0:STORED, 0:STORED].astype(np.float32)
    images = np.empty((count, STORED, STORED, 3), np.uint8)
    for n, label in enumerate(labels):
        background = rng.uniform(20, 120, 3)
        colour = rng.uniform(140, 255, 3)
        r = rng.uniform(5, 10)
        cy, cx = rng.uniform(r + 2, STORED - r - 2, 2)
        dy, dx = yy - cy, xx - cx
        if label == 0:
            mask = dy ** 2 + dx ** 2 <= r ** 2
        elif label == 1:
            mask = (np.abs(dy) <= r * 0.8) & (np.abs(dx) <= r * 0.8)
        elif label == 2:
            mask = (dy <= r * 0.8) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
        else:
            mask = ((np.abs(dy) <= r) & (np.abs(dx) <= r * 0.3)) | ((np.abs(dx) <= r) & (np.abs(dy) <= r * 0.3))
        picture = background + rng.normal(0, 25, (STORED, STORED, 3))
        picture[mask] = colour + rng.normal(0, 10, (int(mask.sum()), 3))
        images[n] = np.clip(picture, 0, 255).astype(np.uint8)
    return images, labels.astype(np.int64)


NORMALIZE = {"op": "normalize", "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}
PLAIN = sa.Pipeline([{"op": "center_crop", "height": SIDE, "width": SIDE}, NORMALIZE])
AUGMENTED = sa.Pipeline([{"op": "random_crop", "height": SIDE, "width": SIDE},
                         {"op": "random_horizontal_flip", "p": 0.5},
                         NORMALIZE])


def train(torch, loader_for_epoch, epochs, validation, seed):
    """Trains a fresh CNN; returns (validation accuracy, seconds waiting for batches, seconds in total)."""
    nn = torch.nn
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(64, len(CLASSES)))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    waited, start = 0.0, time.perf_counter()
    for epoch in range(epochs):
        model.train()
        loader = loader_for_epoch(epoch)
        for images, soft_labels in loader:
            x, y = torch.from_numpy(images), torch.from_numpy(soft_labels)   # shares the arrays
            loss = torch.sum(-y * torch.log_softmax(model(x), dim=1), dim=1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        waited += loader.wait_seconds
    total = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        x, labels = validation
        predicted = model(torch.from_numpy(x)).argmax(dim=1).numpy()
    return float((predicted == labels).mean()), waited, total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=64, help="labelled training images")
    parser.add_argument("--validation", type=int, default=800)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--backend", choices=["opencl", "cpu"], default="opencl")
    args = parser.parse_args()

    try:
        backend = sa.Backend(args.backend)
    except sa.BackendUnavailableError as error:
        print(f"no OpenCL device ({error}); augmenting on the CPU backend")
        backend = sa.Backend("cpu")
    print(f"augmentation backend: {backend.name}")
    train_images, train_labels = shapes(args.train, seed=100)
    val_images, val_labels = shapes(args.validation, seed=200)
    validation = (sa.Backend("cpu").apply(PLAIN, val_images), val_labels)
    print(f"data: {args.train} labelled training images, {args.validation} validation images, "
          f"{len(CLASSES)} classes, {SIDE}x{SIDE} RGB")

    try:
        import torch
    except ImportError:
        print("torch is not installed (pip install torch): skipping the training, timing the augmentation loop only")
        batches = [(train_images[i:i + args.batch], train_labels[i:i + args.batch])
                   for i in range(0, args.train, args.batch)]
        loader = sa.AugmentedLoader(batches, AUGMENTED, backend, seed=7, num_classes=len(CLASSES))
        start = time.perf_counter()
        count = sum(len(images) for images, _ in loader)
        print(f"augmented {count} images in {time.perf_counter() - start:.2f} s "
              f"(the loop waited {loader.wait_seconds:.2f} s)")
        return

    torch.set_num_threads(1)  # leave a core to the augmentation thread (PoCL) on small machines
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(train_images), torch.from_numpy(train_labels))

    def data_loader(epoch):
        generator = torch.Generator().manual_seed(1000 + epoch)  # same order on every rank
        return torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, generator=generator)

    results = {}
    for name, pipeline in (("without augmentation (centre crop)", PLAIN), ("with swift-augment", AUGMENTED)):
        def loader_for_epoch(epoch, pipeline=pipeline):
            return sa.AugmentedLoader(data_loader(epoch), pipeline, backend, seed=7, epoch=epoch, prefetch=3,
                                      num_classes=len(CLASSES))
        results[name] = train(torch, loader_for_epoch, args.epochs, validation, seed=0)
    print(f"{args.epochs} epochs, batch {args.batch}, torch {torch.__version__} on the CPU")
    for name, (accuracy, waited, total) in results.items():
        print(f"  {name:36s} validation accuracy {accuracy * 100:5.1f}%   "
              f"waited for batches {waited:5.2f} s of {total:5.2f} s ({waited / total * 100:4.1f}%)")


if __name__ == "__main__":
    main()
