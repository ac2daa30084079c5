#!/usr/bin/env python3
"""How often Kaya's end-of-game count names the winner that GNU Go's count named.

Every finished game of a match directory was counted by a referee (GNU Go 3.8's
final_status_list dead, then area scoring): its SGF's RE. This loads each game that ended by
two passes (not by resignation or forfeit) into `kaya go gtp` with `loadsgf` and asks for
`final_score`, which removes the stones Kaya judges dead: the search-free estimate
(score.h: estimate_dead), or with a network that has an ownership head, that head's judgement
(`kaya go gtp --dead-stones network`). Prints the agreement of each judge, and of each
directory with --by-dir.

    python3 tools/dead_stone_agreement.py --kaya build/apps/kaya \\
        --weights models/go_selfplay_6x64.safetensors results/go/*/
"""
import argparse
import glob
import os
import re
import subprocess
import sys


def finished_games(dirs):
    """(path, winner) of the games that ended with two passes and a counted result."""
    games = []
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "game-*.sgf"))):
            text = open(path, encoding="utf-8").read()
            result = re.search(r"RE\[([^\]]*)\]", text)
            if not result or not re.match(r"^[BW]\+\d", result.group(1)):
                continue  # Resigned (B+R), forfeited (B+F), drawn or unknown.
            moves = re.findall(r";[BW]\[([a-z]{0,2})\]", text)
            if len(moves) < 2 or any(m not in ("", "tt") for m in moves[-2:]):
                continue  # Not ended by two passes.
            games.append((path, result.group(1)[0]))
    return games


def agreement(kaya, weights, games):
    cmd = [kaya, "go", "gtp"] + (["--weights", weights, "--dead-stones", "network"] if weights else [])
    script = "".join(f"loadsgf {os.path.abspath(p)}\nfinal_score\n" for p, _ in games) + "quit\n"
    out = subprocess.run(cmd, input=script, capture_output=True, text=True, check=True).stdout
    replies = [r.strip() for r in out.split("\n\n") if r.strip()]
    scores = [r[1:].strip() for r in replies if r.startswith("=") and r[1:].strip()]
    if len(scores) != len(games):
        sys.exit(f"expected {len(games)} scores from {' '.join(cmd)}, got {len(scores)}:\n{out[-2000:]}")
    agree = sum(s[0] == winner for s, (_, winner) in zip(scores, games))
    return agree, scores


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kaya", default="build/apps/kaya")
    ap.add_argument("--weights", action="append", default=[],
                    help="a network with an ownership head to judge the dead stones (the estimate is always run)")
    ap.add_argument("--by-dir", action="store_true", help="also the agreement in each directory")
    ap.add_argument("dirs", nargs="+", help="match directories with game-NNN.sgf files")
    args = ap.parse_args()
    games = finished_games(args.dirs)
    if not games:
        sys.exit("no game ended by two passes with a counted result in " + " ".join(args.dirs))
    print(f"{len(games)} games ended by two passes and counted by the referee")
    for w in [""] + args.weights:
        agree, scores = agreement(args.kaya, w, games)
        name = f"{w} (--dead-stones network)" if w else "the estimate (estimate_dead)"
        print(f"{name}: names the referee's winner in {agree} of {len(games)} ({100.0 * agree / len(games):.1f}%)")
        if args.by_dir:
            for d in sorted({os.path.dirname(p) for p, _ in games}):
                rows = [(s, wn) for s, (p, wn) in zip(scores, games) if os.path.dirname(p) == d]
                hits = sum(s[0] == wn for s, wn in rows)
                print(f"  {d}: {hits} of {len(rows)}")


if __name__ == "__main__":
    main()
