// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels::simd {

// Kaya's own single-precision matrix product on the calling thread, in the BLIS design: B is
// packed into panels of 2 vectors' width, A into panels of MR rows, both cache-blocked, and a
// register-blocked micro-kernel (MR x 2 vectors of accumulators) runs over them. AVX-512
// (12 x 32) or AVX2+FMA (6 x 16) chosen at run time; products of a few dozen rows take
// balanced row groups of exact height instead (sgemm.cpp). Same contract as gemm_ref (row-major,
// transposes as flags, beta == 0 ignores C). The blocking depends only on the shape, so a
// product gives the same bits on every call. Returns false (nothing done) on a CPU with
// neither instruction set.
bool sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// "avx512", "avx2" or "none": the kernel sgemm uses on this CPU. KAYA_SGEMM_ISA=avx2 in the
// environment picks the AVX2 kernel on an AVX-512 CPU (read once).
const char* sgemm_isa();

// sgemm with the kernel for `isa` ("avx512" or "avx2"), for tests and benchmarks of each
// kernel; false when this CPU cannot run it.
bool sgemm_with(const char* isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace kaya::kernels::simd
