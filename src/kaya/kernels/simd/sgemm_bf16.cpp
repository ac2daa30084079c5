// SPDX-License-Identifier: MIT
// Single-precision products from bfloat16 inputs (AVX512-BF16): each operand rounded to bf16
// (to nearest, ties to even), pairs of products summed in float by VDPBF16PS, twice the
// multiply-adds of an FMA per instruction. The blocking follows sgemm.cpp; what differs is the
// operands' form. The micro-kernel broadcasts a 32-bit pair of A's values (A[i][k], A[i][k + 1])
// and multiplies it with a vector of B's pairs (B[k][j], B[k + 1][j]) for 16 columns j, so A is
// converted in its own row-major layout (a pair is two neighbours of a row) and B packed into
// panels of NR columns' pairs.
#include "kaya/kernels/simd/sgemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kaya/kernels/scratch.h"

namespace kaya::kernels::simd {

namespace {

// KC even: a block's last pair never straddles two blocks.
constexpr int64_t KC = 256, MC = 120, NC = 512, MR = 12, NR = 32;

// Round to nearest, ties to even, as VCVTNEPS2BF16 does: a NaN stays a (quiet) NaN, and a
// denormal becomes a zero of its sign (the instruction, and VDPBF16PS's inputs, treat denormals
// as zero).
inline uint16_t to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
    if ((u & 0x7f800000u) == 0) return static_cast<uint16_t>((u >> 16) & 0x8000u);
    return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

#define KAYA_BF16_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,avx2,fma")))

// Rows [m0, m0 + mc) and columns [k0, k0 + kc) of op(A) in bf16, rows kp values apart (kp = kc
// rounded up to even, the extra value zero); rows from mc up to a multiple of MR are zero.
KAYA_BF16_TARGET void convert_a(bool ta, const float* A, int64_t lda, int64_t m0, int64_t mc, int64_t k0,
                                int64_t kc, uint16_t* out) {
    const int64_t kp = (kc + 1) / 2 * 2, rows = (mc + MR - 1) / MR * MR;
    if (!ta) {
        for (int64_t r = 0; r < mc; ++r) {
            const float* src = A + (m0 + r) * lda + k0;
            uint16_t* dst = out + r * kp;
            for (int64_t k = 0; k < kp; k += 16) {
                const int64_t valid = std::clamp<int64_t>(kc - k, 0, 16), width = std::min<int64_t>(16, kp - k);
                const __m512 v = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << valid) - 1u), src + k);
                _mm256_mask_storeu_epi16(dst + k, static_cast<__mmask16>((1u << width) - 1u),
                                         reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v)));
            }
        }
    } else {
        for (int64_t r = 0; r < mc; ++r) {
            uint16_t* dst = out + r * kp;
            for (int64_t k = 0; k < kc; ++k) dst[k] = to_bf16(A[(k0 + k) * lda + m0 + r]);
            if (kp > kc) dst[kc] = 0;
        }
    }
    std::fill(out + mc * kp, out + rows * kp, uint16_t(0));
}

// Columns [n0, n0 + nc) and rows [k0, k0 + kc) of op(B) as panels of NR columns: in panel p,
// word q * NR + j holds (B[k0 + 2q][n0 + p * NR + j], B[k0 + 2q + 1][...]), low half first;
// zero beyond the block.
KAYA_BF16_TARGET void pack_b(bool tb, const float* B, int64_t ldb, int64_t n0, int64_t nc, int64_t k0, int64_t kc,
                             uint32_t* out) {
    const int64_t pairs = (kc + 1) / 2;
    // Interleaves the 16 bf16 of one row with the 16 of the next: (r0[0], r1[0], r0[1], ...).
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7,
                                                22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int64_t j0 = 0; j0 < nc; j0 += NR) {
        uint32_t* panel = out + j0 * pairs;
        const int64_t w = std::min<int64_t>(NR, nc - j0);
        for (int64_t q = 0; q < pairs; ++q) {
            uint32_t* dst = panel + q * NR;
            const int64_t k = k0 + 2 * q;
            const bool second = 2 * q + 1 < kc;
            if (!tb) {
                for (int64_t v = 0; v < NR; v += 16) {
                    const int64_t valid = std::clamp<int64_t>(w - v, 0, 16);
                    const auto mask = static_cast<__mmask16>((1u << valid) - 1u);
                    const float* row = B + k * ldb + n0 + j0 + v;
                    const __m512 r0 = _mm512_maskz_loadu_ps(mask, row);
                    const __m512 r1 = second ? _mm512_maskz_loadu_ps(mask, row + ldb) : _mm512_setzero_ps();
                    const __m512i both = reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(r1, r0));
                    _mm512_storeu_si512(dst + v, _mm512_permutexvar_epi16(interleave, both));
                }
            } else {
                for (int64_t j = 0; j < NR; ++j) {
                    if (j >= w) {
                        dst[j] = 0;
                        continue;
                    }
                    const float* col = B + (n0 + j0 + j) * ldb + k;
                    dst[j] = to_bf16(col[0]) | (second ? uint32_t(to_bf16(col[1])) << 16 : 0u);
                }
            }
        }
    }
}

// The ROWS x NR tile of C at c: alpha * (A rows @ B panel) + beta * C, of which h rows and w
// columns are inside C. Row i of A's bf16 block at a + i * lda (pairs of neighbours), pair q
// of the B panel at bp + q * NR.
template <int ROWS>
KAYA_BF16_TARGET inline __attribute__((always_inline)) void micro_kernel(int64_t pairs, const uint16_t* a,
                                                                         int64_t lda, const uint32_t* bp, float alpha,
                                                                         float beta, float* c, int64_t ldc, int64_t h,
                                                                         int64_t w) {
    __m512 acc[ROWS][2];
    for (int i = 0; i < ROWS; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int64_t q = 0; q < pairs; ++q) {
        const auto b0 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(bp + q * NR));
        const auto b1 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(bp + q * NR + 16));
#pragma GCC unroll 12
        for (int i = 0; i < ROWS; ++i) {
            int32_t pair;
            std::memcpy(&pair, a + i * lda + 2 * q, 4);
            const auto av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    const auto m0 = static_cast<__mmask16>(w >= 16 ? 0xffffu : (1u << w) - 1u);
    const auto m1 = static_cast<__mmask16>(w >= 32 ? 0xffffu : w <= 16 ? 0u : (1u << (w - 16)) - 1u);
    for (int i = 0; i < ROWS; ++i) {
        if (i >= h) break;
        float* row = c + i * ldc;
        __m512 r0 = _mm512_mul_ps(va, acc[i][0]), r1 = _mm512_mul_ps(va, acc[i][1]);
        if (beta != 0.0f) {
            r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), r0);
            r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), r1);
        }
        _mm512_mask_storeu_ps(row, m0, r0);
        _mm512_mask_storeu_ps(row + 16, m1, r1);
    }
}

// Words of B's panels for one (k, n) block of kc rows and nc columns.
inline int64_t block_words(int64_t kc, int64_t nc) { return (kc + 1) / 2 * ((nc + NR - 1) / NR * NR); }

// A's rows in bfloat16 for one block: a_block(m0, mc, k0, kc, kp) gives row m0's values from
// column k0 (kp = kc rounded up to even of them read) and the distance between rows; `padded`
// when rows up to mc rounded up to MR can be read and are zero. Otherwise a last tile of fewer
// rows than its micro-kernel reads is copied into a padded buffer first.
struct ABlock {
    const uint16_t* rows;
    int64_t stride;
    bool padded;
};

// Rows a micro-kernel for a tile of h rows reads (run_blocks' choice below).
constexpr int64_t kernel_rows(int64_t h) { return h > MR / 2 ? MR : h > MR / 4 ? MR / 2 : h > 1 ? MR / 4 : 1; }

// C = alpha * A @ B + beta * C, with A's blocks from a_block and panels(n0, nc, k0, kc) giving
// the packed panels (pack_b) of B's block of rows [k0, k0 + kc) and columns [n0, n0 + nc),
// blocks visited n0 first, then k0, in steps of NC and KC.
template <class ABlocks, class Panels>
KAYA_BF16_TARGET void run_blocks(int64_t M, int64_t N, int64_t K, float alpha, float beta, float* C, int64_t ldc,
                                 ABlocks&& a_block, Panels&& panels) {
    if (K == 0) {  // no products: C = beta * C, and beta == 0 still ignores C
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    constexpr int64_t mc_max = MC / MR * MR;
    auto* tile = scratch<uint16_t>(6, static_cast<size_t>(KC * MR));
    for (int64_t n0 = 0; n0 < N; n0 += NC) {
        const int64_t nc = std::min(NC, N - n0);
        for (int64_t k0 = 0; k0 < K; k0 += KC) {
            const int64_t kc = std::min(KC, K - k0), pairs = (kc + 1) / 2, kp = 2 * pairs;
            const float b = k0 == 0 ? beta : 1.0f;
            const uint32_t* Bp = panels(n0, nc, k0, kc);
            for (int64_t m0 = 0; m0 < M; m0 += mc_max) {
                const int64_t mc = std::min(mc_max, M - m0);
                const ABlock ab = a_block(m0, mc, k0, kc, kp);
                for (int64_t j0 = 0; j0 < nc; j0 += NR) {
                    const uint32_t* bp = Bp + j0 * pairs;
                    const int64_t w = std::min<int64_t>(NR, nc - j0);
                    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
                        const int64_t h = std::min<int64_t>(MR, mc - i0);
                        const uint16_t* a = ab.rows + i0 * ab.stride;
                        int64_t lda = ab.stride;
                        if (!ab.padded && kernel_rows(h) > h) {
                            for (int64_t r = 0; r < kernel_rows(h); ++r)
                                for (int64_t k = 0; k < kp; ++k) tile[r * kp + k] = r < h ? a[r * lda + k] : uint16_t(0);
                            a = tile;
                            lda = kp;
                        }
                        float* c = C + (m0 + i0) * ldc + n0 + j0;
                        if (h > MR / 2) {
                            micro_kernel<MR>(pairs, a, lda, bp, alpha, b, c, ldc, h, w);
                        } else if (h > MR / 4) {
                            micro_kernel<MR / 2>(pairs, a, lda, bp, alpha, b, c, ldc, h, w);
                        } else if (h > 1) {
                            micro_kernel<MR / 4>(pairs, a, lda, bp, alpha, b, c, ldc, h, w);
                        } else {
                            micro_kernel<1>(pairs, a, lda, bp, alpha, b, c, ldc, h, w);
                        }
                    }
                }
            }
        }
    }
}

// A (float, op(A) when ta) converted block by block into a padded bfloat16 buffer.
inline auto converted(bool ta, const float* A, int64_t lda) {
    return [=](int64_t m0, int64_t mc, int64_t k0, int64_t kc, int64_t kp) {
        auto* Ab = scratch<uint16_t>(5, static_cast<size_t>(KC * (MC / MR * MR)));
        convert_a(ta, A, lda, m0, mc, k0, kc, Ab);
        return ABlock{Ab, kp, true};
    };
}

// B's panels read one block after another from a whole packing (sgemm_bf16_pack).
inline auto prepacked(const uint32_t* packed) {
    return [packed](int64_t, int64_t nc, int64_t, int64_t kc) mutable {
        const uint32_t* block = packed;
        packed += block_words(kc, nc);
        return block;
    };
}

KAYA_BF16_TARGET void sgemm_bf16_avx512(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                                        const float* A, int64_t lda, const float* B, int64_t ldb, float beta,
                                        float* C, int64_t ldc) {
    auto* Bp = scratch<uint32_t>(4, static_cast<size_t>(block_words(KC, NC)));
    run_blocks(M, N, K, alpha, beta, C, ldc, converted(ta, A, lda), [&](int64_t n0, int64_t nc, int64_t k0, int64_t kc) {
        pack_b(tb, B, ldb, n0, nc, k0, kc, Bp);
        return static_cast<const uint32_t*>(Bp);
    });
}

KAYA_BF16_TARGET void sgemm_bf16_a16_avx512(int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A,
                                            int64_t lda, const uint32_t* packed, float beta, float* C, int64_t ldc) {
    run_blocks(
        M, N, K, alpha, beta, C, ldc,
        [=](int64_t m0, int64_t, int64_t k0, int64_t, int64_t) { return ABlock{A + m0 * lda + k0, lda, false}; },
        prepacked(packed));
}

}  // namespace

bool sgemm_bf16_supported() {
    static const bool ok = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("fma");
    }();
    return ok;
}

bool sgemm_bf16(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    if (!sgemm_bf16_supported()) return false;
    if (M <= 0 || N <= 0) return true;
    sgemm_bf16_avx512(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return true;
}

int64_t sgemm_bf16_packed_size(int64_t N, int64_t K) {
    int64_t words = 0;
    for (int64_t n0 = 0; n0 < N; n0 += NC)
        for (int64_t k0 = 0; k0 < K; k0 += KC) words += block_words(std::min(KC, K - k0), std::min(NC, N - n0));
    return words;
}

void sgemm_bf16_pack(bool trans_b, int64_t N, int64_t K, const float* B, int64_t ldb, uint32_t* out) {
    if (!sgemm_bf16_supported()) return;
    for (int64_t n0 = 0; n0 < N; n0 += NC) {
        for (int64_t k0 = 0; k0 < K; k0 += KC) {
            const int64_t nc = std::min(NC, N - n0), kc = std::min(KC, K - k0);
            pack_b(trans_b, B, ldb, n0, nc, k0, kc, out);
            out += block_words(kc, nc);
        }
    }
}

bool sgemm_bf16_prepacked_a16(int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A, int64_t lda,
                              const uint32_t* packed_b, float beta, float* C, int64_t ldc) {
    if (!sgemm_bf16_supported()) return false;
    if (M <= 0 || N <= 0) return true;
    sgemm_bf16_a16_avx512(M, N, K, alpha, A, lda, packed_b, beta, C, ldc);
    return true;
}

float round_to_bf16(float x) {
    const uint32_t u = uint32_t(to_bf16(x)) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

}  // namespace kaya::kernels::simd
