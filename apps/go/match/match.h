// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "apps/go/board/game.h"

namespace kaya::go {

struct MatchOptions {
    // GTP command lines, e.g. "gnugo --mode gtp --level 1". An engine runs from game to game,
    // unless its command holds `{game}`: it is then started anew for each game with `{game}`
    // replaced by the game's number (a seed per game: "kaya go gtp --temperature 1 --seed {game}").
    std::string engine_a, engine_b;
    std::string referee;  // Marks dead stones in finished games ("" : Tromp-Taylor, all alive).
    // How finished games are scored: "area" (default: the referee's final_status_list dead
    // removed, then stones plus surrounded points, the rules komi 7.5 assumes) or "referee"
    // (the referee's own final_score under its own rules; GNU Go's default is territory).
    std::string scoring = "area";
    int games = 100;
    int parallel = 1;  // Games played at once, each by its own engine (and referee) processes.
    int size = 19;
    double komi = 7.5;
    int max_moves = 0;          // 0: 3 * size^2; a game that long is scored as it stands.
    double move_timeout = 120;  // Seconds per GTP reply.
    std::string out_dir;        // game-NNN.sgf and results.csv go here ("" : none).
    bool resume = false;        // Keep the games of out_dir/results.csv and play the rest.
    bool verbose = true;
};

struct GameOutcome {
    bool a_black = true;
    std::string
        result;  // SGF RE: "B+R", "W+3.5", "B+F" (forfeit: illegal move or engine failure), "0".
    int a_score = 0;  // 1: A won, 0: B won; draws count 0 here and in MatchResult::draws.
    bool draw = false;
    int moves = 0;
    // A's genmove replies, timed by the match (the engine's thinking plus the pipe): their
    // count, total and longest seconds. Files written before these were kept read as 0.
    int a_moves = 0;
    double a_seconds = 0, a_max_seconds = 0;
    std::string note;  // Why a game ended unusually (forfeits, move limit).
    // A fingerprint of the game's moves (0: not known, a game read back without its SGF): two
    // games with the same one were played move for move alike.
    uint64_t moves_hash = 0;
};

struct MatchResult {
    std::vector<GameOutcome> games;
    int a_wins = 0, b_wins = 0, draws = 0;
    // A's win rate (draws as half) and its 95% Wilson score interval.
    double rate = 0, low = 0, high = 0;
    // A's timed moves over all games: count, mean and longest seconds.
    int a_moves = 0;
    double a_mean_seconds = 0, a_max_seconds = 0;
    // Games that repeat an earlier game of the match move for move. Deterministic engines that
    // run from game to game do that, and the interval above then counts one game several times:
    // give them a seed per game (`--seed {game}`, MatchOptions::engine_a). Even seeded engines
    // can meet the same game again (GNU Go's level 10 varies little), so the distinct games are
    // scored apart: each repeat as (its game number, the earlier game's), and A's win rate and
    // interval over the games that repeat none before them.
    int repeats = 0;
    std::vector<std::pair<int, int>> repeated;
    int distinct = 0;
    double distinct_wins = 0;  // Draws as half.
    double distinct_rate = 0, distinct_low = 0, distinct_high = 0;
};

// The 95% Wilson score interval of a proportion with `wins` successes in n trials.
std::pair<double, double> wilson_interval(double wins, int n, double z = 1.96);

// Plays engine A against engine B for `games` games, A taking Black in odd-numbered games
// (1, 3, ...) and White in the others, `parallel` games at a time. Each game: boardsize, clear_board and komi to every
// engine, then genmove / play in turn until a resignation, two passes in a row, or the move
// limit; the referee (if any) replays the moves and lists the dead stones for the count (or
// gives final_score). An illegal move, a timeout or a crash forfeits that game for the engine at
// fault, which is restarted. Writes every game as SGF (a counted game with each side's
// territory, its empty points and the other's dead stones, as TB/TW on its last node) and a
// results CSV, atomically, after each game, when out_dir is set; with
// resume, a killed match plays only the games its results CSV does not have.
MatchResult play_match(const MatchOptions& options);

// The result in a few lines: the wins and A's score with its interval, A's move times, and
// the games that repeat an earlier one (when any do).
std::string describe(const MatchResult& r);

// The fingerprint of a game's moves (GameOutcome::moves_hash), never 0.
uint64_t moves_fingerprint(const std::vector<Move>& moves);

// results.csv as a match writes it: a header (game,a_color,result,a_won,draw,moves,a_moves,
// a_mean_s,a_max_s,note) and a line per finished game, in game order.
std::string results_csv(const std::map<int, GameOutcome>& done);
// The finished games of a results.csv text (also the older form without A's move times) of a
// match of `games` games: ParseError naming path and line for a wrong header, a short line,
// numbers that are not, negative times, a game number repeated or out of range, or a colour
// that does not follow the match's order (A Black in odd-numbered games).
std::map<int, GameOutcome> parse_results(const std::string& text, const std::string& path, int games);

// Scores the finished games of a match directory again (results.csv and game-NNN.sgf from
// play_match) under area rules, with the referee's dead stones removed; resignations and
// forfeits stand. Rewrites results.csv, summary.txt and each counted game's SGF (its result
// and territory marks) and returns the match with, in
// `changed`, the numbers of the games whose winner changed.
struct RescoreResult {
    MatchResult match;
    std::vector<int> changed;
};
RescoreResult rescore_match(const std::string& dir, const std::string& referee, double timeout = 120);

}  // namespace kaya::go
