"""Reference fixtures for the specaugment family (frequency_masking, time_masking, time_warp).

Reproduce (CPU only; no GPU needed):
    python -m venv env && env/bin/pip install torch==2.15.0 torchaudio==2.11.0 numpy==2.4.6
    env/bin/python Tests/Fixtures/generate_specaugment.py   # writes Tests/Fixtures/specaugment.json
(Generated with Python 3.11.7 and exactly those versions, the /work/pyenv of this project. That
torchaudio wheel was built for another CUDA version than that torch and refuses to import; the
script clears torch.version.cuda first, which skips the check. Masking is pure Python.)

The peers draw their own random numbers, so every case records the uniforms torchaudio drew and
the bands it masked; the Swift tests feed the same uniforms to the library's band rule and replay
the bands. Contents:
  bands     torchaudio.functional.mask_along_axis_iid on (1, 1, F, T): (L, mask_param, p, u1, u2)
            -> masked band [start, end) (mask_param after torchaudio's p rule as max_width)
  masking   mask_along_axis_iid on (N, C, F, T) batches, frequency and time, several masks in a row,
            constant and mean fill: input, bands per (n, c), output
  time_warp ESPnet's time warp (espnet2/layers/time_warp.py) for given (centre, warped centre):
            torch.nn.functional.interpolate of the two halves, bicubic and bilinear, align_corners=False
"""
import json
import os

import torch

torch.version.cuda = None  # see the header
import torchaudio  # noqa: E402
import torchaudio.functional as AF  # noqa: E402
from torchaudio.functional.functional import _get_mask_param  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "specaugment.json")
FILL = -100.0


def r(values):
    return [float(v) for v in values.detach().to(torch.float32).reshape(-1).tolist()]


def masked_band(out, axis):
    """[start, end) of the masked indices along axis (3 = time, 2 = frequency) of a (1, 1, F, T) output."""
    hit = (out[0, 0] == FILL)
    line = hit.all(dim=0) if axis == 3 else hit.all(dim=1)
    index = torch.nonzero(line).reshape(-1).tolist()
    if not index:
        return [0, 0]
    assert index == list(range(index[0], index[-1] + 1)), "a torchaudio mask is one contiguous band"
    return [index[0], index[-1] + 1]


def bands():
    cases = []
    seed = 0
    for frequency_bins, frames in [(8, 40), (80, 100), (5, 7), (27, 3)]:
        for axis in (2, 3):
            length = frames if axis == 3 else frequency_bins
            for mask_param in [1, 3, 10, 27, 100, 150]:
                for p in [1.0, 0.2, 0.5]:
                    seed += 1
                    spec = torch.rand(1, 1, frequency_bins, frames) + 1
                    torch.manual_seed(seed)
                    out = AF.mask_along_axis_iid(spec, mask_param, FILL, axis, p=p)
                    max_width = _get_mask_param(mask_param, p, length)
                    u1 = u2 = None
                    if max_width >= 1:
                        torch.manual_seed(seed)  # the two torch.rand calls of mask_along_axis_iid
                        u1 = float(torch.rand((1, 1))[0, 0])
                        u2 = float(torch.rand((1, 1))[0, 0])
                    cases.append(dict(axis="time" if axis == 3 else "frequency", length=length,
                                      mask_param=mask_param, p=p, max_width=max_width, u1=u1, u2=u2,
                                      band=masked_band(out, axis)))
    return cases


def draws_to_bands(u1, u2, length, max_width):
    """torchaudio's arithmetic on its own float32 uniforms (per (n, c)), clipped to the axis."""
    value = u1 * max_width
    min_value = u2 * (length - value)
    start = min_value.long()
    end = start + value.long()
    return start.clamp(0, length), end.clamp(0, length)


def masking():
    cases = []
    torch.manual_seed(5)
    batch = torch.rand(2, 2, 6, 9)
    single = torch.rand(1, 2, 6, 9) * 3 - 1
    setups = [
        ("frequency_constant", batch, 2, 4, 1.0, 2, FILL),
        ("time_constant_p", batch, 3, 7, 0.6, 3, 0.0),
        ("time_mean_single", single, 3, 6, 1.0, 2, "mean"),
        ("frequency_mean_single", single, 2, 5, 1.0, 1, "mean"),
    ]
    for index, (name, spec, axis, mask_param, p, repeats, fill) in enumerate(setups):
        value = float(spec.mean()) if fill == "mean" else fill
        length = spec.shape[axis]
        max_width = _get_mask_param(mask_param, p, length)
        torch.manual_seed(40 + index)
        out = spec.clone()
        for _ in range(repeats):
            out = AF.mask_along_axis_iid(out, mask_param, value, axis, p=p)
        torch.manual_seed(40 + index)
        per_channel = [[[] for _ in range(spec.shape[1])] for _ in range(spec.shape[0])]
        for _ in range(repeats):
            u1 = torch.rand(spec.shape[:2])
            u2 = torch.rand(spec.shape[:2])
            starts, ends = draws_to_bands(u1, u2, length, max_width)
            for n in range(spec.shape[0]):
                for c in range(spec.shape[1]):
                    per_channel[n][c].append([int(starts[n, c]), int(ends[n, c])])
        check = spec.clone()  # the recorded bands must reproduce torchaudio's output
        for n in range(spec.shape[0]):
            for c in range(spec.shape[1]):
                for start, end in per_channel[n][c]:
                    if axis == 3:
                        check[n, c, :, start:end] = value
                    else:
                        check[n, c, start:end, :] = value
        assert torch.equal(check, out), name
        cases.append(dict(name=name, axis="time" if axis == 3 else "frequency", shape=list(spec.shape),
                          fill=fill if fill == "mean" else float(fill), fill_value=value, input=r(spec),
                          bands=per_channel, expected=r(out)))
    return cases


def time_warp():
    torch.manual_seed(9)
    spec = torch.rand(1, 2, 5, 12)
    frames = spec.shape[3]
    cases = []
    for center, warped in [(4, 6), (6, 3), (3, 4), (9, 11), (1, 5), (10, 2), (6, 6)]:
        for mode in ("bicubic", "bilinear"):
            if center == warped:
                out = spec.clone()
            else:
                left = torch.nn.functional.interpolate(spec[..., :center], (spec.shape[2], warped), mode=mode,
                                                       align_corners=False)
                right = torch.nn.functional.interpolate(spec[..., center:], (spec.shape[2], frames - warped),
                                                        mode=mode, align_corners=False)
                out = torch.cat([left, right], dim=-1)
            cases.append(dict(center=center, warped=warped, mode="linear" if mode == "bilinear" else mode,
                              expected=r(out)))
    return dict(shape=list(spec.shape), input=r(spec), cases=cases)


def main():
    data = dict(generator="Tests/Fixtures/generate_specaugment.py",
                versions=dict(torch=torch.__version__, torchaudio=torchaudio.__version__),
                fill_marker=FILL, bands=bands(), masking=masking(), time_warp=time_warp())
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
