// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// Layer normalisation over the last C elements of each of N rows (Ba et al. 2016):
//   out[n, c] = (x[n, c] - mean[n]) * rstd[n] * weight[c] + bias[c],
//   rstd[n] = 1 / sqrt(var[n] + eps), var the biased variance of row n.
// x, out: (N, C) contiguous; weight, bias: (C) or nullptr (then 1 and 0); mean, rstd: (N),
// written for the backward pass. Statistics accumulate in double, two passes over the row.
template <class T>
void layer_norm_forward(T* out, T* mean, T* rstd, const T* x, const T* weight, const T* bias,
                        int64_t N, int64_t C, double eps);

// Gradients of layer_norm_forward for the upstream gradient dy (N, C), with xhat = (x - mean)
// * rstd and g = dy * weight:
//   dx = rstd * (g - mean_c(g) - xhat * mean_c(g * xhat)),
//   dweight[c] = sum_n dy * xhat,  dbias[c] = sum_n dy.
// Any of dx, dweight, dbias may be nullptr (not wanted). Written, never accumulated; the sums
// over n run in a fixed order, so results do not depend on the thread count.
template <class T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* weight, int64_t N, int64_t C);

}  // namespace kaya::kernels
