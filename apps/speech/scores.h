// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/train/task.h"
#include "kaya/core/tensor.h"

namespace kaya::speech {

// A recording's label from its frames: each frame votes for its most likely class; the class
// with most votes wins, ties broken by the summed log-probabilities of the tied classes.
// log_probs (T, K), T >= 1.
int64_t vote(const Tensor& log_probs);

// Frame and recording accuracies of one split, and the recordings' confusion matrix.
struct Scores {
    int64_t classes = 0;
    double loss = 0;  // Summed frame negative log-likelihood.
    double frames = 0, frame_correct = 0, recordings = 0, recording_correct = 0;
    std::vector<double> confusion;      // gold * classes + predicted, per recording
    std::vector<int64_t> predictions;   // Per recording, in order.

    explicit Scores(int64_t k = 0) : classes(k), confusion(static_cast<size_t>(k * k), 0.0) {}
    void add(const Tensor& log_probs, int64_t label);
    // <prefix>_loss (per frame), <prefix>_frame_accuracy, <prefix>_accuracy (per recording).
    app::Metrics metrics(const std::string& prefix) const;
};

}  // namespace kaya::speech
