// SPDX-License-Identifier: MIT
#include "kaya/kernels/conv/winograd.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/hash/fingerprint.h"
#include "kaya/kernels/scratch.h"
#include "kaya/kernels/simd/sgemm.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {

namespace {

// At most this many floats of transformed input per chunk of images.
constexpr int64_t kChunkBudget = int64_t{1} << 22;

// Winograd's F(m x m, r x r): an algorithm F reads input tiles of F::kIn x F::kIn values
// (kIn = m + r - 1 interpolation points), makes F::kPoints = kIn^2 matrix products per tile and
// gives m x m outputs (F::kTile). F(4x4, 3x3) uses the points 0, 1, -1, 2, -2 and infinity
// (6x6 tiles); F(4x4, 5x5) adds 1/2 and -1/2 (8x8 tiles). Each algorithm is written out as the
// one-dimensional transforms that act on the rows and then the columns of a tile: B^T for the
// input, A^T for the output, G for the filters (whose rows carry the interpolation's scale
// factors), and the transposes A and G^T for the gradients.
// This file is compiled with -ffp-contract=off: every copy the compiler inlines then rounds
// the same way, so results do not depend on which thread (or code path) ran them.

// 1 / d in T's element type (T a scalar or a vector of them). The filter transforms multiply by
// it rather than divide: a division costs ten or more times a product, and the filter transforms
// run on every training step (twice for each 3x3 layer). The product is within one rounding of
// the quotient.
template <class T>
constexpr auto inv(int d) {
    if constexpr (std::is_arithmetic_v<T>) {
        return T(1) / T(d);
    } else {
        using E = std::remove_cvref_t<decltype(std::declval<T>()[0])>;
        return E(1) / E(d);
    }
}

// B^T d for d = in[0], in[s], ..., in[5s] (6 -> 6), the six points 0, 1, -1, 2, -2, infinity.
template <class T>
inline void input6_1d(const T* in, int64_t s, T* out, int64_t os) {
    const T d0 = in[0], d1 = in[s], d2 = in[2 * s], d3 = in[3 * s], d4 = in[4 * s], d5 = in[5 * s];
    out[0] = 4 * d0 - 5 * d2 + d4;
    out[os] = -4 * (d1 + d2) + d3 + d4;
    out[2 * os] = 4 * (d1 - d2) - d3 + d4;
    out[3 * os] = 2 * (d3 - d1) - d2 + d4;
    out[4 * os] = 2 * (d1 - d3) - d2 + d4;
    out[5 * os] = 4 * d1 - 5 * d3 + d5;
}

// F(4x4, 3x3): 3x3 kernels, 4x4 outputs per tile.
struct F4x3 {
    static constexpr int kTile = 4, kR = 3, kIn = 6, kPoints = kIn * kIn;

    template <class T>
    static void input_1d(const T* in, int64_t s, T* out, int64_t os) {
        input6_1d(in, s, out, os);
    }

    // A^T m (6 -> 4).
    template <class T>
    static void output_1d(const T* m, int64_t s, T* out, int64_t os) {
        const T m0 = m[0], m1 = m[s], m2 = m[2 * s], m3 = m[3 * s], m4 = m[4 * s], m5 = m[5 * s];
        const T a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
        out[0] = m0 + a + c;
        out[os] = b + 2 * d;
        out[2 * os] = a + 4 * c;
        out[3 * os] = b + 8 * d + m5;
    }

    // G g (3 -> 6).
    template <class T>
    static void filter_1d(const T* g, int64_t s, T* out, int64_t os) {
        const T g0 = g[0], g1 = g[s], g2 = g[2 * s];
        out[0] = g0 * inv<T>(4);
        out[os] = -(g0 + g1 + g2) * inv<T>(6);
        out[2 * os] = -(g0 - g1 + g2) * inv<T>(6);
        out[3 * os] = g0 * inv<T>(24) + g1 * inv<T>(12) + g2 * inv<T>(6);
        out[4 * os] = g0 * inv<T>(24) - g1 * inv<T>(12) + g2 * inv<T>(6);
        out[5 * os] = g2;
    }

    // A y (4 -> 6): the transpose of output_1d, for output gradients.
    template <class T>
    static void output_grad_1d(const T* y, int64_t s, T* out, int64_t os) {
        const T y0 = y[0], y1 = y[s], y2 = y[2 * s], y3 = y[3 * s];
        out[0] = y0;
        out[os] = y0 + y1 + y2 + y3;
        out[2 * os] = y0 - y1 + y2 - y3;
        out[3 * os] = y0 + 2 * y1 + 4 * y2 + 8 * y3;
        out[4 * os] = y0 - 2 * y1 + 4 * y2 - 8 * y3;
        out[5 * os] = y3;
    }

    // G^T u (6 -> 3): the transpose of filter_1d, for weight gradients.
    template <class T>
    static void filter_grad_1d(const T* u, int64_t s, T* out, int64_t os) {
        const T u0 = u[0], u1 = u[s], u2 = u[2 * s], u3 = u[3 * s], u4 = u[4 * s], u5 = u[5 * s];
        out[0] = u0 * inv<T>(4) - (u1 + u2) * inv<T>(6) + (u3 + u4) * inv<T>(24);
        out[os] = (u2 - u1) * inv<T>(6) + (u3 - u4) * inv<T>(12);
        out[2 * os] = (u3 + u4 - u1 - u2) * inv<T>(6) + u5;
    }
};

// F(4x4, 5x5): 5x5 kernels, 4x4 outputs per 8x8 tile (4 multiplications per output instead
// of 25; F(2x2, 5x5) on 6x6 tiles needs 9, and its 2.25 times as many tiles cost as much more
// in transforms: the Go nets' first layer 1.7-2x faster in each direction). The points 0, 1,
// -1, 2, -2, 1/2, -1/2 and infinity, with B^T's rows the coefficients of the products of
// (x - p) over the other finite points, G's rows scaled by 1/prod(p_j - p_k), and A^T's columns
// the powers of each point; in float about 5e-6 relative error against a direct sum over 48
// channels (F(2x2, 5x5): 1e-6 to 1e-5). The pairs p, -p share even and odd parts, formed once
// and then added and subtracted. Tested against im2col to 1e-12 in double (conv_test.cpp).
struct F4x5 {
    static constexpr int kTile = 4, kR = 5, kIn = 8, kPoints = kIn * kIn;

    // B^T d (8 -> 8).
    template <class T>
    static void input_1d(const T* in, int64_t s, T* out, int64_t os) {
        const T d0 = in[0], d1 = in[s], d2 = in[2 * s], d3 = in[3 * s], d4 = in[4 * s], d5 = in[5 * s],
                d6 = in[6 * s], d7 = in[7 * s];
        out[0] = (d6 - d0) + 5.25 * (d2 - d4);
        const T e1 = (d2 + d6) - 4.25 * d4, o1 = (d1 + d5) - 4.25 * d3;
        out[os] = e1 + o1;
        out[2 * os] = e1 - o1;
        const T e3 = (0.25 * d2 + d6) - 1.25 * d4, o3 = (0.5 * d1 + 2 * d5) - 2.5 * d3;
        out[3 * os] = e3 + o3;
        out[4 * os] = e3 - o3;
        const T e5 = (4 * d2 + d6) - 5 * d4, o5 = (2 * d1 + 0.5 * d5) - 2.5 * d3;
        out[5 * os] = e5 + o5;
        out[6 * os] = e5 - o5;
        out[7 * os] = (d7 - d1) + 5.25 * (d3 - d5);
    }

    // A^T m (8 -> 4).
    template <class T>
    static void output_1d(const T* m, int64_t s, T* out, int64_t os) {
        const T m1 = m[s], m2 = m[2 * s], m3 = m[3 * s], m4 = m[4 * s], m5 = m[5 * s], m6 = m[6 * s];
        const T a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4, e = m5 + m6, f = m5 - m6;
        out[0] = m[0] + a + c + e;
        out[os] = b + 2 * d + 0.5 * f;
        out[2 * os] = a + 4 * c + 0.25 * e;
        out[3 * os] = b + 8 * d + 0.125 * f + m[7 * s];
    }

    // G g (5 -> 8).
    template <class T>
    static void filter_1d(const T* g, int64_t s, T* out, int64_t os) {
        const T g0 = g[0], g1 = g[s], g2 = g[2 * s], g3 = g[3 * s], g4 = g[4 * s];
        const T even = g0 + g2 + g4, odd = g1 + g3;
        out[0] = -g0;
        out[os] = -2 * (even + odd) * inv<T>(9);
        out[2 * os] = -2 * (even - odd) * inv<T>(9);
        const T e3 = (0.5 * g0 + 2 * g2 + 8 * g4) * inv<T>(45), o3 = (g1 + 4 * g3) * inv<T>(45);
        out[3 * os] = e3 + o3;
        out[4 * os] = e3 - o3;
        const T e5 = (32 * g0 + 8 * g2 + 2 * g4) * inv<T>(45), o5 = (16 * g1 + 4 * g3) * inv<T>(45);
        out[5 * os] = e5 + o5;
        out[6 * os] = e5 - o5;
        out[7 * os] = g4;
    }

    // A y (4 -> 8): the transpose of output_1d, for output gradients.
    template <class T>
    static void output_grad_1d(const T* y, int64_t s, T* out, int64_t os) {
        const T y0 = y[0], y1 = y[s], y2 = y[2 * s], y3 = y[3 * s];
        const T e1 = y0 + y2, o1 = y1 + y3, e3 = y0 + 4 * y2, o3 = 2 * y1 + 8 * y3;
        const T e5 = y0 + 0.25 * y2, o5 = 0.5 * y1 + 0.125 * y3;
        out[0] = y0;
        out[os] = e1 + o1;
        out[2 * os] = e1 - o1;
        out[3 * os] = e3 + o3;
        out[4 * os] = e3 - o3;
        out[5 * os] = e5 + o5;
        out[6 * os] = e5 - o5;
        out[7 * os] = y3;
    }

    // G^T u (8 -> 5): the transpose of filter_1d, for weight gradients.
    template <class T>
    static void filter_grad_1d(const T* u, int64_t s, T* out, int64_t os) {
        const T u1 = u[s], u2 = u[2 * s], u3 = u[3 * s], u4 = u[4 * s], u5 = u[5 * s], u6 = u[6 * s];
        const T s12 = u1 + u2, d12 = u1 - u2, s34 = u3 + u4, d34 = u3 - u4, s56 = u5 + u6, d56 = u5 - u6;
        out[0] = (-2 * s12 * inv<T>(9) - u[0]) + (s34 * inv<T>(90) + 32 * s56 * inv<T>(45));
        out[os] = -2 * d12 * inv<T>(9) + (d34 + 16 * d56) * inv<T>(45);
        out[2 * os] = -2 * s12 * inv<T>(9) + (2 * s34 + 8 * s56) * inv<T>(45);
        out[3 * os] = -2 * d12 * inv<T>(9) + (4 * d34 + 4 * d56) * inv<T>(45);
        out[4 * os] = -2 * s12 * inv<T>(9) + (8 * s34 + 2 * s56) * inv<T>(45) + u[7 * s];
    }
};

// out (R x C) = f applied to the columns, then to the rows, of in (K x K2), all row-major.
template <class T, int K, int K2, int R, int C, class F, class G>
inline void two_d(const T* in, T* out, F rows_to, G cols_to) {
    T mid[R * K2];
    for (int j = 0; j < K2; ++j) rows_to(in + j, K2, mid + j, K2);
    for (int i = 0; i < R; ++i) cols_to(mid + i * K2, 1, out + i * C, 1);
}

// The tile grid of an HO x WO output for tiles of side `tile`.
struct Tiling {
    int64_t tile, rows, cols, per_image;
    Tiling(int64_t tile_side, int64_t HO, int64_t WO)
        : tile(tile_side),
          rows((HO + tile - 1) / tile),
          cols((WO + tile - 1) / tile),
          per_image(rows * cols) {}
};

// The transforms work on kLanes<T> channels at once: a block of channels is laid out
// channel-innermost (each point of the plane a vector of the block's values), so every
// formula above acts on whole vectors. Transformed tiles, filters and products are stored with
// the channel innermost too, V[p][tile][c], U[p][c][o] and M[p][tile][o], rows padded to a
// whole number of vectors; the products then take them as row-major matrices with that stride.
using simd::kLanes;
using simd::load;
using simd::store;
using simd::Vec;

template <class T>
int64_t padded_channels(int64_t c) {
    return (c + kLanes<T> - 1) / kLanes<T> * kLanes<T>;
}

// Tasks of transform_filters (input channels split evenly). A task of 4,096 filter pairs left
// the 64 x 64 layers on one thread, 7% of a 6 x 64 training step (which transforms every 3x3
// layer's filters twice) with the other core idle.
constexpr int64_t kFilterTasks = 8;
// Blocks of kLanes outputs whose transformed filters transform_filters holds before storing
// them point by point, kFilterBlocks vectors side by side in each point's row: a block's 36
// points stored one by one went to rows ins * Op values apart and stalled as write_points' did
// (with this and the weight gradient's vector transform below, the 6 x 64 Go net's training
// step went from 17.6 to 15.8 ms, medians of 12 interleaved runs; 13 x 192 202 to 190 ms).
constexpr int64_t kFilterBlocks = 4;

// U[p][c][o] = (G w'[o][c] G^T)[p] for the filters w' (outs x ins x r x r) read from w: as
// stored, or flipped and transposed (w'[o][c] = w[c][o] rotated 180 degrees) for the input
// gradient. Rows of Op values, outputs innermost and zero beyond outs, so that each point's
// product takes U[p] as it is stored. A block of kLanes outputs at a time.
template <class F, class T>
void transform_filters(const T* w, int64_t outs, int64_t ins, bool flip_transpose, T* U) {
    constexpr int64_t L = kLanes<T>;
    constexpr int kTaps = F::kR * F::kR;
    const int64_t Op = padded_channels<T>(outs);
    parallel_for(ins, (ins + kFilterTasks - 1) / kFilterTasks, [&](int64_t b, int64_t e) {
        alignas(64) T taps[kTaps][L];
        Vec<T> u[kFilterBlocks][F::kPoints];
        for (int64_t c = b; c < e; ++c) {
            for (int64_t first = 0; first < outs; first += kFilterBlocks * L) {
                const int64_t blocks = std::min(kFilterBlocks, (outs - first + L - 1) / L);
                for (int64_t bi = 0; bi < blocks; ++bi) {
                    const int64_t o0 = first + bi * L, lanes = std::min(L, outs - o0);
                    for (int64_t l = 0; l < L; ++l) {
                        const int64_t o = o0 + l;
                        for (int k = 0; k < kTaps; ++k)
                            taps[k][l] = l >= lanes ? T(0)
                                         : flip_transpose
                                             ? w[(c * outs + o) * kTaps + kTaps - 1 - k]
                                             : w[(o * ins + c) * kTaps + k];
                    }
                    Vec<T> g[kTaps];
                    for (int k = 0; k < kTaps; ++k) g[k] = load(taps[k]);
                    two_d<Vec<T>, F::kR, F::kR, F::kIn, F::kIn>(
                        g, u[bi], F::template filter_1d<Vec<T>>, F::template filter_1d<Vec<T>>);
                }
                for (int p = 0; p < F::kPoints; ++p)
                    for (int64_t bi = 0; bi < blocks; ++bi)
                        store(U + (p * ins + c) * Op + first + bi * L, u[bi][p]);
            }
        }
    });
}

// Values in the transformed filters of outs x ins filters.
template <class F, class T>
int64_t transformed_size(int64_t outs, int64_t ins) {
    return F::kPoints * ins * padded_channels<T>(outs);
}

// Values of one point's filters packed for Kaya's float kernel (the products' B: ins x Op).
template <class T>
int64_t packed_point_size(int64_t outs, int64_t ins) {
    return simd::sgemm_packed_size(padded_channels<T>(outs), ins);
}

// Words of one point's filters packed for bfloat16 products (the products' B: ins x Op).
template <class T>
int64_t bf16_point_words(int64_t outs, int64_t ins) {
    return simd::sgemm_bf16_packed_size(padded_channels<T>(outs), ins);
}

// Transformed filters kept between the calls of inference, which pass the same weights every
// time. An entry is found by the 128-bit fingerprint of the weights it was made from
// (hash/fingerprint.h), so weights changed in any way (in place, behind the version counter's
// back, reloaded, or a new tensor at the same address) are not served stale. The check reads
// the weights once (shared between threads when the convolution runs on several). Comparing them with a kept copy instead read twice the
// bytes, and for the 13 x 192 net at batch 1 pushed the transformed filters of the other layers
// (61 MB) out of the cache: 5.7 ms an inference against 3.2 ms with no check at all. One cache
// per thread; beyond kFilterCacheBytes the least recently used entries go.
constexpr size_t kFilterCacheBytes = size_t{128} << 20;

template <class T>
class FilterCache {
public:
    // The forward transform U (as transform_filters) of the filters w (outs x ins x r x r) of the
    // algorithm F, from the cache or made now; null when it is too large to keep. With `packed`
    // (float only), each point's U[p] packed for Kaya's kernel instead (simd::sgemm_pack), point
    // p's at the result + p * packed_point_size(outs, ins).
    template <class F>
    const T* find_or_make(const T* w, int64_t outs, int64_t ins, bool packed) {
        const size_t n = static_cast<size_t>(outs * ins * F::kR * F::kR);
        const Fingerprint key = fingerprint(w, n * sizeof(T));
        ++clock_;
        for (Entry& e : entries_) {
            if (e.r == F::kR && e.outs == outs && e.ins == ins && e.packed == packed &&
                e.key == key) {
                e.used = clock_;
                return e.U.data();
            }
        }
        const size_t size =
            static_cast<size_t>(packed ? F::kPoints * packed_point_size<T>(outs, ins)
                                       : transformed_size<F, T>(outs, ins));
        const size_t bytes = size * sizeof(T);
        if (bytes > kFilterCacheBytes) return nullptr;
        while (held_ + bytes > kFilterCacheBytes) {
            auto lru =
                std::min_element(entries_.begin(), entries_.end(),
                                 [](const Entry& a, const Entry& b) { return a.used < b.used; });
            held_ -= lru->bytes();
            entries_.erase(lru);
        }
        Entry& e = entries_.emplace_back(
            Entry{F::kR, outs, ins, packed, key, std::vector<T>(size), clock_});
        held_ += bytes;
        if constexpr (std::is_same_v<T, float>) {
            if (packed) {
                const int64_t Op = padded_channels<T>(outs), step = packed_point_size<T>(outs, ins);
                T* plain = scratch<T>(0, static_cast<size_t>(transformed_size<F, T>(outs, ins)));
                transform_filters<F>(w, outs, ins, false, plain);
                parallel_for(F::kPoints, 1, [&](int64_t b, int64_t end) {
                    for (int64_t p = b; p < end; ++p)
                        simd::sgemm_pack(false, Op, ins, plain + p * ins * Op, Op,
                                         e.U.data() + p * step);
                });
                return e.U.data();
            }
        }
        transform_filters<F>(w, outs, ins, false, e.U.data());
        return e.U.data();
    }

    // The products' B operands of the transformed filters U (from find_or_make on this thread,
    // unpacked, so still held) packed for bfloat16 products (simd::sgemm_bf16_pack), made on first
    // use: point p's at the result + p * bf16_point_words(outs, ins). Made each call, these
    // packings took about a fifth of the bfloat16 products' time in the search net's grouped
    // convolutions.
    template <class F>
    const uint32_t* packed_bf16(const T* U, int64_t outs, int64_t ins) {
        for (Entry& e : entries_) {
            if (e.U.data() != U) continue;
            if (e.bf16.empty()) {
                const int64_t Op = padded_channels<T>(outs), step = bf16_point_words<T>(outs, ins);
                e.bf16.resize(static_cast<size_t>(F::kPoints * step));
                for (int p = 0; p < F::kPoints; ++p)
                    simd::sgemm_bf16_pack(false, Op, ins, U + p * ins * Op, Op, e.bf16.data() + p * step);
                held_ += e.bf16.size() * sizeof(uint32_t);
            }
            return e.bf16.data();
        }
        return nullptr;
    }

private:
    struct Entry {
        int r;
        int64_t outs, ins;
        bool packed;
        Fingerprint key;
        std::vector<T> U;
        uint64_t used;
        std::vector<uint32_t> bf16 = {};
        size_t bytes() const { return U.size() * sizeof(T) + bf16.size() * sizeof(uint32_t); }
    };
    std::vector<Entry> entries_;
    uint64_t clock_ = 0;
    size_t held_ = 0;
};

// This thread's cache, for both algorithms (told apart by kernel size).
template <class T>
FilterCache<T>& filter_cache() {
    thread_local FilterCache<T> cache;
    return cache;
}

// Copies channels [c0, c0 + lanes) of image planes (H x W each, `plane` pointing at c0's) into
// a channel-innermost block buf (BH x BW x kLanes), offset by `pad` rows and columns and
// cropped to the block; every other value of the block is set to zero.
template <class T>
void gather_block(const T* plane, int64_t lanes, int64_t H, int64_t W, int64_t pad, int64_t BH, int64_t BW,
                  T* buf) {
    constexpr int64_t L = kLanes<T>;
    const int64_t y_end = std::min(H, BH - pad), x_end = std::min(W, BW - pad);
    if (lanes < L) {
        std::fill(buf, buf + BH * BW * L, T(0));
    } else {
        // Only the margins: the copy below writes every lane of the rest.
        std::fill(buf, buf + pad * BW * L, T(0));
        for (int64_t y = pad; y < pad + y_end; ++y) {
            std::fill(buf + y * BW * L, buf + (y * BW + pad) * L, T(0));
            std::fill(buf + (y * BW + pad + x_end) * L, buf + (y + 1) * BW * L, T(0));
        }
        std::fill(buf + (pad + y_end) * BW * L, buf + BH * BW * L, T(0));
    }
    // kLanes points of a row at a time: a vector from each plane, transposed into a vector of
    // the lanes for each point (missing lanes zero); the row's last points one by one.
    const int64_t x_vec = x_end / L * L;
    for (int64_t y = 0; y < y_end; ++y) {
        T* row = buf + ((y + pad) * BW + pad) * L;
        for (int64_t x0 = 0; x0 < x_vec; x0 += L) {
            Vec<T> v[L];
            for (int64_t l = 0; l < L; ++l) v[l] = l < lanes ? load(plane + l * H * W + y * W + x0) : Vec<T>{};
            simd::transpose<T>(v);
            for (int64_t k = 0; k < L; ++k) store(row + (x0 + k) * L, v[k]);
        }
        for (int64_t l = 0; l < lanes; ++l)
            for (int64_t x = x_vec; x < x_end; ++x) row[x * L + l] = plane[l * H * W + y * W + x];
    }
}

// Runs f(i, c0, buffer) for every image i < nb and block of kLanes channels starting at c0 of
// `channels`, the (image, block) pairs shared between threads, each thread with a buffer of
// `buffer_size` values (its scratch slot 3, so the caller's slots 0 to 2 are left alone).
template <class T, class F>
void for_each_block(int64_t nb, int64_t channels, int64_t buffer_size, F&& f) {
    const int64_t blocks = padded_channels<T>(channels) / kLanes<T>;
    parallel_for(nb * blocks, 1, [&](int64_t b, int64_t e) {
        T* buffer = scratch<T>(3, static_cast<size_t>(buffer_size));
        for (int64_t ib = b; ib < e; ++ib) f(ib / blocks, ib % blocks * kLanes<T>, buffer);
    });
}

// Tiles whose points write_points and read_points buffer: 8 of F(4x4, 3x3)'s 36 points, 4 of
// F(4x4, 5x5)'s 64 (about 18 KB of float vectors either way).
template <int kPoints>
constexpr int64_t kRun = std::max(1, 288 / kPoints);

// The kPoints transformed points of a row of `tiles` tiles into their kPoints matrices:
// tile(t, v) fills v[0..kPoints) for tile t, and point p of tile t goes to dst + p * point_step +
// t * tile_step. Up to kRun tiles are transformed into a local buffer and then written point by
// point: one tile at a time, each tile's 36 stores went to 36 distant rows and stalled the loop
// (the 3x3 layers of the 6 x 64 Go net 12-15% faster on one thread).
// Stores a vector of points: as it is, or rounded to bfloat16 (bits as simd::round_to_bf16:
// to nearest, ties to even, NaN quiet, denormals to zero; AVX512-BF16's conversion rounds alike,
// so the products get the same operands as from float tiles).
template <class T>
inline void put(T* dst, Vec<T> v) {
    store(dst, v);
}
inline void put(uint16_t* dst, Vec<float> v) {
    typedef uint32_t U32 __attribute__((vector_size(simd::kVecBytes)));
    typedef uint16_t U16 __attribute__((vector_size(simd::kVecBytes / 2), aligned(2), may_alias));
    U32 u;
    std::memcpy(&u, &v, sizeof u);
    U32 r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    r = (u & 0x7fffffffu) > 0x7f800000u ? (u >> 16) | 0x40u : r;
    r = (u & 0x7f800000u) == 0 ? (u >> 16) & 0x8000u : r;
    *reinterpret_cast<U16*>(dst) = __builtin_convertvector(r, U16);
}

template <class T, int kPoints, class Tile, class D>
void write_points(int64_t tiles, D* dst, int64_t point_step, int64_t tile_step, Tile&& tile) {
    Vec<T> run[kRun<kPoints>][kPoints];
    for (int64_t t0 = 0; t0 < tiles; t0 += kRun<kPoints>) {
        const int64_t n = std::min(kRun<kPoints>, tiles - t0);
        for (int64_t t = 0; t < n; ++t) tile(t0 + t, run[t]);
        for (int p = 0; p < kPoints; ++p)
            for (int64_t t = 0; t < n; ++t) put(dst + p * point_step + (t0 + t) * tile_step, run[t][p]);
    }
}

// The reverse of write_points: the kPoints points of up to kRun tiles read point by point into
// a local buffer, then tile(t, m) for each tile with its points m.
template <class T, int kPoints, class Tile>
void read_points(int64_t tiles, const T* src, int64_t point_step, int64_t tile_step, Tile&& tile) {
    Vec<T> run[kRun<kPoints>][kPoints];
    for (int64_t t0 = 0; t0 < tiles; t0 += kRun<kPoints>) {
        const int64_t n = std::min(kRun<kPoints>, tiles - t0);
        for (int p = 0; p < kPoints; ++p)
            for (int64_t t = 0; t < n; ++t) run[t][p] = load(src + p * point_step + (t0 + t) * tile_step);
        for (int64_t t = 0; t < n; ++t) tile(t0 + t, run[t]);
    }
}

// V[p][i * T + t][c] = (B^T d B)[p] for the kIn x kIn input tile d of tile t of image i (images
// [0, nb) of `in`, C x H x W each), with zeros outside the image; rows of Cp values, point p's
// matrix at V + p * point_step (0: the tiles' own, nb * T * Cp). Tiles start tl.tile apart.
template <class F, class T, class Out>
void transform_input(const T* in, int64_t nb, int64_t C, int64_t H, int64_t W, int64_t pad,
                     const Tiling& tl, Out* V, int64_t point_step = 0) {
    constexpr int64_t L = kLanes<T>;
    const int64_t Cp = padded_channels<T>(C), step = tl.tile;
    if (point_step == 0) point_step = nb * tl.per_image * Cp;
    // The block with its padding, large enough that every tile reads inside it.
    constexpr int kIn = F::kIn;
    const int64_t PH = (tl.rows - 1) * step + kIn, PW = (tl.cols - 1) * step + kIn;
    for_each_block<T>(nb, C, PH * PW * L, [&](int64_t i, int64_t c0, T* block) {
        gather_block(in + (i * C + c0) * H * W, std::min(L, C - c0), H, W, pad, PH, PW, block);
        for (int64_t ty = 0; ty < tl.rows; ++ty) {
            Out* dst = V + (i * tl.per_image + ty * tl.cols) * Cp + c0;
            write_points<T, F::kPoints>(tl.cols, dst, point_step, Cp, [&](int64_t tx, Vec<T>* v) {
                Vec<T> d[F::kPoints];
                const T* src = block + (ty * step * PW + tx * step) * L;
                for (int r = 0; r < kIn; ++r)
                    for (int q = 0; q < kIn; ++q) d[r * kIn + q] = load(src + (r * PW + q) * L);
                two_d<Vec<T>, kIn, kIn, kIn, kIn>(d, v, F::template input_1d<Vec<T>>, F::template input_1d<Vec<T>>);
            });
        }
    });
}

// ConvEpilogue::apply on the kLanes outputs from point i of plane `plane`.
template <class T>
inline Vec<T> finish(const ConvEpilogue<T>& e, Vec<T> v, int64_t plane, int64_t plane_size,
                     int64_t i) {
    if (e.add)
        v = v +
            (e.add_per_channel ? Vec<T>{} + e.add[plane] : load(e.add + plane * plane_size + i));
    if (e.relu) v = v > Vec<T>{} ? v : Vec<T>{};
    return v;
}

// out[i][o] (HO x WO) = A^T M A per tile, cropped, plus bias[o], then the epilogue (whose
// image 0 is out's); M[p][i * T + t][o] in rows of Op values.
template <class F, class T>
void transform_output(const T* M, int64_t nb, int64_t O, int64_t HO, int64_t WO, const Tiling& tl,
                      const T* bias, T* out, const ConvEpilogue<T>& epilogue) {
    constexpr int64_t L = kLanes<T>;
    constexpr int kTile = F::kTile;
    const int64_t cols = nb * tl.per_image, Op = padded_channels<T>(O);
    const int64_t YH = tl.rows * kTile, YW = tl.cols * kTile;
    for_each_block<T>(nb, O, YH * YW * L, [&](int64_t i, int64_t o0, T* block) {
        for (int64_t ty = 0; ty < tl.rows; ++ty) {
            const T* src = M + (i * tl.per_image + ty * tl.cols) * Op + o0;
            read_points<T, F::kPoints>(tl.cols, src, cols * Op, Op, [&](int64_t tx, Vec<T>* m) {
                Vec<T> yv[kTile * kTile];
                two_d<Vec<T>, F::kIn, F::kIn, kTile, kTile>(m, yv, F::template output_1d<Vec<T>>,
                                                      F::template output_1d<Vec<T>>);
                T* dst = block + (ty * kTile * YW + tx * kTile) * L;
                for (int r = 0; r < kTile; ++r)
                    for (int q = 0; q < kTile; ++q) store(dst + (r * YW + q) * L, yv[r * kTile + q]);
            });
        }
        // The planes back from the lanes, kLanes points of a row at a time as in gather_block.
        const int64_t lanes = std::min(L, O - o0), x_vec = WO / L * L, plane0 = i * O + o0,
                      size = HO * WO;
        T* planes = out + plane0 * size;
        alignas(64) T adds[L] = {};
        for (int64_t l = 0; l < lanes; ++l) adds[l] = bias ? bias[o0 + l] : T(0);
        for (int64_t y = 0; y < HO; ++y) {
            const T* row = block + y * YW * L;
            for (int64_t x0 = 0; x0 < x_vec; x0 += L) {
                Vec<T> v[L];
                for (int64_t k = 0; k < L; ++k) v[k] = load(row + (x0 + k) * L);
                simd::transpose<T>(v);
                for (int64_t l = 0; l < lanes; ++l)
                    store(planes + l * size + y * WO + x0,
                          finish(epilogue, v[l] + adds[l], plane0 + l, size, y * WO + x0));
            }
            for (int64_t l = 0; l < lanes; ++l)
                for (int64_t x = x_vec; x < WO; ++x)
                    planes[l * size + y * WO + x] =
                        epilogue.apply(row[x * L + l] + adds[l], plane0 + l, size, y * WO + x);
        }
    });
}

// dM[p][i * T + t][o] = (A dY A^T)[p] for the output-gradient tile dY (zero beyond the
// output's edge): the gradient of the tile's products; rows of Op values.
template <class F, class T>
void transform_output_grad(const T* gy, int64_t nb, int64_t O, int64_t HO, int64_t WO,
                           const Tiling& tl, T* dM) {
    constexpr int64_t L = kLanes<T>;
    constexpr int kTile = F::kTile;
    const int64_t cols = nb * tl.per_image, Op = padded_channels<T>(O);
    const int64_t YH = tl.rows * kTile, YW = tl.cols * kTile;
    for_each_block<T>(nb, O, YH * YW * L, [&](int64_t i, int64_t o0, T* block) {
        gather_block(gy + (i * O + o0) * HO * WO, std::min(L, O - o0), HO, WO, 0, YH, YW, block);
        for (int64_t ty = 0; ty < tl.rows; ++ty) {
            T* dst = dM + (i * tl.per_image + ty * tl.cols) * Op + o0;
            write_points<T, F::kPoints>(tl.cols, dst, cols * Op, Op, [&](int64_t tx, Vec<T>* dm) {
                Vec<T> dy[kTile * kTile];
                const T* src = block + (ty * kTile * YW + tx * kTile) * L;
                for (int r = 0; r < kTile; ++r)
                    for (int q = 0; q < kTile; ++q) dy[r * kTile + q] = load(src + (r * YW + q) * L);
                two_d<Vec<T>, kTile, kTile, F::kIn, F::kIn>(dy, dm, F::template output_grad_1d<Vec<T>>,
                                                      F::template output_grad_1d<Vec<T>>);
            });
        }
    });
}

// Images per chunk so that one chunk's transformed tiles stay within the budget.
template <class F>
int64_t images_per_chunk(int64_t N, int64_t channels, const Tiling& tl) {
    const int64_t per_image = F::kPoints * channels * tl.per_image;
    return std::clamp<int64_t>(kChunkBudget / std::max<int64_t>(per_image, 1), 1, std::max<int64_t>(N, 1));
}

// One operand of the point products: matrix p starts at data + p * step, rows ld apart.
template <class T>
struct PointMatrices {
    T* data;
    int64_t step, ld;
};

// The F::kPoints products C[p] = op(A[p]) (m x k) @ op(B[p]) (k x n), one per task: the same BLAS
// calls for any thread count. With `own` (float), on Kaya's kernel (simd::sgemm) rather than
// gemm_serial's choice.
template <class F, class T>
void batched_products(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                      PointMatrices<const T> A, PointMatrices<const T> B, T beta,
                      PointMatrices<T> C, bool own = false) {
    parallel_for(F::kPoints, 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p) {
            const T *a = A.data + p * A.step, *bp = B.data + p * B.step;
            T* c = C.data + p * C.step;
            if constexpr (std::is_same_v<T, float>) {
                if (own &&
                    simd::sgemm(trans_a, trans_b, m, n, k, 1.0f, a, A.ld, bp, B.ld, beta, c, C.ld))
                    continue;
            }
            gemm_serial<T>(trans_a, trans_b, m, n, k, T(1), a, A.ld, bp, B.ld, beta, c, C.ld);
        }
    });
}

// A convolution whose transformed filters take at most this many bytes runs in groups of
// images, each group's three steps (input transform, products, output transform) on one
// thread with its tiles held in that core's cache, the groups shared between threads: one
// parallel region instead of three, and no transformed tiles moving between cores. Larger
// filters (13 x 192: 5.3 MB) would be read again for every group; they keep one region per
// step, the products split by point.
constexpr size_t kGroupedFilterBytes = size_t{1} << 20;
// Transformed input and output values (V and M) of one group (2 MB of floats: 4 boards of the
// 6 x 64 net; 1, 2 and 4 MB were within 5% of each other on its training step, and 6 x 64
// inference at batch 128 went from 40 to 32-34 ms with any of them).
constexpr int64_t kGroupBudget = int64_t{1} << 19;

// Transformed filters as the products take them: U as transform_filters lays it out, or
// (`packed`, float) each point's U[p] packed for Kaya's kernel (FilterCache::find_or_make); with
// or without U's bfloat16 packing (FilterCache::packed_bf16). `own` (float): the products run on
// Kaya's kernel (simd::sgemm, or simd::sgemm_prepacked when packed, the same bits) instead of
// gemm_serial's choice.
template <class T>
struct Filters {
    const T* U;
    bool packed = false;
    const uint32_t* bf16 = nullptr;
    bool own = false;
};

// out (N x outs x HO x WO) = the r x r convolution of in (N x ins x H x W) with padding `pad`,
// given the transformed filters. Groups and chunks of images are fixed
// by the shapes alone, so the same products run for any thread count.
// With `keep`, the transformed input tiles of the whole batch are written there instead of to
// scratch (point p's matrix, all the batch's tiles, at keep + p * N * T * Cp), for
// backward_weight.
template <class F, class T>
void winograd_conv(const T* in, int64_t N, int64_t ins, int64_t H, int64_t W, int64_t pad,
                   const Filters<T>& filters, int64_t outs, const T* bias, T* out,
                   const ConvEpilogue<T>& epilogue = {}, T* keep = nullptr) {
    const int64_t HO = H + 2 * pad - (F::kR - 1), WO = W + 2 * pad - (F::kR - 1);
    const Tiling tl(F::kTile, HO, WO);
    const int64_t Cp = padded_channels<T>(ins), Op = padded_channels<T>(outs);
    const int64_t group_images = std::clamp<int64_t>(
        kGroupBudget / std::max<int64_t>(F::kPoints * (Cp + Op) * tl.per_image, 1), 1, std::max<int64_t>(N, 1));
    const bool grouped = N > group_images &&
                         static_cast<size_t>(transformed_size<F, T>(outs, ins)) * sizeof(T) <= kGroupedFilterBytes;
    const int64_t chunk = grouped ? group_images : images_per_chunk<F>(N, std::max(Cp, Op), tl);
    const size_t v_size = static_cast<size_t>(F::kPoints * Cp * chunk * tl.per_image),
                 m_size = static_cast<size_t>(F::kPoints * Op * chunk * tl.per_image);
    // Images [n0, n0 + nb): V and M hold their transformed tiles.
    auto convolve = [&](int64_t n0, T* V, T* M) {
        const int64_t nb = std::min(chunk, N - n0), cols = nb * tl.per_image;
        // With U's bfloat16 packing, the tiles go straight to bfloat16 and M[p] = V[p] @ U[p]
        // takes them as they are: the same bits as gemm_serial's bfloat16 products of the float
        // tiles, without converting the tiles or packing U on every call.
        if constexpr (std::is_same_v<T, float>) {
            if (filters.bf16 != nullptr && keep == nullptr && bf16_products(cols, Op, ins)) {
                uint16_t* V16 = scratch<uint16_t>(1, v_size);
                transform_input<F>(in + n0 * ins * H * W, nb, ins, H, W, pad, tl, V16);
                const int64_t step = bf16_point_words<T>(outs, ins);
                parallel_for(F::kPoints, 1, [&](int64_t b, int64_t e) {
                    for (int64_t p = b; p < e; ++p)
                        simd::sgemm_bf16_prepacked_a16(cols, Op, ins, 1.0f, V16 + p * cols * Cp, Cp,
                                                       filters.bf16 + p * step, 0.0f,
                                                       M + p * cols * Op, Op);
                });
                transform_output<F>(M, nb, outs, HO, WO, tl, bias, out + n0 * outs * HO * WO,
                                    epilogue.from_image(n0, outs, HO * WO));
                return;
            }
        }
        int64_t v_step = cols * Cp;
        if (keep) {
            V = keep + n0 * tl.per_image * Cp;
            v_step = N * tl.per_image * Cp;
        }
        transform_input<F>(in + n0 * ins * H * W, nb, ins, H, W, pad, tl, V, v_step);
        // M[p] (cols x Op) = V[p] (cols x ins) @ U[p] (ins x Op).
        if constexpr (std::is_same_v<T, float>) {
            if (filters.packed) {
                const int64_t step = packed_point_size<T>(outs, ins);
                parallel_for(F::kPoints, 1, [&](int64_t b, int64_t e) {
                    for (int64_t p = b; p < e; ++p)
                        simd::sgemm_prepacked(false, cols, Op, ins, 1.0f, V + p * v_step, Cp,
                                              filters.U + p * step, 0.0f, M + p * cols * Op, Op);
                });
            }
        }
        if (!filters.packed) {
            batched_products<F, T>(false, false, cols, Op, ins, {V, v_step, Cp},
                                   {filters.U, ins * Op, Op}, T(0), {M, cols * Op, Op},
                                   filters.own);
        }
        transform_output<F>(M, nb, outs, HO, WO, tl, bias, out + n0 * outs * HO * WO,
                            epilogue.from_image(n0, outs, HO * WO));
    };
    const int64_t chunks = (N + chunk - 1) / chunk;
    if (grouped) {
        // Each group's steps run serially inside its task (nested regions do).
        parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
            T* V = scratch<T>(1, v_size);
            T* M = scratch<T>(2, m_size);
            for (int64_t c = b; c < e; ++c) convolve(c * chunk, V, M);
        });
        return;
    }
    T* V = scratch<T>(1, v_size);
    T* M = scratch<T>(2, m_size);
    for (int64_t c = 0; c < chunks; ++c) convolve(c * chunk, V, M);
}

template <class F, class T>
void forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y, bool reuse_filters,
             const ConvEpilogue<T>& epilogue, T* keep) {
    // The products run on Kaya's kernel where own_sgemm_preferred says so, whether the filters are
    // kept (inference) or not (training), so both give the same bits; kept filters are then
    // packed for it, and U read in one stream instead of in strips whose rows lie Op values
    // apart (the 13 x 192 net at batch 1 reads its 69 MB of transformed filters from memory on
    // every inference).
    const int64_t Op = padded_channels<T>(g.O), tiles = Tiling(F::kTile, g.HO, g.WO).per_image;
    const bool own = std::is_same_v<T, float> && own_sgemm_preferred(tiles, Op, g.C) &&
                     own_sgemm_preferred(g.N * tiles, Op, g.C);
    const bool packed = own && reuse_filters;
    Filters<T> filters{
        reuse_filters ? filter_cache<T>().template find_or_make<F>(w, g.O, g.C, packed) : nullptr,
        packed, nullptr, own};
    if (!filters.U) {
        T* fresh = scratch<T>(0, static_cast<size_t>(transformed_size<F, T>(g.O, g.C)));
        transform_filters<F>(w, g.O, g.C, false, fresh);
        filters = {fresh, false, nullptr, own};
    }
    if constexpr (std::is_same_v<T, float>) {
        if (reuse_filters && !packed && float32_matmul_precision() == MatmulPrecision::kMedium &&
            simd::sgemm_bf16_supported())
            filters.bf16 = filter_cache<T>().template packed_bf16<F>(filters.U, g.O, g.C);
    }
    winograd_conv<F>(x, g.N, g.C, g.H, g.W, g.pad_h, filters, g.O, bias, y, epilogue, keep);
}

template <class F, class T>
void backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    // The input gradient is the convolution of gy with the flipped, transposed kernel,
    // padded by r - 1 - pad so that it comes out H x W.
    T* U = scratch<T>(0, static_cast<size_t>(transformed_size<F, T>(g.C, g.O)));
    transform_filters<F>(w, g.C, g.O, true, U);
    winograd_conv<F>(gy, g.N, g.O, g.HO, g.WO, F::kR - 1 - g.pad_h, Filters<T>{U}, g.C,
                     static_cast<const T*>(nullptr), gx);
}

template <class F, class T>
void backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw, const T* kept) {
    const Tiling tl(F::kTile, g.HO, g.WO);
    const int64_t Cp = padded_channels<T>(g.C), Op = padded_channels<T>(g.O);
    const int64_t chunk = images_per_chunk<F>(g.N, std::max(Cp, Op), tl);
    T* V =
        kept ? nullptr : scratch<T>(1, static_cast<size_t>(F::kPoints * Cp * chunk * tl.per_image));
    T* dM = scratch<T>(2, static_cast<size_t>(F::kPoints * Op * chunk * tl.per_image));
    T* dU = scratch<T>(0, static_cast<size_t>(F::kPoints * g.O * g.C));
    std::fill(dU, dU + F::kPoints * g.O * g.C, T(0));
    // The products' columns are the kernel's vectors: they take the side whose last panel of
    // 2 vectors wastes fewer lanes, the outputs (dU[p] transposed, C x O) or the inputs (O x C).
    // The Go nets' first layer (48 inputs, 64 outputs) spent a quarter of its products on
    // padding as O x C.
    constexpr int64_t kPanel = 2 * kLanes<T>;
    const auto waste = [](int64_t n) { return (n + kPanel - 1) / kPanel * kPanel - n; };
    const bool by_input = waste(g.O) < waste(g.C);
    for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
        const int64_t nb = std::min(chunk, g.N - n0), cols = nb * tl.per_image;
        // The input's tiles as the forward pass kept them, or transformed again.
        const T* Vc = kept ? kept + n0 * tl.per_image * Cp : V;
        const int64_t v_step = kept ? g.N * tl.per_image * Cp : cols * Cp;
        if (!kept) transform_input<F>(x + n0 * g.C * g.H * g.W, nb, g.C, g.H, g.W, g.pad_h, tl, V);
        transform_output_grad<F>(gy + n0 * g.O * g.HO * g.WO, nb, g.O, g.HO, g.WO, tl, dM);
        // dU[p] (O x C) += dM[p]^T (O x cols) @ V[p] (cols x C), or its transpose (C x O) +=
        // V[p]^T @ dM[p]; images in chunk order.
        if (by_input) {
            batched_products<F, T>(true, false, g.C, g.O, cols, {Vc, v_step, Cp},
                                   {dM, cols * Op, Op}, T(1), {dU, g.O * g.C, g.O},
                                   own_sgemm_preferred(g.C, g.O, cols));
        } else {
            batched_products<F, T>(true, false, g.O, g.C, cols, {dM, cols * Op, Op},
                                   {Vc, v_step, Cp}, T(1), {dU, g.O * g.C, g.C},
                                   own_sgemm_preferred(g.O, g.C, cols));
        }
    }
    // gw[o][c] = G^T dU[o][c] G, kLanes of dU's row-major columns at a time (the same
    // arithmetic per lane as one at a time, so the same bits): one point's value for one (o, c)
    // at a time read 36 or 64 values O x C apart, a cache line each, and took 5-6% of the 6 x 64
    // Go net's training step.
    constexpr int kTaps = F::kR * F::kR;
    constexpr int64_t L = kLanes<T>;
    const int64_t rows = by_input ? g.C : g.O, row_size = by_input ? g.O : g.C;
    const int64_t blocks = (row_size + L - 1) / L;
    parallel_for(rows * blocks, 16, [&](int64_t b, int64_t e) {
        for (int64_t rb = b; rb < e; ++rb) {
            const int64_t r = rb / blocks, j0 = rb % blocks * L, lanes = std::min(L, row_size - j0);
            Vec<T> u[F::kPoints], taps[kTaps];
            for (int p = 0; p < F::kPoints; ++p) {
                const T* src = dU + p * g.O * g.C + r * row_size + j0;
                if (lanes == L) {
                    u[p] = load(src);
                } else {
                    alignas(64) T part[L] = {};
                    std::copy(src, src + lanes, part);
                    u[p] = load(part);
                }
            }
            two_d<Vec<T>, F::kIn, F::kIn, F::kR, F::kR>(u, taps, F::template filter_grad_1d<Vec<T>>,
                                                        F::template filter_grad_1d<Vec<T>>);
            for (int64_t l = 0; l < lanes; ++l) {
                const int64_t o = by_input ? j0 + l : r, c = by_input ? r : j0 + l;
                for (int k = 0; k < kTaps; ++k) gw[(o * g.C + c) * kTaps + k] = taps[k][l];
            }
        }
    });
}

}  // namespace

bool winograd_applies(const ConvGeometry& g) {
    return (g.KH == 3 || g.KH == 5) && g.KW == g.KH && g.stride_h == 1 && g.stride_w == 1 &&
           g.dil_h == 1 && g.dil_w == 1 && g.groups == 1 && g.pad_h == g.pad_w &&
           g.pad_h <= g.KH - 1 && g.HO >= 1 && g.WO >= 1;
}

namespace {
// fn.operator()<F>() with F the algorithm for g's kernel size (F4x3 or F4x5).
template <class Fn>
auto with_algorithm(const ConvGeometry& g, Fn&& fn) {
    if (g.KH == 3) return fn.template operator()<F4x3>();
    return fn.template operator()<F4x5>();
}
}  // namespace

int64_t winograd_tiles(const ConvGeometry& g) {
    return with_algorithm(g, [&]<class F>() {
        return g.N * ((g.HO + F::kTile - 1) / F::kTile) * ((g.WO + F::kTile - 1) / F::kTile);
    });
}

namespace {
// A convolution whose products together need fewer multiply-adds than this runs on the
// calling thread: its regions are then a few microseconds each, and waking the second core
// and moving the transformed tiles between the cores' caches cost what the core saves.
// Measured with AVX-512 (16e6): the 6 x 64 Go net at batch 1, 3.7e6 per 3x3 layer and 1.1e7
// for the 5x5 one, was no faster on 2 threads than on 1; the 13 x 192 net at batch 1, 3.3e7 per
// layer, 1.5x faster. With AVX2 (2e6; an AMD EPYC VM, whose core took about 3x as long on the
// same layers) the 6 x 64 net at batch 1 was 1.6-1.8x faster with its layers split.
double serial_product_work() {
    static const double work = std::strcmp(simd::sgemm_isa(), "avx512") == 0 ? 16e6 : 2e6;
    return work;
}

bool run_serially(const ConvGeometry& g) {
    const int points = with_algorithm(g, [&]<class F>() { return F::kPoints; });
    return static_cast<double>(winograd_tiles(g)) * points * static_cast<double>(g.C) *
               static_cast<double>(g.O) <
           serial_product_work();
}
}  // namespace

template <class T>
int64_t winograd_kept_size(const ConvGeometry& g) {
    return with_algorithm(
        g, [&]<class F>() { return F::kPoints * padded_channels<T>(g.C) * winograd_tiles(g); });
}

template <class T>
void winograd_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                      bool reuse_filters, const ConvEpilogue<T>& epilogue, T* keep) {
    std::optional<SerialScope> serial;
    if (run_serially(g)) serial.emplace();
    with_algorithm(g,
                   [&]<class F>() { forward<F>(g, x, w, bias, y, reuse_filters, epilogue, keep); });
}

template <class T>
void winograd_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    std::optional<SerialScope> serial;
    if (run_serially(g)) serial.emplace();
    with_algorithm(g, [&]<class F>() { backward_input<F>(g, gy, w, gx); });
}

template <class T>
void winograd_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw,
                              const T* kept) {
    std::optional<SerialScope> serial;
    if (run_serially(g)) serial.emplace();
    with_algorithm(g, [&]<class F>() { backward_weight<F>(g, x, gy, gw, kept); });
}

#define KAYA_WINOGRAD_INSTANTIATE(T)                                                               \
    template int64_t winograd_kept_size<T>(const ConvGeometry&);                                   \
    template void winograd_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*, bool, \
                                      const ConvEpilogue<T>&, T*);                                 \
    template void winograd_backward_input<T>(const ConvGeometry&, const T*, const T*, T*);         \
    template void winograd_backward_weight<T>(const ConvGeometry&, const T*, const T*, T*,         \
                                              const T*);
KAYA_WINOGRAD_INSTANTIATE(float)
KAYA_WINOGRAD_INSTANTIATE(double)
#undef KAYA_WINOGRAD_INSTANTIATE

}  // namespace kaya::kernels
