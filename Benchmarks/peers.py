#!/usr/bin/env python3
"""Runs the built-in pipelines of `augment bench` with the peer libraries on this machine and prints
one table, side by side with swift-augment's own figures (from `augment bench --json`).

Peers, all with per-sample randomness on a batch of uint8 256x256x3 images -> float32 CHW:
  albumentations   A.Compose called per image (OpenCV underneath), 1 thread, and in 2 worker processes
  torchvision      transforms.v2 on CPU tensors, one call per image, 1 thread
  kornia           kornia.augmentation on a CPU batch tensor (same_on_batch=False), 1 thread
  opencv-umat      OpenCV's OpenCL path (cv2.UMat) on the same OpenCL device as swift-augment, per image

Environment (reproduce): python3 -m pip install torch==2.15.0 torchvision==0.29.2 kornia==0.9.0 \
    albumentations==2.0.8 opencv-python-headless==5.0.0.93 timm==1.0.31 numpy
    (torchaudio for the specaugment row: a separate env with torch==2.11.* torchaudio==2.11.0)
Run:  python3 Benchmarks/peers.py --augment .build/release/augment --json Benchmarks/results/peers.json
      add --python to also time swift-augment through its Python package (pip install ./python) in
      this process, called the way a Python training loop calls it (numpy in, numpy out)
Plot: python3 Benchmarks/plot.py Benchmarks/results/peers.json docs/benchmarks.png
"""
import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENCV_OPENCL_DEVICE", ":CPU:")

import numpy as np  # noqa: E402

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
PIPELINES = ["imagenet", "affine", "blur", "crop_flip_normalize", "mixup_cutmix", "specaugment"]


def images(batch, height, width, seed=1):
    return np.random.default_rng(seed).integers(0, 256, size=(batch, height, width, 3), dtype=np.uint8)


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ----------------------------------------------------------------------------- albumentations
def albumentations_pipeline(name, size):
    import albumentations as A
    h, w = size
    norm = A.Normalize(mean=MEAN, std=STD)
    if name == "imagenet":
        return A.Compose([A.RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0)), A.HorizontalFlip(p=0.5),
                          A.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0), norm])
    if name == "affine":
        return A.Compose([A.Affine(rotate=(-30, 30), translate_percent=(-0.1, 0.1), scale=(0.8, 1.2), shear=(-10, 10), p=1.0), norm])
    if name == "blur":
        return A.Compose([A.GaussianBlur(blur_limit=(7, 7), sigma_limit=(0.1, 2.0), p=1.0), A.Normalize(mean=0, std=1)])
    if name == "crop_flip_normalize":
        return A.Compose([A.RandomCrop(224, 224), A.HorizontalFlip(p=0.5), norm])
    return None


def run_albumentations(name, batch, size, repeats):
    pipe = albumentations_pipeline(name, size)
    if pipe is None:
        return None
    import cv2
    cv2.setNumThreads(1)
    data = images(batch, *size)
    def run():
        return [np.ascontiguousarray(pipe(image=img)["image"].transpose(2, 0, 1)) for img in data]
    return batch / timed(run, repeats)


_WORKER_CACHE = {}


def _album_worker(args):
    """Augments `chunk` images in a worker; the pipeline and inputs are built once per process."""
    name, chunk, size = args
    key = (name, chunk, size)
    if key not in _WORKER_CACHE:
        import cv2
        cv2.setNumThreads(1)
        _WORKER_CACHE[key] = (albumentations_pipeline(name, size), images(chunk, *size, seed=os.getpid()))
    pipe, data = _WORKER_CACHE[key]
    for img in data:
        np.ascontiguousarray(pipe(image=img)["image"].transpose(2, 0, 1))
    return len(data)


def run_albumentations_workers(name, batch, size, repeats, workers=2):
    if albumentations_pipeline(name, size) is None:
        return None
    with mp.get_context("fork").Pool(workers) as pool:
        pool.map(_album_worker, [(name, batch // workers, size)] * workers)  # warm-up: builds the caches
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            pool.map(_album_worker, [(name, batch // workers, size)] * workers)
            times.append(time.perf_counter() - start)
    return batch / statistics.median(times)


# ----------------------------------------------------------------------------- torchvision
def run_torchvision(name, batch, size, repeats):
    import torch
    import torchvision.transforms.v2 as T
    torch.set_num_threads(1)
    data = torch.from_numpy(images(batch, *size)).permute(0, 3, 1, 2).contiguous()
    to_float = T.ToDtype(torch.float32, scale=True)
    norm = T.Normalize(MEAN, STD)
    if name == "imagenet":
        pipe = T.Compose([T.RandomResizedCrop(224, scale=(0.08, 1.0), antialias=True), T.RandomHorizontalFlip(),
                          T.ColorJitter(0.4, 0.4, 0.4, 0.1), to_float, norm])
    elif name == "affine":
        pipe = T.Compose([T.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10), to_float, norm])
    elif name == "blur":
        pipe = T.Compose([T.GaussianBlur(7, sigma=(0.1, 2.0)), to_float])
    elif name == "crop_flip_normalize":
        pipe = T.Compose([T.RandomCrop(224), T.RandomHorizontalFlip(), to_float, norm])
    elif name == "mixup_cutmix":
        labels = torch.randint(0, 1000, (batch,))
        chooser = T.RandomChoice([T.MixUp(alpha=0.8, num_classes=1000), T.CutMix(alpha=1.0, num_classes=1000)])
        floats = to_float(data)
        return batch / timed(lambda: chooser(floats, labels), repeats)
    else:
        return None
    return batch / timed(lambda: [pipe(img) for img in data], repeats)


# ----------------------------------------------------------------------------- kornia
def run_kornia(name, batch, size, repeats):
    import torch
    import kornia.augmentation as K
    torch.set_num_threads(1)
    data = torch.from_numpy(images(batch, *size)).permute(0, 3, 1, 2).float().div(255)
    mean, std = torch.tensor(MEAN), torch.tensor(STD)
    if name == "imagenet":
        pipe = torch.nn.Sequential(K.RandomResizedCrop((224, 224), scale=(0.08, 1.0)), K.RandomHorizontalFlip(),
                                   K.ColorJitter(0.4, 0.4, 0.4, 0.1, p=1.0), K.Normalize(mean, std))
    elif name == "affine":
        pipe = torch.nn.Sequential(K.RandomAffine(30, translate=(0.1, 0.1), scale=(0.8, 1.2), shear=10, p=1.0), K.Normalize(mean, std))
    elif name == "blur":
        pipe = K.RandomGaussianBlur((7, 7), (0.1, 2.0), p=1.0)
    elif name == "crop_flip_normalize":
        pipe = torch.nn.Sequential(K.RandomCrop((224, 224)), K.RandomHorizontalFlip(), K.Normalize(mean, std))
    elif name == "mixup_cutmix":
        labels = torch.randint(0, 1000, (batch,))
        mix = K.RandomMixUpV2(p=1.0)
        return batch / timed(lambda: mix(data, labels), repeats)
    else:
        return None
    with torch.no_grad():
        return batch / timed(lambda: pipe(data), repeats)


# ----------------------------------------------------------------------------- OpenCV UMat (OpenCL)
def run_opencv_umat(name, batch, size, repeats):
    import cv2
    if not cv2.ocl.haveOpenCL():
        return None
    cv2.ocl.setUseOpenCL(True)
    rng = np.random.default_rng(3)
    data = [cv2.UMat(img) for img in images(batch, *size)]
    h, w = size
    mean = cv2.UMat(np.full((224, 224, 3), MEAN, np.float32))
    inv_std = cv2.UMat(np.full((224, 224, 3), [1 / s for s in STD], np.float32))
    def crop_flip_normalize():
        out = []
        for img in data:
            top, left = int(rng.integers(0, h - 224 + 1)), int(rng.integers(0, w - 224 + 1))
            roi = cv2.UMat(img, [top, top + 224], [left, left + 224])
            if rng.random() < 0.5:
                roi = cv2.flip(roi, 1)
            unit = cv2.addWeighted(roi, 1 / 255.0, roi, 0, 0, dtype=cv2.CV_32F)  # uint8 -> float32 on the device
            out.append(cv2.multiply(cv2.subtract(unit, mean), inv_std))
        cv2.ocl.finish()
        return out
    def _affine():
        out = []
        for img in data:
            m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-30, 30)), float(rng.uniform(0.8, 1.2)))
            out.append(cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR))
        cv2.ocl.finish()
        return out
    def _blur():
        out = [cv2.GaussianBlur(img, (7, 7), float(rng.uniform(0.1, 2.0))) for img in data]
        cv2.ocl.finish()
        return out
    fn = {"crop_flip_normalize": crop_flip_normalize, "affine": _affine, "blur": _blur}.get(name)
    return None if fn is None else batch / timed(fn, repeats)


# ----------------------------------------------------------------------------- specaugment (torchaudio)
def run_torchaudio(name, batch, size, repeats):
    if name != "specaugment":
        return None
    code = f"""
import time, statistics, torch, torchaudio.transforms as AT
torch.set_num_threads(1)
x = torch.randn({batch}, 1, {size[0]}, {size[1]})
fm, tm = AT.FrequencyMasking(27, iid_masks=True), AT.TimeMasking(100, iid_masks=True, p=1.0)
def run():
    y = fm(fm(x)); return tm(tm(y))
run(); ts = []
for _ in range({repeats}):
    s = time.perf_counter(); run(); ts.append(time.perf_counter() - s)
print({batch} / statistics.median(ts))
"""
    python = os.environ.get("AUDIO_PYTHON", "/work/pyenv-audio/bin/python")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=600)
        return float(out.stdout.strip().splitlines()[-1])
    except Exception:
        return None


def opencl_implementations(requested):
    """The OpenCL implementations to time swift-augment on: `auto` = PoCL and Intel's CPU runtime
    when scripts/opencl-implementations.sh has installed them, else the default device alone."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "opencl-implementations.sh")
    installed = os.path.exists(os.path.join(os.path.dirname(script), "..", ".opencl", "intel", ".complete"))
    names = ["pocl", "intel"] if requested == "auto" else [n for n in requested.split(",") if n]
    if requested == "auto" and not installed:
        return [("", [])]
    return [(name, ["bash", script, "run", name]) for name in names]


def run_ours(binary, batch, size, repeats, implementations="auto"):
    results = {}
    if not binary:
        return results
    runs = [(f"opencl {name}".strip(), prefix, "opencl") for name, prefix in opencl_implementations(implementations)]
    runs.append(("cpu", [], "cpu"))
    for label, prefix, backend in runs:
        try:
            out = subprocess.run(prefix + [binary, "bench", "--json", "--batch", str(batch), "--size", f"{size[0]}x{size[1]}",
                                           "--repeats", str(repeats), "--backend", backend],
                                 capture_output=True, text=True, timeout=1800)
        except Exception as error:
            print(f"augment bench failed: {error}", file=sys.stderr)
            continue
        for line in out.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                results[(f"swift-augment {label}", row["pipeline"])] = row["images_per_second"]
                if backend == "opencl":
                    results[(f"swift-augment {label} kernel", row["pipeline"])] = row["kernel_images_per_second"]
    return results


def run_ours_python(name, batch, size, repeats, backend_kind):
    """swift-augment through the Python package, in this process: Backend.apply on numpy arrays,
    end to end (copy in, upload, kernels, download, copy out), with the built-in pipeline of the
    same name as `augment bench`."""
    import swift_augment as sa
    pipeline = sa.Pipeline.builtin(name)
    backend = sa.Backend(backend_kind)
    if name == "specaugment":
        data = np.random.default_rng(1).standard_normal((batch, 1, *size), dtype=np.float32)
    else:
        data = images(batch, *size)
    labels = np.random.default_rng(2).integers(0, 1000, batch) if name == "mixup_cutmix" else None
    step = [0]

    def run():
        step[0] += 1
        return backend.apply(pipeline, data, labels, seed=step[0], num_classes=1000 if labels is not None else None)
    return batch / timed(run, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--size", default="256x256")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--augment", default="", help="path to the augment binary (release build)")
    parser.add_argument("--only", default="", help="comma-separated pipeline names")
    parser.add_argument("--implementations", default="auto",
                        help="OpenCL implementations for swift-augment: auto (PoCL and Intel's CPU runtime when "
                             "scripts/opencl-implementations.sh installed them), or a list such as pocl,intel")
    parser.add_argument("--json", default="", help="write the results here")
    parser.add_argument("--python", action="store_true",
                        help="also run swift-augment through its Python package (pip install ./python) in this process")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    names = [n for n in PIPELINES if not args.only or n in args.only.split(",")]
    runners = [("albumentations (1 thread)", run_albumentations), ("albumentations (2 processes)", run_albumentations_workers),
               ("torchvision v2 (1 thread)", run_torchvision), ("kornia (1 thread)", run_kornia),
               ("opencv UMat (OpenCL)", run_opencv_umat), ("torchaudio (1 thread)", run_torchaudio)]
    if args.python:
        runners += [(f"swift-augment {kind} (python)", lambda n, b, s, r, kind=kind: run_ours_python(n, b, s, r, kind))
                    for kind in ("opencl", "cpu")]
    results = {}
    for name in names:
        for label, fn in runners:
            spec_size = (80, 3000) if name == "specaugment" else size
            try:
                value = fn(name, args.batch, spec_size, args.repeats)
            except Exception as error:  # a peer without the op, or a failing install: leave the cell empty
                print(f"{label} / {name}: {type(error).__name__}: {error}", file=sys.stderr)
                value = None
            if value is not None:
                results[(label, name)] = value
            print(f"  {label:32s} {name:22s} {'-' if value is None else f'{value:9.0f} img/s'}", file=sys.stderr)
    results.update(run_ours(args.augment, args.batch, size, args.repeats, args.implementations))

    libraries = []
    for key in results:
        if key[0] not in libraries:
            libraries.append(key[0])
    width = max(len(l) for l in libraries) if libraries else 10
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.platform()}; batch {args.batch}, {size[0]}x{size[1]} uint8 -> float32 CHW; images/s (median of {args.repeats})")
    print(f"{'library':{width}s}  " + "  ".join(f"{n:>20s}" for n in names))
    for library in libraries:
        cells = [f"{results[(library, n)]:20.0f}" if (library, n) in results else f"{'-':>20s}" for n in names]
        print(f"{library:{width}s}  " + "  ".join(cells))
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump({"machine": platform.platform(), "cores": os.cpu_count(), "batch": args.batch, "size": list(size),
                       "results": [{"library": k[0], "pipeline": k[1], "images_per_second": round(v, 1)} for k, v in results.items()]},
                      handle, indent=1)


if __name__ == "__main__":
    main()
