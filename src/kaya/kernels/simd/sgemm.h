// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels::simd {

// Kaya's own single-precision matrix product on the calling thread, in the BLIS design: B is
// packed into panels of 2 vectors' width (or read in place when small), A read in place (or,
// transposed and taller than a cache block, packed into panels of MR rows), both cache-blocked,
// and a register-blocked micro-kernel (MR x 2 vectors of accumulators) runs over them. AVX-512
// (12 x 32) or AVX2+FMA (6 x 16) chosen at run time; products of a few dozen rows take
// balanced row groups of exact height instead (sgemm.cpp). Same contract as gemm_ref (row-major,
// transposes as flags, beta == 0 ignores C). The blocking depends only on the shape, so a
// product gives the same bits on every call. Returns false (nothing done) on a CPU with
// neither instruction set.
bool sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// B (K x N, or N x K when trans_b) packed once for many products with it, in the panels sgemm
// reads (each 2 vectors of columns by all K rows, zero beyond column N): sgemm_packed_size(N, K)
// floats, 0 on a CPU with no kernel. sgemm packs or reads B in place on every call; a product
// that uses the same B again and again (the Winograd products of inference, on transformed
// filters kept between calls) saves the copy, and reads B from memory in one stream instead of
// in strips whose rows lie N values apart.
int64_t sgemm_packed_size(int64_t N, int64_t K);
void sgemm_pack(bool trans_b, int64_t N, int64_t K, const float* B, int64_t ldb, float* out);
// sgemm with B packed by sgemm_pack: the same bits as sgemm with B itself (the same blocks and
// micro-kernels, reading the same values). False (nothing done) on a CPU with no kernel.
bool sgemm_prepacked(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                     int64_t lda, const float* packed_b, float beta, float* C, int64_t ldc);

// "avx512", "avx2" or "none": the kernel sgemm uses on this CPU. KAYA_SGEMM_ISA=avx2 in the
// environment picks the AVX2 kernel on an AVX-512 CPU (read once).
const char* sgemm_isa();

// sgemm with the kernel for `isa` ("avx512" or "avx2"), for tests and benchmarks of each
// kernel; false when this CPU cannot run it.
bool sgemm_with(const char* isa, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// The same product from bfloat16 operands (sgemm_bf16.cpp): A and B rounded to bf16 (to nearest,
// ties to even; 8 significant bits), products summed in float, on AVX512-BF16 CPUs. About 2x the
// multiply-adds per instruction; each result carries about 2^-8 relative error per input instead
// of float's 2^-24. Returns false (nothing done) on a CPU without AVX512-BF16. The blocking
// depends only on the shape.
bool sgemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
bool sgemm_bf16_supported();
// B (K x N, or N x K when trans_b) packed once for many products with it, as sgemm_bf16 packs it
// for each call: sgemm_bf16_packed_size(N, K) words.
int64_t sgemm_bf16_packed_size(int64_t N, int64_t K);
void sgemm_bf16_pack(bool trans_b, int64_t N, int64_t K, const float* B, int64_t ldb, uint32_t* out);
// The product with that packed B and A already in bfloat16 (M x K, rows lda apart, as
// round_to_bf16 rounds), for a caller that writes its operand that way: the same bits as
// sgemm_bf16 with A's float values and B. When K is odd, A's column K is read too and must be
// zero.
bool sgemm_bf16_prepacked_a16(int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A, int64_t lda,
                              const uint32_t* packed_b, float beta, float* C, int64_t ldc);
// x rounded to the nearest bfloat16 (ties to even; a denormal to a zero of its sign), as
// sgemm_bf16 rounds its operands.
float round_to_bf16(float x);

}  // namespace kaya::kernels::simd
