// SPDX-License-Identifier: MIT
#include "apps/go/board/score.h"

#include <cmath>
#include <cstdio>

namespace kaya::go {

std::string Score::result() const {
    const double m = margin();
    if (m == 0) return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s+%g", m > 0 ? "B" : "W", std::abs(m));
    return buf;
}

namespace {

// Stones as a plain grid of colours, so dead stones can be lifted without board rules.
Score count(const Board& board, std::array<Color, Board::kMaxPoints> grid, double komi) {
    Score s;
    s.white = komi;
    std::array<bool, Board::kMaxPoints> done{};
    for (Point p : board.points()) {
        if (grid[p] == Color::Black) s.black += 1;
        if (grid[p] == Color::White) s.white += 1;
        if (grid[p] != Color::Empty || done[p]) continue;
        // Flood the empty region from p and note which colours border it.
        std::vector<Point> stack{p}, region;
        done[p] = true;
        bool black = false, white = false;
        while (!stack.empty()) {
            Point q = stack.back();
            stack.pop_back();
            region.push_back(q);
            for (Point n : board.neighbours(q)) {
                if (grid[n] == Color::Black) black = true;
                if (grid[n] == Color::White) white = true;
                if (grid[n] == Color::Empty && !done[n]) {
                    done[n] = true;
                    stack.push_back(n);
                }
            }
        }
        if (black && !white) s.black += static_cast<double>(region.size());
        if (white && !black) s.white += static_cast<double>(region.size());
    }
    return s;
}

std::array<Color, Board::kMaxPoints> grid_of(const Board& board) {
    std::array<Color, Board::kMaxPoints> g;
    for (int p = 0; p < Board::kMaxPoints; ++p) g[p] = board.at(p);
    return g;
}

}  // namespace

Score tromp_taylor(const Board& board, double komi) { return count(board, grid_of(board), komi); }

Score area_score(const Board& board, double komi, const std::vector<Point>& dead) {
    auto grid = grid_of(board);
    for (Point d : dead) {
        for (Point s : board.string_stones(d)) grid[s] = Color::Empty;
    }
    return count(board, grid, komi);
}

}  // namespace kaya::go
