// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/train/run.h"

namespace kaya::app {

// One swept config key and its values, each a TOML literal as `--set` takes them.
struct SweepAxis {
    std::string key;
    std::vector<std::string> values;
};

// Parses "train.lr=0.001,0.003,0.01" (commas inside [], {} or quotes do not split:
// "model.hidden=[32,16],[64]" has two values, and "augment={},{hflip=0.5,vflip=0.5}" sweeps
// whole tables). ValueError names the spec when malformed.
SweepAxis parse_sweep_axis(const std::string& spec);

struct SweepOptions {
    std::string out_dir;  // Default: runs/sweep-<config stem>.
    bool resume = false;  // Keep finished runs, resume a killed one from its checkpoint.
    bool force = false;   // Retrain runs that a previous sweep left in out_dir.
    bool verbose = true;
};

struct SweepRun {
    std::vector<std::string> values;  // One per axis, in axis order.
    std::string dir;
    double best_score = NAN;  // The task's selection metric at its best epoch.
    int64_t best_epoch = 0;
    Metrics at_best;  // The training and validation columns ("train_...", "val_...") of that epoch.
    Metrics test;     // The run's test scores (test.json), when its task has a test set.
    double seconds = 0;
};

struct SweepResult {
    std::string dir;
    Selection selection;         // The task's: which metric ranks the runs, and which way.
    std::vector<SweepRun> runs;  // Grid order (the last axis varies fastest).
    size_t best = 0;             // Index of the best run by the selection metric.
};

// Trains every combination of the axes' values (a full grid) on top of `base`, for any
// registered task, each run in <out_dir>/run-NNN. After each run it rewrites
// <out_dir>/sweep.csv (one row per finished run: the swept values, the best selection metric
// and its epoch, the other training and validation metrics at that epoch, the test scores,
// seconds) and <out_dir>/sweep.svg
// (the selection metric against the first axis, one line per combination of the others, the
// best run marked). Hyperparameters are the ones people set: this is how to choose them on the
// validation split.
SweepResult sweep(const Config& base, const std::vector<SweepAxis>& axes,
                  const SweepOptions& options, const TaskRegistry& registry = task_registry());

}  // namespace kaya::app
