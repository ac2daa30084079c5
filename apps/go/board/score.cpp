// SPDX-License-Identifier: MIT
#include "apps/go/board/score.h"

#include <algorithm>
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

// Who owns each point of a plain grid of colours (dead stones already lifted): a stone's
// colour, an empty region's colour when it borders only that colour, else Empty (neutral).
std::array<Color, Board::kMaxPoints> owners(const Board& board, const std::array<Color, Board::kMaxPoints>& grid) {
    std::array<Color, Board::kMaxPoints> own;
    own.fill(Color::Off);
    std::array<bool, Board::kMaxPoints> done{};
    for (Point p : board.points()) {
        if (grid[p] != Color::Empty) own[p] = grid[p];
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
        const Color c = black && !white ? Color::Black : white && !black ? Color::White : Color::Empty;
        for (Point q : region) own[q] = c;
    }
    return own;
}

Score count(const Board& board, const std::array<Color, Board::kMaxPoints>& grid, double komi) {
    Score s;
    s.white = komi;
    const auto own = owners(board, grid);
    for (Point p : board.points()) {
        s.black += own[p] == Color::Black;
        s.white += own[p] == Color::White;
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

namespace {

// The board's colours with the strings of `dead` lifted.
std::array<Color, Board::kMaxPoints> without_dead(const Board& board, const std::vector<Point>& dead) {
    auto grid = grid_of(board);
    for (Point d : dead) {
        for (Point s : board.string_stones(d)) grid[s] = Color::Empty;
    }
    return grid;
}

}  // namespace

Score area_score(const Board& board, double komi, const std::vector<Point>& dead) {
    return count(board, without_dead(board, dead), komi);
}

std::vector<Color> area_owners(const Board& board, const std::vector<Point>& dead) {
    const auto own = owners(board, without_dead(board, dead));
    return std::vector<Color>(own.begin(), own.end());
}

namespace {

// The stones of a colour enclosed by the other's are dead when they are few: the region they
// sit in (the points reachable from them through empty points and friends) is bordered by more
// than kDeadRatios[pass] times as many enemy stones as it holds friends, and the friends have fewer
// than two eyes. Kaya's policy plays into the opponent's area after a pass; such stones, and
// the opponent's inside ours, are what this finds.
// The clearest cases go first, so that intruders do not count against the wall around them.
constexpr double kDeadRatios[] = {4.0, 2.0, 1.25, 1.25};

struct Grid {
    const Board& board;
    std::array<Color, Board::kMaxPoints> g;
};

// Whether the friends of a region can live: two or more eye spaces (empty areas inside the
// region bordered by `c` alone), or one big enough (7 points or more) to make two.
bool can_live(const Grid& grid, const std::vector<Point>& region, Color c) {
    std::array<bool, Board::kMaxPoints> done{};
    int spaces = 0;
    for (Point p : region) {
        if (grid.g[p] != Color::Empty || done[p]) continue;
        std::vector<Point> stack{p};
        done[p] = true;
        int size = 0;
        bool enclosed = true;
        while (!stack.empty()) {
            Point q = stack.back();
            stack.pop_back();
            ++size;
            for (Point n : grid.board.neighbours(q)) {
                if (grid.g[n] == Color::Empty && !done[n]) {
                    done[n] = true;
                    stack.push_back(n);
                } else if (grid.g[n] != Color::Empty && grid.g[n] != c && grid.g[n] != Color::Off) {
                    enclosed = false;
                }
            }
        }
        if (!enclosed) continue;
        if (size >= 7) return true;
        ++spaces;
    }
    return spaces >= 2;
}

}  // namespace

std::vector<Point> estimate_dead(const Board& board) {
    Grid grid{board, grid_of(board)};
    std::vector<Point> dead;
    for (const double ratio : kDeadRatios) {
        std::vector<Point> now_dead;
        std::array<bool, Board::kMaxPoints> seen{};
        for (Point start : board.points()) {
            const Color c = grid.g[start];
            if ((c != Color::Black && c != Color::White) || seen[start]) continue;
            const Color enemy = c == Color::Black ? Color::White : Color::Black;
            // The region: empty points and friends reachable from `start` without crossing enemy.
            std::vector<Point> region{start}, stack{start}, friends;
            std::array<bool, Board::kMaxPoints> border{};
            int enemies = 0;
            seen[start] = true;
            std::array<bool, Board::kMaxPoints> in{};
            in[start] = true;
            while (!stack.empty()) {
                Point q = stack.back();
                stack.pop_back();
                if (grid.g[q] == c) {
                    friends.push_back(q);
                    seen[q] = true;
                }
                for (Point n : board.neighbours(q)) {
                    if (grid.g[n] == enemy) {
                        enemies += !border[n];
                        border[n] = true;
                    } else if ((grid.g[n] == c || grid.g[n] == Color::Empty) && !in[n]) {
                        in[n] = true;
                        region.push_back(n);
                        stack.push_back(n);
                    }
                }
            }
            if (static_cast<double>(enemies) > ratio * static_cast<double>(friends.size()) &&
                !can_live(grid, region, c)) {
                now_dead.insert(now_dead.end(), friends.begin(), friends.end());
            }
        }
        for (Point p : now_dead) {
            grid.g[p] = Color::Empty;
            dead.push_back(p);
        }
    }
    return dead;
}

Score estimated_score(const Board& board, double komi) { return area_score(board, komi, estimate_dead(board)); }

std::vector<Color> estimated_owners(const Board& board) { return area_owners(board, estimate_dead(board)); }

}  // namespace kaya::go
