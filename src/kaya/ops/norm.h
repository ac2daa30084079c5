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

// Batch normalisation (F.batch_norm, Ioffe and Szegedy 2015) over x (N, C, *): per channel,
// subtract the mean and divide by sqrt(var + eps), then weight and bias (C) if defined. In
// training the statistics are the batch's (biased variance), and running_mean / running_var (C),
// if defined, are updated in place outside the graph: r = (1 - momentum) r + momentum s, with
// the unbiased variance, as PyTorch. In evaluation the running statistics are used (they must
// be defined). Built from ops: differentiable to any order. ShapeError / DTypeError on
// mismatches; ValueError for a training batch with one value per channel.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  bool training = false, double momentum = 0.1, double eps = 1e-5);

}  // namespace kaya
