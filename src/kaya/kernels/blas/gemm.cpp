// SPDX-License-Identifier: MIT
#include "kaya/kernels/blas/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kaya/core/error.h"
#include "kaya/core/parallel.h"
#include "kaya/kernels/blas/blas_setup.h"
#include "kaya/kernels/ref/gemm.h"
#include "kaya/kernels/simd/sgemm.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {

bool blas_enabled() {
    static const bool enabled = [] {
        const char* env = std::getenv("KAYA_BLAS");
        return !(env && std::strcmp(env, "0") == 0);
    }();
    return enabled;
}

namespace {

// KAYA_GEMM as parsed once: "kaya", "blas", or empty for the default rules.
const std::string& gemm_override() {
    static const std::string choice = [] {
        const char* env = std::getenv("KAYA_GEMM");
        if (env && (std::strcmp(env, "kaya") == 0 || std::strcmp(env, "blas") == 0))
            return std::string(env);
        if (env && *env)
            std::fprintf(stderr, "kaya: KAYA_GEMM=%s ignored (use kaya or blas)\n", env);
        return std::string();
    }();
    return choice;
}

}  // namespace

double own_sgemm_max_b() {
    static const double max_b = [] {
        constexpr double kAll = std::numeric_limits<double>::infinity();
        const std::string isa = simd::sgemm_isa();
        if (gemm_override() == "blas") return 0.0;
        if (gemm_override() == "kaya") return isa != "none" ? kAll : 0.0;
        // Measured on an AVX-512 VM: Kaya's kernel is 1.7-2.3x OpenBLAS 0.3.21 on one thread
        // (bench/gemm_bench BM_SgemmOneThread) when OPENBLAS_CORETYPE=Haswell holds OpenBLAS to
        // AVX2 kernels, and OpenBLAS's own AVX-512 kernels are 1.05-1.55x Kaya's when it picks
        // them (and 5-35% faster on the Go and MLP steps). On an AVX2 VM (AMD EPYC, OpenBLAS's
        // Zen kernels) Kaya's AVX2 kernel is 1.1-1.6x OpenBLAS on the convolutions' products
        // (25 to 600 rows, 64 to 192 columns and depths, transposed or not: B at most 37K
        // values) and 1.2x faster on the 6 x 64 Go net at batch 1, while OpenBLAS is faster on
        // the 64-row blocks of 512^3 and 1024^3 products (B of 262K and 1M values: 1.2-1.6x and
        // 1.4-1.7x on the whole product, 3 alternating pairs).
        if (isa == "avx512") return blas_uses_avx512() ? 0.0 : kAll;
        return isa == "avx2" ? kOwnAvx2B : 0.0;
    }();
    return max_b;
}

namespace {
std::atomic<MatmulPrecision> g_precision{MatmulPrecision::kHighest};
}  // namespace

void set_float32_matmul_precision(MatmulPrecision precision) { g_precision.store(precision); }

MatmulPrecision float32_matmul_precision() { return g_precision.load(std::memory_order_relaxed); }

MatmulPrecision parse_matmul_precision(const std::string& name) {
    if (name == "highest") return MatmulPrecision::kHighest;
    if (name == "medium") return MatmulPrecision::kMedium;
    throw ValueError("matmul precision: expected highest (float) or medium (bfloat16 products where the CPU "
                     "has AVX512-BF16), got '" + name + "'");
}

bool bf16_products(int64_t M, int64_t N, int64_t K) {
    return M >= kBf16MinRows && N > 1 && K > 1 && float32_matmul_precision() == MatmulPrecision::kMedium &&
           blas_enabled() && simd::sgemm_bf16_supported();
}

namespace {

// Shapes gemm_serial gives a matrix kernel at all: not a vector product, and not the transposed
// form for few columns.
bool own_kernel_shape(int64_t M, int64_t N, int64_t K) {
    return M > 1 && N > 1 && K > 1 && !(N < 16 && M >= 2 * N);
}

}  // namespace

bool own_sgemm_products(int64_t M, int64_t N, int64_t K) {
    // gemm_serial's tests in its order: the BLAS switched off, a vector product, bfloat16, then
    // Kaya's kernel for small enough B, the transposed form for few columns excepted.
    return blas_enabled() && own_kernel_shape(M, N, K) && !bf16_products(M, N, K) &&
           static_cast<double>(N) * static_cast<double>(K) <= own_sgemm_max_b();
}

bool own_sgemm_preferred(int64_t M, int64_t N, int64_t K) {
    if (own_sgemm_products(M, N, K)) return true;
    // On the Intel VM of 2026-12-07, where OpenBLAS runs its own AVX-512 kernels and wins most
    // other products, Winograd's products on Kaya's kernel (4 to 6 alternating runs each):
    // - forward: inference keeps the transformed filters packed for it (OpenBLAS packs B again
    //   on every call): the 13 x 192 Go net's inference took 0.73x its time at batch 1 (69 MB
    //   of filters read per call) and 0.91x at batch 128, conv layers and residual blocks
    //   0.87-0.99x, the 6 x 64 training step 0.95x, the vision CNNs' steps level;
    // - weight gradient (A transposed, K = the batch's tiles, which OpenBLAS copies on every
    //   call): the 6 x 64 step a further 0.95x, 13 x 192 0.97x, the Fashion-MNIST CNN 0.95x;
    // - input gradient: 1.0-1.2x slower, so those stay with gemm_serial.
    return blas_enabled() && gemm_override() != "blas" &&
           std::strcmp(simd::sgemm_isa(), "avx512") == 0 && own_kernel_shape(M, N, K) &&
           !bf16_products(M, N, K);
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

// Products below this many multiply-adds are one BLAS call on the calling thread: waking a
// second thread costs more than it saves (measured: 32x64x117 takes 6.2 us alone, 8.2 us split
// in two).
constexpr double kGemmSplitWork = 1 << 20;
// Larger ones are cut into blocks of rows (or columns) of C whose size depends only on the
// shape: at least kGemmMinBlock long, a multiple of kGemmSplitAlign (BLAS micro-tiles), and at
// most kGemmMaxBlocks of them. Every block packs the whole of the other operand again, so few
// long blocks beat many short ones: at most 4 instead of 16 made 1024^3 0.82x its time, the
// Transformer encoder layer 0.90x and the LSTM 0.92x, with OpenBLAS's kernels or Kaya's, idle
// and next to a busy process, and left the Go, MLP and CNN rows level (bench/gemm_bench and the
// training benchmarks, 3 alternating runs on an Intel Xeon VM, 2026-12-07).
constexpr int64_t kGemmSplitAlign = 16;
constexpr int64_t kGemmMinBlock = 64;
constexpr int64_t kGemmMaxBlocks = 4;

template <class T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (!blas_enabled()) return gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    const double work = static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
    if (work < kGemmSplitWork) return gemm_serial(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    // OpenBLAS's result for an element of C depends on the shape of the call that computes it
    // (a row's sums came out one ulp apart in a 512-row call and a 256-row one), so the blocks,
    // and with them every call, depend only on (M, N, K), never on the thread count: results
    // are bitwise identical with any KAYA_NUM_THREADS. Each block is one single-threaded BLAS
    // call (gemm_serial); the blocks are shared between our threads. On the AMD VMs this was
    // 1.1-1.8x faster than OpenBLAS's own threading, which gains nothing on the MLP's 256x64x117
    // products (bench/gemm_bench.cpp, BM_KayaMatmul vs BM_CblasSgemm); on the Intel VM of
    // 2026-12-07 OpenBLAS's own threading was faster on 1024^3 (5.8 ms against 6.2-7.0), whose
    // blocks each pack B again. It works the same whichever OpenBLAS variant (OpenMP, pthreads,
    // serial) the machine has. Rows or columns are split, whichever is longer.
    const bool by_rows = M >= N;
    const int64_t len = by_rows ? M : N;
    int64_t block = std::max(kGemmMinBlock, (len + kGemmMaxBlocks - 1) / kGemmMaxBlocks);
    block = (block + kGemmSplitAlign - 1) / kGemmSplitAlign * kGemmSplitAlign;
    const int64_t blocks = (len + block - 1) / block;
    parallel_for(blocks, 1, [&](int64_t first, int64_t last) {
        for (int64_t k = first; k < last; ++k) {
            const int64_t b = k * block, n = std::min(block, len - b);
            if (by_rows) {
                gemm_serial(ta, tb, n, N, K, alpha, A + (ta ? b : b * lda), lda, B, ldb, beta, C + b * ldc, ldc);
            } else {
                gemm_serial(ta, tb, M, n, K, alpha, A, lda, B + (tb ? b * ldb : b), ldb, beta, C + b, ldc);
            }
        }
    });
}

namespace {

// out = alpha * value + beta * out, with beta == 0 ignoring out (the gemm contract).
template <class T>
inline T scaled(T alpha, T value, T beta, T out) {
    return beta == T(0) ? alpha * value : alpha * value + beta * out;
}

// sum_k a[k] b[k] in 16 partial sums (vectorised; fixed order for a given n).
template <class T>
inline T dot(const T* a, const T* b, int64_t n) {
    T part[16] = {};
    int64_t k = 0;
    for (; k + 16 <= n; k += 16) {
#pragma omp simd
        for (int l = 0; l < 16; ++l) part[l] += a[k + l] * b[k + l];
    }
    T sum = 0;
    for (int l = 0; l < 16; ++l) sum += part[l];
    for (; k < n; ++k) sum += a[k] * b[k];
    return sum;
}

// A product with one row or one column (M == 1 or N == 1), or an outer product (K == 1), as
// matrix-vector loops: the packed kernels spend far more on packing such operands than on their
// multiply-adds (a 200x1x50 product took 10 us through them, against 1.2 us here). Each output element is a sum over k
// in order (or a dot product of fixed shape), so it does not depend on how C is split.
template <class T>
void gemm_vector(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                 const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    thread_local std::vector<T> buf;
    // The vector operand (b for N == 1, a for M == 1) made contiguous.
    auto contiguous = [&](const T* p, int64_t stride, int64_t n) {
        if (stride == 1) return p;
        buf.resize(static_cast<size_t>(n));
        for (int64_t k = 0; k < n; ++k) buf[static_cast<size_t>(k)] = p[k * stride];
        return static_cast<const T*>(buf.data());
    };
    // Sums along a matrix's contiguous rows (dot products), or axpy passes down its columns.
    auto dots = [&](const T* mat, int64_t ld_mat, const T* vec, int64_t n, T* out, int64_t out_step) {
        for (int64_t i = 0; i < n; ++i) out[i * out_step] = scaled(alpha, dot(mat + i * ld_mat, vec, K), beta, out[i * out_step]);
    };
    // Sums down k of a row-major matrix's columns, scaled by the vector: a block of one vector
    // of columns keeps four sums in registers (k mod 4, added at the end: four independent
    // chains of multiply-adds instead of one that waits on the last), the columns past the
    // last block four scalar sums each. A fixed order for each column, however C is split.
    auto axpys = [&](const T* mat, int64_t ld_mat, const T* vec, int64_t vec_step, int64_t n, T* out, int64_t out_step) {
        constexpr int64_t L = simd::kLanes<T>;
        auto put = [&](int64_t j, T sum) { out[j * out_step] = scaled(alpha, sum, beta, out[j * out_step]); };
        // Sum k of x(k) * vec[k] into a0 + a1 + a2 + a3 by k mod 4 (named, so they stay in registers).
        auto four_sums = [&](auto x, auto zero) {
            decltype(zero) a0 = zero, a1 = zero, a2 = zero, a3 = zero;
            int64_t k = 0;
            for (; k + 4 <= K; k += 4) {
                a0 += x(k) * vec[k * vec_step];
                a1 += x(k + 1) * vec[(k + 1) * vec_step];
                a2 += x(k + 2) * vec[(k + 2) * vec_step];
                a3 += x(k + 3) * vec[(k + 3) * vec_step];
            }
            if (k < K) a0 += x(k) * vec[k * vec_step];
            if (k + 1 < K) a1 += x(k + 1) * vec[(k + 1) * vec_step];
            if (k + 2 < K) a2 += x(k + 2) * vec[(k + 2) * vec_step];
            return (a0 + a1) + (a2 + a3);
        };
        int64_t j0 = 0;
        for (; j0 + L <= n; j0 += L) {
            alignas(64) T lanes[L];
            simd::store(lanes, four_sums([&](int64_t k) { return simd::load(mat + k * ld_mat + j0); }, simd::Vec<T>{}));
            for (int64_t i = 0; i < L; ++i) put(j0 + i, lanes[i]);
        }
        for (; j0 < n; ++j0) put(j0, four_sums([&](int64_t k) { return mat[k * ld_mat + j0]; }, T(0)));
    };
    if (K == 1 && M > 1 && N > 1) {
        // An outer product: c_ij = alpha a_i b_j (+ beta c_ij).
        const T* b = contiguous(B, tb ? ldb : 1, N);
        const int64_t a_step = ta ? 1 : lda;
        for (int64_t i = 0; i < M; ++i) {
            const T ai = alpha * A[i * a_step];
            T* c = C + i * ldc;
            if (beta == T(0)) {
#pragma omp simd
                for (int64_t j = 0; j < N; ++j) c[j] = ai * b[j];
            } else {
#pragma omp simd
                for (int64_t j = 0; j < N; ++j) c[j] = ai * b[j] + beta * c[j];
            }
        }
        return;
    }
    if (N == 1) {
        // c_i = sum_k op(A)(i, k) b_k; b_k = B[k * (tb ? 1 : ldb)].
        const int64_t b_step = tb ? 1 : ldb;
        if (!ta) return dots(A, lda, contiguous(B, b_step, K), M, C, ldc);
        return axpys(A, lda, B, b_step, M, C, ldc);  // op(A)(i, k) = A[k * lda + i].
    }
    // M == 1: c_j = sum_k a_k op(B)(k, j); a_k = A[k * (ta ? lda : 1)].
    const int64_t a_step = ta ? lda : 1;
    if (tb) return dots(B, ldb, contiguous(A, a_step, K), N, C, 1);  // op(B)(k, j) = B[j * ldb + k].
    return axpys(B, ldb, A, a_step, N, C, 1);
}

}  // namespace

template <class T>
void gemm_serial(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                 const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
    if (M == 0 || N == 0) return;
    if (!blas_enabled()) return gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (M == 1 || N == 1 || K == 1) return gemm_vector(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if constexpr (std::is_same_v<T, float>) {
        if (bf16_products(M, N, K) && simd::sgemm_bf16(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
        if (static_cast<double>(N) * static_cast<double>(K) <= own_sgemm_max_b()) {
            // Few columns (e.g. a weight gradient of 10 inputs): the micro-kernel's 32-wide tiles
            // would be mostly empty, so compute C^T = op(B)^T op(A)^T, M wide, and transpose it
            // back (2x faster for 50x10x200).
            if (N < 16 && M >= 2 * N) {
                thread_local std::vector<float> tmp;
                tmp.resize(static_cast<size_t>(N * M));
                if (simd::sgemm(!tb, !ta, N, M, K, alpha, B, ldb, A, lda, 0.0f, tmp.data(), M)) {
                    for (int64_t i = 0; i < M; ++i) {
                        for (int64_t j = 0; j < N; ++j) {
                            const float v = tmp[static_cast<size_t>(j * M + i)];
                            C[i * ldc + j] = beta == 0.0f ? v : v + beta * C[i * ldc + j];
                        }
                    }
                    return;
                }
            }
            if (simd::sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
        }
    }
    // Kaya's threads split the products (gemm above); OpenBLAS runs each call on the calling thread.
    thread_local const bool on_this_thread = (blas_stay_on_calling_thread(), true);
    (void)on_this_thread;
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
