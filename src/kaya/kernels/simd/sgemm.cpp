// SPDX-License-Identifier: MIT
#include "kaya/kernels/simd/sgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kaya/kernels/scratch.h"

namespace kaya::kernels::simd {

namespace {

// Cache blocks: a KC x NC panel of B (512 KB) stays in L2, an MC x KC block of A (120 KB) in
// L2 next to it, one KC x NR sliver of B (32 KB) in L1 while the micro-kernel sweeps A.
constexpr int64_t KC = 256, MC = 120, NC = 512;
// B blocks up to this many values (256 KB) are read in place when not transposed.
constexpr int64_t kInPlaceB = 64 * 1024;
// A is read in place when its rows (or a transposed A's columns) are at most this many values
// apart: a 12-row tile then spans a few pages. 1024 x 1024 x 1024 on one core took 21 ms read in
// place against 17.5 ms packed; 512 x 512 x 512 and the Winograd products (64 to 192) were as
// fast or faster in place.
constexpr int64_t kInPlaceLda = 512;

// Rows of B the small paths' micro-kernel prefetches ahead of the row it multiplies. Batch-1
// inference of the 13 x 192 Go net reads its Winograd products' B (the transformed filters,
// 58 MB for the net) from memory, in strips 2 vectors wide whose rows lie 768 bytes apart: the
// hardware prefetchers left the products at about half their speed from cache. 48 rows ahead
// (36 KB at that stride) made an inference 18% faster (8.66 to 7.11 ms, medians of 5
// interleaved runs on an AVX-512 VM; 32 and 64 rows alike). Past a strip's last row the
// prefetches land on the next point's filters, which follow in memory.
constexpr int64_t kPrefetchRows = 48;

// Rows [r0, r0 + rows) and columns [k0, k0 + kc) of op(X) (X itself, or its transpose when
// `trans`), as panels of `width` rows, each kc columns of `width` contiguous values, zero
// beyond the last row. A's panels are op(A)'s rows; B's are op(B)'s columns, i.e. the rows of
// op(B)'s transpose: pack_panels(!trans_b, B, ...).
inline __attribute__((always_inline)) void pack_panels(bool trans, const float* X, int64_t ldx, int64_t r0,
                                                       int64_t rows, int64_t k0, int64_t kc, int64_t width,
                                                       float* out) {
    for (int64_t i0 = 0; i0 < rows; i0 += width) {
        const int64_t h = std::min<int64_t>(width, rows - i0);
        float* dst = out + i0 * kc;
        if (trans) {
            for (int64_t k = 0; k < kc; ++k) {
                const float* src = X + (k0 + k) * ldx + r0 + i0;
                float* d = dst + k * width;
                int64_t i = 0;
                for (; i + 8 <= h; i += 8)
                    std::memcpy(d + i, src + i, 8 * sizeof(float));  // inlined moves
                for (; i + 4 <= h; i += 4) std::memcpy(d + i, src + i, 4 * sizeof(float));
                for (; i < h; ++i) d[i] = src[i];
                for (i = h; i < width; ++i) d[i] = 0.0f;
            }
        } else {
            for (int64_t k = 0; k < kc; ++k)
                for (int64_t i = h; i < width; ++i) dst[k * width + i] = 0.0f;
            for (int64_t i = 0; i < h; ++i) {
                const float* src = X + (r0 + i0 + i) * ldx + k0;
                for (int64_t k = 0; k < kc; ++k) dst[k * width + i] = src[k];
            }
        }
    }
}

// The ROWS x (NV * W) tile of C at c: alpha * (A panel @ B panel) + beta * C (C ignored when
// beta is 0), of which only h rows and w columns are inside C. Column k of the A panel is at
// Ap + k * mr (mr >= ROWS: fewer rows serve the last panel without computing its zero padding);
// row k of the B panel at Bp + k * ldbp (2W in a packed panel, B's own leading dimension when
// read in place).
// With kPrefetchB, B's row kPrefetchRows ahead is prefetched (prefetches never fault).
// With kInPlaceA, Ap is op(A) itself, row i at Ap + i * mr (mr is then lda), rows from h on
// reading row h - 1 again (their sums are not stored).
template <int W, int NV, int ROWS, bool kInPlaceA = false, bool kPrefetchB = false>
inline __attribute__((always_inline)) void micro_kernel(int64_t kc, const float* Ap, int64_t mr,
                                                        const float* Bp, int64_t ldbp, float alpha,
                                                        float beta, float* c, int64_t ldc,
                                                        int64_t h, int64_t w) {
    typedef float V __attribute__((vector_size(W * 4), aligned(4), may_alias));
    V acc[ROWS][NV];
    for (int i = 0; i < ROWS; ++i)
        for (int v = 0; v < NV; ++v) acc[i][v] = V{};
    const float* rows[ROWS];
    if constexpr (kInPlaceA) {
        for (int i = 0; i < ROWS; ++i) rows[i] = Ap + std::min<int64_t>(i, h - 1) * mr;
    }
    for (int64_t k = 0; k < kc; ++k) {
        V b[NV];
        for (int v = 0; v < NV; ++v) b[v] = *reinterpret_cast<const V*>(Bp + k * ldbp + v * W);
        if constexpr (kPrefetchB) {  // addresses as integers: they may lie past B's end
            const uintptr_t ahead = reinterpret_cast<uintptr_t>(Bp + k * ldbp) +
                                    static_cast<uintptr_t>(kPrefetchRows * ldbp) * sizeof(float);
            for (int v = 0; v < NV * W; v += 64 / static_cast<int>(sizeof(float)))
                __builtin_prefetch(reinterpret_cast<const void*>(ahead + v * sizeof(float)));
        }
        const float* a = Ap + k * mr;
#pragma GCC unroll 32
        for (int i = 0; i < ROWS; ++i) {
            const float ai = kInPlaceA ? rows[i][k] : a[i];
            for (int v = 0; v < NV; ++v) acc[i][v] += ai * b[v];
        }
    }
    if (w == NV * W) {  // full-width rows: vector stores, for the h rows inside C
        for (int i = 0; i < ROWS; ++i) {
            if (i >= h) break;
            V* row = reinterpret_cast<V*>(c + i * ldc);
            for (int v = 0; v < NV; ++v) row[v] = beta == 0.0f ? alpha * acc[i][v] : alpha * acc[i][v] + beta * row[v];
        }
        return;
    }
    float tile[ROWS][NV * W];
    std::memcpy(tile, acc, sizeof(tile));
    for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < w; ++j) {
            float& out = c[i * ldc + j];
            out = beta == 0.0f ? alpha * tile[i][j] : alpha * tile[i][j] + beta * out;
        }
}

// The micro-kernel for an MR-row tile of which h rows are inside C, in the fewest rows that
// hold them (MR, MR / 2, MR / 4 or 1).
template <int W, int MR, bool kInPlaceA>
inline __attribute__((always_inline)) void micro_tile(int64_t kc, const float* Ap, int64_t mr,
                                                      const float* Bp, int64_t ldbp, float alpha,
                                                      float beta, float* c, int64_t ldc, int64_t h,
                                                      int64_t w) {
    if (h > MR / 2) {
        micro_kernel<W, 2, MR, kInPlaceA>(kc, Ap, mr, Bp, ldbp, alpha, beta, c, ldc, h, w);
    } else if (h > MR / 4) {
        micro_kernel<W, 2, MR / 2, kInPlaceA>(kc, Ap, mr, Bp, ldbp, alpha, beta, c, ldc, h, w);
    } else if (h > 1) {
        micro_kernel<W, 2, MR / 4 < 2 ? 2 : MR / 4, kInPlaceA>(kc, Ap, mr, Bp, ldbp, alpha, beta, c,
                                                               ldc, h, w);
    } else {
        micro_kernel<W, 2, 1, kInPlaceA>(kc, Ap, mr, Bp, ldbp, alpha, beta, c, ldc, h, w);
    }
}

// Runs fn.operator()<R>() with R = rows (1 <= rows <= kMax): one micro-kernel per height, so
// no padding rows are computed.
template <int kMax, int R = 1, class Fn>
inline __attribute__((always_inline)) void with_rows(int64_t rows, Fn&& fn) {
    if constexpr (R >= kMax) {
        fn.template operator()<kMax>();
    } else {
        if (rows <= R) return fn.template operator()<R>();
        with_rows<kMax, R + 1>(rows, fn);
    }
}

// One k-block of C's columns [n0, n0 + nc) for the small paths: C's rows in near-equal groups of
// at most kSmallRows, each group one micro-tile tall, A packed per group or read in place.
// panel(j0, ldbp) gives B's panel of columns n0 + j0.
template <int W, int kSmallRows, class Panel>
inline __attribute__((always_inline)) void small_rows(bool ta, bool a_in_place, int64_t M,
                                                      int64_t nc, int64_t n0, int64_t k0,
                                                      int64_t kc, const float* A, int64_t lda,
                                                      float* Ap, Panel& panel, float alpha, float b,
                                                      float* C, int64_t ldc) {
    constexpr int NR = 2 * W;
    const int64_t groups = (M + kSmallRows - 1) / kSmallRows, per = (M + groups - 1) / groups;
    for (int64_t m0 = 0; m0 < M; m0 += per) {
        const int64_t h = std::min(per, M - m0);
        if (!a_in_place) pack_panels(ta, A, lda, m0, h, k0, kc, h, Ap);
        with_rows<kSmallRows>(h, [&]<int R>() {
            for (int64_t j0 = 0; j0 < nc; j0 += NR) {
                int64_t ldbp;
                const float* bp = panel(j0, ldbp);
                float* c = C + m0 * ldc + n0 + j0;
                const int64_t w = std::min<int64_t>(NR, nc - j0);
                if (!a_in_place) {
                    micro_kernel<W, 2, R, false, true>(kc, Ap, h, bp, ldbp, alpha, b, c, ldc, h, w);
                } else if (ta) {  // R == h: column k of the group is h values at A + k * lda
                    micro_kernel<W, 2, R, false, true>(kc, A + k0 * lda + m0, lda, bp, ldbp, alpha,
                                                       b, c, ldc, h, w);
                } else {
                    micro_kernel<W, 2, R, true, true>(kc, A + m0 * lda + k0, lda, bp, ldbp, alpha,
                                                      b, c, ldc, h, w);
                }
            }
        });
    }
}

// C = alpha * op(A) @ op(B) + beta * C in MR x 2W micro-tiles. A product with at most kSmallM
// rows (a batch-1 Winograd product has 25), or with a transposed A of at most MC rows, instead
// splits its rows into near-equal groups of
// at most kSmallRows, each one micro-tile of exactly that height: 25 rows as 13 + 12 rather than
// 12 + 12 + 1, whose last one-row tile costs a whole pass over B. On one core, 25 x 192 x 192
// went from 97-115 GFLOP/s (12 + 12 + 1) and 132 (one-vector-wide tiles of all 25 rows: one
// broadcast load per multiply-add saturates the load ports) to 148, then 180 in
// bench/gemm_bench's BM_SgemmOneThread.
// An untransposed A is read in place, each micro-kernel broadcasting from its rows, as the
// bfloat16 kernel does: packing it was a scalar transpose that cost a third of a product with
// K = 64 (the 64-channel Go nets' Winograd products, 100 x 64 x 64: 135 -> 197 GFLOP/s on one
// core; 25 x 64 x 64 about 1.4x, 400 x 192 x 192 about 1.13x). A transposed A's columns are
// already the packed panels' layout, rows lda apart: up to MC rows (the Winograd weight
// gradient's 64 x 64 x 400) it is read in place in the balanced groups of exact height (115-121
// -> 200 GFLOP/s; in place in MR-row tiles only 137, packed with vector copies 150-160), and
// packed with vector copies beyond. Either is read in place only when lda <= kInPlaceLda.
// With kPackedB, B's panels are read from packed_b (B packed whole by sgemm_pack; tb false). A
// template argument, not a test: the plain kernel compiles as it did without it (with the test,
// GCC inlined less of it, and the 6 x 64 Go net's training step was 3-7% slower).
template <int W, int MR, int kSmallM, int kSmallRows, bool kPackedB>
inline __attribute__((always_inline)) void sgemm_blocked(bool ta, bool tb, int64_t M, int64_t N,
                                                         int64_t K, float alpha, const float* A,
                                                         int64_t lda, const float* B, int64_t ldb,
                                                         float beta, float* C, int64_t ldc,
                                                         const float* packed_b) {
    constexpr int NR = 2 * W;
    constexpr int64_t mc_max = MC / MR * MR;
    // A's rows (or a transposed A's columns) few enough pages apart to be read in place.
    const bool a_in_place = lda <= kInPlaceLda;
    const bool small = M <= kSmallM || (ta && a_in_place && M <= mc_max);
    float* Bp = scratch<float>(4, static_cast<size_t>(KC * ((NC + NR - 1) / NR * NR)));
    float* Ap = scratch<float>(5, static_cast<size_t>(KC * std::max<int64_t>(mc_max, kSmallRows)));
    if (K == 0) {  // no products: C = beta * C, and beta == 0 still ignores C
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    for (int64_t n0 = 0; n0 < N; n0 += NC) {
        const int64_t nc = std::min(NC, N - n0);
        for (int64_t k0 = 0; k0 < K; k0 += KC) {
            const int64_t kc = std::min(KC, K - k0);
            const float b = k0 == 0 ? beta : 1.0f;
            // A small untransposed B is read in place (its rows are contiguous and stay in cache),
            // saving a copy that costs as much as the products for batch-1 inference; only a
            // last panel narrower than NR is packed. Larger ones are packed as usual.
            const bool in_place = !tb && kc * nc <= kInPlaceB;
            const int64_t full = in_place ? nc / NR * NR : 0;
            if constexpr (kPackedB) {
                // Every panel is there already: nothing to copy.
            } else if (in_place) {
                if (full < nc) pack_panels(!tb, B, ldb, n0 + full, nc - full, k0, kc, NR, Bp);
            } else {
                pack_panels(!tb, B, ldb, n0, nc, k0, kc, NR, Bp);
            }
            // With packed B, the panel of columns n0 + j0 holds all K rows, NR values each.
            auto panel = [&](int64_t j0, int64_t& ldbp) {
                if constexpr (kPackedB) {
                    ldbp = NR;
                    return packed_b + (n0 + j0) * K + k0 * NR;
                }
                ldbp = j0 < full ? ldb : NR;
                return j0 < full ? B + k0 * ldb + n0 + j0 : Bp + (j0 - full) * kc;
            };
            if (small) {
                small_rows<W, kSmallRows>(ta, a_in_place, M, nc, n0, k0, kc, A, lda, Ap, panel,
                                          alpha, b, C, ldc);
                continue;
            }
            for (int64_t m0 = 0; m0 < M; m0 += mc_max) {
                const int64_t mc = std::min(mc_max, M - m0);
                const bool packed = ta || !a_in_place;
                if (packed) pack_panels(ta, A, lda, m0, mc, k0, kc, MR, Ap);
                for (int64_t j0 = 0; j0 < nc; j0 += NR) {
                    int64_t ldbp;
                    const float* bp = panel(j0, ldbp);
                    const int64_t w = std::min<int64_t>(NR, nc - j0);
                    for (int64_t i0 = 0; i0 < mc; i0 += MR) {
                        const int64_t h = std::min<int64_t>(MR, mc - i0);
                        float* c = C + (m0 + i0) * ldc + n0 + j0;
                        if (packed) {
                            micro_tile<W, MR, false>(kc, Ap + i0 * kc, MR, bp, ldbp, alpha, b, c,
                                                     ldc, h, w);
                        } else {
                            micro_tile<W, MR, true>(kc, A + (m0 + i0) * lda + k0, lda, bp, ldbp,
                                                    alpha, b, c, ldc, h, w);
                        }
                    }
                }
            }
        }
    }
}

template <bool kPackedB>
__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))) void sgemm_avx512(
    bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
    const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* packed_b) {
    sgemm_blocked<16, 12, 56, 14, kPackedB>(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                                            packed_b);
}

template <bool kPackedB>
__attribute__((target("avx2,fma"))) void sgemm_avx2(bool ta, bool tb, int64_t M, int64_t N,
                                                    int64_t K, float alpha, const float* A,
                                                    int64_t lda, const float* B, int64_t ldb,
                                                    float beta, float* C, int64_t ldc,
                                                    const float* packed_b) {
    sgemm_blocked<8, 6, 24, 6, kPackedB>(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                                         packed_b);
}

enum class Isa { kNone, kAvx2, kAvx512 };

bool supports(Isa isa) {
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == Isa::kAvx2) return avx2;
    return isa == Isa::kAvx512 && avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
}

Isa isa() {
    static const Isa found = [] {
        const char* env = std::getenv("KAYA_SGEMM_ISA");
        const bool want_avx2 = env && std::strcmp(env, "avx2") == 0;
        if (!want_avx2 && supports(Isa::kAvx512)) return Isa::kAvx512;
        return supports(Isa::kAvx2) ? Isa::kAvx2 : Isa::kNone;
    }();
    return found;
}

bool run(Isa which, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
         int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
         const float* packed_b = nullptr) {
    if (M <= 0 || N <= 0) return which != Isa::kNone;
    // The kernel for the ISA, in its packed-B instantiation when B comes packed.
    using Kernel = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                            const float*, int64_t, float, float*, int64_t, const float*);
    Kernel kernel = nullptr;
    if (which == Isa::kAvx512) kernel = packed_b ? sgemm_avx512<true> : sgemm_avx512<false>;
    if (which == Isa::kAvx2) kernel = packed_b ? sgemm_avx2<true> : sgemm_avx2<false>;
    if (kernel == nullptr) return false;
    kernel(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, packed_b);
    return true;
}

// Columns of a packed panel of B: the micro-kernel's two vectors.
int64_t panel_width(Isa which) { return which == Isa::kAvx512 ? 32 : which == Isa::kAvx2 ? 16 : 0; }

}  // namespace

bool sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    return run(isa(), ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

int64_t sgemm_packed_size(int64_t N, int64_t K) {
    const int64_t nr = panel_width(isa());
    return nr == 0 ? 0 : (N + nr - 1) / nr * nr * K;
}

void sgemm_pack(bool trans_b, int64_t N, int64_t K, const float* B, int64_t ldb, float* out) {
    const int64_t nr = panel_width(isa());
    if (nr > 0) pack_panels(!trans_b, B, ldb, 0, N, 0, K, nr, out);
}

bool sgemm_prepacked(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                     int64_t lda, const float* packed_b, float beta, float* C, int64_t ldc) {
    return run(isa(), trans_a, false, M, N, K, alpha, A, lda, nullptr, N, beta, C, ldc, packed_b);
}

bool sgemm_with(const char* name, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    const Isa which = std::strcmp(name, "avx512") == 0 ? Isa::kAvx512 : std::strcmp(name, "avx2") == 0 ? Isa::kAvx2 : Isa::kNone;
    if (!supports(which)) return false;
    return run(which, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char* sgemm_isa() {
    switch (isa()) {
        case Isa::kAvx512: return "avx512";
        case Isa::kAvx2: return "avx2";
        default: return "none";
    }
}

}  // namespace kaya::kernels::simd
