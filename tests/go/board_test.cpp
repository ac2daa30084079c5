// SPDX-License-Identifier: MIT
// Go rules as golden text, KataGo's way: diagrams after move sequences, captures, suicide,
// ko, superko, undo, scoring; and the incremental string bookkeeping against a recount.
#include <gtest/gtest.h>

#include <algorithm>

#include "apps/go/board/coords.h"
#include "apps/go/board/game.h"
#include "apps/go/board/score.h"
#include "kaya/core/error.h"

namespace kaya::go {
namespace {

void play_all(Game& g, const std::vector<std::string>& moves) {
    Color c = Color::Black;
    for (const auto& m : moves) {
        g.play(c, parse_gtp_vertex(g.board(), m));
        c = opponent(c);
    }
}

TEST(Board, CaptureInTheCornerDiagram) {
    Game g(5);
    play_all(g, {"B1", "A1", "A2"});
    EXPECT_EQ(g.board().to_text(),
              "    A B C D E\n"
              "  5 . . . . .\n"
              "  4 . . . . .\n"
              "  3 . . . . .\n"
              "  2(X). . . .\n"
              "  1 . X . . .\n");
    EXPECT_EQ(g.board().prisoners(Color::White), 1);
    EXPECT_EQ(g.board().at(parse_gtp_vertex(g.board(), "A1")), Color::Empty);
}

TEST(Board, LastMoveAtTheRightEdgeAndLargeBoardLabels) {
    Game g(19);
    play_all(g, {"T19"});
    std::string text = g.board().to_text();
    EXPECT_EQ(text.substr(0, 42), "    A B C D E F G H J K L M N O P Q R S T\n");
    EXPECT_EQ(text.substr(42, 43), " 19 . . . . . . . . . . . . . . . . . .(X)\n");
}

TEST(Board, SuicideIsIllegalUnlessItCaptures) {
    Game g(5);
    play_all(g, {"B1", "E5", "A2", "E4"});
    Point a1 = parse_gtp_vertex(g.board(), "A1");
    EXPECT_FALSE(g.is_legal(Color::White, a1));
    try {
        g.play(Color::White, a1);
        FAIL() << "suicide accepted";
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "play: W A1 is suicide");
    }
    // Filling the last liberty of an enemy string is legal: it captures first.
    Game h(5);
    play_all(h, {"A2", "B2", "E5", "A3", "E4", "B1"});  // White surrounds A2 from A3, B2, B1.
    EXPECT_EQ(h.board().at(parse_gtp_vertex(h.board(), "A2")), Color::Black);
    EXPECT_TRUE(h.is_legal(Color::Black, parse_gtp_vertex(h.board(), "A1")) == false);
    h.play(Color::Black, parse_gtp_vertex(h.board(), "E3"));
    h.play(Color::White, parse_gtp_vertex(h.board(), "A1"));  // Captures A2, so not suicide.
    EXPECT_EQ(h.board().at(parse_gtp_vertex(h.board(), "A2")), Color::Empty);
}

// . X O . .
// X O . O .
// . X O . .
void ko_shape(Game& g) {
    const Board& b = g.board();
    for (auto [x, y] : {std::pair{1, 0}, {0, 1}, {1, 2}}) g.place(Color::Black, b.point(x, y));
    for (auto [x, y] : {std::pair{2, 0}, {1, 1}, {3, 1}, {2, 2}})
        g.place(Color::White, b.point(x, y));
}

TEST(Board, SimpleKoForbidsTheImmediateRecapture) {
    Game g(5);
    ko_shape(g);
    const Point take = g.board().point(2, 1), retake = g.board().point(1, 1);
    g.play(Color::Black, take);
    EXPECT_EQ(g.board().ko_point(), retake);
    EXPECT_FALSE(g.is_legal(Color::White, retake));
    EXPECT_THROW(g.play(Color::White, retake), ValueError);
    // After a ko threat and its answer, the retake is legal and captures one stone.
    g.play(Color::White, g.board().point(4, 4));
    g.play(Color::Black, g.board().point(0, 4));
    EXPECT_TRUE(g.is_legal(Color::White, retake));
    g.play(Color::White, retake);
    EXPECT_EQ(g.board().at(take), Color::Empty);
    EXPECT_EQ(g.board().ko_point(), take);
}

TEST(Game, PositionalSuperkoForbidsRepeatingAPosition) {
    Game g(5);
    ko_shape(g);
    const Point take = g.board().point(2, 1), retake = g.board().point(1, 1);
    g.play(Color::Black, take);
    g.play(Color::White, kPass);
    g.play(Color::Black, kPass);
    // The passes cleared the simple-ko point, so the board alone allows the retake, but it
    // would recreate the position before Black's capture.
    EXPECT_TRUE(g.board().is_legal(Color::White, retake));
    EXPECT_FALSE(g.is_legal(Color::White, retake));
    try {
        g.play(Color::White, retake);
        FAIL() << "superko accepted";
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "play: W B4 repeats an earlier position (superko)");
    }
    EXPECT_EQ(g.trailing_passes(), 2);
}

TEST(Game, UndoRestoresThePositionAndItsHistory) {
    Game g(5);
    play_all(g, {"B1", "A1"});
    const std::string before = g.board().to_text();
    const uint64_t hash = g.board().hash();
    play_all(g, {"A2"});  // Black's turn again by colour order: captures A1.
    ASSERT_TRUE(g.undo());
    EXPECT_EQ(g.board().to_text(), before);
    EXPECT_EQ(g.board().hash(), hash);
    EXPECT_EQ(g.moves().size(), 2u);
    ASSERT_TRUE(g.undo());
    ASSERT_TRUE(g.undo());
    EXPECT_FALSE(g.undo());
    EXPECT_THROW(Game(5).play(Color::Empty, 0), ValueError);
}

TEST(Score, TrompTaylorAndDeadStones) {
    Game g(5, 0.5);
    for (int y = 0; y < 5; ++y) {
        g.place(Color::Black, g.board().point(2, y));
        g.place(Color::White, g.board().point(3, y));
    }
    EXPECT_EQ(tromp_taylor(g.board(), 0.5).result(), "B+4.5");
    g.place(Color::White, g.board().point(0, 4));  // An invader in Black's area.
    Score tt = tromp_taylor(g.board(), 0.5);
    EXPECT_EQ(tt.black, 5);     // Column C only: the A-B region now touches White.
    EXPECT_EQ(tt.white, 11.5);  // D stones, E territory, the A1 stone, komi.
    EXPECT_EQ(tt.result(), "W+6.5");
    EXPECT_EQ(area_score(g.board(), 0.5, {g.board().point(0, 4)}).result(), "B+4.5");
    // The owners under that count: the invader's point is Black's once it is dead.
    const Point a1 = g.board().point(0, 4);
    EXPECT_EQ(area_owners(g.board(), {})[a1], Color::White);
    const std::vector<Color> own = area_owners(g.board(), {a1});
    EXPECT_EQ(own[a1], Color::Black);
    EXPECT_EQ(own[g.board().point(4, 0)], Color::White);
    EXPECT_EQ(own[g.board().point(2, 2)], Color::Black);
    EXPECT_EQ(own[0], Color::Off);
    EXPECT_EQ((Score{3, 3}).result(), "0");
}

// The dead-stone estimate without search: intruders in a settled area die, living walls do not.
TEST(Score, DeadStoneEstimate) {
    // 7x7: Black's wall on column C, White's on column D; a White stone at A4 in Black's area and a
    // Black pair at F3 F4 in White's.
    Game g(7, 0.5);
    g.set_superko(false);
    for (int row = 1; row <= 7; ++row) {
        g.play(Color::Black, parse_gtp_vertex(g.board(), "C" + std::to_string(row)));
        g.play(Color::White, parse_gtp_vertex(g.board(), "D" + std::to_string(row)));
    }
    for (const char* m : {"F3", "A4", "F4"}) g.play(g.to_move(), parse_gtp_vertex(g.board(), m));
    std::vector<std::string> dead;
    for (Point p : estimate_dead(g.board())) dead.push_back(point_to_gtp(g.board(), p));
    std::sort(dead.begin(), dead.end());
    EXPECT_EQ(dead, (std::vector<std::string>{"A4", "F3", "F4"}));
    // Black: columns A-C (21 points); White: D-G (28) + 0.5.
    EXPECT_EQ(estimated_score(g.board(), 0.5).result(), "W+7.5");
    EXPECT_EQ(tromp_taylor(g.board(), 0.5).result(), "B+0.5");  // Intruders alive: both areas neutral.
    const auto owners = estimated_owners(g.board());
    EXPECT_EQ(owners[parse_gtp_vertex(g.board(), "A4")], Color::Black);
    EXPECT_EQ(owners[parse_gtp_vertex(g.board(), "F4")], Color::White);
}

TEST(Board, EyesAndCoordinates) {
    Game g(5);
    const Board& b = g.board();
    for (auto [x, y] : {std::pair{1, 0}, {0, 1}, {1, 1}}) g.place(Color::Black, b.point(x, y));
    EXPECT_TRUE(g.board().is_eye(Color::Black, b.point(0, 0)));
    EXPECT_FALSE(g.board().is_eye(Color::White, b.point(0, 0)));
    EXPECT_FALSE(g.board().is_eye(Color::Black, b.point(2, 2)));
    EXPECT_EQ(point_to_gtp(b, b.point(0, 0)), "A5");
    EXPECT_EQ(point_to_sgf(b, b.point(3, 1)), "db");
    EXPECT_EQ(parse_sgf_point(b, "db"), b.point(3, 1));
    EXPECT_EQ(parse_sgf_point(b, "tt"), kPass);
    EXPECT_EQ(parse_gtp_vertex(b, "PASS"), kPass);
    EXPECT_EQ(parse_gtp_vertex(b, "e1"), b.point(4, 4));
    EXPECT_THROW(parse_gtp_vertex(b, "f1"), ValueError);
    EXPECT_THROW(parse_gtp_vertex(b, "i3"), ValueError);
    EXPECT_THROW(parse_gtp_vertex(b, "a0"), ValueError);
    EXPECT_THROW(parse_sgf_point(b, "ff"), ValueError);
    EXPECT_EQ(column_letter(8), 'J');
    EXPECT_THROW(Board(20), ValueError);
    EXPECT_THROW(Board(1), ValueError);
}

// Random legal games: after every move each string's stored liberties and size equal a
// fresh recount, and the hash equals one recomputed from the stones.
TEST(Board, IncrementalStringsMatchARecountInRandomGames) {
    uint64_t state = 12345;
    auto rnd = [&](size_t n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<size_t>((state >> 33) % n);
    };
    for (int game = 0; game < 40; ++game) {
        Game g(game % 2 ? 9 : 19);
        for (int move = 0; move < 300; ++move) {
            Color c = g.to_move();
            auto legal = g.legal_moves(c);
            std::vector<Point> sensible;
            for (Point p : legal) {
                if (!g.board().is_eye(c, p)) sensible.push_back(p);
            }
            if (sensible.empty()) break;
            g.play(c, sensible[rnd(sensible.size())]);
            const Board& b = g.board();
            uint64_t h = 0;
            for (Point p : b.points()) {
                if (b.at(p) == Color::Empty) continue;
                h ^= zobrist(b.at(p), p);
                ASSERT_EQ(b.liberties(p), static_cast<int>(b.string_liberties(p).size()))
                    << b.to_text();
                ASSERT_EQ(b.string_size(p), static_cast<int>(b.string_stones(p).size()))
                    << b.to_text();
                ASSERT_GT(b.liberties(p), 0) << b.to_text();
            }
            ASSERT_EQ(b.hash(), h);
        }
    }
}

}  // namespace
}  // namespace kaya::go
