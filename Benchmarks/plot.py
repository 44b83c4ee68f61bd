#!/usr/bin/env python3
"""Draws the peers table (JSON written by Benchmarks/peers.py --json) as a grouped bar chart.

Run: python3 Benchmarks/plot.py Benchmarks/results/peers.json docs/benchmarks.png  (needs matplotlib)
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(source, target):
    with open(source) as handle:
        data = json.load(handle)
    rows = data["results"]
    pipelines = [p for p in ["imagenet", "affine", "blur", "crop_flip_normalize", "mixup_cutmix", "specaugment"]
                 if any(r["pipeline"] == p for r in rows)]
    libraries = []
    for r in rows:
        if r["library"] not in libraries:
            libraries.append(r["library"])
    value = {(r["library"], r["pipeline"]): r["images_per_second"] for r in rows}
    figure, axis = plt.subplots(figsize=(12, 5.5), dpi=120)
    width = 0.8 / max(1, len(libraries))
    for i, library in enumerate(libraries):
        xs = [j + (i - (len(libraries) - 1) / 2) * width for j in range(len(pipelines))]
        ys = [value.get((library, p), 0) for p in pipelines]
        bars = axis.bar(xs, ys, width, label=library)
        for bar, y in zip(bars, ys):
            if y > 0:
                axis.text(bar.get_x() + bar.get_width() / 2, y * 1.05, f"{y:.0f}", ha="center", va="bottom", fontsize=6, rotation=90)
    axis.set_yscale("log")
    axis.set_xticks(range(len(pipelines)))
    axis.set_xticklabels(pipelines)
    axis.set_ylabel("images per second (log scale)")
    axis.set_title(f"Augmentation throughput, batch {data['batch']}, {data['size'][0]}x{data['size'][1]} uint8 -> float32, "
                   f"{data['cores']} cores ({data['machine']})", fontsize=9)
    axis.legend(fontsize=7, ncol=2)
    axis.grid(axis="y", which="both", alpha=0.25)
    figure.tight_layout()
    figure.savefig(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
