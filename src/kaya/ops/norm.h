// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// Layer normalisation over the trailing dims given by normalized_shape
// (torch.nn.functional.layer_norm): each slice x[..., :] of normalized_shape's size is shifted
// to mean 0 and scaled to variance 1 (biased, eps inside the square root), then multiplied by
// weight and shifted by bias, both of shape normalized_shape (either may be undefined).
// x (*, normalized_shape) float32/float64 -> same shape and dtype. Fused forward and backward
// kernels; when a graph of the gradient is wanted (create_graph), the backward rule is built
// from ops so that double backward works. Throws ShapeError when the trailing dims, weight or
// bias do not match normalized_shape, DTypeError for a non-floating or mixed dtype.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

}  // namespace kaya
