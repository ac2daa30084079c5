// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"
#include "kaya/ops/scalar.h"

namespace kaya {

// Elementwise comparisons with broadcasting; operands are compared in their promoted dtype
// and the result is a bool tensor (torch.eq, ne, lt, le, gt, ge). Not differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, Scalar b);
Tensor ne(const Tensor& a, Scalar b);
Tensor lt(const Tensor& a, Scalar b);
Tensor le(const Tensor& a, Scalar b);
Tensor gt(const Tensor& a, Scalar b);
Tensor ge(const Tensor& a, Scalar b);

// Logical ops on truthiness (nonzero is true), bool result (torch.logical_and, ...).
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
// True where x is NaN.
Tensor isnan(const Tensor& x);

// cond ? a : b elementwise, all three broadcast together (torch.where). cond must be bool;
// a and b are promoted. Differentiable in a and b (the gradient is masked by cond).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, Scalar b);

}  // namespace kaya
