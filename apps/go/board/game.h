// SPDX-License-Identifier: MIT
#pragma once

#include <unordered_map>
#include <vector>

#include "apps/go/board/board.h"

namespace kaya::go {

struct Move {
    Color color = Color::Black;
    Point point = kPass;
};

// A game: the current Board plus every earlier position, for undo and positional superko (a
// move may not recreate any earlier arrangement of stones, as in Chinese and Tromp-Taylor
// rules; Board alone checks simple ko). Komi is in points for White.
class Game {
public:
    explicit Game(int size = 19, double komi = 7.5);

    const Board& board() const { return history_.back(); }
    int size() const { return board().size(); }
    double komi() const { return komi_; }
    void set_komi(double komi) { komi_ = komi; }
    Color to_move() const { return board().to_move(); }
    const std::vector<Move>& moves() const { return moves_; }

    // Positional superko on (default, Chinese and Tromp-Taylor rules) or off (simple ko only,
    // as Japanese rules and many servers whose records must replay as played).
    void set_superko(bool on) { superko_ = on; }
    bool superko() const { return superko_; }

    // Board rules plus positional superko if on. Passes are always legal.
    bool is_legal(Color c, Point p) const;
    // Every legal point for c (passes not included).
    std::vector<Point> legal_moves(Color c) const;
    // Plays (or passes, p == kPass); ValueError with the reason when illegal.
    void play(Color c, Point p) { play(c, p, superko_); }
    // The same with superko checked or not for this move only (GTP takes a controller's
    // moves under simple ko, whatever the game's own setting).
    void play(Color c, Point p, bool check_superko);
    // Setup stones (handicap, SGF AB/AW) before the first move; ValueError after it. They are
    // part of the starting position, not moves.
    void place(Color c, Point p);
    // Who moves next from the starting position (White after handicap stones); ValueError after
    // the first move.
    void set_to_move(Color c);
    // Takes back the last move; false when there is none.
    bool undo();
    // Passes at the end of the move list (two in a row end the game).
    int trailing_passes() const;
    // Whether a position with these stones (Board::hash) has occurred in this game.
    bool seen(uint64_t stone_hash) const { return seen_.count(stone_hash) > 0; }

private:
    std::vector<Board> history_;  // history_.back() is the current position.
    std::vector<Move> moves_;
    std::unordered_map<uint64_t, int> seen_;  // Stone hashes of the positions in history_.
    double komi_;
    bool superko_ = true;
};

}  // namespace kaya::go
