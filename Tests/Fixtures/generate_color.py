#!/usr/bin/env python3
"""Reference fixtures for the colour, blur and erase ops, from torchvision.transforms.v2.functional.

Writes Tests/Fixtures/color.json (colour ops) and Tests/Fixtures/blur.json (gaussian_blur,
adjust_sharpness, erase): small images, explicit parameters, and torchvision's outputs.
Tests/AugmentTests/ColorFixtureTests.swift loads them and checks the CPU backend against them
(float32 within 1e-5 for colour, 1e-4 for blur) and measures the uint8 differences that
docs/semantics.md states.

Environment used to generate the committed files:
    python 3.11, torch 2.13.0+cpu, torchvision 0.29.2 (pure-Python functional ops), numpy 2.x
    python -m venv venv && venv/bin/pip install torch==2.13.0+cpu torchvision==0.29.2 numpy
The functional ops used here are pure Python over torch, so any torchvision >= 0.16 gives the same
numbers. If torchvision's compiled extension does not match the installed torch (for example a
CUDA build of torchvision next to a CPU torch), the import below stubs the registration of its
compiled ops, which these functions never call.

Run from the repository root:  python Tests/Fixtures/generate_color.py
Images and outputs are stored as base64 of little-endian float32 (or uint8) in CHW order.
"""

import base64
import json
import os

import numpy as np
import torch
import torch.library

try:
    import torchvision
except Exception:  # compiled ops built for another torch: they are not needed here
    _register_fake = torch.library.register_fake
    torch.library.register_fake = lambda *args, **kwargs: (lambda f: f)
    import torchvision
    torch.library.register_fake = _register_fake
from torchvision.transforms.v2 import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
H, W = 10, 12


def b64(tensor):
    array = tensor.detach().contiguous().numpy()
    if array.dtype == np.float32:
        return base64.b64encode(array.astype("<f4").tobytes()).decode()
    return base64.b64encode(array.astype(np.uint8).tobytes()).decode()


def make_images():
    g = torch.Generator().manual_seed(20241121)
    rgb = torch.rand(3, H, W, generator=g)
    # Edge cases for the HSV round trip and the statistics: gray pixels (r == g == b), ties of the
    # maximum, pure colours, black and white, exact halves.
    rgb[:, 0, 0] = torch.tensor([0.5, 0.5, 0.5])
    rgb[:, 0, 1] = torch.tensor([0.8, 0.8, 0.2])
    rgb[:, 0, 2] = torch.tensor([0.3, 0.9, 0.9])
    rgb[:, 0, 3] = torch.tensor([0.7, 0.1, 0.7])
    rgb[:, 0, 4] = torch.tensor([1.0, 0.0, 0.0])
    rgb[:, 0, 5] = torch.tensor([0.0, 1.0, 0.0])
    rgb[:, 0, 6] = torch.tensor([0.0, 0.0, 1.0])
    rgb[:, 0, 7] = torch.tensor([0.0, 0.0, 0.0])
    rgb[:, 0, 8] = torch.tensor([1.0, 1.0, 1.0])
    rgb[:, 0, 9] = torch.tensor([0.2, 0.6, 0.4])
    gray = torch.rand(1, H, W, generator=g) * 0.6 + 0.2  # not spanning [0, 1]: autocontrast stretches
    flat = torch.full((3, H, W), 0.25)
    flat[0] = 0.6  # one value per channel: autocontrast and equalize leave it (quantized)
    # A low-contrast image concentrated in few histogram bins.
    dull = (torch.rand(3, H, W, generator=g) * 0.2 + 0.4)
    images = {"rgb": rgb, "gray": gray, "flat": flat, "dull": dull}
    images_u8 = {name + "_u8": (image * 255).round().to(torch.uint8) for name, image in images.items()}
    return images, images_u8


def case(op, image, images, output, args=None, parameters=None, tolerance=None):
    entry = {"op": op, "image": image, "args": args or {}, "shape": list(output.shape), "output": b64(output)}
    if parameters is not None:
        entry["parameters"] = parameters
    if tolerance is not None:
        entry["tolerance"] = tolerance
    return entry


def color_cases(images):
    cases = []
    rgb, gray = images["rgb"], images["gray"]
    for f in [0.0, 0.6, 1.0, 1.7]:
        cases.append(case("adjust_brightness", "rgb", images, F.adjust_brightness(rgb, f), {"brightness_factor": f}))
    cases.append(case("adjust_brightness", "gray", images, F.adjust_brightness(gray, 1.3), {"brightness_factor": 1.3}))
    for f in [0.0, 0.5, 1.0, 1.8]:
        cases.append(case("adjust_contrast", "rgb", images, F.adjust_contrast(rgb, f), {"contrast_factor": f}))
    cases.append(case("adjust_contrast", "gray", images, F.adjust_contrast(gray, 0.7), {"contrast_factor": 0.7}))
    cases.append(case("adjust_contrast", "dull", images, F.adjust_contrast(images["dull"], 2.5), {"contrast_factor": 2.5}))
    for f in [0.0, 0.4, 1.0, 2.0]:
        cases.append(case("adjust_saturation", "rgb", images, F.adjust_saturation(rgb, f), {"saturation_factor": f}))
    cases.append(case("adjust_saturation", "gray", images, F.adjust_saturation(gray, 0.5), {"saturation_factor": 0.5}))
    for h in [-0.5, -0.2, 0.0, 0.13, 0.37, 0.5]:
        cases.append(case("adjust_hue", "rgb", images, F.adjust_hue(rgb, h), {"hue_factor": h}))
    cases.append(case("adjust_hue", "gray", images, F.adjust_hue(gray, 0.2), {"hue_factor": 0.2}))
    for k in [1, 3]:
        cases.append(case("rgb_to_grayscale", "rgb", images, F.rgb_to_grayscale(rgb, k), {"num_output_channels": k}))
        cases.append(case("rgb_to_grayscale", "gray", images, F.rgb_to_grayscale(gray, k), {"num_output_channels": k}))
    for gamma, gain in [(0.5, 1.0), (2.2, 1.0), (1.0, 1.0), (0.8, 1.3), (3.7, 0.9)]:
        cases.append(case("adjust_gamma", "rgb", images, F.adjust_gamma(rgb, gamma, gain), {"gamma": gamma, "gain": gain}))
    cases.append(case("adjust_gamma", "gray", images, F.adjust_gamma(gray, 1.5), {"gamma": 1.5}))
    for bits in [0, 1, 3, 5, 8]:
        cases.append(case("posterize", "rgb", images, F.posterize(rgb, bits), {"bits": bits}))
    for t in [0.0, 0.3, 0.7, 1.0]:
        cases.append(case("solarize", "rgb", images, F.solarize(rgb, t), {"threshold": t}))
    for name in ["rgb", "gray", "flat", "dull"]:
        cases.append(case("autocontrast", name, images, F.autocontrast(images[name])))
        cases.append(case("equalize", name, images, F.equalize(images[name])))
    cases.append(case("invert", "rgb", images, F.invert(rgb)))
    cases.append(case("invert", "gray", images, F.invert(gray)))
    # ColorJitter with explicit parameters: torchvision's transform applies, for fn_id in fn_idx,
    # brightness (0), contrast (1), saturation (2), hue (3).
    for order, b, c, s, h, name in [([3, 1, 0, 2], 1.2, 0.7, 1.3, 0.1, "rgb"), ([1, 2, 3, 0], 0.6, 1.4, 0.5, -0.3, "rgb"),
                                    ([0, 1, 2, 3], 1.1, 0.8, None, None, "gray")]:
        out = images[name]
        for fn in order:
            if fn == 0 and b is not None:
                out = F.adjust_brightness(out, b)
            elif fn == 1 and c is not None:
                out = F.adjust_contrast(out, c)
            elif fn == 2 and s is not None:
                out = F.adjust_saturation(out, s)
            elif fn == 3 and h is not None:
                out = F.adjust_hue(out, h)
        parameters = {"applied": True, "order": order, "brightness": b, "contrast": c, "saturation": s, "hue": h}
        parameters = {key: value for key, value in parameters.items() if value is not None}
        cases.append(case("color_jitter", name, images, out,
                          {"brightness": 0.5, "contrast": 0.5, "saturation": 0.5, "hue": 0.5} if name == "rgb"
                          else {"brightness": 0.5, "contrast": 0.5}, parameters=parameters))
    return cases


def uint8_cases(images_u8):
    """torchvision on uint8 images, for measuring where this library's uint8 results differ.

    "output" is torchvision's uint8 path (the op applied to the uint8 tensor). "float_path" is what
    this library computes by design: to_dtype(float32, scale=True), the float op, then
    to_dtype(uint8, scale=True).
    """
    cases = []
    to_float = lambda image: F.to_dtype(image, torch.float32, scale=True)
    to_uint8 = lambda image: F.to_dtype(image, torch.uint8, scale=True)

    def add(op, name, fn, float_fn=None, args=None):
        image = images_u8[name]
        entry = case(op, name, None, fn(image), args)
        entry["float_path"] = b64(to_uint8((float_fn or fn)(to_float(image))))
        cases.append(entry)

    add("adjust_brightness", "rgb_u8", lambda x: F.adjust_brightness(x, 1.37), args={"brightness_factor": 1.37})
    add("adjust_brightness", "rgb_u8", lambda x: F.adjust_brightness(x, 0.61), args={"brightness_factor": 0.61})
    add("adjust_contrast", "rgb_u8", lambda x: F.adjust_contrast(x, 0.55), args={"contrast_factor": 0.55})
    add("adjust_contrast", "gray_u8", lambda x: F.adjust_contrast(x, 1.6), args={"contrast_factor": 1.6})
    add("adjust_saturation", "rgb_u8", lambda x: F.adjust_saturation(x, 1.45), args={"saturation_factor": 1.45})
    add("adjust_hue", "rgb_u8", lambda x: F.adjust_hue(x, 0.21), args={"hue_factor": 0.21})
    add("rgb_to_grayscale", "rgb_u8", lambda x: F.rgb_to_grayscale(x, 3), args={"num_output_channels": 3})
    add("adjust_gamma", "rgb_u8", lambda x: F.adjust_gamma(x, 0.7), args={"gamma": 0.7})
    add("adjust_sharpness", "rgb_u8", lambda x: F.adjust_sharpness(x, 1.8), args={"sharpness_factor": 1.8})
    for bits in [3, 6, 8]:
        add("posterize", "rgb_u8", lambda x, b=bits: F.posterize(x, b), args={"bits": bits})
    # torchvision thresholds uint8 images on the uint8 scale: 128 <-> 128 / 255 here.
    add("solarize", "rgb_u8", lambda x: F.solarize(x, 128), lambda x: F.solarize(x, 128 / 255),
        args={"threshold": 128 / 255})
    add("autocontrast", "gray_u8", F.autocontrast)
    add("autocontrast", "rgb_u8", F.autocontrast)
    add("equalize", "rgb_u8", F.equalize)
    add("equalize", "dull_u8", F.equalize)
    add("invert", "rgb_u8", F.invert)
    add("gaussian_blur", "rgb_u8", lambda x: F.gaussian_blur(x, [5, 5], [1.1, 1.1]), args={"kernel_size": 5, "sigma": 1.1})
    return cases


def blur_cases(images):
    cases = []
    rgb, gray = images["rgb"], images["gray"]
    for ksize, sigma in [(3, 0.8), (5, 1.1), (9, 2.0), (1, 1.0), (7, 0.01)]:
        cases.append(case("gaussian_blur", "rgb", images, F.gaussian_blur(rgb, [ksize, ksize], [sigma, sigma]),
                          {"kernel_size": ksize, "sigma": sigma}))
    # The functional default sigma, 0.15 k + 0.35 per axis, and an anisotropic kernel.
    cases.append(case("gaussian_blur", "rgb", images, F.gaussian_blur(rgb, [7, 3]), {"kernel_size": [7, 3]}))
    cases.append(case("gaussian_blur", "gray", images, F.gaussian_blur(gray, [5, 9], [1.2, 0.6]),
                      {"kernel_size": [5, 9]}, parameters={"sigmaX": 1.2, "sigmaY": 0.6}))
    cases.append(case("gaussian_blur", "gray", images, F.gaussian_blur(gray, [11, 11], [3.0, 3.0]),
                      {"kernel_size": 11, "sigma": 3.0}))
    for f in [0.0, 0.5, 1.0, 2.0]:
        cases.append(case("adjust_sharpness", "rgb", images, F.adjust_sharpness(rgb, f), {"sharpness_factor": f}))
    cases.append(case("adjust_sharpness", "gray", images, F.adjust_sharpness(gray, 1.5), {"sharpness_factor": 1.5}))
    cases.append(case("erase", "rgb", images, F.erase(rgb, 2, 3, 4, 5, torch.tensor(0.5)),
                      {"i": 2, "j": 3, "h": 4, "w": 5, "v": 0.5}))
    cases.append(case("erase", "rgb", images, F.erase(rgb, 7, 10, 9, 9, torch.tensor([0.1, 0.2, 0.3])[:, None, None]),
                      {"i": 7, "j": 10, "h": 9, "w": 9, "v": [0.1, 0.2, 0.3]}))
    return cases


def main():
    images, images_u8 = make_images()
    meta = {"generator": "Tests/Fixtures/generate_color.py", "torch": torch.__version__,
            "torchvision": torchvision.__version__}
    all_images = {name: {"shape": list(image.shape), "float32": b64(image)} for name, image in images.items()}
    all_images.update({name: {"shape": list(image.shape), "uint8": b64(image)} for name, image in images_u8.items()})
    color = dict(meta, images=all_images, cases=color_cases(images), uint8_cases=uint8_cases(images_u8))
    blur_images = {name: all_images[name] for name in ["rgb", "gray"]}
    blur = dict(meta, images=blur_images, cases=blur_cases(images))
    for name, content in [("color.json", color), ("blur.json", blur)]:
        path = os.path.join(HERE, name)
        with open(path, "w") as file:
            json.dump(content, file, indent=1)
            file.write("\n")
        print(f"{path}: {len(content['cases'])} cases, {os.path.getsize(path) // 1024} kB")


if __name__ == "__main__":
    main()
