#!/usr/bin/env python3
"""Reference fixtures for rand_augment, trivial_augment_wide and aug_mix
(Tests/AugmentTests/AutoAugmentFixtureTests.swift), from torchvision.transforms.v2._auto_augment.

Writes Tests/Fixtures/autoaugment.json:
  tables  - the magnitude tables of RandAugment, TrivialAugmentWide and AugMix (float32, as torch's
            linspace and the posterize formula compute them; base64 like the images) for several bin
            counts, and for the translations several image sizes;
  cases   - torchvision's per-operation semantics (`_apply_image_or_video_transform`) at explicit
            magnitudes on small float32 CHW images: single operations, and pairs applied in order
            (to measure what fusing a sample's geometric and colour operations changes);
  augmix  - AugMix's mix (m0 * x + sum_k w_k * chain_k(x), as its forward computes it) for explicit
            chains and weights.
Images and outputs are base64 of little-endian float32 in CHW order. Nearest-neighbour cases list
the output pixels whose sampling point lies within 1e-3 of a tie between two source pixels
("exclude", flat y * W + x; null when not computed): there grid_sample rounds half to even and this
library takes the pixel containing the point.

Environment used for the committed file (CPU only):
    python 3.11, torch 2.15.0, torchvision 0.29.2, numpy 2.x
    python -m venv venv && venv/bin/pip install torch==2.15.0 torchvision==0.29.2 numpy
Run from the repository root:  python Tests/Fixtures/generate_autoaugment.py
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torchvision
from torchvision.transforms import v2
from torchvision.transforms.v2.functional import _geometry as G

HERE = os.path.dirname(os.path.abspath(__file__))


def b64(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode()


def make_images():
    g = torch.Generator().manual_seed(20260707)
    rgb = torch.rand(3, 8, 10, generator=g)
    rgb[:, 0, :4] = torch.tensor([0.5, 0.25, 0.75]).reshape(3, 1)  # a flat patch
    gray = torch.rand(1, 7, 9, generator=g) * 0.6 + 0.2  # not the full range: autocontrast stretches
    return {"rgb": rgb, "gray": gray}


def ties_from_grid(grid, w, h):
    gx = grid[0, ..., 0].double()
    gy = grid[0, ..., 1].double()
    ux = ((gx + 1) * w - 1) / 2
    uy = ((gy + 1) * h - 1) / 2
    tie = ((ux - ux.floor() - 0.5).abs() < 1e-3) | ((uy - uy.floor() - 0.5).abs() < 1e-3)
    return [int(i) for i in torch.nonzero(tie.flatten()).flatten().tolist()]


def affine_args(op, m, w, h):
    """(center_f, angle, translate, shear) as torchvision's affine/rotate compute them for `op`."""
    if op == "ShearX":
        return [-w * 0.5, -h * 0.5], 0.0, [0.0, 0.0], [math.degrees(math.atan(m)), 0.0]
    if op == "ShearY":
        return [-w * 0.5, -h * 0.5], 0.0, [0.0, 0.0], [0.0, math.degrees(math.atan(m))]
    if op == "TranslateX":
        return [0.0, 0.0], 0.0, [float(int(m)), 0.0], [0.0, 0.0]
    if op == "TranslateY":
        return [0.0, 0.0], 0.0, [0.0, float(int(m))], [0.0, 0.0]
    if op == "Rotate":
        return [0.0, 0.0], -(m % 360), [0.0, 0.0], [0.0, 0.0]
    return None


def ties(op, m, w, h):
    args = affine_args(op, m, w, h)
    if args is None:
        return []
    center, angle, translate, shear = args
    matrix = G._get_inverse_affine_matrix(center, angle, translate, 1.0, shear)
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    return ties_from_grid(G._affine_grid(theta, w=w, h=h, ow=w, oh=h), w, h)


GEOMETRIC = {"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate"}
SPACES = {
    "rand_augment": v2.RandAugment._AUGMENTATION_SPACE,
    "trivial_augment_wide": v2.TrivialAugmentWide._AUGMENTATION_SPACE,
    "aug_mix": v2.AugMix._AUGMENTATION_SPACE,
}


def tables():
    out = []
    for policy, space in SPACES.items():
        bins_list = [10] if policy == "aug_mix" else ([31, 10, 9, 2] if policy == "rand_augment" else [31, 5])
        for bins in bins_list:
            for (h, w) in [(8, 10), (224, 224), (331, 500)]:
                for op, (fn, signed) in space.items():
                    values = fn(bins, h, w)
                    if values is None or ((h, w) != (8, 10) and not op.startswith("Translate")):
                        continue  # only the translations depend on the size
                    out.append({"policy": policy, "bins": bins, "height": h, "width": w, "op": op, "signed": bool(signed),
                                "values": b64(values.float())})
    return out


def apply_ops(image, ops, interpolation, fill):
    policy = v2.RandAugment(interpolation=interpolation, fill=fill)
    for op, m in ops:
        image = policy._apply_image_or_video_transform(image, op, m, interpolation=policy.interpolation, fill=policy._fill)
    return image


def cases(images):
    ra = v2.RandAugment._AUGMENTATION_SPACE
    ta = v2.TrivialAugmentWide._AUGMENTATION_SPACE
    out = []

    def add(name, ops, interpolation="nearest", fill=None):
        x = images[name]
        c, h, w = x.shape
        y = apply_ops(x.clone(), ops, interpolation, fill)
        geometric = [op for op, _ in ops if op in GEOMETRIC]
        exclude = []
        if interpolation == "nearest" and geometric:
            if len(geometric) == 1:
                op, m = next((op, m) for op, m in ops if op in GEOMETRIC)
                exclude = ties(op, m, w, h)
            else:
                exclude = None
        out.append({"image": name, "ops": [[op, float(m)] for op, m in ops], "interpolation": interpolation,
                    "fill": fill, "shape": list(y.shape), "output": b64(y), "exclude": exclude})

    # Single operations at RandAugment's default bin (9 of 31), both signs, and TrivialAugmentWide's
    # widest bin (30 of 31).
    for op, (fn, signed) in ra.items():
        table = fn(31, 8, 10)
        if table is None:
            add("rgb", [(op, 0.0)])
            continue
        m = float(table[9])
        add("rgb", [(op, m)])
        if signed:
            add("rgb", [(op, -m)])
        wide = ta[op][0](31, 8, 10)
        add("rgb", [(op, float(wide[30]))])
        if op in GEOMETRIC:
            add("rgb", [(op, m)], "bilinear", [0.2, 0.5, 0.8])
            add("rgb", [(op, -float(wide[30]))], "bilinear", None)
    for op, m in [("Color", 0.5), ("Contrast", -0.6), ("Brightness", 0.4), ("Sharpness", 0.9), ("AutoContrast", 0.0),
                  ("Equalize", 0.0), ("Posterize", 3.0), ("Solarize", 0.5), ("Rotate", 25.0), ("ShearY", -0.3)]:
        add("gray", [(op, m)])

    # Pairs in torchvision's order: colour or sharpness before geometry (what fusing reorders),
    # geometry before colour (fusing keeps it), two geometric operations (fusing samples once), and
    # pairs without geometry.
    pairs = [
        [("Solarize", 0.4), ("Rotate", 20.0)],
        [("Equalize", 0.0), ("ShearX", 0.25)],
        [("Contrast", 0.5), ("TranslateY", -3.0)],
        [("AutoContrast", 0.0), ("Rotate", -25.0)],
        [("Posterize", 4.0), ("ShearY", -0.2)],
        [("Brightness", -0.5), ("Rotate", 30.0)],
        [("Color", 0.8), ("TranslateX", 5.0)],
        [("Sharpness", 0.8), ("Rotate", 15.0)],
        [("Rotate", 15.0), ("Sharpness", 0.8)],
        [("Rotate", 20.0), ("Solarize", 0.4)],
        [("ShearX", -0.3), ("Equalize", 0.0)],
        [("ShearX", 0.2), ("Rotate", 25.0)],
        [("TranslateX", 3.0), ("TranslateY", -2.0)],
        [("Rotate", 10.0), ("ShearY", 0.3)],
        [("Color", 0.7), ("Contrast", -0.4)],
        [("Equalize", 0.0), ("AutoContrast", 0.0)],
        [("Sharpness", 0.9), ("Sharpness", -0.5)],
        [("Sharpness", 0.9), ("Brightness", 0.3)],
        [("Brightness", 0.3), ("Sharpness", 0.9)],
    ]
    for ops in pairs:
        add("rgb", ops, "bilinear")
        add("rgb", ops, "nearest")
    return out


def augmix(images):
    out = []
    specs = [
        ("rgb", True, [[("ShearX", 0.1), ("Equalize", 0.0)], [("Rotate", -20.0)],
                       [("Posterize", 2.0), ("Brightness", 0.3), ("Solarize", 0.7)]], [0.3, 0.2, 0.15, 0.35]),
        ("rgb", True, [[("Contrast", -0.45), ("TranslateY", 2.0)], [("Sharpness", 0.6), ("ShearY", -0.2)]], [0.5, 0.125, 0.375]),
        ("gray", False, [[("AutoContrast", 0.0), ("TranslateX", -2.0), ("Posterize", 3.0)], [("Rotate", 12.0)]],
         [0.25, 0.4, 0.35]),
    ]
    for name, all_ops, chains, weights in specs:
        policy = v2.AugMix(all_ops=all_ops)
        x = images[name]
        batch = x.reshape(1, *x.shape)
        w = torch.tensor(weights, dtype=torch.float32)
        mix = w[0].reshape([1, 1, 1, 1]) * batch
        for i, chain in enumerate(chains):
            aug = batch
            for op, m in chain:
                aug = policy._apply_image_or_video_transform(aug, op, m, interpolation=policy.interpolation, fill=policy._fill)
            mix.add_(w[i + 1].reshape([1, 1, 1, 1]) * aug)
        out.append({"image": name, "all_ops": all_ops, "chains": [[[op, float(m)] for op, m in c] for c in chains],
                    "weights": weights, "shape": list(x.shape), "output": b64(mix.reshape(x.shape))})
    return out


def main():
    images = make_images()
    data = {
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "images": {k: {"shape": list(v.shape), "float32": b64(v)} for k, v in images.items()},
        "tables": tables(),
        "cases": cases(images),
        "augmix": augmix(images),
    }
    path = os.path.join(HERE, "autoaugment.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print(f"wrote {path}: {len(data['tables'])} tables, {len(data['cases'])} cases, {len(data['augmix'])} aug_mix cases, "
          f"{os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
