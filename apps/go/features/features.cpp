// SPDX-License-Identifier: MIT
#include "apps/go/features/features.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace kaya::go {

namespace {

bool is_stone(Color c) { return c == Color::Black || c == Color::White; }

// What a legal move at p would do, computed from the neighbouring strings without playing it.
struct MoveEffect {
    int captured = 0;   // Opponent stones removed.
    int own_size = 1;   // Stones in the player's string after the move.
    int liberties = 0;  // Its liberties after the move.
};

MoveEffect effect_of(const Board& b, Color me, Point p) {
    MoveEffect e;
    const Color them = opponent(me);
    // Distinct neighbouring strings by root stone (ids compared through same_string).
    std::array<Point, 4> own{}, dead{};
    int n_own = 0, n_dead = 0;
    for (Point n : b.neighbours(p)) {
        Color c = b.at(n);
        if (c == me) {
            bool seen = false;
            for (int i = 0; i < n_own; ++i) seen = seen || b.same_string(own[i], n);
            if (!seen) own[n_own++] = n;
        } else if (c == them && b.liberties(n) == 1) {
            bool seen = false;
            for (int i = 0; i < n_dead; ++i) seen = seen || b.same_string(dead[i], n);
            if (!seen) dead[n_dead++] = n;
        }
    }
    std::array<bool, Board::kMaxPoints> mark{};
    auto is_dead = [&](Point q) {
        for (int i = 0; i < n_dead; ++i) {
            if (b.same_string(dead[i], q)) return true;
        }
        return false;
    };
    for (int i = 0; i < n_dead; ++i) e.captured += b.string_size(dead[i]);
    // Liberties of the joined string: empty neighbours of its stones other than p, plus the
    // points of captured stones next to it.
    auto add_neighbours = [&](Point s) {
        for (Point n : b.neighbours(s)) {
            if (n == p || mark[n]) continue;
            if (b.at(n) == Color::Empty || (b.at(n) == them && is_dead(n))) {
                mark[n] = true;
                ++e.liberties;
            }
        }
    };
    add_neighbours(p);
    for (int i = 0; i < n_own; ++i) {
        e.own_size += b.string_size(own[i]);
        for (Point s : b.string_stones(own[i])) add_neighbours(s);
    }
    return e;
}

int bin(int v, int lo, int planes) { return std::clamp(v - lo, 0, planes - 1); }

// Attacker to move: can the string at target (two liberties) be put in atari so that the
// ladder then works?
bool attacker_wins(const Board& b, Point target, Color attacker, int depth) {
    for (Point a : b.string_liberties(target)) {
        if (!b.is_legal(attacker, a)) continue;
        Board c = b;
        c.play(attacker, a);
        if (c.liberties(target) == 1 && ladder_captured(c, target, attacker, depth - 1))
            return true;
    }
    return false;
}

}  // namespace

bool ladder_captured(const Board& b, Point target, Color attacker, int max_depth) {
    if (max_depth <= 0) return false;
    const Color defender = opponent(attacker);
    if (b.at(target) != defender || b.liberties(target) != 1) return false;
    // The defender's tries: extend at the last liberty, or capture an adjacent attacker string
    // that is itself in atari.
    std::vector<Point> tries = b.string_liberties(target);
    for (Point s : b.string_stones(target)) {
        for (Point n : b.neighbours(s)) {
            if (b.at(n) == attacker && b.liberties(n) == 1) {
                Point lib = b.string_liberties(n).front();
                if (std::find(tries.begin(), tries.end(), lib) == tries.end()) tries.push_back(lib);
            }
        }
    }
    for (Point m : tries) {
        if (!b.is_legal(defender, m)) continue;
        Board c = b;
        c.play(defender, m);
        const int libs = c.liberties(target);
        if (libs >= 3) return false;  // Escaped.
        if (libs == 2 && !attacker_wins(c, target, attacker, max_depth - 1)) return false;
        // libs == 1: this try fails; the attacker captures next.
    }
    return true;
}

void extract_features(const Board& b, Color me, float* out) {
    const int n = b.size(), area = n * n;
    std::memset(out, 0, sizeof(float) * kNumFeaturePlanes * area);
    const Color them = opponent(me);
    auto at = [&](int plane, Point p) -> float& {
        return out[plane * area + b.y_of(p) * n + b.x_of(p)];
    };
    for (Point p : b.points()) {
        const Color c = b.at(p);
        at(plane::kOnes, p) = 1;
        if (is_stone(c)) {
            at(c == me ? plane::kPlayer : plane::kOpponent, p) = 1;
            const int played = b.played_at(p);
            const int ago = played == 0 ? 8 : b.move_number() - played + 1;
            at(plane::kTurnsSince + bin(ago, 1, 8), p) = 1;
            at(plane::kLiberties + bin(b.liberties(p), 1, 8), p) = 1;
            continue;
        }
        at(plane::kEmpty, p) = 1;
        if (!b.is_legal(me, p)) continue;
        const MoveEffect e = effect_of(b, me, p);
        at(plane::kCaptureSize + bin(e.captured, 0, 8), p) = 1;
        if (e.liberties == 1) at(plane::kSelfAtari + bin(e.own_size, 1, 8), p) = 1;
        at(plane::kLibertiesAfter + bin(e.liberties, 1, 8), p) = 1;
        if (!b.is_eye(me, p)) at(plane::kSensible, p) = 1;
        // Ladders only where they can matter: next to an opponent string with two liberties
        // (capture) or on the liberty of a player string in atari (escape).
        bool capture_candidate = false, escape_candidate = false;
        for (Point q : b.neighbours(p)) {
            if (b.at(q) == them && b.liberties(q) == 2) capture_candidate = true;
            if (b.at(q) == me && b.liberties(q) == 1) escape_candidate = true;
        }
        if (!capture_candidate && !escape_candidate) continue;
        Board after = b;
        after.play(me, p);
        if (capture_candidate) {
            for (Point q : b.neighbours(p)) {
                if (after.at(q) == them && after.liberties(q) == 1 &&
                    ladder_captured(after, q, me)) {
                    at(plane::kLadderCapture, p) = 1;
                    break;
                }
            }
        }
        if (escape_candidate) {
            const int libs = after.liberties(p);
            // Two liberties: safe only if the opponent, to move, cannot ladder it.
            if (libs >= 3 || (libs == 2 && !attacker_wins(after, p, them, 200)))
                at(plane::kLadderEscape, p) = 1;
        }
    }
}

std::vector<float> extract_features(const Board& b, Color me) {
    std::vector<float> out(static_cast<size_t>(kNumFeaturePlanes) * b.size() * b.size());
    extract_features(b, me, out.data());
    return out;
}

void symmetric_xy(int sym, int size, int& x, int& y) {
    const int m = size - 1;
    if (sym >= 4) x = m - x;  // Left-right flip first, then the rotation.
    for (int r = 0; r < sym % 4; ++r) {
        // 90 degrees clockwise: (x, y) -> (m - y, x).
        const int nx = m - y, ny = x;
        x = nx;
        y = ny;
    }
}

Point symmetric_point(const Board& b, Point p, int sym) {
    if (p == kPass) return kPass;
    int x = b.x_of(p), y = b.y_of(p);
    symmetric_xy(sym, b.size(), x, y);
    return b.point(x, y);
}

void symmetric_planes(int sym, int size, int planes, const float* in, float* out) {
    const int area = size * size;
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            int tx = x, ty = y;
            symmetric_xy(sym, size, tx, ty);
            for (int k = 0; k < planes; ++k)
                out[k * area + ty * size + tx] = in[k * area + y * size + x];
        }
    }
}

}  // namespace kaya::go
