#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Rebuilds an MLP saved by `kaya train` in PyTorch and scores it there.

Usage: python3 tools/load_in_pytorch.py RUN_DIR [--json]

RUN_DIR is a run directory of task.kind "regression" or "classification": its config.toml (the
effective config) gives the architecture, its model.safetensors the weights. The model is an
nn.Sequential whose entry 0 is the input normalisation (state_dict "0.mean", "0.std": y =
(x - mean) / std) when data.normalize is on, then Linear / activation (/ Dropout) layers, so
`load_state_dict(strict=True)` takes Kaya's file as it is. Images are scaled to [0, 1] (pixel /
255) before the normalisation, as Kaya does.

It scores the same examples Kaya scored at the end of the run and prints both numbers:
Fashion-MNIST's test images against test.json, or for CSV data the validation rows of split.json
against the best epoch's val_loss in metrics.csv. Exits 1 when they differ by more than float32
rounding. Needs python3-torch (scripts/setup.sh --with-torch); Kaya never does.
"""
import argparse
import csv
import gzip
import json
import os
import struct
import sys
import tomllib

import numpy as np
import torch
from torch import nn

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    """The tensors of a safetensors file (little-endian, header length then JSON header)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arr = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class Standardize(nn.Module):
    """Kaya's nn::Standardize: (x - mean) / std with its two buffers."""

    def __init__(self, features):
        super().__init__()
        self.register_buffer("mean", torch.zeros(features))
        self.register_buffer("std", torch.ones(features))

    def forward(self, x):
        return (x - self.mean) / self.std


ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "hardsigmoid": nn.Hardsigmoid, "tanh": nn.Tanh,
               "gelu": nn.GELU, "silu": nn.SiLU}


def build_mlp(cfg, in_features, out_features):
    model, data = cfg["model"], cfg["data"]
    layers = [Standardize(in_features)] if data.get("normalize", True) else []
    width = in_features
    for h in model.get("hidden", [64, 64]):
        layers += [nn.Linear(width, h), ACTIVATIONS[model.get("activation", "relu")]()]
        if model.get("dropout", 0) > 0:
            layers.append(nn.Dropout(model["dropout"]))
        width = h
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def fashion_test(cfg):
    d = cfg["data"].get("dir", "/usr/share/datasets/fashion-mnist")
    x = read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    limit = cfg["data"].get("limit_test", 0)
    if limit:
        x, y = x[:limit], y[:limit]
    return torch.from_numpy(x), torch.from_numpy(y)


def csv_validation(cfg, run_dir):
    with open(os.path.join(run_dir, "split.json")) as f:
        split = json.load(f)
    with open(cfg["data"]["path"], newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    names, seen = [], {}
    for h in header:  # Repeated names become name.1, name.2, ... as Kaya and pandas do.
        k = seen.get(h.strip(), 0)
        seen[h.strip()] = k + 1
        names.append(f"{h.strip()}.{k}" if k else h.strip())
    col = {n: i for i, n in enumerate(names)}
    table = np.array([[float(v) for v in r] for r in body if r])
    rows_v = split["val_rows"]
    x = table[np.ix_(rows_v, [col[n] for n in split["features"]])].astype(np.float32)
    y = table[rows_v, col[split["target"]]].astype(np.float32).reshape(-1, 1)
    return torch.from_numpy(x), torch.from_numpy(y)


def best_val_loss(run_dir):
    with open(os.path.join(run_dir, "metrics.csv")) as f:
        return min(float(r["val_loss"]) for r in csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = ap.parse_args()
    with open(os.path.join(args.run_dir, "config.toml"), "rb") as f:
        cfg = tomllib.load(f)
    state = read_safetensors(os.path.join(args.run_dir, "model.safetensors"))
    classification = cfg["task"]["kind"] == "classification"
    if classification:
        x, y = fashion_test(cfg)
        with open(os.path.join(args.run_dir, "test.json")) as f:
            kaya_value = json.load(f)["test_accuracy"]
        what = "test accuracy"
    else:
        x, y = csv_validation(cfg, args.run_dir)
        kaya_value = best_val_loss(args.run_dir)
        what = "validation MSE"
    model = build_mlp(cfg, x.shape[1], 10 if classification else 1)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        out = model(x)
        torch_value = (out.argmax(1) == y).double().mean().item() if classification else \
            nn.functional.mse_loss(out, y).item()
    # Accuracy is a count: equal, or one example apart at a float32 tie. MSE: float32 rounding
    # of a mean over the rows.
    tol = 1.0 / len(y) if classification else 1e-4 * abs(kaya_value)
    ok = abs(torch_value - kaya_value) <= tol
    if args.json:
        print(json.dumps({"what": what, "kaya": kaya_value, "pytorch": torch_value, "match": ok}))
    else:
        print(f"{what}: Kaya {kaya_value:.6g}, PyTorch {torch_value:.6g} "
              f"({'match' if ok else 'DIFFER'}; {len(y)} examples)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
