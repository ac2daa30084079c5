// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "apps/go/board/board.h"

namespace kaya::go {

// The 48 input planes of AlphaGo's policy network (Silver et al. 2016, Extended Data Table 2;
// ../shared/go-features.md), all seen from the side to move ("player"):
//   0-2   stone colour: player, opponent, empty
//   3     ones
//   4-11  turns since a stone was played: 1, 2, ..., 7, 8 or more (setup stones: 8+)
//   12-19 liberties of a stone's string: 1, ..., 7, 8+
//   20-27 capture size of a legal move: 0, 1, ..., 6, 7+ opponent stones
//   28-35 self-atari size of a legal move: 1, ..., 7, 8+ own stones left with one liberty
//   36-43 liberties of the player's string after a legal move: 1, ..., 7, 8+
//   44    ladder capture: the move ataris an opponent string that then dies in a ladder
//   45    ladder escape: the move extends a player string in atari and it survives the ladder
//   46    sensibleness: legal and not filling one of the player's own eyes
//   47    zeros
inline constexpr int kNumFeaturePlanes = 48;

namespace plane {
inline constexpr int kPlayer = 0, kOpponent = 1, kEmpty = 2, kOnes = 3, kTurnsSince = 4,
                     kLiberties = 12, kCaptureSize = 20, kSelfAtari = 28, kLibertiesAfter = 36,
                     kLadderCapture = 44, kLadderEscape = 45, kSensible = 46, kZeros = 47;
}

// Writes the planes for `player` to move on `board` into out: (48, size, size) floats,
// plane-major, rows from the top. Legality is the board's (simple ko, no suicide).
void extract_features(const Board& board, Color player, float* out);
std::vector<float> extract_features(const Board& board, Color player);

// Ladder reading, as the notes ask: the defender extends its only liberty (or captures an
// adjacent attacker string in atari), the attacker ataris again from either side, until the
// string is captured (true) or reaches 3+ liberties (false). The string at `target` must
// have one liberty and the defender is to move. Reading stops at `max_depth` plies (false).
bool ladder_captured(const Board& board, Point target, Color attacker, int max_depth = 200);

// The 8 symmetries of the square (sym 0 is the identity; 1-3 rotate by 90, 180, 270 degrees;
// 4-7 are those after a left-right flip): where point (x, y) goes.
void symmetric_xy(int sym, int size, int& x, int& y);
Point symmetric_point(const Board& board, Point p, int sym);
// Applies a symmetry to `planes` planes of size x size floats.
void symmetric_planes(int sym, int size, int planes, const float* in, float* out);

}  // namespace kaya::go
