// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "kaya/data/dataset.h"
#include "kaya/nn/nn.h"
#include "kaya/optim/optim.h"

namespace kaya::app {

// Training and validation data built from the [data] section of a config, plus what the
// model needs to know about it.
struct PreparedData {
    std::shared_ptr<data::TensorDataset> train, val;  // Features float32; targets float32 (N, 1) or int64 (N).
    // Labeled held-out test set, scored once at the end; may be null.
    std::shared_ptr<data::TensorDataset> test;
    std::shared_ptr<nn::Standardize> normalizer;      // Fitted on the training split; null if off.
    int64_t num_features = 0;
    int64_t num_classes = 0;                          // 0 for regression.
    std::vector<std::string> feature_names;
    std::string target;                               // Target column (csv) for the prediction file.
    std::vector<int64_t> train_rows, val_rows;        // Row numbers of the split (csv, synthetic).
    Tensor test_x;                                    // Optional unlabeled test features.
    std::vector<int64_t> test_ids;
    std::string description;                          // One line for logs and the report.
};

// data.source: "csv" (path, target, features or select_k, id_column, test_path),
// "fashion_mnist" (dir, limit_train, limit_test: validation is val_fraction of the training
// images, the official test images the test set) or "synthetic" (rows, features, noise).
// Common keys: val_fraction (default 0.2), seed, normalize. Errors name the config key.
PreparedData prepare_data(const Config& cfg);

// An MLP from [model]: hidden = [64, 64], activation, dropout; input normalizer first.
std::shared_ptr<nn::Sequential> build_model(const Config& cfg, const PreparedData& data);

// The optimizer of [train]: optimizer = sgd | momentum | nesterov | adagrad | rmsprop | adam |
// adamw, with lr, momentum, weight_decay, betas, alpha, eps.
std::unique_ptr<optim::Optimizer> build_optimizer(const Config& cfg, const std::vector<Tensor>& params);

// The epoch-level LR schedule of [train]: schedule = none | step | exponential | cosine |
// warmup_cosine (step_size, gamma, eta_min, warmup). Returns null for none and plateau
// (plateau is driven by the trainer with the validation loss).
std::unique_ptr<optim::LRScheduler> build_schedule(const Config& cfg, optim::Optimizer& opt);

}  // namespace kaya::app
