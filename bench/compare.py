#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Kaya vs PyTorch (and libtorch) on this machine, in one run, interleaved, idle and busy.

Each round runs Kaya's Google Benchmark programs, then PyTorch (bench/torch_peer.py) in two
set-ups: OpenMP OpenBLAS with torch.set_num_threads(2), and OPENBLAS_NUM_THREADS=1 (torch's
own threads do the parallel work), then the libtorch (C++) peer when it was built
(bench/libtorch/, scripts/setup.sh --with-torch). For every benchmark the faster PyTorch set-up
is used. With --load 0,1,2 every round runs the set at each load level, next to that many busy
background processes (each stops itself after --load-limit seconds and is killed at the end).
A round goes program by program: one of Kaya's programs at every load level back to back, then
the peers on that program's benchmarks at every level, then the next program. On a machine
whose speed drifts from minute to minute, a row's Kaya time idle and under load, and its Kaya
and peer times, are then a few minutes apart at most, not the length of a round. Prints medians
over rounds, ratio = peer time / Kaya time (above 1: Kaya is faster), and under load Kaya's time
relative to its own idle time: the median over rounds of that ratio within a round.

  python3 bench/compare.py [--build build] [--rounds 3] [--min-time 0.5] [--load 0,1]
                           [--filter REGEX] [--save FILE [--resume]]

With --save the finished rounds are written to FILE after every round, and --resume continues
a killed run from them (with the same --min-time, --filter and --load; --rounds may grow).
"""
import argparse
import atexit
import json
import os
import re
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = ["gemm_bench", "elementwise_bench", "mlp_bench", "train_bench", "policy_bench",
            "sequence_bench", "vision_bench", "audio_bench", "curvature_bench", "translate_bench", "tts_bench"]
BUSY = "import time\nend = time.time() + {limit}\nwhile time.time() < end: pass\n"


def bench_name(name):
    """A Google Benchmark name as the tables and the peers spell it (without /real_time)."""
    return name.replace("/real_time", "")


def parse_benchmarks(stdout):
    out = {}
    if not stdout.strip():
        return out, {}
    raw = {}
    for b in json.loads(stdout)["benchmarks"]:
        name = bench_name(b["name"])
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        out[name] = b["real_time"] * unit
        raw[name] = b
    return out, raw


def gbench_stdout(exe, flags, flt, env=None):
    """A Google Benchmark program's standard output with these flags and the filter; a filter
    that matches nothing gives empty output, any other failure raises."""
    cmd = [exe] + flags + ([f"--benchmark_filter={flt}"] if flt else [])
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0 and not (flt and "Failed to match" in res.stderr + res.stdout):
        raise RuntimeError(f"{exe} failed:\n{res.stderr}")
    return res.stdout


def run_gbench(exe, min_time, flt, env=None):
    # A warm-up as long as the measurement, as torch_peer.py's untimed first call: the first
    # step of a big net (scratch buffers growing, pages faulted in) is not its speed.
    flags = ["--benchmark_format=json", f"--benchmark_min_time={min_time}", f"--benchmark_min_warmup_time={min_time}"]
    return parse_benchmarks(gbench_stdout(exe, flags, flt, env))


def list_benchmarks(exe, flt):
    """The names of a Google Benchmark program's benchmarks that match flt (all without it)."""
    out = gbench_stdout(exe, ["--benchmark_list_tests"], flt)
    return [bench_name(line.strip()) for line in out.splitlines() if line.strip()]


def exact(names):
    """A regex that matches exactly these benchmark names, in Python's re and in Google Benchmark's
    POSIX extended one (a Google Benchmark name may end in /real_time)."""
    return "^(" + "|".join(re.escape(n) for n in names) + ")(/real_time)?$"


def run_torch(env_extra, min_time, flt):
    env = dict(os.environ, OMP_NUM_THREADS="2", **env_extra)
    res = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "torch_peer.py"),
                          "--threads", "2", "--min-time", str(min_time), "--filter", flt],
                         check=True, capture_output=True, text=True, env=env)
    return json.loads(res.stdout)


def libtorch_exe(build):
    exe = os.path.join(build, "bench", "libtorch", "libtorch_peer")
    return exe if os.path.exists(exe) else None


class BusyLoad:
    """N processes spinning on a core each, for as long as the block runs (bounded by limit)."""

    def __init__(self, n, limit):
        self.n, self.limit, self.procs = n, limit, []

    def __enter__(self):
        code = BUSY.format(limit=self.limit)
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(self.n)]
        atexit.register(self.stop)
        return self

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs = []

    def __exit__(self, *exc):
        self.stop()


def median(d, k):
    return statistics.median(d[k]) if k in d else None


def best_pytorch(omp, b1, name):
    """The faster PyTorch set-up for a benchmark: (median time, "omp" or "blas1"), or (None, "")."""
    a, b = median(omp, name), median(b1, name)
    if a is None and b is None:
        return None, ""
    return (a, "omp") if b is None or (a is not None and a <= b) else (b, "blas1")


def rate_and_notes(name, k, kaya, raw):
    if name.startswith("BM_KayaMatmul"):
        n = int(name.split("/")[1])
        gf = 2 * n ** 3 / k / 1e9
        blas = median(kaya, f"BM_CblasSgemm/{n}")
        notes = f"direct cblas_sgemm Kaya/BLAS time {k / blas:.2f}" if blas else ""
        return f"{gf:.1f} GFLOP/s", notes
    if name.startswith("BM_Policy"):
        _, layers, filters, batch = name.split("/")
        return f"{int(batch) / k:.0f} pos/s", f"{layers} layers x {filters} filters, batch {batch}"
    if name.startswith("BM_SearchNetInfer"):
        _, blocks, batch = name.split("/")
        return f"{int(batch) / k:.0f} pos/s", f"6 x 64, {blocks} residual blocks, both heads, batch {batch}"
    if name.startswith("BM_SearchNetPrecision"):
        _, blocks, batch, filters, bf16 = name.split("/")[:5]
        kind = "bfloat16 products (PyTorch: CPU autocast)" if bf16 == "1" else "float"
        return f"{int(batch) / k:.0f} pos/s", f"6 x {filters}, {blocks} blocks, batch {batch}, {kind}"
    per = {"BM_AddBroadcast": 8, "BM_Exp": 8, "BM_MulAdd": 24}.get(name.split("/")[0])
    if per:
        return f"{per * int(name.split('/')[1]) / k / 1e9:.2f} GB/s", ""
    return "", ""


def fmt_time(t):
    return "" if t is None else (f"{t * 1e3:.2f} ms" if t >= 1e-3 else f"{t * 1e6:.1f} us")


def fmt_ratio(peer, k):
    return "" if peer is None else f"{peer / k:.2f}"


class Results:
    """One load level's times: per benchmark, a list over rounds (Kaya's also kept by round,
    for its ratio to the same round's idle time)."""

    FIELDS = ("kaya", "omp", "b1", "libt", "raw", "kaya_rounds")

    def __init__(self):
        self.kaya, self.omp, self.b1, self.libt, self.raw = {}, {}, {}, {}, {}
        self.kaya_rounds = []


def add(into, times):
    for k, v in times.items():
        into.setdefault(k, []).append(v)


def save(path, args, loads, results, rounds_done):
    """The finished rounds' times, written atomically after every round (--save)."""
    state = {"settings": settings(args, loads), "rounds_done": rounds_done,
             "results": {str(load): {f: getattr(res, f) for f in Results.FIELDS} for load, res in results.items()}}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def settings(args, loads):
    # "order": a file from before the program-by-program rounds is not resumed with them.
    return {"min_time": args.min_time, "filter": args.filter, "loads": loads, "order": "by program"}


def load_saved(path, args, loads):
    """The rounds a killed run finished (--resume): its results and how many rounds they hold."""
    with open(path) as f:
        state = json.load(f)
    if state.get("settings") != settings(args, loads):
        sys.exit(f"{path}: saved by a run with {state.get('settings')}, resumed with {settings(args, loads)}; "
                 "resume with the same --min-time, --filter and --load")
    results = {}
    for load in loads:
        res = results[load] = Results()
        for f in Results.FIELDS:
            setattr(res, f, state["results"][str(load)][f])
    return results, state["rounds_done"]


def measure(args, loads, lib):
    """Rounds outermost; in each, program by program: Kaya's program at every load level, then
    the peers on its benchmarks at every level."""
    results, first = {load: Results() for load in loads}, 0
    if args.resume:
        results, first = load_saved(args.save, args, loads)
        print(f"{args.save}: {first} rounds done, resuming", file=sys.stderr, flush=True)
    groups = []  # (path, program, a regex of exactly its benchmarks that the filter selects)
    for prog in PROGRAMS:
        exe = os.path.join(args.build, "bench", prog)
        names = list_benchmarks(exe, args.filter)
        if names:
            groups.append((exe, prog, exact(names)))
    for r in range(first, args.rounds):
        kaya_round = {load: {} for load in loads}
        for exe, prog, flt in groups:
            for load in loads:
                res = results[load]
                with BusyLoad(load, args.load_limit):
                    print(f"round {r + 1}/{args.rounds}, {prog}, load {load}: kaya", file=sys.stderr, flush=True)
                    t, raw = run_gbench(exe, args.min_time, flt)
                kaya_round[load].update(t)
                res.raw.update(raw)
            for load in loads:
                res = results[load]
                tag = f"round {r + 1}/{args.rounds}, {prog}, load {load}"
                with BusyLoad(load, args.load_limit):
                    print(f"{tag}: pytorch (omp blas, 2 threads)", file=sys.stderr, flush=True)
                    add(res.omp, run_torch({}, args.min_time, flt))
                    print(f"{tag}: pytorch (OPENBLAS_NUM_THREADS=1)", file=sys.stderr, flush=True)
                    add(res.b1, run_torch({"OPENBLAS_NUM_THREADS": "1"}, args.min_time, flt))
                    if lib:
                        print(f"{tag}: libtorch", file=sys.stderr, flush=True)
                        add(res.libt, run_gbench(lib, args.min_time, flt)[0])
        for load in loads:
            add(results[load].kaya, kaya_round[load])
            results[load].kaya_rounds.append(kaya_round[load])
        if args.save:
            save(args.save, args, loads, results, r + 1)
    return results


def vs_idle(res, idle, name):
    """Kaya's time under load over its idle time in the same round, the median over rounds."""
    ratios = [busy[name] / calm[name] for busy, calm in zip(res.kaya_rounds, idle.kaya_rounds)
              if name in busy and name in calm]
    return statistics.median(ratios) if ratios else None


def print_table(load, res, idle, lib):
    kaya, omp, b1, libt, raw = res.kaya, res.omp, res.b1, res.libt, res.raw
    print(f"\n### {'idle' if load == 0 else f'{load} busy process' + ('es' if load > 1 else '')}\n")
    head = "| benchmark | Kaya | PyTorch (best set-up) | ratio |"
    sep = "|---|---|---|---|"
    if lib:
        head += " libtorch | ratio |"
        sep += "---|---|"
    if load > 0 and idle:
        head += " Kaya vs its idle time |"
        sep += "---|"
    print(head + " Kaya rate | notes |")
    print(sep + "---|---|")
    for name in kaya:
        if name.startswith("BM_CblasSgemm") or name.startswith("BM_FmaPeak"):
            continue
        k = median(kaya, name)
        best, which = best_pytorch(omp, b1, name)
        row = f"| {name} | {fmt_time(k)} | {fmt_time(best)}{f' ({which})' if which else ''} | {fmt_ratio(best, k)} |"
        if lib:
            lt = median(libt, name)
            row += f" {fmt_time(lt)} | {fmt_ratio(lt, k)} |"
        if load > 0 and idle:
            ratio = vs_idle(res, idle, name)
            row += f" {ratio:.2f}x |" if ratio else " |"
        rate, notes = rate_and_notes(name, k, kaya, raw)
        print(row + f" {rate} | {notes} |")


def print_summary(loads, all_results, lib):
    """One row per benchmark across the load levels: Kaya's time, its ratio to each peer under
    the same load, and under load Kaya's time relative to its idle time."""
    if len(loads) < 2 or 0 not in loads:
        return
    idle = all_results[0]
    head, sep = "| benchmark | Kaya idle | vs PyTorch |", "|---|---|---|"
    if lib:
        head, sep = head + " vs libtorch |", sep + "---|"
    for n in loads[1:]:
        head += f" Kaya, {n} busy (vs idle) | vs PyTorch |" + (" vs libtorch |" if lib else "")
        sep += "---|---|" + ("---|" if lib else "")
    print(f"\n### Summary: ratio = peer time / Kaya time under the same load\n\n{head}\n{sep}")
    for name in idle.kaya:
        if name.startswith("BM_CblasSgemm") or name.startswith("BM_FmaPeak"):
            continue
        row = f"| {name} |"
        for n in loads:
            res = all_results[n]
            k = median(res.kaya, name)
            best = best_pytorch(res.omp, res.b1, name)[0]
            if n == 0:
                row += f" {fmt_time(k)} | {fmt_ratio(best, k)} |"
            else:
                ratio = vs_idle(res, idle, name)
                row += f" {fmt_time(k)} ({ratio:.2f}x) | {fmt_ratio(best, k)} |" if ratio else \
                    f" {fmt_time(k)} | {fmt_ratio(best, k)} |"
            if lib:
                row += f" {fmt_ratio(median(res.libt, name), k)} |"
        print(row)


def machine_state(build):
    kaya = os.path.join(build, "apps", "kaya")
    if not os.path.exists(kaya):
        return "(kaya not built)"
    return subprocess.run([kaya, "doctor"], capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--filter", default="", help="only benchmarks whose name matches this regex")
    ap.add_argument("--load", default="0", help="comma-separated numbers of busy processes, e.g. 0,1,2")
    ap.add_argument("--load-limit", type=float, default=7200, help="seconds after which a busy process stops itself")
    ap.add_argument("--save", default="", help="write the finished rounds' times to this JSON file after every round")
    ap.add_argument("--resume", action="store_true", help="continue the run that --save's file holds")
    args = ap.parse_args()
    if args.resume and not (args.save and os.path.exists(args.save)):
        ap.error("--resume needs --save FILE, a file an earlier run wrote")
    loads = [int(x) for x in args.load.split(",")]
    cores = os.cpu_count() or 1
    if any(n < 0 or n > 4 * cores for n in loads):
        ap.error(f"--load: each level must be between 0 and {4 * cores} (4 per core)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    lib = libtorch_exe(args.build)

    print(f"Medians of {args.rounds} interleaved rounds; ratio = peer time / Kaya time (above 1: Kaya "
          "faster). Machine as this run saw it:\n")
    print("```\n" + machine_state(args.build) + "\n```")
    if not lib:
        print("\n(libtorch peer not built: scripts/setup.sh --with-torch, then rebuild)")
    all_results = measure(args, loads, lib)
    idle = all_results.get(0)
    for load in loads:
        print_table(load, all_results[load], idle, lib)
    print_summary(loads, all_results, lib)


if __name__ == "__main__":
    main()
