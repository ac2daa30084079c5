// SPDX-License-Identifier: MIT
#include "apps/go/board/game.h"

#include "apps/go/board/coords.h"
#include "kaya/core/error.h"

namespace kaya::go {

Game::Game(int size, double komi) : history_{Board(size)}, komi_(komi) {
    seen_[board().hash()] = 1;
}

bool Game::is_legal(Color c, Point p) const {
    if (p == kPass) return c == Color::Black || c == Color::White;
    const Board& b = board();
    if (!b.is_legal(c, p)) return false;
    if (!superko_) return true;
    Board after = b;
    after.play(c, p);
    return seen_.count(after.hash()) == 0;
}

std::vector<Point> Game::legal_moves(Color c) const {
    std::vector<Point> out;
    for (Point p : board().points()) {
        if (is_legal(c, p)) out.push_back(p);
    }
    return out;
}

void Game::play(Color c, Point p, bool check_superko) {
    // One copy of the board per move: the new position is built in place at the end.
    history_.push_back(board());
    try {
        history_.back().play(c, p);  // Throws with the reason for board-rule violations.
    } catch (...) {
        history_.pop_back();
        throw;
    }
    if (check_superko && p != kPass && seen_.count(board().hash()) > 0) {
        history_.pop_back();
        throw ValueError("play: " + std::string(color_letter(c)) + " " + point_to_gtp(board(), p) +
                         " repeats an earlier position (superko)");
    }
    moves_.push_back({c, p});
    ++seen_[board().hash()];
}

void Game::place(Color c, Point p) {
    KAYA_CHECK(moves_.empty(), ValueError, "setup stones are only allowed before the first move");
    uint64_t old = board().hash();
    if (--seen_[old] == 0) seen_.erase(old);
    history_.back().place(c, p);
    ++seen_[board().hash()];
}

void Game::set_to_move(Color c) {
    KAYA_CHECK(moves_.empty(), ValueError, "the side to move is set only before the first move");
    history_.back().set_to_move(c);
}

bool Game::undo() {
    if (moves_.empty()) return false;
    uint64_t h = board().hash();
    if (--seen_[h] == 0) seen_.erase(h);
    history_.pop_back();
    moves_.pop_back();
    return true;
}

int Game::trailing_passes() const {
    int n = 0;
    for (auto it = moves_.rbegin(); it != moves_.rend() && it->point == kPass; ++it) ++n;
    return n;
}

}  // namespace kaya::go
