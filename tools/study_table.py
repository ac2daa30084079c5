#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A study's table from a sweep.csv of `kaya sweep` with train.seed as one axis: for each
setting of the other axes, the mean and the spread (min-max) over seeds of the training
accuracy at the best epoch, the validation accuracy and every test score, as Markdown.

  python3 tools/study_table.py runs/study_pooling/sweep.csv [--columns test_accuracy,...]
"""
import argparse
import csv
import os
import statistics


def layer_costs(run_dir):
    """Parameters and multiply-adds per image from a run's layers.csv (image_classifier runs)."""
    path = os.path.join(run_dir, "layers.csv")
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return sum(int(r["parameters"]) for r in rows), sum(int(r["multiply_adds"]) for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--columns", default="")
    args = ap.parse_args()
    with open(args.csv, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{args.csv}: no finished runs")
    names = list(rows[0].keys())
    end = names.index(next(n for n in names if n.startswith("best_")))
    axes = [n for n in names[:end] if n != "train.seed"]
    if args.columns:
        columns = args.columns.split(",")
    else:
        columns = [n for n in names if n == "train_accuracy" or n.startswith("best_val") or n.startswith("test_accuracy")]
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r[a] for a in axes), []).append(r)
    base = os.path.dirname(os.path.abspath(args.csv))
    costs = {key: layer_costs(os.path.join(base, rs[0]["dir"])) for key, rs in groups.items()}
    extra = ["parameters", "multiply-adds per image (M)"] if all(costs.values()) else []
    print("| " + " | ".join(axes + ["seeds"] + extra + columns + ["minutes per run (median)"]) + " |")
    print("|" + "---|" * (len(axes) + len(extra) + len(columns) + 2))
    for key, rs in groups.items():
        cells = list(key) + [str(len(rs))]
        if extra:
            cells += [f"{costs[key][0]:,}", f"{costs[key][1] / 1e6:.2f}"]
        for c in columns:
            v = [100 * float(r[c]) for r in rs if r.get(c) not in (None, "", "nan")]
            cells.append(f"{statistics.mean(v):.2f} ({min(v):.2f}-{max(v):.2f})" if v else "")
        # The median: a run paused or slowed by other work on the machine does not move it.
        cells.append(f"{statistics.median(float(r['seconds']) for r in rs) / 60:.1f}")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
