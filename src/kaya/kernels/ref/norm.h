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

// Batch normalisation over x (N, C, S) contiguous (S: the spatial size, 1 for (N, C)), per
// channel c. With `stats` true the channel's mean and biased variance over N x S are computed
// (two passes, in double) and written to mean and var; otherwise mean and var are read (the
// running statistics). Then out = (x - mean) * rstd * weight + bias with rstd = 1 / sqrt(var +
// eps), written to rstd too; weight and bias may be nullptr (1 and 0). Channels are
// independent: any thread split gives the same bits.
template <class T>
void batch_norm_forward(T* out, T* mean, T* var, T* rstd, const T* x, const T* weight, const T* bias,
                        int64_t N, int64_t C, int64_t S, double eps, bool stats);

// Gradients of batch_norm_forward for dy (N, C, S), with xhat = (x - mean) * rstd and
// g = dy * weight. With batch statistics (training):
//   dx = rstd * (g - mean_ns(g) - xhat * mean_ns(g * xhat));
// with fixed statistics (evaluation): dx = rstd * g. dweight[c] = sum dy * xhat, dbias[c] =
// sum dy. Any output may be nullptr (not wanted); sums run in a fixed order per channel.
template <class T>
void batch_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* weight, int64_t N, int64_t C, int64_t S,
                         bool batch_stats);

}  // namespace kaya::kernels
