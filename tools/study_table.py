#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A study's table from a sweep.csv of `kaya sweep` with train.seed as one axis: for each
setting of the other axes, the mean and the spread (min-max) over seeds of the training
accuracy at the best epoch, the validation accuracy and every test score, as Markdown.

  python3 tools/study_table.py runs/study_pooling/sweep.csv [--columns test_accuracy,...]
"""
import argparse
import csv
import statistics


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
    print("| " + " | ".join(axes + ["seeds"] + columns + ["minutes per run"]) + " |")
    print("|" + "---|" * (len(axes) + len(columns) + 2))
    for key, rs in groups.items():
        cells = list(key) + [str(len(rs))]
        for c in columns:
            v = [100 * float(r[c]) for r in rs if r.get(c) not in (None, "", "nan")]
            cells.append(f"{statistics.mean(v):.2f} ({min(v):.2f}-{max(v):.2f})" if v else "")
        cells.append(f"{statistics.mean(float(r['seconds']) for r in rs) / 60:.1f}")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
