// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>

#include "kaya/core/tensor.h"

namespace kaya {

// The hyperparameters of torch.nn.functional.conv2d, as (height, width) pairs.
struct Conv2dParams {
    std::array<int64_t, 2> stride{1, 1};
    std::array<int64_t, 2> padding{0, 0};
    std::array<int64_t, 2> dilation{1, 1};
    int64_t groups = 1;
};

// torch.nn.functional.conv2d: input (N, C, H, W) or unbatched (C, H, W), weight
// (O, C / groups, KH, KW), optional bias (O) -> (N, O, HO, WO) with
// HO = (H + 2 * padding - dilation * (KH - 1) - 1) / stride + 1. float32 or float64.
// Zero padding; no pooling. Differentiable to any order.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dParams& params = {});

// What conv2d may do to its output in the same pass, as cuDNN's convolution-add-ReLU and
// oneDNN's post-ops do: add a tensor (a residual of the output's shape, or one value per image
// and channel, (N, O, 1, 1)), then a ReLU.
struct Conv2dEpilogue {
    Tensor add;         // undefined: nothing added; otherwise broadcast to the output as add()
    bool relu = false;  // then relu()
};

// relu(add(conv2d(input, weight, bias, params), epilogue.add)), each step only when asked. It
// is those ops, with their bits, checks and gradients. With a 4-D input and an add of the
// output's shape or (N, O, 1, 1) in the input's dtype, the add and the ReLU run as the
// convolution writes its output (Winograd's path) or in one pass after it, instead of two more
// passes and two more tensors; in training one node then takes the gradient back through the
// ReLU (its mask read from the output) to the convolution and the add.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv2dParams& params, const Conv2dEpilogue& epilogue);

// The hyperparameters of torch.nn.functional.conv1d.
struct Conv1dParams {
    int64_t stride = 1;
    int64_t padding = 0;
    int64_t dilation = 1;
    int64_t groups = 1;
};

// torch.nn.functional.conv1d: input (N, C, L) or unbatched (C, L), weight (O, C / groups, K),
// optional bias (O) -> (N, O, LO) with LO = (L + 2 * padding - dilation * (K - 1) - 1) / stride
// + 1. Runs as conv2d over a height of 1 (the same kernels and gradients). Differentiable to any
// order.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv1dParams& params = {});

// torch.nn.grad.conv2d_input: the gradient of conv2d with respect to an input of
// `input_shape` (N, C, H, W), given the output gradient (N, O, HO, WO) and the weight. This is
// the transposed convolution. Differentiable to any order.
Tensor conv2d_input_grad(const Shape& input_shape, const Tensor& weight,
                         const Tensor& grad_output, const Conv2dParams& params = {});

// torch.nn.grad.conv2d_weight: the gradient of conv2d with respect to a weight of
// `weight_shape` (O, C / groups, KH, KW), summed over the batch. Differentiable to any order.
Tensor conv2d_weight_grad(const Tensor& input, const Shape& weight_shape,
                          const Tensor& grad_output, const Conv2dParams& params = {});

}  // namespace kaya
