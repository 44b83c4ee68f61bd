"""Reference fixtures for elastic_transform (Tests/AugmentTests/ElasticTests.swift).

Environment used for the committed elastic.json (CPU only):
    torch 2.15.0, torchvision 0.29.2 (pip install torch torchvision; CPU wheels are enough)
    python3 Tests/Fixtures/generate_elastic.py      # writes Tests/Fixtures/elastic.json

Contents:
  fields   torchvision.transforms.v2.ElasticTransform.make_params re-run with recorded uniforms:
           dx, dy = torch.rand(1, 1, H, W) * 2 - 1 (recorded), blurred with F.gaussian_blur exactly
           as make_params does, scaled by alpha / W and alpha / H; the resulting (1, H, W, 2) field
  images   F.elastic(image, displacement, interpolation, fill) for one (C, H, W) float32 image and
           each field: bilinear with fill 0, bilinear with a per-channel fill, nearest with a fill
  targets  elastic_keypoints and elastic_bounding_boxes (XYXY) of the first field: torchvision's
           approximate inverse (a point moves by minus the displacement at its pixel)
Inputs are rounded to 6 decimals before use, so the Swift side reads exactly what torchvision saw.
"""
import json
import os

import torch
import torchvision
import torchvision.transforms.v2.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "elastic.json")


def r(t):
    return [float(v) for v in t.detach().to(torch.float32).reshape(-1).tolist()]


def field(uniform_dx, uniform_dy, alpha, sigma, height, width):
    """ElasticTransform.make_params (torchvision 0.29) with the uniforms given."""
    dx, dy = uniform_dx.clone(), uniform_dy.clone()
    if sigma[0] > 0.0:
        kx = int(8 * sigma[0] + 1)
        if kx % 2 == 0:
            kx += 1
        dx = F.gaussian_blur(dx, [kx, kx], list(sigma))
    dx = dx * alpha[0] / width
    if sigma[1] > 0.0:
        ky = int(8 * sigma[1] + 1)
        if ky % 2 == 0:
            ky += 1
        dy = F.gaussian_blur(dy, [ky, ky], list(sigma))
    dy = dy * alpha[1] / height
    return torch.concat([dx, dy], 1).permute([0, 2, 3, 1])


def main():
    torch.manual_seed(2026)
    C, H, W = 2, 10, 14
    image = torch.round(torch.rand(C, H, W) * 1e6) / 1e6
    cases = []
    for alpha, sigma in [([30.0, 20.0], [2.0, 1.5]), ([50.0, 50.0], [1.0, 1.0]), ([8.0, 5.0], [0.0, 0.0])]:
        udx = torch.round((torch.rand(1, 1, H, W) * 2 - 1) * 1e6) / 1e6
        udy = torch.round((torch.rand(1, 1, H, W) * 2 - 1) * 1e6) / 1e6
        disp = field(udx, udy, alpha, sigma, H, W)
        outputs = []
        for interpolation, fill in [("bilinear", [0.0]), ("bilinear", [0.2, 0.9]), ("nearest", [0.7])]:
            mode = torchvision.transforms.InterpolationMode(interpolation)
            out = F.elastic(image.clone(), disp, interpolation=mode, fill=fill if len(fill) > 1 else fill[0])
            outputs.append({"interpolation": interpolation, "fill": fill, "expected": r(out)})
        cases.append({"alpha": alpha, "sigma": sigma, "uniforms": r(udx) + r(udy), "displacement": r(disp),
                      "outputs": outputs})
    from torchvision.transforms.v2.functional._geometry import elastic_bounding_boxes, elastic_keypoints
    from torchvision import tv_tensors
    first = torch.tensor(cases[0]["displacement"]).reshape(1, H, W, 2)
    points = torch.tensor([[0.0, 0.0], [3.7, 2.2], [13.9, 9.99], [7.5, 4.5], [20.0, -3.0]])
    boxes = torch.tensor([[1.0, 1.0, 6.0, 5.0], [2.5, 3.2, 12.7, 9.1], [0.0, 0.0, 14.0, 10.0]])
    moved_points = elastic_keypoints(points, canvas_size=(H, W), displacement=first)
    moved_boxes = elastic_bounding_boxes(boxes, format=tv_tensors.BoundingBoxFormat.XYXY, canvas_size=(H, W),
                                         displacement=first)
    targets = {"keypoints": r(points), "moved_keypoints": r(moved_points), "boxes": r(boxes), "moved_boxes": r(moved_boxes)}
    fixture = {"torch": torch.__version__, "targets": targets, "torchvision": torchvision.__version__, "shape": [C, H, W],
               "image": r(image), "cases": cases}
    with open(OUT, "w") as fh:
        json.dump(fixture, fh, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    main()
