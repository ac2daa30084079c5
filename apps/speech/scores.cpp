// SPDX-License-Identifier: MIT
#include "apps/speech/scores.h"

#include "kaya/ops/ops.h"

namespace kaya::speech {

int64_t vote(const Tensor& log_probs) {
    const int64_t T = log_probs.shape()[0], K = log_probs.shape()[1];
    auto lp = to_vector<double>(log_probs);
    std::vector<int64_t> votes(static_cast<size_t>(K), 0);
    std::vector<double> total(static_cast<size_t>(K), 0.0);
    for (int64_t t = 0; t < T; ++t) {
        int64_t best = 0;
        for (int64_t k = 0; k < K; ++k) {
            total[k] += lp[t * K + k];
            if (lp[t * K + k] > lp[t * K + best]) best = k;
        }
        ++votes[best];
    }
    int64_t winner = 0;
    for (int64_t k = 1; k < K; ++k) {
        if (votes[k] > votes[winner] || (votes[k] == votes[winner] && total[k] > total[winner])) winner = k;
    }
    return winner;
}

void Scores::add(const Tensor& log_probs, int64_t label) {
    const int64_t T = log_probs.shape()[0];
    loss -= sum(select(log_probs, 1, label)).item<double>();
    frame_correct += static_cast<double>(sum(eq(argmax(log_probs, 1), label)).item<int64_t>());
    frames += static_cast<double>(T);
    const int64_t p = vote(log_probs);
    predictions.push_back(p);
    recording_correct += p == label;
    recordings += 1;
    confusion[static_cast<size_t>(label * classes + p)] += 1;
}

app::Metrics Scores::metrics(const std::string& prefix) const {
    return {{prefix + "_loss", loss / std::max(1.0, frames)},
            {prefix + "_frame_accuracy", frame_correct / std::max(1.0, frames)},
            {prefix + "_accuracy", recording_correct / std::max(1.0, recordings)}};
}

}  // namespace kaya::speech
