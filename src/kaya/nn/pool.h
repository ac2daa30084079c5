// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/nn/module.h"
#include "kaya/ops/pool.h"

namespace kaya::nn {

// Pooling layers (torch.nn.MaxPool2d, AvgPool2d, AdaptiveAvgPool2d) over (N, C, H, W) or
// (C, H, W); no parameters. The options are the ops' (ops/pool.h).
class MaxPool2d : public Module {
public:
    explicit MaxPool2d(Pool2dParams params) : params_(params) {}
    explicit MaxPool2d(int64_t kernel) : params_({.kernel_size = {kernel, kernel}}) {}
    Tensor forward(const Tensor& x) override { return max_pool2d(x, params_); }
    // return_indices=True: the maxima's flat positions in their planes too.
    ValuesIndices forward_with_indices(const Tensor& x) { return max_pool2d_with_indices(x, params_); }
    std::string type_name() const override { return "MaxPool2d"; }
    std::string extra_repr() const override;

private:
    Pool2dParams params_;
};

class AvgPool2d : public Module {
public:
    explicit AvgPool2d(Pool2dParams params) : params_(params) {}
    explicit AvgPool2d(int64_t kernel) : params_({.kernel_size = {kernel, kernel}}) {}
    Tensor forward(const Tensor& x) override { return avg_pool2d(x, params_); }
    std::string type_name() const override { return "AvgPool2d"; }
    std::string extra_repr() const override;

private:
    Pool2dParams params_;
};

class AdaptiveAvgPool2d : public Module {
public:
    explicit AdaptiveAvgPool2d(std::array<int64_t, 2> output_size) : size_(output_size) {}
    Tensor forward(const Tensor& x) override { return adaptive_avg_pool2d(x, size_); }
    std::string type_name() const override { return "AdaptiveAvgPool2d"; }
    std::string extra_repr() const override;

private:
    std::array<int64_t, 2> size_;
};

}  // namespace kaya::nn
