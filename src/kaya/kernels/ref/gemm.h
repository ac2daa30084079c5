// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// C = alpha * op(A) @ op(B) + beta * C, row-major. op(A) is (M, K): A is stored (M, K) with
// leading dimension lda, or (K, M) when trans_a. op(B) is (K, N) likewise. C is (M, N) with
// leading dimension ldc. When beta == 0, C is not read (it may hold NaN). Plain loops: the
// definition the BLAS path is tested against, and the int64 matmul.
template <class T>
void gemm_ref(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
              int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

}  // namespace kaya::kernels
