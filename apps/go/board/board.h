// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kaya::go {

enum class Color : uint8_t { Empty = 0, Black = 1, White = 2, Off = 3 };

// Black <-> White; Empty and Off map to themselves.
Color opponent(Color c);
// "B", "W" (for SGF and GTP), "." for Empty.
const char* color_letter(Color c);

// A point of the board, as an index into a padded (size + 2)^2 grid whose border is Off (so
// neighbour loops need no bounds checks, as in Leela Zero's FastBoard). kPass is a pass.
using Point = int;
inline constexpr Point kPass = -1;

// One Go position: stones, strings (groups) with exact liberty counts kept incrementally,
// the simple-ko point, captures, a Zobrist hash of the stones, and when each stone was played.
// Rules: a move must be on an empty point, must not retake a simple ko, and must not be
// suicide (as in Japanese and Chinese rules). Positional superko needs the game's history and
// is checked by Game. The Board is a plain value: copying it is how callers try a move.
class Board {
public:
    static constexpr int kMaxSize = 19;
    static constexpr int kMaxPoints = (kMaxSize + 2) * (kMaxSize + 2);

    // An empty board, size 2 to 19 (ValueError otherwise).
    explicit Board(int size = 19);

    int size() const { return size_; }
    // (x, y): column 0..size-1 from the left, row 0..size-1 from the top (SGF's order).
    Point point(int x, int y) const { return (y + 1) * (size_ + 2) + x + 1; }
    int x_of(Point p) const { return p % (size_ + 2) - 1; }
    int y_of(Point p) const { return p / (size_ + 2) - 1; }
    bool on_board(int x, int y) const { return x >= 0 && y >= 0 && x < size_ && y < size_; }
    // All on-board points, row by row from the top left.
    const std::vector<Point>& points() const;
    // The four orthogonal neighbours of p (some may be Off).
    std::array<Point, 4> neighbours(Point p) const {
        const int w = size_ + 2;
        return {p - w, p - 1, p + 1, p + w};
    }
    std::array<Point, 4> diagonals(Point p) const {
        const int w = size_ + 2;
        return {p - w - 1, p - w + 1, p + w - 1, p + w + 1};
    }

    Color at(Point p) const { return static_cast<Color>(color_[p]); }
    // The side to move: Black first; every play or pass flips it. set_to_move overrides it
    // (for setup positions and GTP's play of either colour).
    Color to_move() const { return to_move_; }
    void set_to_move(Color c) { to_move_ = c; }

    // Legal for c under the board's own rules (empty, not suicide, not the simple-ko point).
    bool is_legal(Color c, Point p) const;
    // Plays c at p, removing captured strings; returns the number of stones captured. Throws
    // ValueError naming the point and the reason when the move is illegal.
    int play(Color c, Point p);
    // A pass by c: clears the ko point and gives the move to the opponent.
    void pass(Color c);
    // Puts a stone without the rules (SGF AB/AW setup); ValueError if p is not empty.
    // Setup stones that leave a string without liberties are refused too.
    void place(Color c, Point p);

    // Liberties / stones of the string containing the stone at p (0 for an empty point).
    int liberties(Point p) const {
        return at(p) == Color::Black || at(p) == Color::White ? libs_[parent_[p]] : 0;
    }
    int string_size(Point p) const {
        return at(p) == Color::Black || at(p) == Color::White ? stones_[parent_[p]] : 0;
    }
    // The stones of the string at p, and its liberties as points.
    std::vector<Point> string_stones(Point p) const;
    std::vector<Point> string_liberties(Point p) const;
    // True if p and q belong to the same string.
    bool same_string(Point p, Point q) const { return parent_[p] == parent_[q]; }

    // The point a simple-ko recapture is forbidden on for the side to move, or kPass.
    Point ko_point() const { return ko_; }
    // Stones of colour c captured by the opponent so far (prisoners of c).
    int prisoners(Color c) const { return c == Color::Black ? prisoners_[0] : prisoners_[1]; }
    // Zobrist hash of the stones alone (positional superko compares these).
    uint64_t hash() const { return hash_; }
    // Number of moves (plays and passes) made on this board.
    int move_number() const { return move_number_; }
    // The move number at which the stone on p was played (0 for setup stones).
    int played_at(Point p) const { return played_at_[p]; }
    Point last_move() const { return last_move_; }

    // A true eye of c at p: empty, every on-board neighbour is c, and of the diagonals at most
    // one (none on the edge) is the opponent's. Used for "do not fill your own eye".
    bool is_eye(Color c, Point p) const;

    // The position as text, row 19 at the top, columns A-T without I:
    //    A B C
    //  3 . X .
    //  2 O X .
    //  1 . . .
    // X is Black, O is White; the last move is shown in parentheses.
    std::string to_text() const;

private:
    void add_stone(Color c, Point p);
    void merge_strings(Point keep, Point other);

    int size_;
    Color to_move_ = Color::Black;
    Point ko_ = kPass;
    Point last_move_ = kPass;
    int move_number_ = 0;
    std::array<int, 2> prisoners_{};
    uint64_t hash_ = 0;
    std::array<uint8_t, kMaxPoints> color_{};
    // String bookkeeping: parent_ is the string's root, next_ links the string's stones in a
    // ring, libs_ and stones_ are valid at the root.
    std::array<int16_t, kMaxPoints> parent_{}, next_{}, libs_{}, stones_{};
    std::array<int32_t, kMaxPoints> played_at_{};
};

// Zobrist key of a stone of colour c (Black or White) on padded point p (any board size).
uint64_t zobrist(Color c, Point p);

}  // namespace kaya::go
