// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/nn/module.h"

namespace kaya::nn {

// (x - mean) / std per feature, with mean and std stored as buffers so they travel with the
// weights: shape (F) for the last dim of (N, F), or any shape that broadcasts against the
// input's trailing dims, e.g. (C, 1, 1) per channel of images (N, C, H, W). Features with std 0 are divided by 1 instead. Usually computed on
// the training split only.
class Standardize : public Module {
public:
    Standardize(const Tensor& mean, const Tensor& std);
    // Mean and standard deviation (population) of the rows of x (N, F).
    static std::shared_ptr<Standardize> fit(const Tensor& x);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Standardize"; }
    std::string extra_repr() const override;

    Tensor mean, std;
};

}  // namespace kaya::nn
