// SPDX-License-Identifier: MIT
// The 48 feature planes on hand-built positions, ladders with and without a breaker, and
// the 8 symmetries (features of a transformed position equal transformed features).
#include "apps/go/features/features.h"

#include <gtest/gtest.h>

#include "apps/go/board/coords.h"
#include "apps/go/board/game.h"

namespace kaya::go {
namespace {

float value(const std::vector<float>& f, const Board& b, int plane, const std::string& vertex) {
    Point p = parse_gtp_vertex(b, vertex);
    return f[plane * b.size() * b.size() + b.y_of(p) * b.size() + b.x_of(p)];
}

// The plane of a group of binned planes that is set at the vertex, or -1.
int binned(const std::vector<float>& f, const Board& b, int first, int count,
           const std::string& vertex) {
    int found = -1;
    for (int k = 0; k < count; ++k) {
        if (value(f, b, first + k, vertex) == 1) {
            EXPECT_EQ(found, -1) << "two planes set at " << vertex;
            found = k;
        }
    }
    return found;
}

void play(Board& b, Color c, const std::string& v) { b.play(c, parse_gtp_vertex(b, v)); }

TEST(Features, StonesTurnsAndLiberties) {
    Board b(9);
    play(b, Color::Black, "E5");
    play(b, Color::White, "E6");
    play(b, Color::Black, "D6");
    play(b, Color::White, "C3");
    // Black to move: the player is Black.
    auto f = extract_features(b, Color::Black);
    ASSERT_EQ(f.size(), 48u * 81u);
    EXPECT_EQ(value(f, b, plane::kPlayer, "E5"), 1);
    EXPECT_EQ(value(f, b, plane::kOpponent, "E6"), 1);
    EXPECT_EQ(value(f, b, plane::kEmpty, "A1"), 1);
    EXPECT_EQ(value(f, b, plane::kEmpty, "E5"), 0);
    EXPECT_EQ(value(f, b, plane::kOnes, "J9"), 1);
    EXPECT_EQ(value(f, b, plane::kZeros, "J9"), 0);
    EXPECT_EQ(binned(f, b, plane::kTurnsSince, 8, "C3"), 0);   // Played 1 move ago.
    EXPECT_EQ(binned(f, b, plane::kTurnsSince, 8, "E5"), 3);   // 4 moves ago.
    EXPECT_EQ(binned(f, b, plane::kLiberties, 8, "E6"), 1);    // E6: E7, F6 -> 2 liberties.
    EXPECT_EQ(binned(f, b, plane::kLiberties, 8, "C3"), 3);    // 4 liberties.
    EXPECT_EQ(binned(f, b, plane::kTurnsSince, 8, "A1"), -1);  // Empty points have none.
    // From White's side the colours swap.
    auto w = extract_features(b, Color::White);
    EXPECT_EQ(value(w, b, plane::kPlayer, "E6"), 1);
    EXPECT_EQ(value(w, b, plane::kOpponent, "E5"), 1);
}

TEST(Features, CaptureSelfAtariLibertiesAfterAndSensibleness) {
    Board b(9);
    // White A2-A1 pair in atari at B1... build: W A1, A2; B B2, A3. White liberty: B1.
    b.place(Color::White, parse_gtp_vertex(b, "A1"));
    b.place(Color::White, parse_gtp_vertex(b, "A2"));
    b.place(Color::Black, parse_gtp_vertex(b, "B2"));
    b.place(Color::Black, parse_gtp_vertex(b, "A3"));
    // A black eye at J9: H9, J8 black.
    b.place(Color::Black, parse_gtp_vertex(b, "H9"));
    b.place(Color::Black, parse_gtp_vertex(b, "J8"));
    b.place(Color::Black, parse_gtp_vertex(b, "H8"));
    auto f = extract_features(b, Color::Black);
    EXPECT_EQ(binned(f, b, plane::kCaptureSize, 8, "B1"), 2);  // Captures two stones.
    EXPECT_EQ(binned(f, b, plane::kCaptureSize, 8, "E5"), 0);  // Legal, captures nothing.
    EXPECT_EQ(binned(f, b, plane::kLibertiesAfter, 8, "B1"),
              4);  // B1-B2 after the capture: A1, A2, C1, C2, B3.
    EXPECT_EQ(binned(f, b, plane::kLibertiesAfter, 8, "E5"), 3);  // 4 liberties.
    EXPECT_EQ(value(f, b, plane::kSensible, "J9"), 0);            // Own eye.
    EXPECT_EQ(value(f, b, plane::kSensible, "E5"), 1);
    EXPECT_EQ(binned(f, b, plane::kCaptureSize, 8, "B2"), -1);  // Occupied: no move planes.
    // White to move: B1 is self-atari for White (A1-A2-B1 would have one liberty, C1).
    auto w = extract_features(b, Color::White);
    EXPECT_EQ(binned(w, b, plane::kSelfAtari, 8, "B1"), 2);       // Three stones in atari.
    EXPECT_EQ(binned(w, b, plane::kLibertiesAfter, 8, "B1"), 0);  // One liberty.
    EXPECT_EQ(binned(w, b, plane::kSelfAtari, 8, "E5"), -1);
    // J9 is illegal for White (suicide): no move planes, not sensible.
    EXPECT_EQ(binned(w, b, plane::kLibertiesAfter, 8, "J9"), -1);
    EXPECT_EQ(value(w, b, plane::kSensible, "J9"), 0);
}

// White C7 with Black C8 and B7 above and left, and Black D6 diagonally below-right: Black at
// D7 puts it in atari and the ladder runs down to the lower-left edge.
Board ladder_position(bool breaker) {
    Board b(9);
    b.place(Color::White, parse_gtp_vertex(b, "C7"));
    for (const char* v : {"C8", "B7", "D6"}) b.place(Color::Black, parse_gtp_vertex(b, v));
    if (breaker) b.place(Color::White, parse_gtp_vertex(b, "B5"));
    return b;
}

TEST(Features, LadderCaptureAndEscape) {
    for (bool breaker : {false, true}) {
        Board b = ladder_position(breaker);
        auto f = extract_features(b, Color::Black);
        EXPECT_EQ(value(f, b, plane::kLadderCapture, "D7"), breaker ? 0 : 1)
            << "breaker " << breaker;
        EXPECT_EQ(value(f, b, plane::kLadderCapture, "G2"), 0);
        // After the atari, White to move: extending is an escape only with the breaker.
        Board a = b;
        play(a, Color::Black, "D7");
        auto w = extract_features(a, Color::White);
        EXPECT_EQ(value(w, a, plane::kLadderEscape, "C6"), breaker ? 1 : 0)
            << "breaker " << breaker;
        EXPECT_EQ(ladder_captured(a, parse_gtp_vertex(a, "C7"), Color::Black), !breaker);
    }
}

TEST(Features, SymmetriesCommuteWithFeatures) {
    // A position with captures, ko-like shapes and a ladder, played in order so "turns
    // since" matters; each symmetry of it gives the symmetric planes.
    const std::vector<std::string> moves = {"C7", "C8", "B7", "D6", "G3", "D7",
                                            "F4", "G2", "H3", "E5", "B1"};
    Board base(9);
    Color c = Color::Black;
    for (const auto& m : moves) {
        base.play(c, parse_gtp_vertex(base, m));
        c = opponent(c);
    }
    auto f = extract_features(base, c);
    for (int sym = 0; sym < 8; ++sym) {
        Board t(9);
        Color d = Color::Black;
        for (const auto& m : moves) {
            t.play(d, symmetric_point(t, parse_gtp_vertex(t, m), sym));
            d = opponent(d);
        }
        std::vector<float> want(f.size());
        symmetric_planes(sym, 9, kNumFeaturePlanes, f.data(), want.data());
        EXPECT_EQ(extract_features(t, d), want) << "symmetry " << sym;
    }
    // The 8 maps of a corner-adjacent point are 8 distinct points.
    std::vector<Point> images;
    for (int sym = 0; sym < 8; ++sym)
        images.push_back(symmetric_point(base, base.point(1, 0), sym));
    std::sort(images.begin(), images.end());
    EXPECT_EQ(std::unique(images.begin(), images.end()), images.end());
}

}  // namespace
}  // namespace kaya::go
