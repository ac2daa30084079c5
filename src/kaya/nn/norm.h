// SPDX-License-Identifier: MIT
#pragma once

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

}  // namespace kaya::nn
