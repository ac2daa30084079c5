// SPDX-License-Identifier: MIT
// Training the Go policy network from SGF files: it learns a learnable rule, writes its
// outputs, and a stopped run resumes to the same weights as an uninterrupted one.
#include "apps/go/train/policy_task.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "apps/go/board/game.h"
#include "apps/go/board/score.h"
#include "apps/go/gtp/client.h"
#include "apps/go/sgf/sgf.h"
#include "apps/train/config.h"
#include "apps/train/run.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::app {
namespace {

namespace fs = std::filesystem;

const bool kRegistered = [] {
    go::register_tasks(task_registry());
    return true;
}();

RunResult train_go_policy(const Config& cfg, const RunOptions& options) {
    return run_training(cfg, options);
}

// Directories made by the tests, removed when the test binary exits.
struct TmpDirs {
    std::vector<std::string> dirs;
    ~TmpDirs() {
        for (const auto& d : dirs) fs::remove_all(d);
    }
};
TmpDirs& tmp_dirs() {
    static TmpDirs t;
    return t;
}

std::string tmp_dir(const std::string& name) {
    auto p = fs::temp_directory_path() / ("kaya_go_train_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    tmp_dirs().dirs.push_back(p.string());
    return p.string();
}

// 9x9 games that follow a local rule a small convolution can learn: play just right of the
// opponent's last stone when that is legal, otherwise the first legal point from a random
// start. Written as one SGF file per game. With `outcomes`, the game opens with eight passes of
// one side while the other plays on eight fixed points, and the side with the eight extra stones
// wins: an outcome the position shows.
std::string write_games(int count, bool outcomes = false) {
    const std::string dir = tmp_dir(outcomes ? "games_outcomes" : "games");
    Generator gen(17);
    for (int g = 0; g < count; ++g) {
        go::Game game(9, 7.5);
        go::GameRecord rec;
        rec.size = 9;
        rec.komi = 7.5;
        if (outcomes) {
            const bool black_wins = g % 2 == 0;
            for (int m = 0; m < 16; ++m) {
                const go::Color c = game.to_move();
                const bool plays = (c == go::Color::Black) == black_wins;
                // Spread over the board: the (m/2)-th of eight fixed points.
                const int i = 1 + 10 * (m / 2);
                const go::Point p = plays ? game.board().point(i % 9, i / 9) : go::kPass;
                game.play(c, p);
                rec.moves.push_back({c, p});
            }
            rec.result = black_wins ? "B+R" : "W+3.5";
        }
        for (int m = 0; m < 50; ++m) {
            const go::Color c = game.to_move();
            const go::Board& b = game.board();
            go::Point p = go::kPass;
            const go::Point last = b.last_move();
            if (last != go::kPass && b.x_of(last) + 1 < 9 && game.is_legal(c, last + 1)) {
                p = last + 1;
            } else {
                const int start =
                    static_cast<int>(gen.bits(static_cast<uint64_t>(g * 1000 + m)) % 81);
                for (int k = 0; k < 81 && p == go::kPass; ++k) {
                    const int i = (start + k) % 81;
                    if (game.is_legal(c, b.point(i % 9, i / 9))) p = b.point(i % 9, i / 9);
                }
            }
            game.play(c, p);
            rec.moves.push_back({c, p});
        }
        io::write_file_atomic(dir + "/game" + std::to_string(g) + ".sgf",
                              go::write_sgf(go::game_to_sgf(rec)));
    }
    return dir;
}

Config go_config(const std::string& games, const std::string& out, int epochs) {
    return Config::parse(
        "[task]\nkind = 'go_policy'\n[data]\npath = '" + games +
            "'\nval_fraction = 0.1\ntest_fraction = 0.1\nval_positions = 300\naugment = false\n"
            "[model]\nfilters = 8\nlayers = 3\nfirst_kernel = 3\n[train]\noptimizer = 'adam'\n"
            "lr = 0.01\nbatch_size = 16\npositions_per_epoch = 320\nschedule = 'step'\nstep_size = "
            "1\n"
            "gamma = 0.7\nepochs = " +
            std::to_string(epochs) + "\n[output]\ndir = '" + out + "'\n",
        "go_test.toml");
}

TEST(GoTrain, LearnsALocalRuleAndWritesItsOutputs) {
    const std::string games = write_games(40), out = tmp_dir("run");
    RunResult r = train_go_policy(go_config(games, out, 6), {.verbose = false});
    ASSERT_EQ(r.history.size(), 6u);
    EXPECT_EQ(r.history.back().get("positions"), 6 * 320);
    // Chance is about 1/70 here; the rule decides roughly half of the moves.
    EXPECT_GT(r.history.back().get("val_top1"), 0.3) << "validation top-1 after 6 epochs";
    EXPECT_LT(r.history.back().get("val_loss"), r.history.front().get("val_loss"));
    EXPECT_GE(r.history.back().get("val_top5"), r.history.back().get("val_top1"));
    EXPECT_GT(r.test.get("test_positions"), 0);
    EXPECT_EQ(r.selection.metric, "val_top1");
    EXPECT_EQ(io::read_file(out + "/metrics.csv").substr(0, 75),
              "epoch,positions,train_loss,train_top1,val_loss,val_top1,val_top5,lr,seconds");
    for (const char* f : {"config.toml", "metrics.csv", "curves.svg", "accuracy.svg",
                          "model.safetensors", "checkpoint.safetensors", "test.json"})
        EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
    auto net = go::load_policy(out + "/model.safetensors");
    EXPECT_EQ(net->options().board, 9);
    EXPECT_EQ(net->options().filters, 8);
}

TEST(GoTrain, SymmetryEnsembleScoresTheSamePassesAndWritesBothScores) {
    const std::string games = write_games(12), out = tmp_dir("ensemble"), alone = tmp_dir("alone");
    Config cfg = go_config(games, out, 1);
    cfg.set("eval.symmetries=8");
    RunResult r = train_go_policy(cfg, {.verbose = false});
    ASSERT_GT(r.test.get("test_positions"), 0);
    // The plain score from the ensemble's passes is the net's own score (the same seeded run
    // scored without symmetries).
    RunResult plain = train_go_policy(go_config(games, alone, 1), {.verbose = false});
    EXPECT_EQ(r.test.get("test_top1"), plain.test.get("test_top1"));
    EXPECT_EQ(r.test.get("test_top5"), plain.test.get("test_top5"));
    EXPECT_NEAR(r.test.get("test_loss"), plain.test.get("test_loss"),
                1e-5 * plain.test.get("test_loss"));
    const std::string json = io::read_file(out + "/test.json");
    EXPECT_NE(json.find("\"symmetries\": 8"), std::string::npos) << json;
    EXPECT_NE(json.find("\"ensemble_top1\""), std::string::npos) << json;
    EXPECT_NE(r.test.get("ensemble_loss"), r.test.get("test_loss"));
    cfg.set("eval.symmetries=9");
    EXPECT_THROW(train_go_policy(cfg, {.verbose = false}), ValueError);
}

TEST(GoTrain, StartsFromAWeightsFile) {
    const std::string games = write_games(12), a = tmp_dir("first"), b = tmp_dir("warm");
    RunResult first = train_go_policy(go_config(games, a, 2), {.verbose = false});
    // No epochs: the test score is that of the starting weights, i.e. of the first run's net.
    Config cfg = go_config(games, b, 0);
    cfg.set("model.init_weights='" + a + "/model.safetensors'");
    RunResult warm = train_go_policy(cfg, {.verbose = false});
    EXPECT_EQ(warm.test.get("test_top1"), first.test.get("test_top1"));
    EXPECT_EQ(warm.test.get("test_loss"), first.test.get("test_loss"));
    cfg.set("model.filters=16");
    try {
        train_go_policy(cfg, {.force = true, .verbose = false});
        FAIL() << "a 3x8 net was loaded into a 3x16 one";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("body.0.weight"), std::string::npos) << e.what();
    }
    // Widened (model.init_widen), it starts as the net it was widened from.
    cfg.set("model.init_widen=true");
    RunResult widened = train_go_policy(cfg, {.force = true, .verbose = false});
    EXPECT_EQ(widened.test.get("test_top1"), first.test.get("test_top1"));
    EXPECT_NEAR(widened.test.get("test_loss"), first.test.get("test_loss"), 1e-5 * first.test.get("test_loss"));
    EXPECT_EQ(go::load_policy(b + "/model.safetensors")->options().filters, 16);
    // Narrowing is refused, and so is a file without a Go net's shape.
    cfg.set("model.filters=4");
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
    cfg.set("model.filters=16");
    const std::string bare = tmp_dir("bare") + "/bare.safetensors";
    io::save_safetensors(bare, go::load_policy(a + "/model.safetensors")->state_dict());  // No metadata.
    Config no_shape = cfg;
    no_shape.set("model.init_weights='" + bare + "'");
    try {
        train_go_policy(no_shape, {.force = true, .verbose = false});
        FAIL() << "a file without the net's shape was widened";
    } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find(bare), std::string::npos) << e.what();
    }
    cfg.set("model.init_widen=false");
    Config no_start = go_config(games, b, 0);
    no_start.set("model.init_widen=true");  // Nothing to widen.
    EXPECT_THROW(train_go_policy(no_start, {.force = true, .verbose = false}), ValueError);
    // Grown by residual blocks (not in the file: a partial start), it starts as the net it grew
    // from.
    cfg.set("model.filters=8");
    cfg.set("model.blocks=2");
    cfg.set("model.global_pool=true");
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);  // Strict.
    cfg.set("model.init_strict=false");
    RunResult grown = train_go_policy(cfg, {.force = true, .verbose = false});
    EXPECT_EQ(grown.test.get("test_top1"), first.test.get("test_top1"));
    EXPECT_EQ(grown.test.get("test_loss"), first.test.get("test_loss"));
    EXPECT_EQ(go::load_policy(b + "/model.safetensors")->options().blocks, 2);
    cfg.set("model.blocks=0");  // Global pooling lives in the blocks.
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
}

TEST(GoTrain, TheValueHeadLearnsTheOutcomeAPositionShows) {
    const std::string games = write_games(40, true), policy = tmp_dir("policy_only"),
                      out = tmp_dir("value");
    // A policy-only net first, then the value head started on its body.
    train_go_policy(go_config(games, policy, 1), {.verbose = false});
    Config cfg = go_config(games, out, 6);
    cfg.set("model.value_hidden=16");
    cfg.set("model.value_planes=2");
    cfg.set("train.value_weight=1");
    cfg.set("model.init_weights='" + policy + "/model.safetensors'");
    try {
        train_go_policy(cfg, {.verbose = false});
        FAIL() << "a file without the value head was taken as the whole net";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("value_conv.weight"), std::string::npos) << e.what();
    }
    cfg.set("model.init_strict=false");
    RunResult r = train_go_policy(cfg, {.force = true, .verbose = false});
    ASSERT_EQ(r.history.size(), 6u);
    // Chance is one half.
    EXPECT_GT(r.history.back().get("val_value_accuracy"), 0.9);
    EXPECT_LT(r.history.back().get("val_value_mse"), r.history.front().get("val_value_mse"));
    EXPECT_GT(r.test.get("test_value_accuracy"), 0.75);  // Four test games.
    // By quarter of the game: the winner's extra stones are all on the board from move 16 of 66.
    for (int q = 2; q <= 4; ++q) EXPECT_GT(r.test.get("test_value_accuracy_q" + std::to_string(q)), 0.75) << q;
    EXPECT_GT(r.test.get("test_value_positions"), 0);
    auto net = go::load_policy(out + "/model.safetensors");
    EXPECT_EQ(net->options().value_hidden, 16);
    // The policy's training goes on beside the value's.
    EXPECT_GT(r.history.back().get("val_top1"), 0.2);
    // The head with its hidden units normalised (model.value_norm) learns it too.
    cfg.set("model.value_norm=true");
    RunResult normed = train_go_policy(cfg, {.force = true, .verbose = false});
    EXPECT_GT(normed.history.back().get("val_value_accuracy"), 0.9);
    EXPECT_TRUE(go::load_policy(out + "/model.safetensors")->options().value_norm);
    cfg.set("train.value_weight=-1");
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
    cfg.set("train.value_weight=1");
    cfg.set("model.value_hidden=0");  // Nothing to normalise.
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
}

// 9x9 games of two walls, counted: Black fills column bx = 1 + g % 5 and White column bx + 2,
// row by row from a row that depends on g; the result is the area count (the ownership's).
std::string write_wall_games(int count) {
    const std::string dir = tmp_dir("wall_games");
    for (int g = 0; g < count; ++g) {
        go::GameRecord rec;
        rec.size = 9;
        rec.komi = 7.5;
        go::Game game(9, 7.5);
        const int bx = 1 + g % 5, first = (g / 5) % 9;
        for (int k = 0; k < 9; ++k) {
            const int y = (first + k) % 9;
            for (const auto& [c, x] : {std::pair{go::Color::Black, bx}, std::pair{go::Color::White, bx + 2}}) {
                const go::Point p = game.board().point(x, y);
                game.play(c, p);
                rec.moves.push_back({c, p});
            }
        }
        rec.result = go::estimated_score(game.board(), 7.5).result();
        io::write_file_atomic(dir + "/game" + std::to_string(g) + ".sgf", go::write_sgf(go::game_to_sgf(rec)));
    }
    return dir;
}

TEST(GoTrain, TheOwnershipHeadLearnsTheFinalOwners) {
    const std::string games = write_wall_games(40), out = tmp_dir("ownership");
    Config cfg = go_config(games, out, 8);
    cfg.set("model.ownership=true");
    cfg.set("model.layers=4");
    RunResult r = train_go_policy(cfg, {.verbose = false});
    ASSERT_EQ(r.history.size(), 8u);
    // Chance is one half for both. The walls' sides are the owners, but early in a game a
    // point the walls do not reach yet is a guess (about 0.8 after 8 epochs).
    EXPECT_GT(r.history.back().get("val_ownership_accuracy"), 0.7);
    EXPECT_GT(r.history.back().get("val_ownership_accuracy"), r.history.front().get("val_ownership_accuracy") + 0.1);
    EXPECT_GT(r.history.back().get("val_score_accuracy"), 0.65);
    EXPECT_GT(r.history.back().get("train_ownership_loss"), 0);
    // The test scores the net of the best validation top-1, an early epoch here.
    EXPECT_GT(r.test.get("test_ownership_accuracy"), 0.55);
    for (int q = 1; q <= 4; ++q) EXPECT_TRUE(r.test.has("test_score_accuracy_q" + std::to_string(q))) << q;
    EXPECT_TRUE(go::load_policy(out + "/model.safetensors")->options().ownership);
    cfg.set("train.ownership_weight=-1");
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
}

// The test reports the squared error of the values a search can give a leaf: the ownership's
// score through tanh at three scales, and half of that with half the value head's.
TEST(GoTrain, TheTestReportsTheLeafValuesSquaredErrors) {
    const std::string games = write_wall_games(40), out = tmp_dir("leaf_values");
    Config cfg = go_config(games, out, 3);
    cfg.set("model.ownership=true");
    cfg.set("model.value_hidden=8");
    cfg.set("model.value_norm=true");
    cfg.set("model.layers=3");
    RunResult r = train_go_policy(cfg, {.verbose = false});
    const double value = r.test.get("test_value_mse");
    for (const char* scale : {"_s20", "_s40", "_s80"}) {
        const double score = r.test.get(std::string("test_score_value_mse") + scale),
                     mixed = r.test.get(std::string("test_mixed_value_mse") + scale);
        // Values in [-1, 1] against outcomes of +-1.
        EXPECT_GE(score, 0) << scale;
        EXPECT_LE(score, 4) << scale;
        EXPECT_GT(mixed, 0) << scale;
        // The square is convex: the mean of two values errs at most as much as their errors' mean.
        EXPECT_LE(mixed, (value + score) / 2 + 1e-12) << scale;
    }
    // Each scale is its own measurement.
    EXPECT_NE(r.test.get("test_score_value_mse_s20"), r.test.get("test_score_value_mse_s80"));
}

// Self-play games (data.selfplay) train the ownership head only: their moves, which follow no
// rule, are not the policy's targets, and their validation and test games are scored apart.
TEST(GoTrain, SelfPlayGamesTeachOwnershipNotMoves) {
    const std::string games = write_games(20), walls = write_wall_games(40), out = tmp_dir("selfplay");
    Config cfg = go_config(games, out, 6);
    cfg.set("data.selfplay='" + walls + "'");
    cfg.set("model.ownership=true");
    cfg.set("model.layers=4");
    cfg.set("train.select='val_selfplay_ownership_accuracy'");
    RunResult r = train_go_policy(cfg, {.verbose = false});
    ASSERT_EQ(r.history.size(), 6u);
    // The rule's games have no counted end: every ownership target is the walls'.
    EXPECT_GT(r.history.back().get("val_selfplay_ownership_accuracy"), 0.7);
    EXPECT_TRUE(r.history.back().has("val_selfplay_score_accuracy"));
    EXPECT_TRUE(r.test.has("test_selfplay_ownership_accuracy"));
    // By quarter of the game too, for both test sets.
    for (const char* set : {"test_", "test_selfplay_"}) {
        for (int q = 1; q <= 4; ++q) {
            const std::string key = std::string(set) + "ownership_accuracy_q" + std::to_string(q);
            ASSERT_TRUE(r.test.has(key)) << key;
            EXPECT_GE(r.test.get(key), 0.0) << key;
            EXPECT_LE(r.test.get(key), 1.0) << key;
        }
    }
    // The walls stand complete late in the games: their owners are clear then.
    EXPECT_GT(r.test.get("test_selfplay_ownership_accuracy_q4"), 0.8);
    EXPECT_EQ(r.test.get("test_selfplay_games"), 4);
    // The policy still learns the rule from data.path's games alone (the walls' moves would
    // teach it column moves instead), and its top-1 counts only those.
    EXPECT_GT(r.history.back().get("val_top1"), 0.3);
    EXPECT_GT(r.history.back().get("train_top1"), 0.2);
    // data.selfplay_share sets each batch's self-play rows aside: 4 of 16 here, the same
    // batches on every visit (a resumed run sees what it would have).
    cfg.set("data.selfplay_share=0.25");
    go::PolicyTask task(cfg);
    task.prepare({.batch_size = 16, .seed = 3, .verbose = false});
    std::vector<std::vector<int64_t>> first;
    task.visit_batches(1, 0, [&](int64_t, const data::Example& ex) {
        const auto moves = to_vector<int64_t>(ex[go::kMoveTensor]);
        EXPECT_EQ(std::count(moves.begin(), moves.end(), go::kNoMoveTarget), 4);
        EXPECT_EQ(std::count(moves.begin(), moves.begin() + 12, go::kNoMoveTarget), 0);
        first.push_back(moves);
        return true;
    });
    EXPECT_EQ(first.size(), 20u);
    size_t batch = 0;
    task.visit_batches(1, 0, [&](int64_t, const data::Example& ex) {
        EXPECT_EQ(to_vector<int64_t>(ex[go::kMoveTensor]), first[batch++]);
        return true;
    });
    cfg.set("data.selfplay_share=0.01");  // No row of 16.
    EXPECT_THROW(go::PolicyTask(cfg).prepare({.batch_size = 16, .verbose = false}), ValueError);
    cfg.set("data.selfplay_share=0");
    // A metric this run does not have, or self-play without a head to train, is refused.
    cfg.set("train.select='val_selfplay_value_accuracy'");
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
    cfg.set("train.select='val_top1'");
    cfg.set("model.ownership=false");
    EXPECT_THROW(train_go_policy(cfg, {.force = true, .verbose = false}), ValueError);
}

// data.selfplay takes a list of paths (a match's games beside self-play, say): their games are
// pooled before the split, and a path without games is refused by name.
TEST(GoTrain, SelfPlayGamesComeFromAListOfPaths) {
    const std::string games = write_games(20), a = write_wall_games(40), b = tmp_dir("wall_games_b"),
                      empty = tmp_dir("no_games"), out = tmp_dir("selfplay_list");
    for (int g = 20; g < 40; ++g) {
        const std::string name = "/game" + std::to_string(g) + ".sgf";
        fs::rename(a + name, b + name);
    }
    Config cfg = go_config(games, out, 1);
    cfg.set("model.ownership=true");
    cfg.set("data.selfplay=['" + a + "', '" + b + "']");
    go::PolicyTask task(cfg);
    task.prepare({.batch_size = 16, .verbose = false});
    // 40 games split 0.8 / 0.1 / 0.1 as one pool.
    EXPECT_NE(task.data_description().find("32 training games from " + a + ", " + b + " (0 skipped), validation 4, test 4"),
              std::string::npos)
        << task.data_description();
    // The self-play pool has fractions of its own; the 9-dan games' validation and test games
    // stay as they were (the training count includes the self-play games).
    const auto held_out = [](const go::PolicyTask& t) {
        const std::string d = t.data_description();
        const size_t from = d.find("validation");
        return d.substr(from, d.find("; self-play") - from);
    };
    Config held_cfg = cfg;
    held_cfg.set("data.selfplay_val_fraction=0.25");
    held_cfg.set("data.selfplay_test_fraction=0.125");
    go::PolicyTask held(held_cfg);
    held.prepare({.batch_size = 16, .verbose = false});
    EXPECT_NE(held.data_description().find("25 training games from " + a + ", " + b + " (0 skipped), validation 10, test 5"),
              std::string::npos)
        << held.data_description();
    EXPECT_EQ(held_out(held), held_out(task));
    // One path alone is a list of one.
    cfg.set("data.selfplay='" + a + "'");
    go::PolicyTask one(cfg);
    one.prepare({.batch_size = 16, .verbose = false});
    EXPECT_NE(one.data_description().find("16 training games from " + a + " (0 skipped), validation 2, test 2"),
              std::string::npos)
        << one.data_description();
    cfg.set("data.selfplay=['" + a + "', '" + empty + "']");
    try {
        go::PolicyTask(cfg).prepare({.batch_size = 16, .verbose = false});
        ADD_FAILURE() << "a path without games was accepted";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("data.selfplay '" + empty + "' holds no usable games"), std::string::npos)
            << e.what();
    }
    cfg.set("data.selfplay=['" + a + "', '']");
    EXPECT_THROW(go::PolicyTask{cfg}, ValueError);
    cfg.set("data.selfplay=['" + a + "', 3]");
    EXPECT_THROW(go::PolicyTask{cfg}, ValueError);
    // Fractions of a pool that is not there.
    Config none = go_config(games, out, 1);
    none.set("data.selfplay_val_fraction=0.25");
    try {
        go::PolicyTask{none};
        ADD_FAILURE() << "data.selfplay_val_fraction without data.selfplay was accepted";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("data.selfplay_val_fraction needs data.selfplay"), std::string::npos)
            << e.what();
    }
}

TEST(GoTrain, ResumeReachesTheSameWeights) {
    const std::string games = write_games(12), a = tmp_dir("full"), b = tmp_dir("stopped");
    train_go_policy(go_config(games, a, 3), {.verbose = false});
    train_go_policy(go_config(games, b, 3), {.stop_after = 1, .verbose = false});
    Config cfg = go_config(games, b, 3);
    train_go_policy(cfg, {.resume = true, .verbose = false});
    auto wa = io::load_safetensors(a + "/checkpoint.safetensors").tensors;
    auto wb = io::load_safetensors(b + "/checkpoint.safetensors").tensors;
    ASSERT_EQ(wa.size(), wb.size());
    for (size_t i = 0; i < wa.size(); ++i) {
        EXPECT_EQ(wa[i].first, wb[i].first);
        if (wa[i].first == "history.seconds")
            continue;  // Wall time, the one thing allowed to differ.
        EXPECT_EQ(to_vector<float>(to(wa[i].second, DType::Float32)),
                  to_vector<float>(to(wb[i].second, DType::Float32)))
            << wa[i].first;
    }
    // A changed batch size cannot continue the same position stream.
    cfg.set("train.batch_size=32");
    EXPECT_THROW(train_go_policy(cfg, {.resume = true, .verbose = false}), ValueError);
}

}  // namespace
}  // namespace kaya::app

namespace kaya::app {
namespace {

// Without --weights the binary plays with the built-in network, on 19x19 only.
TEST(GoGtp, TheBinaryPlaysWithItsBuiltInNetwork) {
    go::GtpClient engine(std::string(KAYA_BINARY) + " go gtp", 30);
    EXPECT_EQ(engine.send("boardsize 19"), "");
    EXPECT_THROW(engine.send("boardsize 9"), ValueError);
    const std::string move = engine.send("genmove b");
    EXPECT_TRUE(move.size() >= 2 && move != "pass" && move != "resign") << move;
    EXPECT_NO_THROW(engine.send("play w " + std::string(move == "D4" ? "Q16" : "D4")));
}

// With --playouts and no --weights, the search plays with the built-in search network, whose
// ownership head values the leaves (no random playouts: --rollouts 0 by default).
TEST(GoGtp, TheSearchPlaysWithItsBuiltInNetwork) {
    auto net = go::load_shipped_search_net();
    EXPECT_TRUE(net->has_ownership_head());
    EXPECT_TRUE(net->has_value_head());
    EXPECT_EQ(net->options().board, 19);
    go::GtpClient engine(std::string(KAYA_BINARY) + " go gtp --playouts 32", 30);
    const std::string move = engine.send("genmove b");
    EXPECT_TRUE(move.size() >= 2 && move != "pass" && move != "resign") << move;
    EXPECT_NE(engine.send("genmove w"), move);
}

// The built-in search network's leaves take half their value from its value head unless
// --value-head says otherwise: its search log is that of --value-head 0.5, not 0's.
TEST(GoGtp, TheBuiltInNetworkMixesItsValueHeadIn) {
    const std::string dir = tmp_dir("gtp_value_head");
    auto first_log_line = [&](const std::string& option, const std::string& name) {
        const std::string log = dir + "/" + name + ".log";
        {
            go::GtpClient engine("KAYA_NUM_THREADS=1 " + std::string(KAYA_BINARY) + " go gtp --playouts 48 --log " + option,
                                 60, log);
            engine.send("genmove b");
        }
        std::string line = io::read_file(log);
        line = line.substr(0, line.find('\n'));
        // Without its time ("64 evaluations in 0.31 s, ...").
        const size_t at = line.find(" evaluations in "), end = line.find(" s, ", at);
        if (at != std::string::npos && end != std::string::npos) line.erase(at, end + 3 - at);
        return line;
    };
    const std::string by_default = first_log_line("", "default"), half = first_log_line("--value-head 0.5", "half"),
                      none = first_log_line("--value-head 0", "none");
    EXPECT_NE(by_default.find("48 visits"), std::string::npos) << by_default;
    EXPECT_EQ(by_default, half);
    EXPECT_NE(by_default, none);
}

// --matmul-precision medium (bfloat16 products) plays, and routes the network's products the
// same way as KAYA_MATMUL_PRECISION=medium; the option overrides the variable. (That medium
// changes the products on an AVX512-BF16 CPU is tested in the kernels' MatmulPrecision tests.)
TEST(GoGtp, TheMatmulPrecisionComesFromTheOptionOrTheEnvironment) {
    const std::string dir = tmp_dir("gtp_precision");
    auto first_log_line = [&](const std::string& env, const std::string& option, const std::string& name) {
        const std::string log = dir + "/" + name + ".log";
        std::string move;
        {
            go::GtpClient engine(env + " KAYA_NUM_THREADS=1 " + std::string(KAYA_BINARY) + " go gtp --playouts 48 --log " +
                                     option,
                                 60, log);
            move = engine.send("genmove b");
        }
        EXPECT_TRUE(move.size() >= 2 && move != "pass" && move != "resign") << name << ": " << move;
        std::string line = io::read_file(log);
        line = line.substr(0, line.find('\n'));
        const size_t at = line.find(" evaluations in "), end = line.find(" s, ", at);
        if (at != std::string::npos && end != std::string::npos) line.erase(at, end + 3 - at);
        return line;
    };
    const std::string medium = first_log_line("", "--matmul-precision medium", "medium"),
                      by_env = first_log_line("KAYA_MATMUL_PRECISION=medium", "", "env"),
                      highest = first_log_line("", "", "highest"),
                      overridden = first_log_line("KAYA_MATMUL_PRECISION=medium", "--matmul-precision highest", "over");
    EXPECT_NE(medium.find("48 visits"), std::string::npos) << medium;
    EXPECT_EQ(medium, by_env);
    EXPECT_EQ(highest, overridden);
    {
        go::GtpClient refused("KAYA_MATMUL_PRECISION=half " + std::string(KAYA_BINARY) + " go gtp", 30, dir + "/bad.log");
        EXPECT_THROW(refused.send("name"), IoError);
    }
    EXPECT_NE(io::read_file(dir + "/bad.log").find("KAYA_MATMUL_PRECISION: matmul precision: expected highest (float) or medium"),
              std::string::npos)
        << io::read_file(dir + "/bad.log");
}

// kaya doctor (and --version) says which precision float products run at.
TEST(GoGtp, TheDoctorNamesTheMatmulPrecision) {
    const std::string dir = tmp_dir("doctor_precision");
    for (const std::string precision : {"highest", "medium"}) {
        const std::string out = dir + "/" + precision + ".txt";
        ASSERT_EQ(std::system(("KAYA_MATMUL_PRECISION=" + precision + " " + std::string(KAYA_BINARY) + " doctor >" + out).c_str()), 0);
        EXPECT_NE(io::read_file(out).find("precision " + precision + " (KAYA_MATMUL_PRECISION=highest|medium); "),
                  std::string::npos)
            << io::read_file(out);
    }
}

// kaya doctor says which instruction set exp, log and tanh run on, and KAYA_SIMD lowers it.
TEST(GoGtp, TheDoctorNamesTheVectorMath) {
    const std::string dir = tmp_dir("doctor_simd");
    const auto report = [&](const std::string& env) {
        const std::string out = dir + "/report.txt";
        EXPECT_EQ(std::system(
                      (env + " " + std::string(KAYA_BINARY) + " doctor >" + out + " 2>&1").c_str()),
                  0);
        return io::read_file(out);
    };
    EXPECT_NE(report("KAYA_SIMD=0").find("math:    exp, log and tanh on scalar code"),
              std::string::npos);
    const std::string best = report("");
    if (best.find("(AVX-512)") != std::string::npos) {
        EXPECT_NE(best.find("tanh on AVX-512, 16 lanes"), std::string::npos) << best;
    }
    if (best.find("(AVX2+FMA)") != std::string::npos) {
        EXPECT_NE(best.find("tanh on AVX2, 8 lanes"), std::string::npos) << best;
    }
    if (best.find("(SSE2)") == std::string::npos && best.find("(AVX)") == std::string::npos) {
        EXPECT_NE(report("KAYA_SIMD=avx2").find("tanh on AVX2, 8 lanes"), std::string::npos);
    }
    const std::string typo = report("KAYA_SIMD=avx9");
    EXPECT_NE(typo.find("kaya: KAYA_SIMD=avx9 ignored (use 0 or avx2)"), std::string::npos) << typo;
    fs::remove_all(dir);
}

// The search's options through the binary: the centred score utility and random symmetries
// play; the utility with a network that gives no scores is refused before any command.
TEST(GoGtp, TheScoreUtilityNeedsAnOwnershipHead) {
    go::GtpClient engine(
        std::string(KAYA_BINARY) + " go gtp --playouts 32 --score-utility 0.5 --random-symmetry true", 30);
    const std::string move = engine.send("genmove b");
    EXPECT_TRUE(move.size() >= 2 && move != "pass" && move != "resign") << move;
    const std::string dir = tmp_dir("gtp_utility");
    go::PolicyNet net({.board = 9, .filters = 4, .layers = 3});
    go::save_policy(dir + "/net.safetensors", net);
    go::GtpClient refused(std::string(KAYA_BINARY) + " go gtp --playouts 8 --rollouts 1 --score-utility 0.5 --weights " +
                              dir + "/net.safetensors 2>/dev/null",
                          30);
    EXPECT_THROW(refused.send("name"), IoError);
    fs::remove_all(dir);
}

// --temperature draws the network's moves (self-play games that differ): the same seed plays the
// same game, another seed another; with --playouts it is refused (the search chooses).
TEST(GoGtp, TheTemperatureDrawsMovesFromTheSeed) {
    auto opening = [](const std::string& options) {
        go::GtpClient engine(std::string(KAYA_BINARY) + " go gtp --temperature 1 " + options, 30);
        std::string moves;
        for (int i = 0; i < 6; ++i) moves += engine.send(i % 2 ? "genmove w" : "genmove b") + " ";
        return moves;
    };
    const std::string a = opening("--seed 1");
    EXPECT_EQ(opening("--seed 1"), a);
    EXPECT_NE(opening("--seed 2"), a);
    go::GtpClient refused(std::string(KAYA_BINARY) + " go gtp --temperature 1 --playouts 8 2>/dev/null", 30);
    EXPECT_THROW(refused.send("name"), IoError);
}

// The real binary as a GTP engine with a (tiny, untrained) network: what a controller sees.
TEST(GoGtp, TheBinaryPlaysThroughGtpWithAWeightsFile) {
    const std::string dir = tmp_dir("gtp");
    go::PolicyNet net({.board = 9, .filters = 4, .layers = 3});
    go::save_policy(dir + "/net.safetensors", net);
    go::GtpClient engine(std::string(KAYA_BINARY) + " go gtp --weights " + dir + "/net.safetensors",
                         30);
    EXPECT_EQ(engine.send("protocol_version"), "2");
    EXPECT_THROW(engine.send("boardsize 19"), ValueError);  // The net plays 9x9 only.
    engine.send("boardsize 9");
    engine.send("komi 7.5");
    engine.send("play b e5");
    const std::string move = engine.send("genmove w");
    EXPECT_EQ(move.size(), 2u)
        << move;  // A vertex such as "D4": an untrained net neither passes nor resigns.
    EXPECT_NE(move, "E5");
    EXPECT_THROW(engine.send("play w e5"), ValueError);
    EXPECT_THROW(engine.send("genmove purple"), ValueError);
    EXPECT_TRUE(engine.alive());
    // A weights file that is not a policy network is refused with a message, not a crash.
    io::write_file_atomic(dir + "/bad.safetensors", "not a safetensors file");
    go::GtpClient bad(
        std::string(KAYA_BINARY) + " go gtp --weights " + dir + "/bad.safetensors 2>/dev/null", 30);
    EXPECT_THROW(bad.send("name"), IoError);
}

}  // namespace
}  // namespace kaya::app
