// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/random.h"
#include "kaya/nn/module.h"

namespace kaya::nn {

struct LinearOptions {
    int64_t in = 0;   // in_features
    int64_t out = 0;  // out_features
    bool bias = true;
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;  // For the initialisation; nullptr uses the default generator.
};

// y = x W^T + b with W (out, in) and b (out) (torch.nn.Linear), over any leading dims:
// (*, in) -> (*, out). Initialised as PyTorch: W ~ kaiming_uniform(a = sqrt(5)), i.e.
// U(-1/sqrt(in), 1/sqrt(in)), and b ~ U(-1/sqrt(in), 1/sqrt(in)).
class Linear : public Module {
public:
    explicit Linear(LinearOptions options);
    Linear(int64_t in, int64_t out, bool bias = true) : Linear(LinearOptions{.in = in, .out = out, .bias = bias}) {}

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Linear"; }
    std::string extra_repr() const override;

    Tensor weight;  // (out, in)
    Tensor bias;    // (out), undefined without bias

private:
    LinearOptions options_;
};

}  // namespace kaya::nn
