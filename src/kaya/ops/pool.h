// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "kaya/core/tensor.h"
#include "kaya/ops/reduce.h"

namespace kaya {

// The hyperparameters of torch.nn.functional's 2-D pooling, as (height, width) pairs.
struct Pool2dParams {
    std::array<int64_t, 2> kernel_size{1, 1};
    std::optional<std::array<int64_t, 2>> stride;  // Default: kernel_size.
    std::array<int64_t, 2> padding{0, 0};          // At most half the (effective) window.
    std::array<int64_t, 2> dilation{1, 1};         // Max pooling only.
    bool ceil_mode = false;          // Round the output size up (a last, partial window).
    bool count_include_pad = true;   // Average pooling: padded positions count in the divisor.
};

// Max pooling (F.max_pool2d): input (N, C, H, W) or (C, H, W) float, output (N, C, HO, WO) with
// HO = floor_or_ceil((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1 (a ceil_mode window
// must start inside the input or its left padding). Padding is -inf. The gradient goes to each
// window's maximum (the first, on ties). ShapeError / ValueError on bad sizes.
Tensor max_pool2d(const Tensor& x, const Pool2dParams& params);
// The same with the maxima's flat positions h * W + w in their plane (return_indices=True).
ValuesIndices max_pool2d_with_indices(const Tensor& x, const Pool2dParams& params);

// Average pooling (F.avg_pool2d, no dilation): each window's mean over its in-bounds inputs,
// divided by the window's size (count_include_pad) or by its in-bounds count.
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& params);
// The adjoint of avg_pool2d for an input of input_shape: the gradient op, differentiable.
Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape,
                           const Pool2dParams& params);

// Adaptive average pooling to output_size (F.adaptive_avg_pool2d): window o of an axis of n
// spans [floor(o n / out), ceil((o + 1) n / out)).
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> output_size);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape);

}  // namespace kaya
