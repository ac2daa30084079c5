// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include "kaya/nn/module.h"

namespace kaya::nn {

struct LayerNormOptions {
    Shape normalized_shape;           // The trailing dims normalised together, e.g. {d_model}.
    double eps = 1e-5;
    bool elementwise_affine = true;   // Learnable weight (ones) and bias (zeros).
    DType dtype = kDefaultDType;
};

// Layer normalisation over the trailing normalized_shape dims (torch.nn.LayerNorm): parameters
// `weight` and `bias` of shape normalized_shape. (*, normalized_shape) -> same shape.
class LayerNorm : public Module {
public:
    explicit LayerNorm(LayerNormOptions options);
    explicit LayerNorm(int64_t features, double eps = 1e-5)
        : LayerNorm(LayerNormOptions{.normalized_shape = {features}, .eps = eps}) {}

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LayerNorm"; }
    std::string extra_repr() const override;

    Tensor weight;  // normalized_shape, undefined without elementwise_affine
    Tensor bias;    // normalized_shape, undefined without elementwise_affine

private:
    LayerNormOptions options_;
};

struct BatchNormOptions {
    int64_t num_features = 0;        // C.
    double eps = 1e-5;
    std::optional<double> momentum = 0.1;  // nullopt: cumulative average (1 / batches seen).
    bool affine = true;              // Learnable weight (ones) and bias (zeros).
    bool track_running_stats = true; // Buffers running_mean, running_var, num_batches_tracked.
    DType dtype = kDefaultDType;
};

// Batch normalisation (torch.nn.BatchNorm1d / BatchNorm2d): batch statistics in training mode
// (updating the running ones), running statistics in evaluation mode. Parameters weight and
// bias (C); buffers running_mean (zeros), running_var (ones) and num_batches_tracked (int64,
// 0-dim), all in the state_dict under PyTorch's names. BatchNorm1d takes (N, C) or (N, C, L),
// BatchNorm2d (N, C, H, W); ShapeError otherwise.
class BatchNorm : public Module {
public:
    BatchNorm(BatchNormOptions options, int spatial_dims);

    Tensor forward(const Tensor& x) override;
    std::string extra_repr() const override;

    Tensor weight, bias;                                       // (C), undefined without affine
    Tensor running_mean, running_var, num_batches_tracked;     // undefined without tracking

private:
    BatchNormOptions options_;
    int spatial_;  // 1: BatchNorm1d, 2: BatchNorm2d.
};

class BatchNorm1d : public BatchNorm {
public:
    explicit BatchNorm1d(BatchNormOptions options) : BatchNorm(options, 1) {}
    explicit BatchNorm1d(int64_t features) : BatchNorm({.num_features = features}, 1) {}
    std::string type_name() const override { return "BatchNorm1d"; }
};

class BatchNorm2d : public BatchNorm {
public:
    explicit BatchNorm2d(BatchNormOptions options) : BatchNorm(options, 2) {}
    explicit BatchNorm2d(int64_t features) : BatchNorm({.num_features = features}, 2) {}
    std::string type_name() const override { return "BatchNorm2d"; }
};

}  // namespace kaya::nn
