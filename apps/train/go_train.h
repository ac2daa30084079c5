// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/go/data/positions.h"
#include "apps/go/policy/policy.h"
#include "apps/train/config.h"
#include "apps/train/trainer.h"

namespace kaya::app {

// Move prediction on a set of positions: mean cross-entropy, and how often the expert's move
// is the net's first choice (top-1) or among its five most probable points (top-5).
struct PolicyScore {
    double loss = 0, top1 = 0, top5 = 0;
    int64_t positions = 0;
};

// Scores the first `limit` positions of a seeded shuffle of `positions` (all when limit <= 0),
// without augmentation, in eval mode and without a graph. With symmetries > 1 the score is
// that of the net averaged over that many board symmetries (go::ensemble_log_probs), and
// `plain`, when given, receives the net's own score from the same forward passes.
PolicyScore evaluate_policy(go::PolicyNet& net, const go::GoPositions& positions, int64_t limit, uint64_t seed,
                            bool show_progress = false, int symmetries = 1, PolicyScore* plain = nullptr);

struct GoEpochRecord {
    int64_t epoch = 0;       // 1-based.
    int64_t positions = 0;   // Training positions seen by the end of the epoch.
    double train_loss = 0, train_top1 = 0;
    PolicyScore val;
    double lr = 0, seconds = 0;
};

struct GoRunResult {
    std::string dir;
    std::vector<GoEpochRecord> history;
    int64_t best_epoch = 0;
    PolicyScore test;  // The best net (by validation top-1) on the held-out test games.
    // The same averaged over eval.symmetries board symmetries (when more than 1).
    PolicyScore test_ensemble;
    std::string data_description, model_summary;
    int64_t num_parameters = 0;
};

// Trains AlphaGo's policy network as described by a config with task.kind = "go_policy"
// (configs/go_policy*.toml; README lists the keys). Games come from data.path (a directory, a
// .tar.gz of SGF files or one file), split by game into train/validation/test. An epoch is
// train.positions_per_epoch positions drawn from an endless seeded shuffle of the training
// positions, each under a random one of the 8 symmetries. Writes to output.dir: config.toml,
// metrics.csv, curves.svg, model.safetensors (best by validation top-1, with the net's shape
// as metadata: `kaya go gtp --weights` needs nothing else), test.json, and
// checkpoint.safetensors every epoch and every train.checkpoint_minutes, from which
// RunOptions::resume continues exactly where the run stopped.
GoRunResult train_go_policy(const Config& cfg, const RunOptions& options = {});

}  // namespace kaya::app
