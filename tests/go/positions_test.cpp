// SPDX-License-Identifier: MIT
// Go training data: split by game, positions made on the fly, symmetries as augmentation.
#include "apps/go/data/positions.h"

#include <gtest/gtest.h>

#include <set>

#include "apps/go/board/coords.h"
#include "apps/go/features/features.h"
#include "kaya/ops/ops.h"

namespace kaya::go {
namespace {

TEST(GoData, SplitIsByGameSeededAndComplete) {
    GameSplit s = split_games(1000, 0.1, 0.05, 7);
    EXPECT_EQ(s.val.size(), 100u);
    EXPECT_EQ(s.test.size(), 50u);
    EXPECT_EQ(s.train.size(), 850u);
    std::set<size_t> all(s.train.begin(), s.train.end());
    all.insert(s.val.begin(), s.val.end());
    all.insert(s.test.begin(), s.test.end());
    EXPECT_EQ(all.size(), 1000u);
    EXPECT_EQ(split_games(1000, 0.1, 0.05, 7).test, s.test);
    EXPECT_NE(split_games(1000, 0.1, 0.05, 8).test, s.test);
    EXPECT_THROW(split_games(10, 0.6, 0.5, 0), ValueError);
}

std::shared_ptr<std::vector<GameRecord>> games() {
    auto v = std::make_shared<std::vector<GameRecord>>();
    const char* sgf[] = {"(;SZ[9];B[ee];W[cc];B[gc];W[];B[dg])", "(;SZ[9];B[cc];W[gg];B[cg])",
                         "(;SZ[9]HA[2]AB[cc][gg];W[ee])"};
    for (const char* s : sgf) v->push_back(read_game(parse_sgf(s, "t")[0], "t"));
    return v;
}

TEST(GoData, PositionsAreTheNonPassMovesWithTheirPlanes) {
    auto g = games();
    GoPositions ds(g, {0, 1, 2});
    EXPECT_EQ(ds.num_games(), 2u);  // The handicap game is skipped.
    EXPECT_EQ(ds.size(), 4 + 3);    // Game 0 has a pass.
    auto ex = ds.get(2);            // Game 0, move 3: B[gc] = G7.
    EXPECT_EQ(ex[0].shape(), (Shape{48, 9, 9}));
    EXPECT_EQ(ex[1].item<int64_t>(), 2 * 9 + 6);
    Board before = (*g)[0].position(2);
    auto want = extract_features(before, Color::Black);
    EXPECT_EQ(to_vector<float>(ex[0]), want);
    auto batch = ds.get_batch({0, 2, 6});
    EXPECT_EQ(batch[0].shape(), (Shape{3, 48, 9, 9}));
    EXPECT_EQ(to_vector<int64_t>(batch[1]),
              (std::vector<int64_t>{4 * 9 + 4, 2 * 9 + 6, 6 * 9 + 2}));
    EXPECT_THROW(ds.get(7), IndexError);
}

TEST(GoData, OutcomesAreTheResultForTheSideToMove) {
    auto record = [](const std::string& re) {
        GameRecord r;
        r.result = re;
        return r;
    };
    EXPECT_EQ(game_outcome(record("B+R"), Color::Black), 1.0f);
    EXPECT_EQ(game_outcome(record("B+R"), Color::White), -1.0f);
    EXPECT_EQ(game_outcome(record("W+12.5"), Color::White), 1.0f);
    EXPECT_EQ(game_outcome(record("W+Resign"), Color::Black), -1.0f);
    EXPECT_EQ(game_outcome(record("B+"), Color::Black), 1.0f);
    for (const char* undecided : {"B+T", "W+Time", "B+F", "W+Forfeit", "0", "Draw", "Void", "?", ""})
        EXPECT_EQ(game_outcome(record(undecided), Color::Black), 0.0f) << undecided;

    auto g = std::make_shared<std::vector<GameRecord>>();
    for (const char* s : {"(;SZ[9]RE[W+R];B[ee];W[cc];B[gc])", "(;SZ[9]RE[B+T];B[cc];W[gg])"})
        g->push_back(read_game(parse_sgf(s, "t")[0], "t"));
    GoPositions plain(g, {0, 1}), with(g, {0, 1}, {.outcome = true});
    EXPECT_FALSE(plain.has_outcome());
    EXPECT_EQ(plain.get_batch({0, 1}).size(), 2u);
    data::Example ex = with.get_batch({0, 1, 2, 3, 4});
    ASSERT_EQ(ex.size(), 3u);
    // Black, White, Black to move in the game White won; then a game won on time.
    EXPECT_EQ(to_vector<float>(ex[2]), (std::vector<float>{-1, 1, -1, 0, 0}));
    EXPECT_EQ(with.get(1)[2].item<float>(), 1.0f);
    EXPECT_EQ(to_vector<float>(ex[0]), to_vector<float>(plain.get_batch({0, 1, 2, 3, 4})[0]));
}

TEST(GoData, AugmentationIsASymmetryOfPlanesAndTarget) {
    auto g = games();
    GoPositions plain(g, {0, 1}), aug(g, {0, 1}, {.augment = true, .seed = 3});
    std::set<int> seen;
    for (int64_t epoch = 0; epoch < 6; ++epoch) {
        aug.set_epoch(epoch);
        for (int64_t i = 0; i < plain.size(); ++i) {
            auto a = aug.get(i), p = plain.get(i);
            auto pv = to_vector<float>(p[0]);
            bool matched = false;
            for (int sym = 0; sym < 8 && !matched; ++sym) {
                std::vector<float> t(pv.size());
                symmetric_planes(sym, 9, kNumFeaturePlanes, pv.data(), t.data());
                int x = static_cast<int>(p[1].item<int64_t>() % 9),
                    y = static_cast<int>(p[1].item<int64_t>() / 9);
                symmetric_xy(sym, 9, x, y);
                if (t == to_vector<float>(a[0]) && y * 9 + x == a[1].item<int64_t>()) {
                    matched = true;
                    seen.insert(sym);
                }
            }
            EXPECT_TRUE(matched) << "example " << i << " epoch " << epoch;
        }
    }
    EXPECT_GE(seen.size(), 5u);  // Several symmetries drawn over 42 draws.
}

}  // namespace
}  // namespace kaya::go
