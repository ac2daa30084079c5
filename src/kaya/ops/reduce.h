// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "kaya/core/tensor.h"

namespace kaya {

// Reductions follow torch: `dims` lists the dims to reduce (negative allowed, an empty list
// means all dims), keepdim keeps them as size 1. Out-of-range or repeated dims throw
// IndexError/ValueError.

// Sum; int64 and bool inputs sum to int64 (torch.sum). Float sums accumulate in double.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Arithmetic mean; floating inputs only (torch.mean).
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Variance with Bessel's correction by default (torch.var(correction=1)); std = sqrt(var).
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, int64_t correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& x, const std::vector<int64_t>& dims = {}, int64_t correction = 1,
           bool keepdim = false);

// Values and positions of the max/min along one dim (torch.max(x, dim)). The first index
// wins ties; NaN counts as the largest. The gradient goes to that index.
struct ValuesIndices {
    Tensor values;   // x's shape without dim (or dim kept as 1)
    Tensor indices;  // same shape, int64
};
ValuesIndices max(const Tensor& x, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, int64_t dim, bool keepdim = false);
// Max / min of all elements as a 0-dim tensor; ValueError for an empty tensor.
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
// Max / min over several dims (torch.amax/amin); gradient split evenly among ties.
Tensor amax(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Index of the max/min along dim (int64), or of the flattened tensor.
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x);

// log(sum(exp(x))) computed with the max subtracted, finite for large inputs.
Tensor logsumexp(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Vector p-norm over dims (torch.linalg.vector_norm): p = 2, 1, any positive p, or INFINITY.
// The 2-norm's gradient at a zero vector is 0, as in PyTorch.
Tensor norm(const Tensor& x, double p = 2.0, const std::vector<int64_t>& dims = {},
            bool keepdim = false);
// softmax and log_softmax along dim, numerically stable (torch.softmax / log_softmax).
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace kaya
