// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "kaya/core/tensor.h"

namespace kaya::app {

struct EpochRecord {
    int64_t epoch = 0;  // 1-based.
    double train_loss = 0, val_loss = 0;
    double val_accuracy = -1;  // Classification only.
    double lr = 0, seconds = 0;
};

struct RunOptions {
    bool resume = false;       // Continue from <dir>/checkpoint.safetensors.
    int64_t stop_after = -1;   // Stop after this epoch as if killed (for resume tests).
    bool verbose = true;       // Per-epoch lines on stdout.
};

struct RunResult {
    std::string dir;
    std::vector<EpochRecord> history;
    int64_t best_epoch = 0;
    double best_val_loss = 0;
    // The best weights scored on the data's labeled test set, when it has one (else NaN).
    double test_loss = NAN, test_accuracy = NAN;
    bool stopped_early = false;
    std::string data_description, model_summary;
    int64_t num_parameters = 0;
};

// Runs the training described by a config (see configs/*.toml and README): data, MLP,
// optimizer, schedule, early stopping (train.patience), gradient clipping (train.clip_norm).
// Writes to output.dir: config.toml, metrics.csv, curves.svg, model.safetensors (the best
// weights by validation loss, names as in PyTorch's state_dict), checkpoint.safetensors
// (everything needed to resume, written atomically after every epoch), test.json (the best
// weights' loss and accuracy on a labeled test set, when the data has one) and predictions.csv
// when data.test_path is set. With RunOptions::resume it continues a killed run and reaches
// the same weights as an uninterrupted one.
RunResult train(const Config& cfg, const RunOptions& options = {});

// Checkpoints keep several state dicts in one file under prefixes ("model.", "optimizer.").
NamedTensors with_prefix(const std::string& prefix, const NamedTensors& in);
// The entries under `prefix`, with the prefix removed.
NamedTensors without_prefix(const std::string& prefix, const NamedTensors& in);

}  // namespace kaya::app
