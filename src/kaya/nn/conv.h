// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/random.h"
#include "kaya/nn/module.h"
#include "kaya/ops/conv.h"

namespace kaya::nn {

struct Conv2dOptions {
    int64_t in = 0;   // in_channels
    int64_t out = 0;  // out_channels
    std::array<int64_t, 2> kernel{3, 3};
    Conv2dParams params;  // stride, padding, dilation, groups
    bool bias = true;
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;  // For the initialisation; nullptr uses the default generator.
};

// torch.nn.Conv2d with zero padding: (N, in, H, W) -> (N, out, HO, WO), weight
// (out, in / groups, kH, kW), bias (out). Initialised as PyTorch: kaiming_uniform(a = sqrt(5))
// on the weight, bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in / groups * kH * kW.
class Conv2d : public Module {
public:
    explicit Conv2d(Conv2dOptions options);

    Tensor forward(const Tensor& x) override;
    // The convolution followed by an add and a ReLU (conv2d's Conv2dEpilogue).
    Tensor forward(const Tensor& x, const Conv2dEpilogue& epilogue);
    std::string type_name() const override { return "Conv2d"; }
    std::string extra_repr() const override;
    const Conv2dOptions& options() const { return options_; }

    Tensor weight;  // (out, in / groups, kH, kW)
    Tensor bias;    // (out), undefined without bias

private:
    Conv2dOptions options_;
};

struct Conv1dOptions {
    int64_t in = 0;   // in_channels
    int64_t out = 0;  // out_channels
    int64_t kernel = 3;
    Conv1dParams params;  // stride, padding, dilation, groups
    bool bias = true;
    DType dtype = kDefaultDType;
    Generator* gen = nullptr;  // For the initialisation; nullptr uses the default generator.
};

// torch.nn.Conv1d with zero padding: (N, in, L) -> (N, out, LO), weight (out, in / groups, K),
// bias (out); initialised as PyTorch's (as Conv2d, fan_in = in / groups * K).
class Conv1d : public Module {
public:
    explicit Conv1d(Conv1dOptions options);

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Conv1d"; }
    std::string extra_repr() const override;
    const Conv1dOptions& options() const { return options_; }

    Tensor weight;  // (out, in / groups, K)
    Tensor bias;    // (out), undefined without bias

private:
    Conv1dOptions options_;
};

}  // namespace kaya::nn
