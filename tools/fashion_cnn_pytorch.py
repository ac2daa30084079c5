#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""configs/fashion_cnn.toml in PyTorch 1.13: the same Fashion-MNIST files, split (10% of the
training images, seeded, pick the epoch by accuracy), per-channel standardisation from the
training split, network (bench/torch_peer.py's fashion_cnn: two stages of two 3x3 convolutions
with batch norm and ReLU, max pooling and dropout 0.25, a 256-unit head with dropout 0.5), the
same augmentation (left-right flip with p 0.5, a shift of up to 2 pixels with zero fill, as
RandomCrop(28, padding=2)), Adam lr 0.001 with cosine decay per epoch, batch 128. The official
test images are scored once with the chosen weights. A peer for Kaya's numbers, never a
dependency.

  python3 tools/fashion_cnn_pytorch.py [--dir /usr/share/datasets/fashion-mnist] [--seed 0]
                                       [--epochs 25] [--threads 2] [--out result.json]
                                       [--checkpoint state.pt]
Prints one line per epoch (with its seconds) and a JSON summary. With --checkpoint FILE the state
after each epoch (weights, Adam, schedule, random stream, best weights so far) is written
atomically, and a run started again with the same file resumes after its last epoch.
"""
import argparse
import gzip
import json
import struct
import time

import torch
import torch.nn as nn

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def fashion_cnn():
    spec = importlib.util.spec_from_file_location("torch_peer", os.path.join(HERE, "..", "bench", "torch_peer.py"))
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    return peer.fashion_cnn()


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def augment(x, gen):
    """Left-right flip with p 0.5, then a shift of up to 2 pixels each way with zero fill."""
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = nn.functional.pad(x, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (n,), generator=gen)
    dx = torch.randint(0, 5, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(28)[None, :])[:, None, :, None].expand(n, 1, 28, 32)
    x = padded.gather(2, rows)
    cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, None, :].expand(n, 1, 28, 28)
    return x.gather(3, cols)


def evaluate(model, x, y, mean, std):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += int((model((x[i:i + 1000] - mean) / std).argmax(1) == y[i:i + 1000]).sum())
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="")
    ap.add_argument("--checkpoint", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    x = read_idx(f"{args.dir}/train-images-idx3-ubyte.gz").float().div(255).unsqueeze(1)
    y = read_idx(f"{args.dir}/train-labels-idx1-ubyte.gz").long()
    xt = read_idx(f"{args.dir}/t10k-images-idx3-ubyte.gz").float().div(255).unsqueeze(1)
    yt = read_idx(f"{args.dir}/t10k-labels-idx1-ubyte.gz").long()
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    nval = round(0.1 * len(x))
    xv, yv, xtr, ytr = x[perm[:nval]], y[perm[:nval]], x[perm[nval:]], y[perm[nval:]]
    mean, std = xtr.mean(), xtr.std()
    model = fashion_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    best, best_state, best_epoch, epoch_seconds, first = -1.0, None, 0, [], 1
    if args.checkpoint and os.path.exists(args.checkpoint):
        st = torch.load(args.checkpoint)
        if (st["seed"], st["epochs"]) != (args.seed, args.epochs):
            sys.exit(f"{args.checkpoint}: written by a run with seed {st['seed']} and {st['epochs']} epochs, "
                     f"not seed {args.seed} and {args.epochs} epochs")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        gen.set_state(st["gen"])
        torch.set_rng_state(st["rng"])
        best, best_state, best_epoch, epoch_seconds = st["best"], st["best_state"], st["best_epoch"], st["seconds"]
        first = st["epoch"] + 1
        print(f"resumed from {args.checkpoint} after epoch {st['epoch']}", file=sys.stderr, flush=True)
    for epoch in range(first, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(xtr), generator=gen)
        for i in range(0, len(order), 128):
            b = order[i:i + 128]
            opt.zero_grad()
            loss_fn(model((augment(xtr[b], gen) - mean) / std), ytr[b]).backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - start)
        sched.step()
        acc = evaluate(model, xv, yv, mean, std)
        print(f"epoch {epoch:3d}  val_accuracy {100 * acc:.2f}%  seconds {epoch_seconds[-1]:.1f}", flush=True)
        if acc > best:
            best, best_epoch = acc, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        if args.checkpoint:
            tmp = args.checkpoint + ".tmp"
            torch.save({"seed": args.seed, "epochs": args.epochs, "epoch": epoch, "model": model.state_dict(),
                        "opt": opt.state_dict(), "sched": sched.state_dict(), "gen": gen.get_state(),
                        "rng": torch.get_rng_state(), "best": best, "best_state": best_state,
                        "best_epoch": best_epoch, "seconds": epoch_seconds}, tmp)
            os.replace(tmp, args.checkpoint)
    model.load_state_dict(best_state)
    result = {"seed": args.seed, "best_epoch": best_epoch, "val_accuracy": best,
              "test_accuracy": evaluate(model, xt, yt, mean, std),
              "median_epoch_seconds": sorted(epoch_seconds)[len(epoch_seconds) // 2],
              "threads": args.threads, "torch": torch.__version__}
    print(json.dumps(result))
    if args.out:
        with open(args.out + ".tmp", "w") as f:
            json.dump(result, f)
        os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
