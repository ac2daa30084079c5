#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kaya vs PyTorch on the COVID-19 regression (MISSION row 1), same split, same features.

For each seed it runs `kaya train CONFIG` (the MLP, and a linear baseline with model.hidden=[] and
lr 0.1),
reads the split Kaya wrote (run_dir/split.json: selected features, train and validation rows),
and trains the same recipe in PyTorch on exactly those rows: standardisation fitted on the
training rows, the same layer sizes with PyTorch's default initialisation, Adam with the same
learning rate, batch size, epochs and early-stopping patience, the best validation epoch kept.
Prints a Markdown table of validation MSE (mean +- standard deviation over seeds).

  python3 tools/covid_compare.py --kaya build/apps/kaya --config configs/covid.toml \
      --data ../shared/data/covid/ml2023/covid_train.csv --seeds 5

Needs Debian's python3-torch (scripts/setup.sh --with-torch); Kaya itself never does.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib

import numpy as np
import torch


def read_csv(path):
    """Header names with pandas' renaming of repeats (x, x.1, x.2), as Kaya's CSV reader, and a
    float64 matrix of the rows."""
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    seen, names = {}, []
    for h in header:
        if h in seen:
            seen[h] += 1
            names.append(f"{h}.{seen[h]}")
        else:
            seen[h] = 0
            names.append(h)
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return names, data


def train_torch(cfg, split, names, data, seed):
    col = {n: i for i, n in enumerate(names)}
    x = data[:, [col[f] for f in split["features"]]].astype(np.float32)
    y = data[:, col[split["target"]]].astype(np.float32)[:, None]
    tr, va = np.array(split["train_rows"]), np.array(split["val_rows"])
    mean, std = x[tr].mean(0), x[tr].std(0)
    std[std == 0] = 1
    x = (x - mean) / std
    xtr, ytr = torch.from_numpy(x[tr]), torch.from_numpy(y[tr])
    xva, yva = torch.from_numpy(x[va]), torch.from_numpy(y[va])

    model_cfg, train_cfg = cfg.get("model", {}), cfg.get("train", {})
    torch.manual_seed(seed)
    layers, n_in = [], x.shape[1]
    for h in model_cfg.get("hidden", [64, 64]):
        layers += [torch.nn.Linear(n_in, h), torch.nn.ReLU()]
        n_in = h
    layers.append(torch.nn.Linear(n_in, 1))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=train_cfg.get("lr", 1e-3))
    batch, epochs = train_cfg.get("batch_size", 64), train_cfg.get("epochs", 10)
    patience = train_cfg.get("patience", 0)
    gen = torch.Generator().manual_seed(seed)
    loss_fn = torch.nn.MSELoss()
    best, bad = float("inf"), 0
    for _ in range(epochs):
        if patience > 0 and bad >= patience:
            break
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss_fn(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val = loss_fn(model(xva), yva).item()
        if val < best:
            best, bad = val, 0
        else:
            bad += 1
    return best


def run_kaya(kaya, config, data, seed, out, extra):
    cmd = [kaya, "train", config, "--set", f"data.path={data}", "--set", "data.test_path=",
           "--set", f"train.seed={seed}", "--set", f"output.dir={out}"] + sum((["--set", e] for e in extra), [])
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "split.json")) as f:
        split = json.load(f)
    with open(os.path.join(out, "config.toml"), "rb") as f:
        cfg = tomllib.load(f)
    return min(float(r["val_loss"]) for r in rows), split, cfg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kaya", default="build/apps/kaya")
    ap.add_argument("--config", default="configs/covid.toml")
    ap.add_argument("--data", default="../shared/data/covid/ml2023/covid_train.csv")
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(2)
    names, data = read_csv(args.data)
    # The linear model needs a larger step to converge within the patience window.
    recipes = {"MLP": [], "linear": ["model.hidden=[]", "train.lr=0.1"]}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in recipes.items():
            for seed in range(args.seeds):
                out = os.path.join(tmp, f"{label}-{seed}")
                t0 = time.perf_counter()
                kaya_mse, split, cfg = run_kaya(args.kaya, args.config, args.data, seed, out, extra)
                t1 = time.perf_counter()
                torch_mse = train_torch(cfg, split, names, data, seed)
                t2 = time.perf_counter()
                results.setdefault(label, []).append((kaya_mse, torch_mse, t1 - t0, t2 - t1))
                print(f"{label} seed {seed}: Kaya {kaya_mse:.4f} ({t1 - t0:.1f} s), "
                      f"PyTorch {torch_mse:.4f} ({t2 - t1:.1f} s)", file=sys.stderr, flush=True)
    n_feat = len(split["features"])
    print(f"Validation MSE on the seeded 20% held-out split of {os.path.basename(args.data)} "
          f"({len(split['train_rows'])} train / {len(split['val_rows'])} validation rows, {n_feat} selected features), "
          f"mean +- sd over {args.seeds} training seeds:\n")
    print("| model | Kaya | PyTorch | Kaya time | PyTorch time |")
    print("|---|---|---|---|---|")
    ms = lambda v: f"{statistics.mean(v):.3f} +- {statistics.stdev(v) if len(v) > 1 else 0:.3f}"
    for label, rs in results.items():
        k, t = [r[0] for r in rs], [r[1] for r in rs]
        kt, tt = statistics.median(r[2] for r in rs), statistics.median(r[3] for r in rs)
        print(f"| {label} | {ms(k)} | {ms(t)} | {kt:.1f} s | {tt:.1f} s |")


if __name__ == "__main__":
    main()
