#!/usr/bin/env python3
"""Reference fixtures for the geometric warps (Tests/AugmentTests/WarpFixtureTests.swift).

Runs torchvision.transforms.v2.functional on small float32 CHW images with explicit parameters and
writes warp_geometry.json (affine, rotate, perspective: images, boxes, keypoints), warp_resize.json
(resize, crops, resized crops, pad, flips, rot90; antialias=False) and warp_antialias.json (resize and
resized_crop with antialias=True, the default of torchvision v2). Inputs are rounded to 6 decimals before use, so the
Swift side reads exactly the values torchvision saw.

Environment used for the committed files (reproduce with pip, CPU only):
    torch==2.13.0+cpu (the CPU wheel), torchvision==0.28.0, numpy 2.x, mpmath
    PYTHONPATH=<dir with torch and torchvision> python Tests/Fixtures/generate_warp.py
warp_antialias.json (and warp_resize.json since antialias became an explicit argument; its values
are unchanged) were written with torch 2.15.0 and torchvision 0.29.2; warp_geometry.json regenerated
with those differs from the committed one by at most 2e-6 (kept as written with 2.13).
If torchvision's C extension cannot load next to the installed torch (its ops are not needed here),
the script stubs torchvision._meta_registrations and goes on.

Nearest cases list the output pixels whose sampling point lies within 1e-3 of a tie between two
source pixels ("exclude"): there torchvision's grid_sample rounds half to even and this library
takes the pixel containing the point, so those pixels are not compared.
"""
import json
import math
import os
import sys
import types

try:
    import torchvision  # noqa: F401
except Exception:  # torchvision's compiled ops do not match this torch: they are not used here
    for name in list(sys.modules):
        if name.startswith("torchvision"):
            del sys.modules[name]
    sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
    import torchvision  # noqa: F401

import torch
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as F
from torchvision.transforms.v2.functional import _geometry as G

HERE = os.path.dirname(os.path.abspath(__file__))
NEAREST = F.InterpolationMode.NEAREST
BILINEAR = F.InterpolationMode.BILINEAR


def r6(t):
    return [round(float(v), 6) for v in t.flatten().tolist()]


def make_inputs():
    g = torch.Generator().manual_seed(20261121)
    shapes = [(3, 11, 14), (1, 12, 9)]
    out = []
    for s in shapes:
        x = torch.rand(s, generator=g)
        x = torch.tensor(r6(x), dtype=torch.float32).reshape(s)
        out.append(x)
    return out


def ties_from_grid(grid, w, h):
    """Output pixels (flat y*W+x) whose grid_sample source index is within 1e-3 of a half-integer."""
    gx = grid[0, ..., 0].double()
    gy = grid[0, ..., 1].double()
    ux = ((gx + 1) * w - 1) / 2
    uy = ((gy + 1) * h - 1) / 2
    tie = ((ux - ux.floor() - 0.5).abs() < 1e-3) | ((uy - uy.floor() - 0.5).abs() < 1e-3)
    return [int(i) for i in torch.nonzero(tie.flatten()).flatten().tolist()]


BOXES = [[2.0, 3.0, 8.0, 9.0], [0.0, 0.0, 4.0, 5.0], [5.5, 1.25, 9.0, 8.5]]
POINTS = [[3.5, 4.5], [7.25, 2.75], [1.0, 8.0], [8.5, 10.5]]


def targets(fn, h, w):
    boxes = tv_tensors.BoundingBoxes(torch.tensor(BOXES), format="XYXY", canvas_size=(h, w))
    points = tv_tensors.KeyPoints(torch.tensor(POINTS), canvas_size=(h, w))
    ob = fn(boxes)
    op = fn(points)
    return {"boxes": [r6(b) for b in ob], "keypoints": [r6(p) for p in op]}


def geometry_cases(inputs):
    cases = []

    def add(name, index, op, args, out, exclude=None, extra=None):
        case = {"name": name, "input": index, "op": op, "args": args, "shape": list(out.shape), "expected": r6(out),
                "exclude": exclude or []}
        if extra:
            case.update(extra)
        cases.append(case)

    affines = [
        (30.0, [0.0, 0.0], 1.0, [0.0, 0.0], None),
        (-17.5, [1.5, -2.0], 1.2, [0.0, 0.0], None),
        (45.0, [0.0, 0.0], 0.8, [12.0, 0.0], None),
        (10.0, [-1.0, 1.0], 1.0, [-8.0, 15.0], [4.0, 3.0]),
        (90.0, [0.0, 0.0], 1.0, [0.0, 0.0], None),
        (200.0, [2.0, 0.0], 0.6, [5.0, -5.0], [6.5, 7.0]),
    ]
    fills = [None, [0.25, 0.5, 0.75], [0.0]]
    for k, (angle, translate, scale, shear, center) in enumerate(affines):
        for index, x in enumerate(inputs):
            c, h, w = x.shape
            for mode, interp in (("bilinear", BILINEAR), ("nearest", NEAREST)):
                fill = fills[k % 3]
                if fill is not None and len(fill) != 1 and len(fill) != c:
                    fill = [fill[0]]
                out = F.affine(x, angle=angle, translate=translate, scale=scale, shear=shear, interpolation=interp,
                               fill=fill, center=center)
                exclude = []
                if mode == "nearest":
                    center_f = [0.0, 0.0] if center is None else [cc - s * 0.5 for cc, s in zip(center, [w, h])]
                    m = G._get_inverse_affine_matrix(center_f, angle, translate, scale, shear)
                    theta = torch.tensor(m, dtype=torch.float32).reshape(1, 2, 3)
                    exclude = ties_from_grid(G._affine_grid(theta, w=w, h=h, ow=w, oh=h), w, h)
                args = {"angle": angle, "translate": translate, "scale": scale, "shear": shear, "interpolation": mode,
                        "fill": fill}
                if center is not None:
                    args["center"] = center
                extra = None
                if index == 0 and mode == "bilinear":
                    extra = targets(lambda t: F.affine(t, angle=angle, translate=translate, scale=scale, shear=shear,
                                                       center=center), h, w)
                add(f"affine {k} {mode} input {index}", index, "affine", args, out, exclude, extra)

    for k, (angle, expand, center) in enumerate([(33.0, False, None), (-75.0, True, None), (120.0, False, [3.0, 4.0]),
                                                 (15.0, True, None)]):
        for index, x in enumerate(inputs):
            c, h, w = x.shape
            for mode, interp in (("bilinear", BILINEAR), ("nearest", NEAREST)):
                fill = None if k % 2 == 0 else [0.5]
                out = F.rotate(x, angle=angle, interpolation=interp, expand=expand, center=center, fill=fill)
                exclude = []
                if mode == "nearest":
                    center_f = [0.0, 0.0] if center is None else [cc - s * 0.5 for cc, s in zip(center, [w, h])]
                    m = G._get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
                    ow, oh = G._compute_affine_output_size(m, w, h) if expand else (w, h)
                    theta = torch.tensor(m, dtype=torch.float32).reshape(1, 2, 3)
                    exclude = ties_from_grid(G._affine_grid(theta, w=w, h=h, ow=ow, oh=oh), w, h)
                args = {"angle": angle, "interpolation": mode, "expand": expand, "fill": fill}
                if center is not None:
                    args["center"] = center
                extra = None
                if index == 0 and mode == "bilinear" and not expand:
                    extra = targets(lambda t: F.rotate(t, angle=angle, center=center), h, w)
                add(f"rotate {k} {mode} input {index}", index, "rotate", args, out, exclude, extra)

    for index, x in enumerate(inputs):
        c, h, w = x.shape
        start = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
        quads = [
            [[1, 2], [w - 2, 0], [w - 1, h - 3], [2, h - 1]],
            [[3, 1], [w - 4, 2], [w - 2, h - 2], [0, h - 4]],
            [[0, 0], [w + 2, -1], [w - 3, h + 1], [1, h - 2]],
        ]
        for k, end in enumerate(quads):
            for mode, interp in (("bilinear", BILINEAR), ("nearest", NEAREST)):
                fill = [0.3] if k == 1 else None
                out = F.perspective(x, startpoints=start, endpoints=end, interpolation=interp, fill=fill)
                exclude = []
                if mode == "nearest":
                    coeffs = G._get_perspective_coeffs(start, end)
                    exclude = ties_from_grid(G._perspective_grid(coeffs, ow=w, oh=h, dtype=torch.float32,
                                                                 device=torch.device("cpu")), w, h)
                extra = None
                if index == 0 and mode == "bilinear":
                    extra = targets(lambda t: F.perspective(t, startpoints=start, endpoints=end), h, w)
                add(f"perspective {k} {mode} input {index}", index, "perspective",
                    {"startpoints": start, "endpoints": end, "interpolation": mode, "fill": fill}, out, exclude, extra)
    return cases


def resize_cases(inputs):
    cases = []

    def add(name, index, op, args, out, extra=None):
        case = {"name": name, "input": index, "op": op, "args": args, "shape": list(out.shape), "expected": r6(out),
                "exclude": []}
        if extra:
            case.update(extra)
        cases.append(case)

    for index, x in enumerate(inputs):
        c, h, w = x.shape
        for size in ([7, 9], [20, 23], [11, 5], [h * 2, w * 2]):
            add(f"resize {size} bilinear input {index}", index, "resize",
                {"size": size, "interpolation": "bilinear", "antialias": False},
                F.resize(x, size, interpolation=BILINEAR, antialias=False),
                extra=targets(lambda t: F.resize(t, size), h, w) if index == 0 else None)
            add(f"resize {size} nearest input {index}", index, "resize", {"size": size, "interpolation": "nearest"},
                F.resize(x, size, interpolation=F.InterpolationMode.NEAREST_EXACT))
        add(f"resize smaller edge input {index}", index, "resize",
            {"size": [6], "interpolation": "bilinear", "antialias": False},
            F.resize(x, [6], interpolation=BILINEAR, antialias=False))
        for top, left, hh, ww, size in ((1, 2, 6, 7, [9, 11]), (0, 0, h, w, [5, 6]), (3, 1, 5, 4, [10, 8])):
            add(f"resized_crop {top},{left},{hh},{ww} input {index}", index, "resized_crop",
                {"top": top, "left": left, "height": hh, "width": ww, "size": size, "interpolation": "bilinear",
                 "antialias": False},
                F.resized_crop(x, top, left, hh, ww, size, interpolation=BILINEAR, antialias=False),
                extra=targets(lambda t: F.resized_crop(t, top, left, hh, ww, size), h, w) if index == 0 else None)
        add(f"crop input {index}", index, "crop", {"top": 2, "left": 1, "height": 5, "width": 6},
            F.crop(x, 2, 1, 5, 6), extra=targets(lambda t: F.crop(t, 2, 1, 5, 6), h, w) if index == 0 else None)
        for padding, mode, fill in (([1, 2, 3, 0], "constant", 0.5), ([2], "edge", 0), ([3, 1], "reflect", 0)):
            add(f"pad {padding} {mode} input {index}", index, "pad", {"padding": padding, "padding_mode": mode, "fill": fill},
                F.pad(x, padding, fill=fill, padding_mode=mode),
                extra=targets(lambda t: F.pad(t, padding), h, w) if index == 0 and mode == "constant" else None)
        add(f"hflip input {index}", index, "hflip", {}, F.horizontal_flip(x))
        add(f"vflip input {index}", index, "vflip", {}, F.vertical_flip(x))
        for k in (1, 2, 3):
            add(f"rot90 {k} input {index}", index, "rot90", {"k": k}, torch.rot90(x, k, dims=(-2, -1)))
    return cases


def antialias_cases():
    """resize / resized_crop with antialias=True (torchvision v2's default; torch's
    _upsample_bilinear2d_aa) on float32 inputs: down- and upscaling, non-integer factors, odd sizes."""
    g = torch.Generator().manual_seed(20261130)
    shapes = [(3, 23, 31), (1, 17, 12), (4, 9, 40)]
    inputs = []
    for s in shapes:
        x = torch.rand(s, generator=g)
        inputs.append(torch.tensor(r6(x), dtype=torch.float32).reshape(s))
    cases = []

    def add(name, index, op, args, out):
        cases.append({"name": name, "input": index, "op": op, "args": args, "shape": list(out.shape),
                      "expected": r6(out), "exclude": []})

    for index, x in enumerate(inputs):
        c, h, w = x.shape
        sizes = ([7, 9], [h // 2, w // 3], [h - 1, w - 2], [5, 13], [h * 2 + 1, w + 3], [3, 3], [1, 2], [h, w // 4 + 1])
        for size in sizes:
            add(f"resize {size} antialias input {index}", index, "resize",
                {"size": size, "interpolation": "bilinear", "antialias": True},
                F.resize(x, size, interpolation=BILINEAR, antialias=True))
        add(f"resize smaller edge antialias input {index}", index, "resize", {"size": [5], "antialias": True},
            F.resize(x, [5], interpolation=BILINEAR, antialias=True))
        for top, left, hh, ww, size in ((1, 2, h - 3, w - 5, [5, 7]), (0, 0, h, w, [h // 3 + 1, w // 2 + 1]),
                                        (2, 1, 5, 7, [11, 13]), (h // 2, w // 3, h - h // 2, w - w // 3, [4, 3])):
            add(f"resized_crop {top},{left},{hh},{ww} {size} antialias input {index}", index, "resized_crop",
                {"top": top, "left": left, "height": hh, "width": ww, "size": size, "antialias": True},
                F.resized_crop(x, top, left, hh, ww, size, interpolation=BILINEAR, antialias=True))
    return inputs, cases


def main():
    inputs = make_inputs()
    header = {"torch": torch.__version__, "torchvision": torchvision.__version__,
              "inputs": [{"shape": list(x.shape), "values": r6(x)} for x in inputs],
              "boxes": BOXES, "keypoints": POINTS}
    for name, cases in (("warp_geometry.json", geometry_cases(inputs)), ("warp_resize.json", resize_cases(inputs))):
        with open(os.path.join(HERE, name), "w") as f:
            json.dump(dict(header, cases=cases), f, separators=(",", ":"))
        print(name, len(cases), "cases", os.path.getsize(os.path.join(HERE, name)), "bytes")
    aa_inputs, aa_cases = antialias_cases()
    name = "warp_antialias.json"
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(dict(header, inputs=[{"shape": list(x.shape), "values": r6(x)} for x in aa_inputs], cases=aa_cases), f,
                  separators=(",", ":"))
    print(name, len(aa_cases), "cases", os.path.getsize(os.path.join(HERE, name)), "bytes")


if __name__ == "__main__":
    main()
