// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apps/go/board/game.h"

namespace kaya::go {

// SGF FF[4] (https://www.red-bean.com/sgf/): a file holds one or more game trees; a tree is
// a sequence of nodes followed by variations. Property values are kept as raw bytes (any
// encoding, invalid UTF-8 included) with SGF escapes removed.
struct SgfProperty {
    std::string name;                 // Upper-case identifier ("B", "AB", "KM").
    std::vector<std::string> values;  // One or more values, unescaped.
};

struct SgfNode {
    std::vector<SgfProperty> properties;
    std::vector<SgfNode> children;  // children[0] is the main line; others are variations.

    // Move-only: a copy would recurse down a long game's chain of nodes.
    SgfNode() = default;
    SgfNode(const SgfNode&) = delete;
    SgfNode(SgfNode&&) noexcept = default;
    SgfNode& operator=(const SgfNode&) = delete;
    SgfNode& operator=(SgfNode&&) noexcept = default;
    ~SgfNode();

    // The first value of a property, or nullptr.
    const std::string* get(std::string_view name) const;
    // All values of a property (empty if absent).
    std::vector<std::string> get_all(std::string_view name) const;
    // Sets a property's values, replacing any earlier ones.
    void set(std::string name, std::vector<std::string> values);
};

// Parses every game tree in text. Text outside the trees is ignored. ParseError
// "source:line:column: what" on malformed input (unclosed value or tree, bad identifier,
// node outside a tree, variations nested over 1000 deep); never reads out of bounds.
std::vector<SgfNode> parse_sgf(std::string_view text, const std::string& source);

// The tree as SGF text: one game tree, "]" and "\" escaped, a line break every few nodes.
std::string write_sgf(const SgfNode& root);

// One game's main line, read into Go terms.
struct GameRecord {
    int size = 19;
    double komi = 0;
    int handicap = 0;
    std::vector<Move> setup;  // AB/AW stones of the root node.
    std::vector<Move> moves;  // The main line; passes are kPass.
    std::string black, white, black_rank, white_rank, result, date;  // PB, PW, BR, WR, RE, DT.
    // TB and TW of the main line's last node: the points each side owns at the end besides its
    // living stones (its empty territory and the opponent's dead stones), as the game was
    // counted. With them, each point's final owner is known (final_ownership).
    std::vector<Point> territory_black, territory_white;
    // DD of the last node: dead stones whose points count for neither side (once removed, their
    // region touches both colours), which TB and TW cannot say; without them such a stone would
    // read as alive. SGF's DD dims points, as viewers show what is not counted.
    std::vector<Point> neutral_dead;
    // False for games of a network's own play (kaya go match of a net against itself): their
    // moves are not targets for a policy, while their outcome and final owners are.
    bool moves_are_targets = true;

    // The game replayed to its end (or to `moves_played` moves), with simple ko only (records
    // replay as they were played). ValueError naming the move number when a move is illegal.
    Game replay(size_t moves_played = static_cast<size_t>(-1)) const;
    // The same position as a Board alone (no history or undo; much cheaper).
    Board position(size_t moves_played = static_cast<size_t>(-1)) const;
};

// The main line of a parsed game: SZ (default 19; up to 19), KM, HA, AB/AW in the root, B/W
// moves ("" and, on boards up to 19x19, "tt" are passes), player names and result, TB/TW of
// its last node. ValueError naming the source and node for bad sizes, points off the board,
// setup stones (AB, AW, AE) after the root, or a point marked for both sides.
GameRecord read_game(const SgfNode& root, const std::string& source);

// A game record as an SGF tree (FF[4], GM[1], CA[UTF-8] unless names are not UTF-8).
SgfNode game_to_sgf(const GameRecord& record, const std::string& application = "Kaya");

// All games of every .sgf file under a directory (recursively, in path order). Files that
// fail to read or parse, and games that fail to read or replay, are skipped and listed with
// the reason. IoError if dir is not a directory.
struct SgfCollection {
    struct Skipped {
        std::string file, reason;  // file is "path" or "path game N" in a collection.
    };
    std::vector<GameRecord> games;
    std::vector<std::string> files;  // The file each game came from.
    std::vector<Skipped> skipped;
};
SgfCollection load_sgf_directory(const std::string& dir);
// Adds the games of one SGF text (a file or an archive member named `source`) to a
// collection, skipping what fails with the reason, as load_sgf_directory does per file.
void add_sgf_text(SgfCollection& collection, std::string_view text, const std::string& source);

}  // namespace kaya::go
