// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// Copy converted to dtype (Tensor.to(dtype)); the same tensor when the dtype already matches.
// Differentiable between floating dtypes (the gradient is cast back).
Tensor to(const Tensor& x, DType dtype);
// x itself when contiguous, else a dense copy (Tensor.contiguous()).
Tensor contiguous(const Tensor& x);
// A dense copy with its own storage; gradient flows back unchanged (torch.clone).
Tensor clone(const Tensor& x);
// Same memory, no history and requires_grad false (Tensor.detach()).
Tensor detach(const Tensor& x);

// In-place ops (copy_, fill_, add_, mul_, ...) are in inplace.h.

}  // namespace kaya
