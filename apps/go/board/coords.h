// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "apps/go/board/board.h"

namespace kaya::go {

// GTP column letter of column x (0-based from the left): A..T without I.
char column_letter(int x);

// GTP vertex text of p: "D4" (rows counted from the bottom), or "pass".
std::string point_to_gtp(const Board& board, Point p);
// Parses a GTP vertex ("d4", "Q16", "pass", case-insensitive). ValueError naming the text
// when it is malformed or off this board.
Point parse_gtp_vertex(const Board& board, std::string_view text);

// SGF point text of p: two letters, column then row, from the top left ("dd"); "" for a pass.
std::string point_to_sgf(const Board& board, Point p);
// Parses an SGF point; "" and, on boards up to 19x19, "tt" are passes (FF[3] convention).
// ValueError when malformed or off the board.
Point parse_sgf_point(const Board& board, std::string_view text);

}  // namespace kaya::go
