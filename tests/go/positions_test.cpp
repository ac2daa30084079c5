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
    // Game 0's moves 0, 1, 2 and 4 of 5 (3 is a pass), then game 1's 0, 1, 2 of 3.
    std::vector<int> quarters;
    for (int64_t i = 0; i < ds.size(); ++i) quarters.push_back(ds.game_quarter(i));
    EXPECT_EQ(quarters, (std::vector<int>{0, 0, 1, 3, 0, 1, 2}));
    EXPECT_THROW(ds.game_quarter(7), IndexError);
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

// A 9x9 game of two walls: Black fills column `bx`, White column `wx` (wx > bx + 1), then the
// result `re`.
std::string wall_game(int bx, int wx, const std::string& re) {
    std::string sgf = "(;SZ[9]KM[7.5]RE[" + re + "]";
    for (int y = 0; y < 9; ++y) {
        const char yc = static_cast<char>('a' + y);
        sgf += std::string(";B[") + static_cast<char>('a' + bx) + yc + "];W[" + static_cast<char>('a' + wx) + yc + "]";
    }
    return sgf + ")";
}

TEST(GoData, FinalOwnershipIsTheCountedEndIfItNamesTheRecordsWinner) {
    auto game = [](const std::string& sgf) { return read_game(parse_sgf(sgf, "t")[0], "t"); };
    // Black owns columns 0-3 (36 points), White 5-8 (36 + 7.5), column 4 is neutral.
    const std::vector<int8_t> own = final_ownership(game(wall_game(3, 5, "W+7.5")));
    ASSERT_EQ(own.size(), 81u);
    for (int y = 0; y < 9; ++y)
        for (int x = 0; x < 9; ++x) EXPECT_EQ(own[y * 9 + x], x < 4 ? 1 : x > 4 ? -1 : 0) << x << "," << y;
    // The count contradicts the record, or the record was not counted: no targets.
    EXPECT_TRUE(final_ownership(game(wall_game(3, 5, "B+0.5"))).empty());
    for (const char* re : {"W+R", "W+T", "W+", "0", ""})
        EXPECT_TRUE(final_ownership(game(wall_game(3, 5, re))).empty()) << re;
    // Black's wall one column further right: Black 45 against 27 + 7.5.
    EXPECT_EQ(final_ownership(game(wall_game(4, 6, "B+10.5")))[4], 1);
}

// A counted record with territory marks gives its owners from them (a draw too): marked points
// are their side's, unmarked stones their colour's, the rest neutral; the estimate is not asked.
TEST(GoData, FinalOwnershipFollowsTheTerritoryMarks) {
    auto game = [](const std::string& sgf) { return read_game(parse_sgf(sgf, "t")[0], "t"); };
    // Walls at columns 3 (Black) and 5 (White). The marks give Black columns 0-2 and the
    // neutral column 4's top point; White only column 8 (columns 6-7 are left unmarked: neutral).
    std::string marked = wall_game(3, 5, "B+1.5");
    marked.pop_back();
    marked += "TB[aa:ci][ea]TW[ia:ii])";
    for (const char* re : {"B+1.5", "0"}) {
        std::string sgf = marked;
        sgf.replace(sgf.find("B+1.5"), 5, re);
        const std::vector<int8_t> own = final_ownership(game(sgf));
        ASSERT_EQ(own.size(), 81u) << re;
        for (int y = 0; y < 9; ++y) {
            for (int x = 0; x < 9; ++x) {
                const int want = x <= 3 || (x == 4 && y == 0) ? 1 : x == 5 || x == 8 ? -1 : 0;
                EXPECT_EQ(own[y * 9 + x], want) << x << "," << y << " " << re;
            }
        }
    }
    // A stone marked DD (dead, in a region that is nobody's) counts for neither side.
    std::string dimmed = marked;
    dimmed.insert(dimmed.size() - 1, "DD[fa]");
    const std::vector<int8_t> own = final_ownership(game(dimmed));
    ASSERT_EQ(own.size(), 81u);
    EXPECT_EQ(own[5], 0);
    EXPECT_EQ(own[9 + 5], -1);
    // Not counted (resigned, no result): no targets, marks or not.
    for (const char* re : {"W+R", ""}) {
        std::string sgf = marked;
        sgf.replace(sgf.find("B+1.5"), 5, re);
        EXPECT_TRUE(final_ownership(game(sgf)).empty()) << re;
    }
}

// The positions of a game whose moves are not targets (self-play) carry kNoMoveTarget and
// still their outcome and owners.
TEST(GoData, SelfPlayGamesGiveNoMoveTargets) {
    auto g = std::make_shared<std::vector<GameRecord>>();
    g->push_back(read_game(parse_sgf(wall_game(3, 5, "W+7.5"), "t")[0], "t"));
    g->push_back((*g)[0]);
    (*g)[1].moves_are_targets = false;
    GoPositions both(g, {0, 1}, {.outcome = true, .ownership = true});
    ASSERT_EQ(both.size(), 36);
    data::Example ex = both.get_batch({0, 18});
    EXPECT_EQ(to_vector<int64_t>(ex[kMoveTensor]), (std::vector<int64_t>{3, kNoMoveTarget}));
    EXPECT_EQ(to_vector<float>(ex[kOutcomeTensor]), (std::vector<float>{-1, -1}));
    EXPECT_EQ(to_vector<float>(ex[kOwnershipMaskTensor]), (std::vector<float>{1, 1}));
}

TEST(GoData, OwnershipTargetsFollowTheSideToMoveAndTheSymmetry) {
    auto g = std::make_shared<std::vector<GameRecord>>();
    for (const std::string& s : {wall_game(3, 5, "W+7.5"), wall_game(3, 5, "W+R")})
        g->push_back(read_game(parse_sgf(s, "t")[0], "t"));
    EXPECT_THROW(GoPositions(g, {0, 1}, {.ownership = true}), ValueError);  // Needs the outcome.
    GoPositions plain(g, {0, 1}, {.outcome = true, .ownership = true});
    EXPECT_TRUE(plain.has_ownership());
    const std::vector<int8_t> own = final_ownership((*g)[0]);
    data::Example ex = plain.get_batch({0, 1, 18});  // Black, White to move; the resigned game.
    ASSERT_EQ(ex.size(), 6u);
    ASSERT_EQ(ex[kOwnershipTensor].shape(), (Shape{3, 81}));
    const auto t = to_vector<float>(ex[kOwnershipTensor]);
    for (size_t k = 0; k < 81; ++k) {
        EXPECT_EQ(t[k], own[k]);
        EXPECT_EQ(t[81 + k], -own[k]);
        EXPECT_EQ(t[162 + k], 0.0f);
    }
    EXPECT_EQ(to_vector<float>(ex[kOwnershipMaskTensor]), (std::vector<float>{1, 1, 0}));
    EXPECT_EQ(to_vector<float>(ex[kKomiTensor]), (std::vector<float>{-7.5f, 7.5f, -7.5f}));
    const data::Example one = plain.get(1);
    EXPECT_EQ(one[kOwnershipTensor].shape(), (Shape{81}));
    EXPECT_EQ(to_vector<float>(one[kOwnershipTensor]), std::vector<float>(t.begin() + 81, t.begin() + 162));
    EXPECT_EQ(one[kKomiTensor].item<float>(), 7.5f);
    // Under augmentation the targets turn with the planes.
    GoPositions aug(g, {0, 1}, {.augment = true, .seed = 5, .outcome = true, .ownership = true});
    int turned = 0;
    for (int64_t i = 0; i < 18; ++i) {
        const data::Example a = aug.get(i), p = plain.get(i);
        const auto pv = to_vector<float>(p[kPlanesTensor]), po = to_vector<float>(p[kOwnershipTensor]);
        bool matched = false;
        for (int sym = 0; sym < 8 && !matched; ++sym) {
            std::vector<float> planes(pv.size()), targets(po.size());
            symmetric_planes(sym, 9, kNumFeaturePlanes, pv.data(), planes.data());
            symmetric_planes(sym, 9, 1, po.data(), targets.data());
            if (planes == to_vector<float>(a[kPlanesTensor])) {
                matched = true;
                EXPECT_EQ(targets, to_vector<float>(a[kOwnershipTensor])) << "position " << i << " symmetry " << sym;
                turned += po != targets;
            }
        }
        EXPECT_TRUE(matched) << i;
    }
    EXPECT_GT(turned, 0);
}

}  // namespace
}  // namespace kaya::go
