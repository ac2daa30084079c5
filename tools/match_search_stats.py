#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How much search each game of a `kaya go match` got, from the engines' `--log` lines.

A match whose Kaya engine runs with `--log 2>>DIR/kaya-{game}.log` leaves one line per search:
"<move>: N visits (...), E evaluations in S s, ...". With a playout cap and `--seconds`, a search
the clock cut short has fewer evaluations than the cap: on a loaded machine most are. This prints,
per game, the searches, their mean evaluations, how many the clock cut, the mean and longest
search time and the game's result (results.csv), then the same over all games, so that games
played while something else ran can be told apart by a criterion that does not look at results.

  python3 tools/match_search_stats.py DIR [--cap 1600] [--below 1500]

--below N also lists the games whose mean evaluations fall under N.
"""
import argparse
import csv
import os
import re
import sys

LINE = re.compile(r": \d+ visits .*?, (\d+) evaluations in ([0-9.]+) s")


def game_stats(path):
    evals, secs = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if m:
                evals.append(int(m.group(1)))
                secs.append(float(m.group(2)))
    return evals, secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--cap", type=int, default=0, help="the playout cap (default: the most evaluations seen)")
    ap.add_argument("--below", type=float, default=0, help="list the games whose mean evaluations fall under this")
    args = ap.parse_args()
    results = {}
    csv_path = os.path.join(args.dir, "results.csv")
    if os.path.exists(csv_path):
        with open(csv_path, newline="") as f:
            for row in csv.DictReader(f):
                results[int(row["game"])] = row
    games = {}
    for name in os.listdir(args.dir):
        m = re.fullmatch(r"kaya-(\d+)\.log", name)
        if m:
            games[int(m.group(1))] = game_stats(os.path.join(args.dir, name))
    if not games:
        sys.exit(f"{args.dir}: no kaya-N.log files (run the engine with --log 2>>DIR/kaya-{{game}}.log)")
    cap = args.cap or max((max(e) for e, _ in games.values() if e), default=0)
    print(f"{'game':>4} {'result':>9} {'won':>3} {'searches':>8} {'mean evals':>10} {'cut':>5} {'mean s':>6} {'max s':>5}")
    all_e, all_s, low = [], [], []
    for g in sorted(games):
        e, s = games[g]
        if not e:
            continue
        r = results.get(g, {})
        mean = sum(e) / len(e)
        cut = sum(1 for v in e if v < cap)
        print(f"{g:>4} {r.get('result', '(none)'):>9} {r.get('a_won', ''):>3} {len(e):>8} {mean:>10.0f} {cut:>5} "
              f"{sum(s) / len(s):>6.2f} {max(s):>5.2f}")
        all_e += e
        all_s += s
        if mean < args.below:
            low.append(g)
    cut = sum(1 for v in all_e if v < cap)
    print(f"all: {len(all_e)} searches in {len(games)} games, mean {sum(all_e) / len(all_e):.0f} evaluations "
          f"(cap {cap}), {cut} cut short ({100 * cut / len(all_e):.1f}%), mean {sum(all_s) / len(all_s):.2f} s, "
          f"longest {max(all_s):.2f} s")
    if args.below:
        print(f"games under {args.below:g} evaluations a search on average: {' '.join(map(str, low)) or 'none'}")


if __name__ == "__main__":
    main()
