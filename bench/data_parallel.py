#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Data-parallel training on this machine, measured as interleaved rounds (the VM's speed swings,
so only ratios within one round count; medians over rounds are printed).

For each model, each round runs, one after another:
  1x2      one process with 2 threads (KAYA_NUM_THREADS=2), the whole batch;
  2x1      mpirun -np 2, 1 thread each, half the batch each, gradients all-reduced during backward;
  2x1-late the same with the all-reduce after backward (distributed.overlap = false);
  2x1-none the same processes without any all-reduce: the compute-only baseline.
Then the all-reduce alone for the Go networks' gradient sizes on 2 and 4 processes, against the
ring model t = a + 2(N-1)/N * S / B, with B fitted on one measurement.

  python3 bench/data_parallel.py [--build build] [--rounds 3] [--models mlp,go6,go13]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

MODELS = {  # name: (global batch, steps per run, what a step is)
    "mlp": (128, 60, "Fashion-MNIST MLP 784-256-128-10, Adam"),
    "go6": (64, 12, "Go policy 6x64, SGD"),
    "go13": (16, 6, "Go policy 13x192, SGD"),
}
SETUPS = ["1x2", "2x1", "2x1-late", "2x1-none"]


def run(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), out.stdout, out.stderr))
    return json.loads(out.stdout.strip().splitlines()[-1])


def mpirun(np_, args):
    return ["mpirun", "--oversubscribe", "-np", str(np_), "-x", "KAYA_NUM_THREADS=1"] + args


def step(binary, model, setup, env):
    batch, steps, _ = MODELS[model]
    args = [binary, "--model", model, "--batch", str(batch), "--steps", str(steps), "--warmup", "3"]
    if setup == "1x2":
        return run(args, dict(env, KAYA_NUM_THREADS="2"))
    extra = {"2x1": [], "2x1-late": ["--overlap", "0"], "2x1-none": ["--reduce", "0"]}[setup]
    return run(mpirun(2, args + extra), env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default="mlp,go6,go13")
    a = ap.parse_args()
    binary = os.path.join(a.build, "bench", "data_parallel")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    models = a.models.split(",")
    rows = {(m, s): [] for m in models for s in SETUPS}
    for r in range(a.rounds):
        for m in models:
            for s in SETUPS:
                rows[(m, s)].append(step(binary, m, s, env))
        print("round %d of %d done" % (r + 1, a.rounds), file=sys.stderr)

    def med(m, s, key):
        return statistics.median(x[key] for x in rows[(m, s)])

    def ratio(m, num, den, key="step_ms"):  # Median over rounds of the within-round ratio.
        return statistics.median(x[key] / y[key] for x, y in zip(rows[(m, num)], rows[(m, den)]))

    print("| model | batch | 1x2 ex/s | 2x1 ex/s | 2x1 / 1x2 | comm. wait (share of step) | "
          "overhead vs no all-reduce | all-reduce after backward / during |")
    print("|---|---|---|---|---|---|---|---|")
    for m in models:
        batch, _, what = MODELS[m]
        wait = med(m, "2x1", "comm_wait_ms")
        print("| %s | %d | %.0f | %.0f | %.2f | %.2f ms (%.1f%%) | %+.1f%% | %.3f |" % (
            what, batch, med(m, "1x2", "examples_per_s"), med(m, "2x1", "examples_per_s"),
            1 / ratio(m, "2x1", "1x2"), wait, 100 * wait / med(m, "2x1", "step_ms"),
            100 * (ratio(m, "2x1", "2x1-none") - 1), ratio(m, "2x1-late", "2x1")))
        grad = rows[(m, "2x1")][0]
        print("  (%s: %.2f MiB of gradients in %d buckets; step medians %s ms)" % (
            m, grad["gradient_bytes"] / 2**20, grad["buckets"],
            ", ".join("%s %.2f" % (s, med(m, s, "step_ms")) for s in SETUPS)))

    # The all-reduce alone, and the ring model fitted on the 2-process, 13x192-sized one.
    # MiB of float32 gradients: as the step runs measured them (the defaults are the same).
    sizes = {"go6": 0.858, "go13": 14.81}
    for m in sizes:
        if (m, "2x1") in rows:
            sizes[m] = rows[(m, "2x1")][0]["gradient_bytes"] / 2**20
    meas = {}
    for n in (2, 4):
        for name, mb in sizes.items():
            meas[(n, name)] = statistics.median(
                run(mpirun(n, [binary, "--allreduce-mb", str(mb), "--steps", "30"]), env)["ms"]
                for _ in range(a.rounds))
    latency = 0.05  # ms: a small all-reduce between two processes of one machine.
    bw = 2 * (1 / 2) * sizes["go13"] * 2**20 / ((meas[(2, "go13")] - latency) / 1e3)  # bytes/s
    print("\nall-reduce alone (loopback, shared memory); ring model fitted on 2 processes x %.2f MiB:"
          " bus bandwidth %.2f GB/s" % (sizes["go13"], bw / 1e9))
    print("| processes | gradients | measured ms | model ms |")
    print("|---|---|---|---|")
    for (n, name), ms in sorted(meas.items()):
        model = latency + 1e3 * 2 * (n - 1) / n * sizes[name] * 2**20 / bw
        print("| %d | %s (%.2f MiB) | %.2f | %.2f |" % (n, name, sizes[name], ms, model))


if __name__ == "__main__":
    main()
