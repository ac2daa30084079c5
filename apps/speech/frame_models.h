// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/train/task.h"
#include "kaya/data/dataset.h"
#include "kaya/nn/nn.h"

namespace kaya::speech {

// The [model] keys of the two frame classifiers. Both give every 10 ms frame its own class
// probabilities; a recording's label is then the vote of its frames (scores.h).
//   kind = "mlp"   the course's phoneme classifier: frame t's features with `context` frames
//                  on each side (edges repeated), concatenated, through Linear (+ BatchNorm1d)
//                  + ReLU + Dropout layers of sizes `hidden`, then a linear layer per class
//   kind = "cnn"   a small fully convolutional CNN over the recording's feature image
//                  (coefficients x frames, cut or zero-padded to `frames` columns): stages of
//                  `convs` 3x3 conv + BatchNorm2d + ReLU, each ending in max pooling over the
//                  coefficient axis only (2x1), so every frame keeps its own column; then a
//                  head per frame over its whole column (`head` units, BatchNorm, ReLU) and a
//                  linear layer per class
struct FrameModelOptions {
    std::string kind = "mlp";
    int64_t context = 5;
    std::vector<int64_t> hidden = {512, 512};
    bool batch_norm = true;
    double dropout = 0.2;
    std::vector<int64_t> channels = {16, 32, 64};
    int64_t convs = 2;
    int64_t frames = 128;
    int64_t head = 128;

    static FrameModelOptions read(const app::Config& cfg, const std::string& kind);
    std::map<std::string, std::string> metadata() const;
    static FrameModelOptions from_metadata(const std::map<std::string, std::string>& m, const std::string& source);
};

// A network plus the way it sees recordings. Feature matrices are (frames, dim) float32.
class FrameModel {
public:
    virtual ~FrameModel() = default;
    virtual nn::Sequential& network() = 0;
    // Training examples from the training recordings (frames for the MLP, recordings for the
    // CNN), kept by the model where its loss needs them.
    virtual std::shared_ptr<data::Dataset> training_set(const std::vector<Tensor>& features,
                                                        const std::vector<int64_t>& labels) = 0;
    // Mean frame cross-entropy of a batch; adds the batch's correct frames and its frame count
    // to sums ("frame_accuracy", "frames").
    virtual Tensor loss(const data::Example& batch, app::Metrics& sums) = 0;
    // Per-frame log-probabilities (frames_i, classes) of each recording (no graph; the caller
    // sets eval mode).
    virtual std::vector<Tensor> log_probs(const std::vector<Tensor>& features) = 0;
    virtual std::string describe() const = 0;
};

// ValueError when the options do not fit (e.g. too many pooling stages for dim coefficients).
std::unique_ptr<FrameModel> make_frame_model(const FrameModelOptions& options, int64_t feature_dim, int64_t classes);

// The MLP's input rows: (T, dim) -> (T, (2k + 1) dim), row t holding frames t-k .. t+k with the
// first and last frame repeated past the edges.
Tensor context_windows(const Tensor& features, int64_t k);

}  // namespace kaya::speech
