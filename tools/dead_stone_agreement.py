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


def player_won(path, player, winner):
    """Whether `player` (a substring of PB or PW) won the game whose winner is 'B' or 'W'."""
    text = open(path, encoding="utf-8").read()
    black = re.search(r"PB\[([^\]]*)\]", text)
    return (winner == "B") == bool(black and player in black.group(1))


def play_out(path, level, max_moves=400):
    """GNU Go at `level` plays both sides from the game's end with kgs-genmove_cleanup (dead
    stones are captured, not passed over) until two passes; its area count then."""
    gnugo = subprocess.Popen(["/usr/games/gnugo", "--mode", "gtp", "--chinese-rules", "--level", str(level)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(command):
        gnugo.stdin.write(command + "\n")
        gnugo.stdin.flush()
        lines = []
        while True:
            line = gnugo.stdout.readline()
            if not line or (not line.strip() and lines):
                break
            if line.strip():
                lines.append(line.strip())
        return " ".join(lines)[2:].strip()

    colour = send(f"loadsgf {os.path.abspath(path)}")
    passes = moves = 0
    while passes < 2 and moves < max_moves:
        passes = passes + 1 if send(f"kgs-genmove_cleanup {colour}").lower() == "pass" else 0
        colour = "white" if colour.startswith("b") else "black"
        moves += 1
    score = send("final_score")
    send("quit")
    return score


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kaya", default="build/apps/kaya")
    ap.add_argument("--weights", action="append", default=[],
                    help="a network with an ownership head to judge the dead stones (the estimate is always run)")
    ap.add_argument("--by-dir", action="store_true", help="also the agreement in each directory")
    ap.add_argument("--player", help="also, for this player (a substring of PB/PW): its counted losses and "
                                     "wins, and in how many the estimate named the other winner")
    ap.add_argument("--play-out", type=int, default=0, metavar="N",
                    help="with --player: GNU Go plays both sides of N such losses on, capturing dead stones, "
                         "and counts again")
    ap.add_argument("--play-out-level", type=int, default=10)
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
        if args.player and not w:
            won = [player_won(p, args.player, wn) for p, wn in games]
            disputed = [s[0] != wn for s, (_, wn) in zip(scores, games)]
            lost_disputed = [g for g, x, dsp in zip(games, won, disputed) if not x and dsp]
            print(f"  {args.player}: {won.count(False)} counted losses, in {len(lost_disputed)} of which the estimate "
                  f"named {args.player} the winner; {won.count(True)} counted wins, "
                  f"{sum(dsp for x, dsp in zip(won, disputed) if x)} disputed")
            for p, wn in lost_disputed[:args.play_out]:
                print(f"  {p}: referee {wn}+, played out by GNU Go level {args.play_out_level}: "
                      f"{play_out(p, args.play_out_level)}")


if __name__ == "__main__":
    main()
