// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// Matrix products through the CBLAS gemm (float/double; int64 uses the reference loop).
// Operands must share a dtype (DTypeError otherwise, as in torch.mm); transposed operands are
// passed to BLAS as flags, other layouts are copied once.

// (M, K) @ (K, N) -> (M, N) (torch.mm).
Tensor mm(const Tensor& a, const Tensor& b);
// (B, M, K) @ (B, K, N) -> (B, M, N) (torch.bmm).
Tensor bmm(const Tensor& a, const Tensor& b);
// torch.matmul: dot for 1-D x 1-D, matrix-vector, vector-matrix, and batched products whose
// leading (batch) dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
// torch.nn.functional.linear: x (*, in) @ weight(out, in)^T + bias(out) -> (*, out), one gemm
// with the bias as its C operand. Its backward computes grad_weight = g^T x directly (one gemm,
// contiguous), so the weight's .grad needs no copy. bias may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
// Outer product of two 1-D tensors: (N) x (M) -> (N, M).
Tensor outer(const Tensor& a, const Tensor& b);
// Inner product of two 1-D tensors of equal length, a 0-dim tensor.
Tensor dot(const Tensor& a, const Tensor& b);

}  // namespace kaya
