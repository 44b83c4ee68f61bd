#!/usr/bin/env python3
"""Reference fixtures for auto_augment (Tests/AugmentTests/AutoAugmentPolicyTests.swift), from
torchvision.transforms.v2.AutoAugment.

Writes Tests/Fixtures/autoaugment_policies.json:
  policies   - for "imagenet", "cifar10" and "svhn": torchvision's 25 sub-policies (`_get_policies`),
               each two [op, probability, magnitude bin or null];
  magnitudes - per policy and image size (8x10, 224x224, 32x32), per sub-policy entry the value
               torchvision applies (`float(magnitudes_fn(10, h, w)[bin])`, float32 as torch computes
               it; null without magnitude) and whether the table is signed;
  cases      - whole sub-policies applied in torchvision's order (`_apply_image_or_video_transform`,
               as AutoAugment.forward does for the entries that pass their probability) at explicit
               signs, on the small float32 CHW images of generate_autoaugment.py, bilinear
               interpolation (nearest ties are covered by autoaugment.json's cases).
Images and outputs are base64 of little-endian float32 in CHW order.

Environment used for the committed file (CPU only):
    python 3.11, torch 2.15.0, torchvision 0.29.2, numpy 2.x
Run from the repository root:  python Tests/Fixtures/generate_autoaugment_policies.py
"""
import json
import os

import torch
import torchvision
from torchvision.transforms import v2

from generate_autoaugment import b64, make_images

HERE = os.path.dirname(os.path.abspath(__file__))
POLICIES = {"imagenet": v2.AutoAugmentPolicy.IMAGENET, "cifar10": v2.AutoAugmentPolicy.CIFAR10,
            "svhn": v2.AutoAugmentPolicy.SVHN}


def value(op, bin_, h, w):
    fn, signed = v2.AutoAugment._AUGMENTATION_SPACE[op]
    table = fn(10, h, w)
    if table is None or bin_ is None:
        return None, bool(signed)
    return float(table[bin_]), bool(signed)


def main():
    images = make_images()
    policies, magnitudes, cases = {}, [], []
    for name, enum in POLICIES.items():
        aa = v2.AutoAugment(policy=enum, interpolation=v2.InterpolationMode.BILINEAR)
        subs = aa._get_policies(enum)
        policies[name] = [[[op, float(p), m] for op, p, m in sub] for sub in subs]
        for (h, w) in [(8, 10), (224, 224), (32, 32)]:
            magnitudes.append({"policy": name, "height": h, "width": w,
                               "values": [[value(op, m, h, w)[0] for op, _, m in sub] for sub in subs],
                               "signed": [[value(op, m, h, w)[1] for op, _, m in sub] for sub in subs]})
        # Every sixth sub-policy (rgb) and the ones between (gray): both entries applied, the first sign
        # negative; and only the second entry applied, positive.
        for k in range(0, 25, 3):
            image_names = ["rgb"] if k % 6 == 0 else ["gray"]
            for image_name in image_names:
                x = images[image_name]
                c, h, w = x.shape
                for applied, sign in [([0, 1], -1.0), ([1], 1.0)]:
                    ops = []
                    y = x.clone()
                    for i in applied:
                        op, _, m = subs[k][i]
                        mag, signed = value(op, m, h, w)
                        mag = 0.0 if mag is None else (mag * sign if signed and i == applied[0] else mag)
                        ops.append([op, mag])
                        y = aa._apply_image_or_video_transform(y, op, mag, interpolation=aa.interpolation, fill=aa._fill)
                    cases.append({"policy": name, "sub_policy": k, "image": image_name, "ops": ops,
                                  "shape": list(y.shape), "output": b64(y)})
    data = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "images": {k: {"shape": list(v.shape), "float32": b64(v)} for k, v in images.items()},
            "policies": policies, "magnitudes": magnitudes, "cases": cases}
    path = os.path.join(HERE, "autoaugment_policies.json")
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print(f"wrote {path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
