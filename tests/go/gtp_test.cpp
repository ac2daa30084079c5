// SPDX-License-Identifier: MIT
// The GTP engine as a transcript: commands in, exact replies out.
#include "apps/go/gtp/gtp.h"

#include <gtest/gtest.h>

#include "apps/go/board/score.h"

#include <cstdio>
#include <fstream>
#include <set>
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

// Passes whenever asked (resigns when told to).
struct Passing : Player {
    bool resign = false;
    Point choose(const Game&, Color) override { return resign ? kResign : kPass; }
};

TEST(Gtp, CleanupCapturesTheStonesEstimatedDeadBeforeThePlayerChooses) {
    auto player = std::make_unique<Passing>();
    Passing* passing = player.get();
    GtpEngine e(std::move(player), {.board_size = 7});
    // Black owns columns A-C, White E-G; a white stone sits at B4, inside Black's area.
    for (int y = 1; y <= 7; ++y) {
        ASSERT_EQ(e.handle("play b d" + std::to_string(y)), "= \n\n");
        ASSERT_EQ(e.handle("play w e" + std::to_string(y)), "= \n\n");
    }
    ASSERT_EQ(e.handle("play w b4"), "= \n\n");
    ASSERT_EQ(estimate_dead(e.game().board()), std::vector<Point>{e.game().board().point(1, 3)});
    EXPECT_EQ(e.handle("genmove b"), "= pass\n\n");  // The player alone would pass.
    ASSERT_EQ(e.handle("undo"), "= \n\n");
    // Cleanup takes the stone's four liberties, then leaves the choice to the player.
    std::set<std::string> played;
    for (int k = 0; k < 4; ++k) {
        const std::string r = e.handle("kgs-genmove_cleanup black");
        played.insert(r);
        if (k < 3) {
            EXPECT_EQ(e.handle("play w pass"), "= \n\n");
        }
    }
    EXPECT_EQ(played, (std::set<std::string>{"= A4\n\n", "= B3\n\n", "= B5\n\n", "= C4\n\n"}));
    EXPECT_EQ(e.game().board().at(e.game().board().point(1, 3)), Color::Empty);  // Captured.
    passing->resign = true;
    EXPECT_EQ(e.handle("kgs-genmove_cleanup b"), "= pass\n\n");  // Never resigns in cleanup.
    EXPECT_EQ(e.handle("kgs-genmove_cleanup"), "? syntax error: usage: kgs-genmove_cleanup color\n\n");
    EXPECT_EQ(e.handle("known_command kgs-genmove_cleanup"), "= true\n\n");
}

// final_status_list and final_score count the stones the engine's judge calls dead: the
// search-free estimate unless GtpOptions::dead_stones says otherwise.
TEST(Gtp, FinalStatusListAndFinalScoreFollowTheDeadStoneJudge) {
    auto setup = [](GtpEngine& e) {
        // Black owns columns A-D, White E-G; a white stone sits at B4, inside Black's area.
        for (int y = 1; y <= 7; ++y) {
            ASSERT_EQ(e.handle("play b d" + std::to_string(y)), "= \n\n");
            ASSERT_EQ(e.handle("play w e" + std::to_string(y)), "= \n\n");
        }
        ASSERT_EQ(e.handle("play w b4"), "= \n\n");
    };
    GtpEngine estimated(std::make_unique<Passing>(), {.board_size = 7});
    setup(estimated);
    EXPECT_EQ(estimated.handle("final_status_list dead"), "= B4\n\n");
    EXPECT_EQ(estimated.handle("final_status_list alive"),
              "= D7 D6 D5 D4 D3 D2 D1\nE7 E6 E5 E4 E3 E2 E1\n\n");
    EXPECT_EQ(estimated.handle("final_status_list seki"), "= \n\n");
    EXPECT_EQ(estimated.handle("final_score"), "= W+0.5\n\n");  // 28 against 21 + 7.5 komi.
    EXPECT_EQ(estimated.handle("final_status_list"), "? syntax error: usage: final_status_list alive|dead|seki\n\n");
    EXPECT_EQ(estimated.handle("final_status_list sleeping").rfind("? ", 0), 0u);
    // A judge that calls every stone alive: B4 stands, and the points around it are nobody's.
    GtpEngine all_alive(std::make_unique<Passing>(),
                        {.board_size = 7, .dead_stones = [](const Game&) { return std::vector<Point>{}; }});
    setup(all_alive);
    EXPECT_EQ(all_alive.handle("final_status_list dead"), "= \n\n");
    EXPECT_EQ(all_alive.handle("final_score"), "= W+22.5\n\n");  // 7 against 22 + 7.5: B4 and F-G.
    EXPECT_EQ(all_alive.handle("final_score"), "= " + tromp_taylor(all_alive.game().board(), 7.5).result() + "\n\n");
}

TEST(Gtp, AnEngineForOneBoardSizeRefusesOthers) {
    GtpEngine e(std::make_unique<FirstLegal>(), {.board_size = 9, .only_size = 9});
    EXPECT_EQ(e.handle("boardsize 19"), "? unacceptable size\n\n");
    EXPECT_EQ(e.handle("boardsize 48888888888888888888888888880"), "? unacceptable size\n\n");  // Fuzzing.
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
        {"boardsize five", "? syntax error: expected a finite number, got 'five'\n\n"},
        {"boardsize 5", "= \n\n"},
        {"komi 0.5", "= \n\n"},
        {"play b c3", "= \n\n"},
        {"play w c3", "? illegal move: occupied\n\n"},
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
        {"time_left w soon 0", "? syntax error: expected a finite number, got 'soon'\n\n"},
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
                          "showboard", "final_score", "time_settings", "time_left", "fixed_handicap",
                          "place_free_handicap", "set_free_handicap", "loadsgf"}) {
        EXPECT_NE(list.find(c), std::string::npos) << c;
    }
}

TEST(Gtp, HandicapCommands) {
    GtpEngine e(std::make_unique<FirstLegal>());
    EXPECT_EQ(e.handle("fixed_handicap 9"), "= D4 Q16 D16 Q4 D10 Q10 K4 K16 K10\n\n");
    EXPECT_EQ(e.game().to_move(), Color::White);
    EXPECT_TRUE(e.game().moves().empty());  // Setup stones, not moves.
    EXPECT_EQ(e.handle("fixed_handicap 2"), "? board not empty\n\n");
    EXPECT_EQ(e.handle("clear_board"), "= \n\n");
    EXPECT_EQ(e.handle("fixed_handicap 3"), "= D4 Q16 D16\n\n");
    EXPECT_EQ(e.handle("clear_board"), "= \n\n");
    EXPECT_EQ(e.handle("fixed_handicap 10"), "? invalid number of stones: 10 (19x19 takes 2 to 9)\n\n");
    EXPECT_EQ(e.handle("fixed_handicap 1"), "? invalid number of stones: 1 (19x19 takes 2 to 9)\n\n");
    EXPECT_EQ(e.handle("boardsize 9"), "= \n\n");
    EXPECT_EQ(e.handle("fixed_handicap 5"), "= C3 G7 C7 G3 E5\n\n");
    EXPECT_EQ(e.handle("boardsize 8"), "= \n\n");
    EXPECT_EQ(e.handle("fixed_handicap 5"), "? invalid number of stones: 5 (8x8 takes 2 to 4)\n\n");
    // The engine's own choice may be fewer stones than asked (spec 4.1.2).
    EXPECT_EQ(e.handle("boardsize 9"), "= \n\n");
    EXPECT_EQ(e.handle("place_free_handicap 12"), "= C3 G7 C7 G3 C5 G5 E3 E7 E5\n\n");
    EXPECT_EQ(e.handle("clear_board"), "= \n\n");
    EXPECT_EQ(e.handle("set_free_handicap A1 J9 E5"), "= A1 J9 E5\n\n");
    EXPECT_EQ(e.handle("genmove w"), "= A9\n\n");
    EXPECT_EQ(e.handle("clear_board"), "= \n\n");
    EXPECT_EQ(e.handle("set_free_handicap A1 A1"), "? bad vertex list: 'A1' is a pass or repeated\n\n");
    EXPECT_EQ(e.handle("set_free_handicap A1"), "? syntax error: usage: set_free_handicap vertex vertex [vertex...] (2 to size^2 - 1)\n\n");
}

TEST(Gtp, IllegalMovesSayWhyAndBadArgumentsAreShortAndRefused) {
    GtpEngine e(std::make_unique<FirstLegal>(), {.board_size = 5});
    for (const char* m : {"play b b1", "play w c1", "play b a2", "play w d2", "play b b3", "play w c3", "play b c2"})
        EXPECT_EQ(e.handle(m), "= \n\n") << m;
    EXPECT_EQ(e.handle("play b b1"), "? illegal move: occupied\n\n");
    EXPECT_EQ(e.handle("play w b2"), "= \n\n");  // Captures C2: a ko.
    EXPECT_EQ(e.handle("play b c2"), "? illegal move: ko\n\n");
    EXPECT_EQ(e.handle("clear_board"), "= \n\n");
    for (const char* m : {"play b a2", "play b b1"}) EXPECT_EQ(e.handle(m), "= \n\n") << m;
    EXPECT_EQ(e.handle("play w a1"), "? illegal move: suicide\n\n");
    for (const char* k : {"komi nan", "komi inf", "komi -inf", "komi 1e999"})
        EXPECT_EQ(e.handle(k).substr(0, 38), "? syntax error: expected a finite numb") << k;
    EXPECT_EQ(e.handle("final_score").substr(0, 3), "= B");
    const std::string huge(1 << 20, 'x');
    const std::string reply = e.handle("play b " + huge);
    EXPECT_LT(reply.size(), 120u) << reply.substr(0, 200);
    EXPECT_EQ(reply, "? syntax error: invalid vertex 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (1048576 characters)\n\n");
    EXPECT_LT(e.handle("komi " + huge).size(), 140u);
    EXPECT_LT(e.handle("genmove " + huge).size(), 140u);
}

TEST(Gtp, LoadsgfLoadsThePositionBeforeAMove) {
    const std::string path = ::testing::TempDir() + "/kaya_gtp_load.sgf";
    {
        std::ofstream f(path);
        f << "(;GM[1]SZ[9]KM[6.5]HA[2]AB[cg][gc];W[ee];B[dd];W[ff])";
    }
    GtpEngine e(std::make_unique<FirstLegal>());
    EXPECT_EQ(e.handle("loadsgf " + path), "= \n\n");
    EXPECT_EQ(e.game().size(), 9);
    EXPECT_EQ(e.game().komi(), 6.5);
    EXPECT_EQ(e.game().moves().size(), 3u);
    EXPECT_EQ(e.game().to_move(), Color::Black);
    EXPECT_EQ(e.handle("loadsgf " + path + " 2"), "= \n\n");  // Before move 2: W E5 played.
    EXPECT_EQ(e.game().moves().size(), 1u);
    EXPECT_EQ(e.game().to_move(), Color::Black);
    EXPECT_EQ(e.handle("play b e5"), "? illegal move: occupied\n\n");
    EXPECT_EQ(e.handle("loadsgf /nonexistent.sgf").substr(0, 19), "? cannot load file ");
    EXPECT_EQ(e.handle("loadsgf /dev/zero").substr(0, 19), "? cannot load file ");
    GtpEngine nineteen(std::make_unique<FirstLegal>(), {.only_size = 19});
    EXPECT_EQ(nineteen.handle("loadsgf " + path), "? unacceptable size\n\n");
    std::remove(path.c_str());
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
