"""Reference fixtures for the signal family (amplitude_scale, baseline_wander, time_stretch,
time_shift, channel_dropout, channel_permute, gaussian_noise with relative=true).

Reproduce (CPU only):
    python3 -m pip install numpy==2.4.6
    python3 Tests/Fixtures/generate_signal.py      # writes Tests/Fixtures/signal.json
(Generated with Python 3 and numpy 2.4.6.)

Every case records the per-sample parameters (the library's Codable field names) and numpy's
float64 result of the documented formula on one (N, C, T) float32 input, rounded to float32. The
Swift test (SignalFixtureTests) replays the parameters through the op and compares:
  amplitude_scale  x * factor
  baseline_wander  x + amplitude * sin(2 pi (frequency * t / T + phase))
  time_stretch     L = round(T * factor) (half to even, at least 1);
                   np.interp(np.arange(L) * (T - 1) / (L - 1), np.arange(T), x), cropped or
                   zero-padded to T
  time_shift       np.roll(x, shift, axis=-1) (mode roll); the same with zeros (mode pad)
  channel_*        out[:, c] = x[:, map[c]] or 0 where map[c] == -1
  gaussian_noise   no reference output (the noise is Philox, not numpy): the per-(sample, channel)
                   np.std (ddof 0), which the test recovers as (out - x) / z / sigma
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "signal.json")
N, C, T = 3, 2, 50


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def main():
    rng = np.random.default_rng(17)
    t = np.arange(T)
    x = (rng.normal(0, 0.5, (N, C, T)) + np.sin(2 * np.pi * t / 17.0)[None, None, :] * np.array([1.0, 3.0])[None, :, None]
         + np.array([0.0, 2.0])[None, :, None]).astype(np.float32)
    xd = x.astype(np.float64)
    cases = []

    factors = [0.5, 1.0, -1.75]
    cases.append({"name": "amplitude_scale", "op": "amplitude_scale", "args": {"factor": [-2, 2]},
                  "parameters": [{"factor": f} for f in factors],
                  "expected": f32(xd * np.array(factors)[:, None, None])})

    waves = [(0.3, 1.5, 0.25), (0.0, 3.0, 0.0), (2.0, 0.2, 0.9)]
    out = xd.copy()
    for n, (a, f, ph) in enumerate(waves):
        out[n] += a * np.sin(2 * np.pi * (f * t / T + ph))[None, :]
    cases.append({"name": "baseline_wander", "op": "baseline_wander", "args": {"amplitude": [0, 2], "frequency": [0, 4]},
                  "parameters": [{"amplitude": a, "frequencyCyclesPerLength": f, "phaseCycles": ph} for a, f, ph in waves],
                  "expected": f32(out)})

    for label, stretch in [("time_stretch", [0.8, 1.0, 1.3]), ("time_stretch_extremes", [0.1, 0.5, 10.0])]:
        out = np.zeros_like(xd)
        for n, factor in enumerate(stretch):
            L = max(1, int(round(T * factor)))  # Python's round: half to even
            positions = np.arange(L) * (T - 1) / (L - 1) if L > 1 else np.zeros(1)
            for c in range(C):
                y = np.interp(positions, np.arange(T), xd[n, c])
                k = min(L, T)
                out[n, c, :k] = y[:k]
        cases.append({"name": label, "op": "time_stretch", "args": {"factor": [0.1, 10]},
                      "parameters": [{"factor": f} for f in stretch], "expected": f32(out)})

    shifts = [3, -7, 123]
    for mode in ["roll", "pad"]:
        out = np.zeros_like(xd)
        for n, s in enumerate(shifts):
            if mode == "roll":
                out[n] = np.roll(xd[n], s, axis=-1)
            else:
                for tt in range(T):
                    if 0 <= tt - s < T:
                        out[n, :, tt] = xd[n, :, tt - s]
        cases.append({"name": "time_shift_" + mode, "op": "time_shift", "args": {"shift": [-200, 200], "mode": mode},
                      "parameters": [{"shiftSamples": s} for s in shifts], "expected": f32(out)})

    for op, maps in [("channel_dropout", [[0, -1], [-1, -1], [0, 1]]), ("channel_permute", [[1, 0], [0, 1], [1, 0]])]:
        out = np.zeros_like(xd)
        for n, m in enumerate(maps):
            for c, src in enumerate(m):
                if src >= 0:
                    out[n, c] = xd[n, src]
        cases.append({"name": op, "op": op, "args": {"p": 0.5} if op == "channel_dropout" else {},
                      "parameters": [{"sourceChannels": m} for m in maps], "expected": f32(out)})

    fixture = {"numpy": np.__version__, "shape": [N, C, T], "input": f32(x), "cases": cases,
               "std": f32(xd.std(axis=-1))}
    with open(OUT, "w") as fh:
        json.dump(fixture, fh, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    main()
