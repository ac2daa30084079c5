// SPDX-License-Identifier: MIT
// The GTP engine as a transcript: commands in, exact replies out.
#include "apps/go/gtp/gtp.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace kaya::go {
namespace {

// Plays the first legal point in row order, or passes.
struct FirstLegal : Player {
    Point choose(const Game& g, Color c) override {
        auto m = g.legal_moves(c);
        return m.empty() ? kPass : m.front();
    }
};

struct Failing : Player {
    Point choose(const Game&, Color) override { throw std::runtime_error("no network loaded"); }
};

struct Resigning : Player {
    Point choose(const Game&, Color) override { return kResign; }
};

TEST(Gtp, AnEngineForOneBoardSizeRefusesOthers) {
    GtpEngine e(std::make_unique<FirstLegal>(), {.board_size = 9, .only_size = 9});
    EXPECT_EQ(e.handle("boardsize 19"), "? unacceptable size\n\n");
    EXPECT_EQ(e.handle("boardsize 9"), "= \n\n");
    EXPECT_EQ(e.handle("genmove b"), "= A9\n\n");
}

TEST(Gtp, TranscriptOfTheRequiredCommands) {
    GtpEngine e(std::make_unique<FirstLegal>());
    const std::vector<std::pair<std::string, std::string>> transcript = {
        {"protocol_version", "= 2\n\n"},
        {"7 name", "=7 Kaya\n\n"},
        {"version", "= 0.1.0\n\n"},
        {"known_command genmove", "= true\n\n"},
        {"known_command kgs-chat", "= false\n\n"},
        {"fly_to_the_moon", "? unknown command\n\n"},
        {"boardsize 25", "? unacceptable size\n\n"},
        {"boardsize five", "? syntax error: expected a number, got 'five'\n\n"},
        {"boardsize 5", "= \n\n"},
        {"komi 0.5", "= \n\n"},
        {"play b c3", "= \n\n"},
        {"play w c3", "? illegal move\n\n"},
        {"play x d3", "? syntax error: invalid color 'x'\n\n"},
        {"play b z9", "? syntax error: invalid vertex 'z9': off the 5x5 board\n\n"},
        {"play b", "? syntax error: usage: play color vertex\n\n"},
        {"12 genmove white", "=12 A5\n\n"},
        {"genmove b", "= B5\n\n"},
        {"\t# a comment only", ""},
        {"", ""},
        {"undo", "= \n\n"},
        {"undo", "= \n\n"},
        {"undo", "= \n\n"},
        {"undo", "? cannot undo\n\n"},
        {"final_score", "= W+0.5\n\n"},
        {"play black e1", "= \n\n"},
        {"final_score", "= B+24.5\n\n"},
        {"time_settings 300 30 5", "= \n\n"},
        {"time_left w 120 0", "= \n\n"},
        {"time_left w soon 0", "? syntax error: expected a number, got 'soon'\n\n"},
        {"clear_board", "= \n\n"},
        {"showboard",
         "= \n    A B C D E\n  5 . . . . .\n  4 . . . . .\n  3 . . . . .\n  2 . . . . .\n"
         "  1 . . . . .\nBlack (X) has captured 0 stones, White (O) 0; komi 0.5; Black to "
         "move\n\n"},
    };
    for (const auto& [in, want] : transcript) EXPECT_EQ(e.handle(in), want) << "command: " << in;
    EXPECT_FALSE(e.quit_requested());
    std::string list = e.handle("list_commands");
    for (const char* c : {"protocol_version", "name", "version", "known_command", "list_commands",
                          "quit", "boardsize", "clear_board", "komi", "play", "genmove", "undo",
                          "showboard", "final_score", "time_settings", "time_left"}) {
        EXPECT_NE(list.find(c), std::string::npos) << c;
    }
}

TEST(Gtp, RunStopsAtQuitAndSurvivesPlayerFailures) {
    std::istringstream in("genmove b\nname\n1 quit\nname\n");
    std::ostringstream out;
    GtpEngine e(std::make_unique<Failing>());
    e.run(in, out);
    EXPECT_EQ(out.str(), "? internal error: no network loaded\n\n= Kaya\n\n=1 \n\n");
    EXPECT_TRUE(e.quit_requested());
    GtpEngine r(std::make_unique<Resigning>());
    EXPECT_EQ(r.handle("genmove w"), "= resign\n\n");
    EXPECT_TRUE(r.game().moves().empty());
}

}  // namespace
}  // namespace kaya::go
