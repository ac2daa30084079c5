#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue 15's comparison: Kaya's runs of configs/translate_en_zh.toml (RUN_DIR/test.json, one per
seed) against tools/translate_pytorch.py's results (--out JSON, one per seed), as a Markdown
table: test BLEU greedy and beam per seed, each toolkit's mean and range, and whether every Kaya
seed lies within PyTorch's seed-to-seed range (widened by nothing; with one seed per side the
range is a point and the script says so).

  python3 tools/translate_compare.py --kaya runs/translate_en_zh [runs/translate_en_zh_seed1 ...] \\
      --torch runs/torch_translate/seed0.json [...]
"""
import argparse
import json
import statistics
import sys


def load(paths, greedy_key, beam_key):
    rows = []
    for p in paths:
        with open(p if p.endswith(".json") else f"{p}/test.json") as f:
            d = json.load(f)
        rows.append((p, d[greedy_key], d[beam_key]))
    return rows


def summary(rows, k):
    vals = [r[k] for r in rows]
    return statistics.mean(vals), min(vals), max(vals)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kaya", nargs="+", required=True)
    ap.add_argument("--torch", nargs="+", required=True)
    a = ap.parse_args()
    kaya = load(a.kaya, "test_bleu_greedy", "test_bleu_beam")
    torch = load(a.torch, "test_bleu_greedy", "test_bleu_beam")
    print("| toolkit | run | test BLEU greedy | test BLEU beam 4 |")
    print("|---|---|---|---|")
    for name, rows in (("Kaya", kaya), ("PyTorch", torch)):
        for p, g, b in rows:
            print(f"| {name} | {p} | {g:.2f} | {b:.2f} |")
    for name, rows in (("Kaya", kaya), ("PyTorch", torch)):
        for k, label in ((1, "greedy"), (2, "beam")):
            m, lo, hi = summary(rows, k)
            print(f"{name} {label}: mean {m:.2f}, range {lo:.2f}-{hi:.2f} over {len(rows)} seed(s)")
    if len(torch) < 2:
        print("One PyTorch seed: no spread to compare against yet.")
        return 0
    for k, label in ((1, "greedy"), (2, "beam")):
        _, lo, hi = summary(torch, k)
        inside = all(lo <= r[k] <= hi for r in kaya)
        print(f"{label}: every Kaya seed within PyTorch's range {lo:.2f}-{hi:.2f}: {'yes' if inside else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
