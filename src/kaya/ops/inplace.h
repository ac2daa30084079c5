// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// In-place ops (Tensor.copy_ / fill_ / zero_ / add_ / sub_ / mul_ / div_). They write into x,
// bump its version counter and return x. Under grad mode they refuse leaves that require
// grad (as PyTorch does) and views of tensors in a graph; a non-leaf x takes the op into its
// history. `src`/`other` broadcast to x's shape; the result is cast to x's dtype.
Tensor& copy_(Tensor& x, const Tensor& src);
Tensor& fill_(Tensor& x, double value);
Tensor& zero_(Tensor& x);
Tensor& add_(Tensor& x, const Tensor& other, double alpha = 1.0);
Tensor& sub_(Tensor& x, const Tensor& other);
Tensor& mul_(Tensor& x, const Tensor& other);
Tensor& div_(Tensor& x, const Tensor& other);
Tensor& add_(Tensor& x, double other);
Tensor& mul_(Tensor& x, double other);

}  // namespace kaya
