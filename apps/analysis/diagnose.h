// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

// MISSION row 6: from finished runs of `kaya train` (their metrics.csv and weights), tell
// model bias from optimisation failure and overfitting, with the numbers, and say what to try.
namespace kaya::analysis {

// One run directory as the diagnosis sees it.
struct RunSummary {
    std::string dir;
    int64_t parameters = 0;  // Elements of model.safetensors' floating tensors.
    int64_t layers = 0;      // Its weight matrices and kernels (tensors of 2 or more dims).
    std::vector<double> epoch, train_loss, val_loss;
    double best_train = 0;   // Lowest training loss over the epochs.
    double best_val = 0;     // Lowest validation loss, at epoch best_val_epoch.
    int64_t best_val_epoch = 0;
    std::string label() const;  // "20 layers, 75,786 parameters"
};

// Reads dir/metrics.csv (needs columns epoch, train_loss and val_loss) and dir/model.safetensors.
// IoError when dir is not a run directory (no metrics.csv), ParseError for a table without
// the columns, ValueError for a run with no finished epoch.
RunSummary read_run(const std::string& dir);

// Run directories: each argument is a run directory, or a sweep's directory whose run-NNN
// folders are taken in order. ValueError when an argument holds neither.
std::vector<std::string> expand_run_dirs(const std::vector<std::string>& args);

struct Finding {
    std::string kind;  // "optimisation", "model bias", "overfitting", "healthy"
    std::string text;  // The sentence with its numbers.
};

struct DiagnoseOptions {
    double margin = 0.05;  // A training loss this much (relative) above another's is "higher".
    double rise = 0.10;    // Validation loss this much above its minimum at the end: overfitting.
    double high = 0.5;     // Model bias: every run's training loss above this x its first epoch's.
};

struct Diagnosis {
    std::vector<RunSummary> runs;  // Smallest model first.
    std::vector<Finding> findings;
    std::vector<std::string> advice;
};

Diagnosis diagnose(std::vector<RunSummary> runs, const DiagnoseOptions& options = {});
// The findings and advice as the command prints them, with a table of the runs.
std::string diagnosis_text(const Diagnosis& d);
// Training (solid) and validation (dashed) loss of every run against the epoch.
std::string diagnosis_svg(const Diagnosis& d);

}  // namespace kaya::analysis
