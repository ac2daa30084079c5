// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "kaya/optim/optim.h"

namespace kaya::app {

// The optimizer and learning-rate schedule keys of [train], read once with their defaults.
struct OptimSettings {
    std::string optimizer = "adam";  // sgd | momentum | nesterov | adagrad | rmsprop | adam | adamw
    double lr = 0.001;               // Default 0.01 for sgd, momentum, nesterov and adagrad.
    double momentum = 0;             // Default 0.9 for momentum and nesterov.
    double weight_decay = 0;
    double beta1 = 0.9, beta2 = 0.999;  // Adam, AdamW.
    double alpha = 0.99;                // RMSprop's smoothing.
    bool amsgrad = false;
    // none | step | exponential | cosine | warmup_cosine | warmup_inverse_sqrt | plateau
    std::string schedule = "none";
    // What the schedule counts: "epoch" (stepped after each epoch) or "batch" (after each
    // optimizer step, as fairseq's updates: warm-up over the first `warmup` batches).
    std::string schedule_unit = "epoch";
    int64_t step_size = 10;         // step.
    double gamma = 0.5;             // step, plateau (0.95 for exponential).
    double eta_min = 0;             // cosine.
    int64_t warmup = 2;             // warmup_cosine, warmup_inverse_sqrt (in schedule units).
    int64_t plateau_patience = 5;   // plateau.

    static OptimSettings read(const Config& cfg);
};

std::unique_ptr<optim::Optimizer> build_optimizer(const OptimSettings& s,
                                                  const std::vector<Tensor>& params);

// The schedule over `epochs` epochs of `batches` batches, in s.schedule_unit; null for none
// and plateau (the loop drives ReduceLROnPlateau with the validation loss).
std::unique_ptr<optim::LRScheduler> build_schedule(const OptimSettings& s, optim::Optimizer& opt,
                                                   int64_t epochs, int64_t batches = 1);

}  // namespace kaya::app
