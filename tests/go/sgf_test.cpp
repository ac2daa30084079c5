// SPDX-License-Identifier: MIT
// SGF: parsing (trees, escapes, passes, old-style identifiers, raw bytes), printing back,
// reading a game record, clear errors with line and column, mutated files, directory loads.
#include "apps/go/sgf/sgf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "apps/go/board/coords.h"
#include "kaya/core/error.h"

namespace kaya::go {
namespace {

namespace fs = std::filesystem;

const char* kGame =
    "(;FF[4]GM[1]SZ[9]KM[6.5]PB[Black \\] player]PW[Wh\xff\xfeite]RE[W+2.5]DT[2024-01-02]\n"
    "C[a comment with a soft\\\nbreak]\n"
    ";B[ee];W[cc]\n"
    "(;B[gc];W[];B[tt])\n"
    "(;B[cg]))\n";

TEST(Sgf, ParsesTreesEscapesAndRawBytes) {
    auto games = parse_sgf(kGame, "t.sgf");
    ASSERT_EQ(games.size(), 1u);
    const SgfNode& root = games[0];
    EXPECT_EQ(*root.get("PB"), "Black ] player");
    EXPECT_EQ(*root.get("PW"), "Wh\xff\xfeite");  // Bytes kept as they are.
    EXPECT_EQ(*root.get("C"), "a comment with a softbreak");
    ASSERT_EQ(root.children.size(), 1u);
    const SgfNode& w = root.children[0].children[0];
    EXPECT_EQ(*w.get("W"), "cc");
    ASSERT_EQ(w.children.size(), 2u);  // Main line and one variation.
    EXPECT_EQ(*w.children[1].get("B"), "cg");
    EXPECT_EQ(root.get("XX"), nullptr);
}

TEST(Sgf, ReadsTheMainLineWithPasses) {
    GameRecord r = read_game(parse_sgf(kGame, "t.sgf")[0], "t.sgf");
    EXPECT_EQ(r.size, 9);
    EXPECT_EQ(r.komi, 6.5);
    EXPECT_EQ(r.result, "W+2.5");
    ASSERT_EQ(r.moves.size(), 5u);
    Board b(9);
    EXPECT_EQ(point_to_gtp(b, r.moves[0].point), "E5");
    EXPECT_EQ(r.moves[3].color, Color::White);
    EXPECT_EQ(r.moves[3].point, kPass);  // W[]
    EXPECT_EQ(r.moves[4].point, kPass);  // B[tt]
    Game g = r.replay();
    EXPECT_EQ(g.moves().size(), 5u);
    EXPECT_EQ(g.trailing_passes(), 2);
}

// Territory marks (TB/TW) of the last node: read, written back, and a point marked twice or a
// pass marked is refused with the node.
TEST(Sgf, TerritoryMarksOfTheLastNodeTravelWithTheRecord) {
    GameRecord r = read_game(parse_sgf("(;SZ[5]RE[B+4.5];B[cc];W[dd]TB[aa:bb][ea]TW[ee])", "t")[0], "t");
    Board b(5);
    std::vector<std::string> black, white;
    for (Point p : r.territory_black) black.push_back(point_to_gtp(b, p));
    for (Point p : r.territory_white) white.push_back(point_to_gtp(b, p));
    EXPECT_EQ(black, (std::vector<std::string>{"A5", "B5", "A4", "B4", "E5"}));
    EXPECT_EQ(white, (std::vector<std::string>{"E1"}));
    const std::string text = write_sgf(game_to_sgf(r));
    EXPECT_NE(text.find("W[dd]TB[aa][ba][ab][bb][ea]TW[ee])"), std::string::npos) << text;
    GameRecord back = read_game(parse_sgf(text, "back")[0], "back");
    EXPECT_EQ(back.territory_black, r.territory_black);
    EXPECT_EQ(back.territory_white, r.territory_white);
    // Dead stones that count for neither side (DD) travel too, and share no point with TB/TW.
    GameRecord dimmed = read_game(parse_sgf("(;SZ[5]RE[B+4.5];B[cc];W[dd]TB[aa]DD[dd])", "t")[0], "t");
    ASSERT_EQ(dimmed.neutral_dead.size(), 1u);
    EXPECT_EQ(point_to_gtp(b, dimmed.neutral_dead[0]), "D2");
    const std::string dimmed_text = write_sgf(game_to_sgf(dimmed));
    EXPECT_NE(dimmed_text.find("TB[aa]DD[dd])"), std::string::npos) << dimmed_text;
    EXPECT_EQ(read_game(parse_sgf(dimmed_text, "back")[0], "back").neutral_dead, dimmed.neutral_dead);
    EXPECT_THROW(read_game(parse_sgf("(;SZ[5];B[cc]TB[dd]DD[dd])", "t")[0], "t"), ValueError);
    // Marks before the last node are not the count's.
    EXPECT_TRUE(read_game(parse_sgf("(;SZ[5]TB[aa];B[cc])", "t")[0], "t").territory_black.empty());
    for (const char* bad : {"(;SZ[5];B[cc]TB[aa]TW[aa])", "(;SZ[5];B[cc]TB[aa:bb][ba])", "(;SZ[5];B[cc]TW[])",
                            "(;SZ[5];B[cc]TB[zz])"}) {
        try {
            read_game(parse_sgf(bad, "t.sgf")[0], "t.sgf");
            ADD_FAILURE() << "accepted " << bad;
        } catch (const ValueError& e) {
            EXPECT_NE(std::string(e.what()).find("t.sgf: node 1: T"), std::string::npos) << e.what();
        }
    }
}

TEST(Sgf, PrintsAndParsesBackToTheSameTree) {
    auto games = parse_sgf(kGame, "t.sgf");
    std::string text = write_sgf(games[0]);
    auto again = parse_sgf(text, "again.sgf");
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(write_sgf(again[0]), text);
    EXPECT_NE(text.find("PB[Black \\] player]"), std::string::npos);
    // A record written by Kaya reads back to the same moves.
    GameRecord r = read_game(games[0], "t.sgf");
    std::string written = write_sgf(game_to_sgf(r));
    EXPECT_EQ(written.find("CA[UTF-8]"), std::string::npos);  // PW is not UTF-8.
    GameRecord back = read_game(parse_sgf(written, "w.sgf")[0], "w.sgf");
    ASSERT_EQ(back.moves.size(), r.moves.size());
    for (size_t i = 0; i < r.moves.size(); ++i) {
        EXPECT_EQ(back.moves[i].point, r.moves[i].point);
        EXPECT_EQ(back.moves[i].color, r.moves[i].color);
    }
    EXPECT_EQ(back.white, r.white);
}

TEST(Sgf, SeveralGamesSetupStonesAndOldIdentifiers) {
    auto games =
        parse_sgf("junk before (;SZ[5]AB[aa][bb:cc]AW[ee];W[dd])\n(;AddBlack[aa];B[bb])", "m.sgf");
    ASSERT_EQ(games.size(), 2u);
    GameRecord r = read_game(games[0], "m.sgf");
    EXPECT_EQ(r.setup.size(), 6u);  // aa, the 2x2 rectangle bb:cc, and ee.
    Game g = r.replay();
    EXPECT_EQ(g.board().at(g.board().point(2, 2)), Color::Black);
    EXPECT_EQ(*games[1].get("AB"), "aa");
}

void expect_parse_error(const std::string& text, const std::string& message) {
    try {
        parse_sgf(text, "bad.sgf");
        FAIL() << "accepted: " << text;
    } catch (const ParseError& e) {
        EXPECT_EQ(std::string(e.what()), message);
    }
}

TEST(Sgf, MalformedFilesGiveLineAndColumn) {
    expect_parse_error(
        "(;B[aa]\n;W[bb",
        "bad.sgf:2:6: expected ']' to close a value of W, reached the end of the file");
    expect_parse_error(
        "(;B[aa]", "bad.sgf:1:8: expected ')' to close the game tree, reached the end of the file");
    expect_parse_error("(;B[aa]W)", "bad.sgf:1:9: expected '[' after property W");
    expect_parse_error("(B[aa])", "bad.sgf:1:2: expected ';' to start a node after '('");
    expect_parse_error("no tree here", "bad.sgf:1:13: no game tree found (expected '(;')");
    expect_parse_error("(;B[aa]]", "bad.sgf:1:8: unexpected ']' in a game tree");
    EXPECT_THROW(read_game(parse_sgf("(;SZ[25];B[aa])", "s")[0], "s"), ValueError);
    EXPECT_THROW(read_game(parse_sgf("(;SZ[9];B[zz])", "s")[0], "s"), ValueError);
    EXPECT_THROW(read_game(parse_sgf("(;GM[2])", "s")[0], "s"), ValueError);
    EXPECT_THROW(read_game(parse_sgf("(;SZ[9];B[aa];AB[bb])", "s")[0], "s"), ValueError);
    try {
        read_game(parse_sgf("(;SZ[9];B[aa];W[aa])", "s")[0], "s").replay();
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "move 2: play: W A9 is occupied");
    }
}

TEST(Sgf, MutatedFilesAreRefusedOrReadNeverCrash) {
    const std::string base = kGame;
    uint64_t state = 99;
    auto rnd = [&](size_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<size_t>((state >> 33) % n);
    };
    const char alphabet[] = "()[];\\:BWaztAB \n";
    int parsed = 0, refused = 0;
    for (int i = 0; i < 600; ++i) {
        std::string s = base;
        switch (i % 3) {
            case 0:
                s.resize(rnd(s.size()));
                break;
            case 1:
                s[rnd(s.size())] = alphabet[rnd(sizeof alphabet - 1)];
                break;
            default:
                s.insert(rnd(s.size()), 1, alphabet[rnd(sizeof alphabet - 1)]);
                break;
        }
        try {
            for (const auto& root : parse_sgf(s, "fuzz.sgf")) read_game(root, "fuzz.sgf").replay();
            ++parsed;
        } catch (const Error&) {
            ++refused;
        }
    }
    EXPECT_GT(parsed, 0);
    EXPECT_GT(refused, 0);
    // Deep nesting is refused, not a stack overflow; a very long game is fine.
    std::string deep = "(;B[aa]";
    for (int i = 0; i < 20000; ++i) deep += "(;B[aa]";
    EXPECT_THROW(parse_sgf(deep, "deep.sgf"), ParseError);
    std::string longest = "(;SZ[9]";
    for (int i = 0; i < 200000; ++i) longest += i % 2 ? ";W[]" : ";B[]";
    auto games = parse_sgf(longest + ")", "long.sgf");
    EXPECT_EQ(read_game(games[0], "long.sgf").moves.size(), 200000u);
}

TEST(Sgf, DirectoryLoadSkipsBadFilesAndSaysWhy) {
    fs::path dir = fs::temp_directory_path() / ("kaya_sgf_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "sub");
    auto write = [&](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
    write(dir / "a.sgf", "(;SZ[9];B[ee];W[cc])(;SZ[9];B[aa])");
    write(dir / "sub" / "b.SGF", "(;SZ[9];B[ee];W[ee])");  // Illegal: occupied.
    write(dir / "c.sgf", "(;SZ[9];B[ee]");                 // Unclosed.
    write(dir / "notes.txt", "not a game");
    SgfCollection c = load_sgf_directory(dir.string());
    EXPECT_EQ(c.games.size(), 2u);
    ASSERT_EQ(c.skipped.size(), 2u);
    EXPECT_NE(c.skipped[0].reason.find("expected ')'"), std::string::npos) << c.skipped[0].reason;
    EXPECT_NE(c.skipped[1].reason.find("occupied"), std::string::npos) << c.skipped[1].reason;
    EXPECT_THROW(load_sgf_directory((dir / "missing").string()), IoError);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::go
