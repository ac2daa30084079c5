// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/gemm.h"

#include <vector>

#include "kaya/core/parallel.h"

namespace kaya::kernels {

template <class T>
void gemm_ref(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
              int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    // Rows of C are independent; the i-k-j order streams rows of B for non-transposed B.
    parallel_for(M, std::max<int64_t>(1, 4096 / std::max<int64_t>(N * K, 1)),
                 [&](int64_t rb, int64_t re) {
        std::vector<T> acc(N);
        for (int64_t i = rb; i < re; ++i) {
            std::fill(acc.begin(), acc.end(), T(0));
            for (int64_t k = 0; k < K; ++k) {
                T a = trans_a ? A[k * lda + i] : A[i * lda + k];
                for (int64_t j = 0; j < N; ++j) {
                    acc[j] += a * (trans_b ? B[j * ldb + k] : B[k * ldb + j]);
                }
            }
            for (int64_t j = 0; j < N; ++j) {
                T prev = beta == T(0) ? T(0) : beta * C[i * ldc + j];
                C[i * ldc + j] = alpha * acc[j] + prev;
            }
        }
    });
}

template void gemm_ref(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                       const float*, int64_t, float, float*, int64_t);
template void gemm_ref(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                       const double*, int64_t, double, double*, int64_t);
template void gemm_ref(bool, bool, int64_t, int64_t, int64_t, int64_t, const int64_t*, int64_t,
                       const int64_t*, int64_t, int64_t, int64_t*, int64_t);

}  // namespace kaya::kernels
