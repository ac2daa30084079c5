// SPDX-License-Identifier: MIT
#include "kaya/kernels/blas/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kaya/core/parallel.h"
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
                       const float* A, int lda, const float* B, int ldb, float beta, float* C,
                       int ldc) {
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
static void cblas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, double alpha,
                       const double* A, int lda, const double* B, int ldb, double beta, double* C,
                       int ldc) {
    cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Products below this many multiply-adds run on the calling thread: waking a second thread
// costs more than it saves (measured: 32x64x117 takes 6.2 us alone, 8.2 us split in two).
constexpr double kGemmSplitWork = 1 << 20;
// Above this, OpenBLAS's own threading (which packs B once for both threads) is used: at 2048^3
// our split was 5% faster alone but 27% slower in one of the interleaved comparison runs.
constexpr double kGemmSplitMaxWork = static_cast<double>(1LL << 31);
// Each thread's share of C is a multiple of this many rows or columns (BLAS micro-tiles).
constexpr int64_t kGemmSplitAlign = 16;

template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (!blas_enabled()) return gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    const CBLAS_TRANSPOSE fa = ta ? CblasTrans : CblasNoTrans, fb = tb ? CblasTrans : CblasNoTrans;
    auto call = [&](int64_t m0, int64_t m, int64_t n0, int64_t n) {
        const T* a = A + (ta ? m0 : m0 * lda);
        const T* b = B + (tb ? n0 * ldb : n0);
        cblas_gemm(fa, fb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(K), alpha, a,
                   ld(lda), b, ld(ldb), beta, C + m0 * ldc + n0, ld(ldc));
    };
    const int threads = num_threads();
    const double work = static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
    if (threads <= 1 || in_parallel_region() || work < kGemmSplitWork || work > kGemmSplitMaxWork) {
        return call(0, M, 0, N);
    }
    // We split C between our threads ourselves, one single-threaded BLAS call each (inside our
    // parallel region OpenBLAS's OpenMP build runs on the calling thread). On these machines
    // this is 1.1-1.8x faster than OpenBLAS's own threading, which gains nothing on the MLP's
    // 256x64x117 products, and 10% faster at 512^3 (bench/gemm_bench.cpp, BM_KayaMatmul vs
    // BM_CblasSgemm). Rows or columns are split, whichever is longer; each element's sum over
    // K is the same in every split, so results do not depend on the thread count.
    const bool by_rows = M >= N;
    const int64_t len = by_rows ? M : N;
    int64_t grain = (len + threads - 1) / threads;
    grain = (grain + kGemmSplitAlign - 1) / kGemmSplitAlign * kGemmSplitAlign;
    parallel_for(len, grain, [&](int64_t b, int64_t e) {
        if (by_rows) {
            call(b, e - b, 0, N);
        } else {
            call(0, M, b, e - b);
        }
    });
}

template <class T>
void gemm_serial(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                 const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (!blas_enabled()) return gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    // OpenBLAS keeps products below 4 * 65536 multiply-adds on the calling thread itself.
    const double work = static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
    if (!in_parallel_region() && num_threads() > 1 && work >= 4 * 65536) {
        // Outside a parallel region OpenBLAS would use its own threads: run it inside a
        // one-chunk region, where it stays on this thread.
        parallel_for(2, 1, [&](int64_t b, int64_t) {
            if (b == 0) gemm_serial(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        });
        return;
    }
    cblas_gemm(ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(M),
               static_cast<int>(N), static_cast<int>(K), alpha, A, ld(lda), B, ld(ldb), beta, C, ld(ldc));
}

template void gemm(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                   const float*, int64_t, float, float*, int64_t);
template void gemm_serial(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          const float*, int64_t, float, float*, int64_t);
template void gemm_serial(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                          const double*, int64_t, double, double*, int64_t);
template void gemm(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                   const double*, int64_t, double, double*, int64_t);

template <>
void gemm<int64_t>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, int64_t alpha,
                   const int64_t* A, int64_t lda, const int64_t* B, int64_t ldb, int64_t beta,
                   int64_t* C, int64_t ldc) {
    gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace kaya::kernels
