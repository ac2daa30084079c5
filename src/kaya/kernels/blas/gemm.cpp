// SPDX-License-Identifier: MIT
#include "kaya/kernels/blas/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kaya/kernels/ref/gemm.h"

namespace kaya::kernels {

bool blas_enabled() {
    static const bool enabled = [] {
        const char* env = std::getenv("KAYA_BLAS");
        return !(env && std::strcmp(env, "0") == 0);
    }();
    return enabled;
}

// BLAS needs leading dimensions >= 1 even for empty operands.
static int ld(int64_t v) { return static_cast<int>(std::max<int64_t>(v, 1)); }

// Overloads so one template body serves both precisions.
static void cblas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha,
                const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
static void cblas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, double alpha,
                const double* A, int lda, const double* B, int ldb, double beta, double* C,
                int ldc) {
    cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (!blas_enabled()) return gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    cblas_gemm(ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
               static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, ld(lda),
               B, ld(ldb), beta, C, ld(ldc));
}

template void gemm(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                   const float*, int64_t, float, float*, int64_t);
template void gemm(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                   const double*, int64_t, double, double*, int64_t);

template <>
void gemm<int64_t>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, int64_t alpha,
                   const int64_t* A, int64_t lda, const int64_t* B, int64_t ldb, int64_t beta,
                   int64_t* C, int64_t ldc) {
    gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace kaya::kernels
