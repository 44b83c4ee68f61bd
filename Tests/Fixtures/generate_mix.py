"""Reference fixtures for the mix family (mixup, cutmix, mixup_cutmix) from timm and torchvision.

Reproduce (CPU only; no GPU needed):
    python -m venv env && env/bin/pip install torch==2.15.0 torchvision==0.29.2 timm==1.0.31 numpy==2.4.6
    env/bin/python Tests/Fixtures/generate_mix.py          # writes Tests/Fixtures/mix.json
(Generated with Python 3.11.7 and exactly those versions, the /work/pyenv of this project.)

The peers draw their own random numbers, so every case records the values they drew (lambda,
box centre, box, corrected lambda) next to their outputs; the Swift tests replay those values as
MixParameters and compare. Contents:
  timm_boxes        timm.data.mixup.cutmix_bbox_and_lam: (H, W, lambda, centre) -> box, corrected lambda
  torchvision_boxes torchvision.transforms.v2.CutMix.make_params: (H, W, lambda, centre) -> box, lambda
  timm_mixup        timm.data.mixup.Mixup on a small batch in modes batch / pair / elem, MixUp and
                    CutMix, label smoothing 0.1: input, class ids, per-sample (partner, lambda, box),
                    output pixels and soft targets
  torchvision_mix   torchvision.transforms.v2.MixUp / CutMix: the same for one batch each
"""
import json
import math
import os

import numpy as np
import torch
import timm.data.mixup as tm
from torchvision.transforms import v2

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mix.json")


def r(values):
    """Float32 tensor -> flat list of Python floats (exact: float32 is exactly representable)."""
    return [float(v) for v in values.detach().to(torch.float32).reshape(-1).tolist()]


def timm_boxes():
    cases = []
    rng = np.random.default_rng(1)
    shapes = [(5, 6), (16, 20), (7, 3), (1, 1), (224, 224), (9, 9)]
    lambdas = [0.0, 0.1, 0.25, 0.5, 0.7318, 0.9, 0.999, 1.0]
    seed = 0
    for h, w in shapes:
        for lam in lambdas + [float(rng.uniform())]:
            seed += 1
            np.random.seed(seed)
            (yl, yh, xl, xh), lam_corrected = tm.cutmix_bbox_and_lam((3, h, w), lam)
            np.random.seed(seed)  # rand_bbox draws cy, then cx, with np.random.randint
            cy = int(np.random.randint(0, h))
            cx = int(np.random.randint(0, w))
            cases.append(dict(height=h, width=w, lam=lam, center_row=cy, center_column=cx,
                              box=[int(yl), int(xl), int(yh), int(xh)], lam_corrected=float(lam_corrected)))
    return cases


def torchvision_boxes():
    cases = []
    shapes = [(5, 6), (16, 20), (7, 3), (1, 1), (224, 224), (9, 9)]
    seed = 100
    for h, w in shapes:
        for alpha in [0.2, 1.0, 3.0]:
            for _ in range(3):
                seed += 1
                cutmix = v2.CutMix(alpha=alpha, num_classes=3)
                image = torch.zeros(2, 1, h, w)
                torch.manual_seed(seed)
                params = cutmix.make_params([image])
                torch.manual_seed(seed)  # make_params: lam, then r_x ~ randint(W), then r_y ~ randint(H)
                lam = float(cutmix._dist.sample(()))
                cx = int(torch.randint(w, size=(1,)))
                cy = int(torch.randint(h, size=(1,)))
                x1, y1, x2, y2 = params["box"]
                cases.append(dict(height=h, width=w, lam=lam, center_row=cy, center_column=cx,
                                  box=[y1, x1, y2, x2], lam_corrected=float(params["lam_adjusted"])))
    return cases


class BoxRecorder:
    """Wraps timm's rand_bbox so every box a Mixup call cuts is recorded (in call order)."""

    def __init__(self):
        self.boxes = []
        self.original = tm.rand_bbox

    def __enter__(self):
        def recording(*args, **kwargs):
            box = self.original(*args, **kwargs)
            self.boxes.append([int(v) for v in box])
            return box
        tm.rand_bbox = recording
        return self

    def __exit__(self, *exc):
        tm.rand_bbox = self.original


def box_lambda(box, h, w):
    yl, yh, xl, xh = box
    return 1.0 - (yh - yl) * (xh - xl) / float(h * w)


def timm_mixup():
    n, c, h, w, k = 4, 3, 5, 6, 5
    torch.manual_seed(7)
    images = torch.rand(n, c, h, w)
    ids = torch.tensor([3, 0, 4, 1])
    cases = []
    # (name, mode, per-draw lambdas, per-draw use_cutmix)
    setups = [
        ("batch_mixup", "batch", [0.3], [False]),
        ("batch_cutmix", "batch", [0.6], [True]),
        ("batch_unmixed", "batch", [1.0], [False]),
        ("elem", "elem", [0.8, 0.35, 0.5, 0.1], [False, True, True, False]),
        ("pair", "pair", [0.45, 0.7], [True, False]),
    ]
    for index, (name, mode, lams, cut) in enumerate(setups):
        mixer = tm.Mixup(mixup_alpha=1.0, cutmix_alpha=1.0, label_smoothing=0.1, num_classes=k, mode=mode)
        if mode == "batch":
            mixer._params_per_batch = lambda lams=lams, cut=cut: (lams[0], cut[0])
        else:
            mixer._params_per_elem = lambda size, lams=lams, cut=cut: (
                np.array(lams[:size], dtype=np.float32), np.array(cut[:size], dtype=bool))
        np.random.seed(50 + index)
        with BoxRecorder() as recorder:
            out, target = mixer(images.clone(), ids.clone())
        boxes = list(recorder.boxes)
        samples = []
        if mode == "batch":
            lam, use_cut = lams[0], cut[0]
            for i in range(n):
                partner = n - 1 - i
                if lam == 1.0:
                    samples.append(dict(method="none", partner=i, lam=1.0, box=None))
                elif use_cut:
                    b = boxes[0]
                    samples.append(dict(method="cutmix", partner=partner, lam=box_lambda(b, h, w),
                                        box=[b[0], b[2], b[1], b[3]]))
                else:
                    samples.append(dict(method="mixup", partner=partner, lam=lam, box=None))
        else:
            draws = n if mode == "elem" else n // 2
            per_draw = []
            for d in range(draws):
                lam = float(np.float32(lams[d]))
                if cut[d]:
                    b = boxes.pop(0)
                    per_draw.append(dict(method="cutmix", lam=box_lambda(b, h, w), box=[b[0], b[2], b[1], b[3]]))
                else:
                    per_draw.append(dict(method="mixup", lam=lam, box=None))
            for i in range(n):
                d = i if mode == "elem" else min(i, n - 1 - i)
                samples.append(dict(per_draw[d], partner=n - 1 - i))
        cases.append(dict(name=name, mode=mode, samples=samples, expected_images=r(out), expected_labels=r(target)))
    return dict(count=n, channels=c, height=h, width=w, classes=k, label_smoothing=0.1, images=r(images),
                class_ids=ids.tolist(), cases=cases)


def torchvision_mix():
    n, c, h, w, k = 4, 2, 6, 7, 3
    torch.manual_seed(11)
    images = torch.rand(n, c, h, w)
    ids = torch.tensor([2, 0, 1, 1])
    cases = []
    mixup = v2.MixUp(alpha=0.7, num_classes=k)
    torch.manual_seed(21)
    out, target = mixup(images.clone(), ids.clone())
    torch.manual_seed(21)
    lam = float(mixup._dist.sample(()))
    cases.append(dict(name="mixup", samples=[dict(method="mixup", partner=(i - 1) % n, lam=lam, box=None) for i in range(n)],
                      expected_images=r(out), expected_labels=r(target)))
    cutmix = v2.CutMix(alpha=1.0, num_classes=k)
    torch.manual_seed(22)
    out, target = cutmix(images.clone(), ids.clone())
    torch.manual_seed(22)
    params = cutmix.make_params([images])
    x1, y1, x2, y2 = params["box"]
    cases.append(dict(name="cutmix", samples=[dict(method="cutmix", partner=(i - 1) % n, lam=float(params["lam_adjusted"]),
                                    box=[y1, x1, y2, x2]) for i in range(n)],
                      expected_images=r(out), expected_labels=r(target)))
    return dict(count=n, channels=c, height=h, width=w, classes=k, label_smoothing=0.0, images=r(images),
                class_ids=ids.tolist(), cases=cases)


def main():
    data = dict(
        generator="Tests/Fixtures/generate_mix.py",
        versions=dict(torch=torch.__version__, timm=__import__("timm").__version__,
                      torchvision=__import__("torchvision").__version__, numpy=np.__version__),
        timm_boxes=timm_boxes(),
        torchvision_boxes=torchvision_boxes(),
        timm_mixup=timm_mixup(),
        torchvision_mix=torchvision_mix(),
    )
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
