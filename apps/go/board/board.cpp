// SPDX-License-Identifier: MIT
#include "apps/go/board/board.h"

#include <mutex>

#include "apps/go/board/coords.h"
#include "kaya/core/error.h"
#include "kaya/core/random.h"

namespace kaya::go {

Color opponent(Color c) {
    if (c == Color::Black) return Color::White;
    if (c == Color::White) return Color::Black;
    return c;
}

const char* color_letter(Color c) {
    switch (c) {
        case Color::Black:
            return "B";
        case Color::White:
            return "W";
        default:
            return ".";
    }
}

uint64_t zobrist(Color c, Point p) {
    // A fixed key per (colour, point) from the core's SplitMix64: no table to build or share.
    return Generator::mix(static_cast<uint64_t>(p) * 2 + (c == Color::White ? 1 : 0));
}

Board::Board(int size) : size_(size) {
    KAYA_CHECK(size >= 2 && size <= kMaxSize, ValueError, "Board: size must be 2 to ", kMaxSize,
               ", got ", size);
    color_.fill(static_cast<uint8_t>(Color::Off));
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) color_[point(x, y)] = static_cast<uint8_t>(Color::Empty);
    }
    for (int p = 0; p < kMaxPoints; ++p) {
        parent_[p] = static_cast<int16_t>(p);
        next_[p] = static_cast<int16_t>(p);
    }
}

const std::vector<Point>& Board::points() const {
    // One list per size, built once (boards are copied often; the list is not).
    static std::array<std::vector<Point>, kMaxSize + 1> lists;
    static std::once_flag once[kMaxSize + 1];
    std::call_once(once[size_], [this] {
        for (int y = 0; y < size_; ++y) {
            for (int x = 0; x < size_; ++x) lists[size_].push_back(point(x, y));
        }
    });
    return lists[size_];
}

bool Board::is_legal(Color c, Point p) const {
    if (c != Color::Black && c != Color::White) return false;
    if (p == kPass) return true;
    if (p < 0 || p >= kMaxPoints || at(p) != Color::Empty) return false;
    if (p == ko_ && c == to_move_) return false;
    // Legal if it has a liberty, joins a friendly string that keeps another liberty, or
    // captures (an adjacent enemy string whose only liberty is p).
    for (Point n : neighbours(p)) {
        Color nc = at(n);
        if (nc == Color::Empty) return true;
        if (nc == c && libs_[parent_[n]] > 1) return true;
        if (nc == opponent(c) && libs_[parent_[n]] == 1) return true;
    }
    return false;
}

void Board::add_stone(Color c, Point p) {
    color_[p] = static_cast<uint8_t>(c);
    parent_[p] = static_cast<int16_t>(p);
    next_[p] = static_cast<int16_t>(p);
    stones_[p] = 1;
    libs_[p] = 0;
    hash_ ^= zobrist(c, p);
    // Each empty neighbour is a new liberty of the lone stone; each distinct neighbouring
    // string loses the liberty p (counted once per string, so counts stay exact).
    std::array<int, 4> seen{-1, -1, -1, -1};
    int k = 0;
    for (Point n : neighbours(p)) {
        Color nc = at(n);
        if (nc == Color::Empty) {
            ++libs_[p];
        } else if (nc == Color::Black || nc == Color::White) {
            int r = parent_[n];
            if (r == seen[0] || r == seen[1] || r == seen[2]) continue;
            seen[k++] = r;
            --libs_[r];
        }
    }
}

void Board::merge_strings(Point keep, Point other) {
    // The joined string's liberties are keep's plus those of other's that keep lacks: an
    // empty point next to other is already keep's liberty when one of its neighbours is a
    // stone of keep. Counting them walks other's stones only (play merges the smaller string
    // into the larger), not the joined string. Each liberty of other counts once: marks from a
    // per-thread counter, so no array is cleared per merge. Then other is relabelled into keep
    // and the two stone rings are spliced.
    thread_local std::array<uint32_t, kMaxPoints> mark{};
    thread_local uint32_t stamp = 0;
    if (++stamp == 0) {  // the counter wrapped: old marks could match again
        mark.fill(0);
        stamp = 1;
    }
    const int rk = parent_[keep], ro = parent_[other];
    int added = 0;
    Point s = ro;
    do {
        for (Point n : neighbours(s)) {
            if (at(n) != Color::Empty || mark[n] == stamp) continue;
            mark[n] = stamp;
            bool keeps = false;
            for (Point m : neighbours(n)) keeps = keeps || parent_[m] == rk;
            if (!keeps) ++added;
        }
        s = next_[s];
    } while (s != ro);
    s = ro;
    do {
        parent_[s] = static_cast<int16_t>(rk);
        s = next_[s];
    } while (s != ro);
    std::swap(next_[rk], next_[ro]);
    stones_[rk] = static_cast<int16_t>(stones_[rk] + stones_[ro]);
    libs_[rk] = static_cast<int16_t>(libs_[rk] + added);
}

int Board::play(Color c, Point p) {
    KAYA_CHECK(c == Color::Black || c == Color::White, ValueError,
               "play: colour must be black or white");
    if (p == kPass) {
        pass(c);
        return 0;
    }
    KAYA_CHECK(p >= 0 && p < kMaxPoints && at(p) != Color::Off, ValueError, "play: point ", p,
               " is not on the ", size_, "x", size_, " board");
    // The vertex text is made only on failure (KAYA_CHECK builds its message lazily).
    KAYA_CHECK(at(p) == Color::Empty, ValueError, "play: ", color_letter(c), " ",
               point_to_gtp(*this, p), " is occupied");
    KAYA_CHECK(!(p == ko_ && c == to_move_), ValueError, "play: ", color_letter(c), " ",
               point_to_gtp(*this, p), " retakes a ko immediately");
    KAYA_CHECK(is_legal(c, p), ValueError, "play: ", color_letter(c), " ", point_to_gtp(*this, p),
               " is suicide");

    add_stone(c, p);
    played_at_[p] = move_number_ + 1;
    // Join friendly neighbours.
    for (Point n : neighbours(p)) {
        if (at(n) == c && parent_[n] != parent_[p]) {
            // Keep the larger string's root (fewer relabels).
            if (stones_[parent_[n]] >= stones_[parent_[p]]) {
                merge_strings(n, p);
            } else {
                merge_strings(p, n);
            }
        }
    }
    // Capture enemy neighbours left without liberties.
    const Color e = opponent(c);
    int captured = 0;
    Point single = kPass;
    for (Point n : neighbours(p)) {
        if (at(n) == e && libs_[parent_[n]] == 0) {
            const int sz = stones_[parent_[n]];
            // The string's stones, read off its ring before the ring is undone (no heap
            // allocation: playouts capture often).
            std::array<int16_t, kMaxPoints> stones;
            Point t = n;
            for (int i = 0; i < sz; ++i, t = next_[t]) stones[i] = static_cast<int16_t>(t);
            captured += sz;
            if (sz == 1) single = n;
            for (int i = 0; i < sz; ++i) {
                const Point s = stones[i];
                color_[s] = static_cast<uint8_t>(Color::Empty);
                hash_ ^= zobrist(e, s);
                played_at_[s] = 0;
                parent_[s] = static_cast<int16_t>(s);
                next_[s] = static_cast<int16_t>(s);
            }
            for (int i = 0; i < sz; ++i) {
                const Point s = stones[i];
                std::array<int, 4> seen{-1, -1, -1, -1};
                int k = 0;
                for (Point m : neighbours(s)) {
                    Color mc = at(m);
                    if (mc != Color::Black && mc != Color::White) continue;
                    int r = parent_[m];
                    if (r == seen[0] || r == seen[1] || r == seen[2]) continue;
                    seen[k++] = r;
                    ++libs_[r];
                }
            }
        }
    }
    prisoners_[e == Color::Black ? 0 : 1] += captured;
    // Simple ko: a single stone captured by a single stone that now has exactly one liberty
    // (the point just emptied).
    ko_ = kPass;
    if (captured == 1 && stones_[parent_[p]] == 1 && libs_[parent_[p]] == 1) ko_ = single;
    last_move_ = p;
    ++move_number_;
    to_move_ = e;
    return captured;
}

void Board::pass(Color c) {
    KAYA_CHECK(c == Color::Black || c == Color::White, ValueError,
               "pass: colour must be black or white");
    ko_ = kPass;
    last_move_ = kPass;
    ++move_number_;
    to_move_ = opponent(c);
}

void Board::place(Color c, Point p) {
    KAYA_CHECK(c == Color::Black || c == Color::White, ValueError,
               "place: colour must be black or white");
    KAYA_CHECK(p >= 0 && p < kMaxPoints && at(p) == Color::Empty, ValueError,
               "place: ", at(p) == Color::Off ? "point is off the board" : "point is occupied");
    add_stone(c, p);
    for (Point n : neighbours(p)) {
        if (at(n) == c && parent_[n] != parent_[p]) merge_strings(n, p);
    }
    for (Point n : neighbours(p)) {
        KAYA_CHECK(at(n) != opponent(c) || libs_[parent_[n]] > 0, ValueError,
                   "place: setup stone at ", point_to_gtp(*this, p),
                   " leaves a string without liberties");
    }
    KAYA_CHECK(libs_[parent_[p]] > 0, ValueError, "place: setup stone at ", point_to_gtp(*this, p),
               " has no liberties");
    ko_ = kPass;
}

std::vector<Point> Board::string_stones(Point p) const {
    std::vector<Point> out;
    if (at(p) != Color::Black && at(p) != Color::White) return out;
    Point s = p;
    do {
        out.push_back(s);
        s = next_[s];
    } while (s != p);
    return out;
}

std::vector<Point> Board::string_liberties(Point p) const {
    std::vector<Point> out;
    if (at(p) != Color::Black && at(p) != Color::White) return out;
    std::array<bool, kMaxPoints> seen{};
    for (Point s : string_stones(p)) {
        for (Point n : neighbours(s)) {
            if (at(n) == Color::Empty && !seen[n]) {
                seen[n] = true;
                out.push_back(n);
            }
        }
    }
    return out;
}

bool Board::is_eye(Color c, Point p) const {
    if (at(p) != Color::Empty) return false;
    for (Point n : neighbours(p)) {
        if (at(n) != c && at(n) != Color::Off) return false;
    }
    int enemy = 0, off = 0;
    for (Point d : diagonals(p)) {
        if (at(d) == Color::Off) {
            ++off;
        } else if (at(d) == opponent(c)) {
            ++enemy;
        }
    }
    return off > 0 ? enemy == 0 : enemy <= 1;
}

std::string Board::to_text() const {
    std::string out = "   ";
    for (int x = 0; x < size_; ++x) {
        out += ' ';
        out += column_letter(x);
    }
    out += '\n';
    for (int y = 0; y < size_; ++y) {
        const int row = size_ - y;
        out += row < 10 ? "  " : " ";
        out += std::to_string(row);
        // The separator before each cell, and one after the last: brackets mark the last move.
        std::vector<char> sep(static_cast<size_t>(size_) + 1, ' ');
        if (last_move_ != kPass && y_of(last_move_) == y) {
            sep[x_of(last_move_)] = '(';
            sep[x_of(last_move_) + 1] = ')';
        }
        for (int x = 0; x < size_; ++x) {
            Point p = point(x, y);
            out += sep[x];
            out += at(p) == Color::Black ? 'X' : at(p) == Color::White ? 'O' : '.';
        }
        if (sep[size_] == ')') out += ')';
        out += '\n';
    }
    return out;
}

}  // namespace kaya::go
