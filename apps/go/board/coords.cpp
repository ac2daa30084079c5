// SPDX-License-Identifier: MIT
#include "apps/go/board/coords.h"

#include <cctype>

#include "kaya/core/error.h"

namespace kaya::go {

char column_letter(int x) { return static_cast<char>('A' + x + (x >= 8 ? 1 : 0)); }

std::string point_to_gtp(const Board& board, Point p) {
    if (p == kPass) return "pass";
    return std::string(1, column_letter(board.x_of(p))) +
           std::to_string(board.size() - board.y_of(p));
}

Point parse_gtp_vertex(const Board& board, std::string_view text) {
    std::string t;
    for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t == "pass") return kPass;
    auto bad = [&](const char* why) {
        return ValueError("invalid vertex '" + std::string(text) + "': " + why);
    };
    if (t.size() < 2 || t.size() > 3 || !std::isalpha(static_cast<unsigned char>(t[0]))) {
        throw bad("expected a letter and a number, e.g. D4, or pass");
    }
    if (t[0] == 'i') throw bad("GTP columns skip the letter I");
    int x = t[0] - 'a' - (t[0] > 'i' ? 1 : 0);
    int row = 0;
    for (size_t i = 1; i < t.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(t[i])))
            throw bad("expected a row number after the column");
        row = row * 10 + (t[i] - '0');
    }
    int y = board.size() - row;
    if (!board.on_board(x, y)) {
        throw bad(("off the " + std::to_string(board.size()) + "x" + std::to_string(board.size()) +
                   " board")
                      .c_str());
    }
    return board.point(x, y);
}

std::string point_to_sgf(const Board& board, Point p) {
    if (p == kPass) return "";
    return {static_cast<char>('a' + board.x_of(p)), static_cast<char>('a' + board.y_of(p))};
}

Point parse_sgf_point(const Board& board, std::string_view text) {
    if (text.empty() || (text == "tt" && board.size() <= 19)) return kPass;
    KAYA_CHECK(text.size() == 2, ValueError, "invalid SGF point '", std::string(text),
               "': expected two letters");
    auto coord = [&](char c) {
        if (c >= 'a' && c <= 'z') return c - 'a';
        if (c >= 'A' && c <= 'Z') return c - 'A' + 26;
        throw ValueError("invalid SGF point '" + std::string(text) +
                         "': expected letters a-z or A-Z");
    };
    int x = coord(text[0]), y = coord(text[1]);
    KAYA_CHECK(board.on_board(x, y), ValueError, "SGF point '", std::string(text), "' is off the ",
               board.size(), "x", board.size(), " board");
    return board.point(x, y);
}

}  // namespace kaya::go
