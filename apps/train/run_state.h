// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/train/task.h"
#include "kaya/io/safetensors.h"
#include "kaya/nn/module.h"
#include "kaya/optim/optimizer.h"

namespace kaya::app {

// Everything a run needs to continue exactly where it stopped: the loop's position (completed
// epochs, batches of the current epoch), the running sums of the unfinished epoch, the history,
// the best epoch and its weights, early-stopping state. The model, the optimizer and the default
// generator's state travel with it in checkpoint.safetensors.
struct RunState {
    std::vector<Metrics> history;  // One row per finished epoch.
    int64_t epochs_done = 0;
    int64_t batches_done = 0;  // Batches of epoch epochs_done + 1 already trained.
    Metrics sums;              // "examples", "loss" and the task's sums, for that epoch.
    double epoch_seconds = 0;  // Time spent on that epoch before the checkpoint.
    int64_t best_epoch = 0;
    double best_score = NAN;
    int64_t bad_epochs = 0;   // Epochs since the best (early stopping).
    NamedTensors best_state;  // Clones of the best weights.
    Metrics schedule;         // State of a schedule driven by metrics (ReduceLROnPlateau).
    int64_t processes = 1;    // Processes that trained together (data parallelism).

    // Writes checkpoint.safetensors atomically. batch_size and batches_per_epoch are recorded so
    // that a resume with other values (which would not continue the same batches) is refused.
    void save(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
              int64_t batch_size, int64_t batches_per_epoch) const;
    // Restores state, model, optimizer and the default generator. IoError when the file is
    // missing, ParseError naming the key when it is incomplete, ValueError when batch_size,
    // batches_per_epoch or the number of processes (this->processes) differ.
    void load(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
              int64_t batch_size, int64_t batches_per_epoch);
    // The same from a checkpoint already read (`path` names it in errors).
    void load(const io::SafetensorsFile& f, const std::string& path, nn::Module& model,
              optim::Optimizer& optimizer, int64_t batch_size, int64_t batches_per_epoch);
};

// metrics.csv (one row per epoch, the history's columns) and curves.svg (training and
// validation loss against the task's x axis).
void write_history(const std::string& dir, const std::vector<Metrics>& history,
                   const Task::PlotAxis& axis);

}  // namespace kaya::app
