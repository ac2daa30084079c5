// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace kaya::kernels {

// Same contract as gemm_ref (row-major, transposes as flags, beta == 0 ignores C), computed
// by the external CBLAS for float and double and by gemm_ref for int64. Setting the
// environment variable KAYA_BLAS=0 routes float and double to gemm_ref too (read once).
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
          int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// gemm on the calling thread only, whatever the thread count: for callers that split work
// into fixed pieces themselves, so that the same BLAS calls run for any number of threads.
template <class T>
void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                 int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// True when float/double gemm goes to the external BLAS.
bool blas_enabled();

// Float products whose B operand (K x N) has at most this many values run on Kaya's own kernel
// (simd/sgemm.h) instead of the BLAS: 0 for none, infinity for all. By default all of them on
// AVX-512 CPUs whose OpenBLAS runs AVX2 kernels (e.g. held there by OPENBLAS_CORETYPE), where it
// is faster; on AVX2 CPUs those with at most kOwnAvx2B (the convolutions' and small layers'
// products), where it is faster than OpenBLAS's AVX2 kernels and large products are not; none
// otherwise. KAYA_GEMM=kaya: all (AVX2 or AVX-512), KAYA_GEMM=blas: none (read once). The choice
// depends on the shape alone, so results stay the same for any thread count. Double precision
// always goes to the BLAS.
double own_sgemm_max_b();
inline constexpr double kOwnAvx2B = double(int64_t{1} << 16);

// How float products may be computed, as PyTorch's torch.set_float32_matmul_precision:
// kHighest in float throughout (the default); kMedium lets products of at least
// kBf16MinRows rows take bfloat16 operands with float sums (simd::sgemm_bf16) where the CPU has
// AVX512-BF16, about 2^-8 relative error per operand (a Winograd convolution's transforms
// amplify it to 2-5%), for inference that trades that for speed, judged by its own metrics.
// Process-wide; double products are never affected.
enum class MatmulPrecision { kHighest, kMedium };
void set_float32_matmul_precision(MatmulPrecision precision);
MatmulPrecision float32_matmul_precision();
// "highest" or "medium"; anything else is a ValueError naming the accepted values.
MatmulPrecision parse_matmul_precision(const std::string& name);
// Fewer rows than this stay in float under kMedium: converting the operands would cost more
// than the faster products save.
inline constexpr int64_t kBf16MinRows = 32;
// True when gemm_serial computes an M x N x K float product with bfloat16 operands now.
bool bf16_products(int64_t M, int64_t N, int64_t K);
// True when gemm_serial computes an M x N x K float product with an untransposed B on Kaya's own
// kernel (simd::sgemm) as it is called: a caller that holds B packed (simd::sgemm_pack) may then
// call simd::sgemm_prepacked instead and get the same bits.
bool own_sgemm_products(int64_t M, int64_t N, int64_t K);
// True when an M x N x K float product of a caller that chose Kaya's kernel by measurement
// (Winograd's forward and weight-gradient products, conv/winograd.cpp) runs on it: wherever
// own_sgemm_products holds, and for the same shapes on every AVX-512 CPU, also where OpenBLAS
// runs its own AVX-512 kernels and wins most other products. The caller then calls simd::sgemm
// (or simd::sgemm_prepacked with B packed, the same bits) itself. Never under KAYA_BLAS=0 or
// KAYA_GEMM=blas, on a CPU with no kernel, or for bfloat16 products.
bool own_sgemm_preferred(int64_t M, int64_t N, int64_t K);

}  // namespace kaya::kernels
