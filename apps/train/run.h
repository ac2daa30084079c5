// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/train/data_parallel.h"
#include "apps/train/optim_config.h"
#include "apps/train/task.h"
#include "kaya/core/tensor.h"

namespace kaya::app {

// The keys the run loop itself reads, once, with their defaults in one place.
struct RunSettings {
    std::string kind = "regression";  // task.kind: which registered task.
    std::string dir;                  // output.dir (default runs/<config stem>).
    uint64_t seed = 0;                // train.seed: model initialisation, dropout, shuffling.
    int64_t epochs = 10;              // train.epochs (0: only evaluate and test).
    int64_t batch_size = 64;          // train.batch_size.
    int64_t patience = 0;             // train.patience: early stopping (0: off).
    double clip_norm = 0;             // train.clip_norm (0: off).
    double checkpoint_minutes = 10;   // train.checkpoint_minutes: also checkpoint mid-epoch.
    std::string init_weights;         // model.init_weights: start from a safetensors file.
    // model.init_strict: the file must hold every tensor of the model and no other. false: a
    // partial start (a new head on a trained body); shapes must still match.
    bool init_strict = true;
    OptimSettings optim;              // train.optimizer, train.lr, ..., train.schedule, ...
    ParallelSettings parallel;        // distributed.*: several processes (mpirun).

    static RunSettings read(const Config& cfg);
};

struct RunOptions {
    bool resume = false;      // Continue from <dir>/checkpoint.safetensors.
    bool force = false;       // Train into a directory that already holds a run's outputs.
    int64_t stop_after = -1;  // Stop after this epoch as if killed (for resume tests).
    bool verbose = true;      // Per-epoch lines on stdout, progress bars on a terminal.
    // The processes training together (data parallelism: `mpirun -np N kaya train`); null or a
    // group of one: this process alone. train.batch_size stays the global batch.
    distributed::ProcessGroup* group = nullptr;
};

struct RunResult {
    std::string dir;
    std::vector<Metrics>
        history;  // One row per epoch: "epoch", task columns, train, val, lr, seconds.
    int64_t best_epoch = 0;
    double best_score = NAN;  // The selection metric at the best epoch.
    Selection selection;
    Metrics test;  // The best weights on the test set (empty: no test set).
    bool stopped_early = false;
    std::string data_description, model_summary;
    int64_t num_parameters = 0;

    // A column of the best epoch's row (NaN when there is no such epoch or column).
    double best(const std::string& column) const;
};

// The one training loop for every task: builds the task named by task.kind from `registry`,
// refuses unknown config keys, seeds, trains with checkpoints (every epoch and every
// train.checkpoint_minutes; atomic), keeps the best weights by the task's selection metric in
// model.safetensors (rewritten whenever they improve), writes metrics.csv and curves.svg, and at
// the end scores the best weights on the test set (test.json). A run stopped at any point
// (SIGKILL, Ctrl-C, stop_after) and resumed reaches the same weights as an uninterrupted one.
// Ctrl-C saves a checkpoint and throws Interrupted.
RunResult run_training(const Config& cfg, const RunOptions& options = {},
                       const TaskRegistry& registry = task_registry());

// The effective config of a run (every key the loop and the task read, defaults included), as
// TOML; also validates it (unknown keys, values out of range).
std::string effective_config(const Config& cfg, const TaskRegistry& registry = task_registry());

// The selection a config's task uses (e.g. for ranking sweep runs), without preparing data.
Selection selection_of(const Config& cfg, const TaskRegistry& registry = task_registry());

// Thrown when a run is interrupted by SIGINT/SIGTERM after its checkpoint was written.
class Interrupted : public Error {
public:
    using Error::Error;
};

// Checkpoints keep several state dicts in one file under prefixes ("model.", "optimizer.").
NamedTensors with_prefix(const std::string& prefix, const NamedTensors& in);
// The entries under `prefix`, with the prefix removed.
NamedTensors without_prefix(const std::string& prefix, const NamedTensors& in);

}  // namespace kaya::app
