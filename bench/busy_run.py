#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wall time of one command on an idle machine and next to N busy processes, interleaved.

Each round runs the command once idle and once per load level (each busy process spins on a
core, stops itself after --load-limit seconds and is killed at the end). Prints the median wall
time per level and its ratio to the idle median: how a real run (not a micro-benchmark)
degrades when the machine is shared.

  python3 bench/busy_run.py --load 1,2 --rounds 3 -- \\
      build/apps/kaya train configs/fashion_mnist.toml --set output.dir=/tmp/busy --force
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import BusyLoad  # noqa: E402


def timed(cmd):
    start = time.perf_counter()
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr[-2000:]}")
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--load", default="1", help="comma-separated numbers of busy processes")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--load-limit", type=float, default=3600)
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- then the command to time")
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        ap.error("give the command to time after --")
    levels = [0] + [int(x) for x in args.load.split(",") if int(x) > 0]
    times = {n: [] for n in levels}
    for r in range(args.rounds):
        for n in levels:
            print(f"round {r + 1}/{args.rounds}, {n} busy", file=sys.stderr, flush=True)
            with BusyLoad(n, args.load_limit):
                time.sleep(0.5 if n else 0)
                times[n].append(timed(cmd))
    idle = statistics.median(times[0])
    print(f"`{' '.join(cmd)}`, medians of {args.rounds} interleaved rounds:\n")
    print("| busy processes | wall time (median) | all rounds | vs idle |")
    print("|---|---|---|---|")
    for n in levels:
        med = statistics.median(times[n])
        rounds = ", ".join(f"{t:.1f}" for t in times[n])
        print(f"| {n} | {med:.1f} s | {rounds} | {med / idle:.2f}x |")


if __name__ == "__main__":
    main()
