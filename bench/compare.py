#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kaya vs PyTorch on this machine, in one run, interleaved.

Each round runs Kaya's Google Benchmark programs and then PyTorch (bench/torch_peer.py) in two
set-ups: OpenMP OpenBLAS with torch.set_num_threads(2), and OPENBLAS_NUM_THREADS=1 (torch's
own threads do the parallel work). For every benchmark the faster PyTorch set-up is used.
Prints medians over rounds and the ratio PyTorch time / Kaya time (above 1: Kaya is faster).

  python3 bench/compare.py [--build build] [--rounds 3] [--min-time 0.5] [--markdown]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = ["gemm_bench", "elementwise_bench", "mlp_bench", "train_bench", "policy_bench"]


def run_kaya(build, min_time, flt=""):
    times, counters = {}, {}
    for prog in PROGRAMS:
        exe = os.path.join(build, "bench", prog)
        cmd = [exe, "--benchmark_format=json", f"--benchmark_min_time={min_time}"]
        if flt:
            cmd.append(f"--benchmark_filter={flt}")
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0 and not (flt and "Failed to match" in res.stderr + res.stdout):
            raise RuntimeError(f"{prog} failed:\n{res.stderr}")
        if not res.stdout.strip():
            continue
        for b in json.loads(res.stdout)["benchmarks"]:
            name = b["name"].replace("/real_time", "")
            unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
            times[name] = b["real_time"] * unit
            counters[name] = b
    return times, counters


def run_torch(env_extra, min_time, flt=""):
    env = dict(os.environ, OMP_NUM_THREADS="2", **env_extra)
    res = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "torch_peer.py"),
                          "--threads", "2", "--min-time", str(min_time), "--filter", flt],
                         check=True, capture_output=True, text=True, env=env)
    return json.loads(res.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--filter", default="", help="only benchmarks whose name contains this")
    args = ap.parse_args()

    kaya, torch_omp, torch_b1 = {}, {}, {}
    last_counters = {}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}: kaya", file=sys.stderr, flush=True)
        t, last_counters = run_kaya(args.build, args.min_time, args.filter)
        for k, v in t.items():
            kaya.setdefault(k, []).append(v)
        print(f"round {r + 1}/{args.rounds}: pytorch (omp blas, 2 threads)", file=sys.stderr, flush=True)
        for k, v in run_torch({}, args.min_time, args.filter).items():
            torch_omp.setdefault(k, []).append(v)
        print(f"round {r + 1}/{args.rounds}: pytorch (OPENBLAS_NUM_THREADS=1)", file=sys.stderr, flush=True)
        for k, v in run_torch({"OPENBLAS_NUM_THREADS": "1"}, args.min_time, args.filter).items():
            torch_b1.setdefault(k, []).append(v)

    med = lambda d, k: statistics.median(d[k]) if k in d else None
    peak = None
    if "BM_FmaPeak" in kaya:
        peak = last_counters["BM_FmaPeak"]["GFLOP/s"] / 1e9 if last_counters["BM_FmaPeak"]["GFLOP/s"] > 1e6 else last_counters["BM_FmaPeak"]["GFLOP/s"]

    print(f"Medians of {args.rounds} interleaved rounds; ratio = PyTorch time / Kaya time "
          "(above 1: Kaya faster).\n")
    print("| benchmark | Kaya | PyTorch (best set-up) | ratio | Kaya rate | notes |")
    print("|---|---|---|---|---|---|")
    for name in kaya:
        k = med(kaya, name)
        a, b = med(torch_omp, name), med(torch_b1, name)
        notes = ""
        if name.startswith("BM_KayaMatmul"):
            n = int(name.split("/")[1])
            gf = 2 * n ** 3 / k / 1e9
            blas = med(kaya, f"BM_CblasSgemm/{n}")
            rate = f"{gf:.1f} GFLOP/s"
            if peak:
                rate += f" ({100 * gf / peak:.0f}% of peak)"
            if blas:
                notes = f"direct cblas_sgemm {2 * n ** 3 / blas / 1e9:.1f} GFLOP/s (Kaya/BLAS time {k / blas:.2f})"
        elif name.startswith("BM_CblasSgemm") or name.startswith("BM_FmaPeak"):
            if name.startswith("BM_FmaPeak") and peak:
                print(f"| FMA peak (2 threads) | {k * 1e3:.2f} ms | | | {peak:.1f} GFLOP/s | measured |")
            continue
        elif name.startswith("BM_Policy"):
            _, layers, filters, batch = name.split("/")
            rate = f"{int(batch) / k:.0f} pos/s"
            notes = f"{layers} layers x {filters} filters, 19x19, batch {batch}"
        else:
            n = int(name.split("/")[1])
            per = {"BM_AddBroadcast": 8, "BM_Exp": 8, "BM_MulAdd": 24}.get(name.split("/")[0])
            rate = f"{per * n / k / 1e9:.2f} GB/s" if per else ""
        if a is None and b is None:
            print(f"| {name} | {k * 1e6:.1f} us | n/a | | {rate} | {notes} |")
            continue
        best, which = (a, "omp") if b is None or (a is not None and a <= b) else (b, "blas1")
        print(f"| {name} | {k * 1e6:.1f} us | {best * 1e6:.1f} us ({which}) | {best / k:.2f} | {rate} | {notes} |")


if __name__ == "__main__":
    main()
