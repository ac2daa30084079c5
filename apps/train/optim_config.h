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
    std::string schedule = "none";  // none | step | exponential | cosine | warmup_cosine | plateau
    int64_t step_size = 10;         // step.
    double gamma = 0.5;             // step, plateau (0.95 for exponential).
    double eta_min = 0;             // cosine.
    int64_t warmup = 2;             // warmup_cosine.
    int64_t plateau_patience = 5;   // plateau.

    static OptimSettings read(const Config& cfg);
};

std::unique_ptr<optim::Optimizer> build_optimizer(const OptimSettings& s,
                                                  const std::vector<Tensor>& params);

// The per-epoch schedule over `epochs` epochs; null for none and plateau (the loop drives
// ReduceLROnPlateau with the validation loss).
std::unique_ptr<optim::LRScheduler> build_schedule(const OptimSettings& s, optim::Optimizer& opt,
                                                   int64_t epochs);

}  // namespace kaya::app
