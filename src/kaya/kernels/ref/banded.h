// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// out (B, M, F) = W (M, K) x (B, K, F) for a W whose row m is zero outside columns
// [lo[m], hi[m]): a mel filter bank, where each filter spans a few of the K frequency bins, so
// this costs sum(hi - lo) instead of M K multiply-adds per frame. All buffers contiguous;
// out is written.
template <class T>
void banded_matmul_forward(T* out, const T* w, const int64_t* lo, const int64_t* hi, const T* x, int64_t B,
                           int64_t M, int64_t K, int64_t F);

}  // namespace kaya::kernels
