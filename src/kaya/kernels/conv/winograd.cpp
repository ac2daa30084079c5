// SPDX-License-Identifier: MIT
#include "kaya/kernels/conv/winograd.h"

#include <algorithm>
#include <optional>
#include <cstring>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/scratch.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {

namespace {

constexpr int kIn = 6;        // Input tile side, the number of interpolation points.
constexpr int kPoints = 36;   // kIn * kIn transform points, one matrix product each.
// At most this many floats of transformed input per chunk of images.
constexpr int64_t kChunkBudget = int64_t{1} << 22;

// Winograd's F(m x m, r x r) for the two kernel sizes, both with interpolation points 0, 1, -1,
// 2, -2 and infinity (so m + r - 1 = 6): the same input transform B^T and 6x6 tiles, 36
// products per tile; they differ in the outputs per tile (A^T) and the filter transform G, whose
// rows carry the interpolation's scale factors 1/4, -1/6, -1/6, 1/24, 1/24, 1. Each is written
// out as the one-dimensional transforms that act on the rows and then the columns of a tile.
// This file is compiled with -ffp-contract=off: every copy the compiler inlines then rounds
// the same way, so results do not depend on which thread (or code path) ran them.

// B^T d for d = in[0], in[s], ..., in[5s] (6 -> 6), both kernels.
template <class T>
inline void input_1d(const T* in, int64_t s, T* out, int64_t os) {
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
    static constexpr int kTile = 4, kR = 3;

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
        out[0] = g0 / 4;
        out[os] = -(g0 + g1 + g2) / 6;
        out[2 * os] = -(g0 - g1 + g2) / 6;
        out[3 * os] = g0 / 24 + g1 / 12 + g2 / 6;
        out[4 * os] = g0 / 24 - g1 / 12 + g2 / 6;
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
        out[0] = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
        out[os] = (u2 - u1) / 6 + (u3 - u4) / 12;
        out[2 * os] = (u3 + u4 - u1 - u2) / 6 + u5;
    }
};

// F(2x2, 5x5): 5x5 kernels, 2x2 outputs per tile (9 multiplications per output instead of 25).
struct F2x5 {
    static constexpr int kTile = 2, kR = 5;

    // A^T m (6 -> 2).
    template <class T>
    static void output_1d(const T* m, int64_t s, T* out, int64_t os) {
        const T m0 = m[0], m1 = m[s], m2 = m[2 * s], m3 = m[3 * s], m4 = m[4 * s], m5 = m[5 * s];
        out[0] = m0 + (m1 + m2) + (m3 + m4);
        out[os] = (m1 - m2) + 2 * (m3 - m4) + m5;
    }

    // G g (5 -> 6).
    template <class T>
    static void filter_1d(const T* g, int64_t s, T* out, int64_t os) {
        const T g0 = g[0], g1 = g[s], g2 = g[2 * s], g3 = g[3 * s], g4 = g[4 * s];
        out[0] = g0 / 4;
        out[os] = -(g0 + g1 + g2 + g3 + g4) / 6;
        out[2 * os] = -(g0 - g1 + g2 - g3 + g4) / 6;
        out[3 * os] = g0 / 24 + g1 / 12 + g2 / 6 + g3 / 3 + 2 * g4 / 3;
        out[4 * os] = g0 / 24 - g1 / 12 + g2 / 6 - g3 / 3 + 2 * g4 / 3;
        out[5 * os] = g4;
    }

    // A y (2 -> 6).
    template <class T>
    static void output_grad_1d(const T* y, int64_t s, T* out, int64_t os) {
        const T y0 = y[0], y1 = y[s];
        out[0] = y0;
        out[os] = y0 + y1;
        out[2 * os] = y0 - y1;
        out[3 * os] = y0 + 2 * y1;
        out[4 * os] = y0 - 2 * y1;
        out[5 * os] = y1;
    }

    // G^T u (6 -> 5).
    template <class T>
    static void filter_grad_1d(const T* u, int64_t s, T* out, int64_t os) {
        const T u0 = u[0], u1 = u[s], u2 = u[2 * s], u3 = u[3 * s], u4 = u[4 * s], u5 = u[5 * s];
        const T sum12 = u1 + u2, diff21 = u2 - u1, sum34 = u3 + u4, diff34 = u3 - u4;
        out[0] = u0 / 4 - sum12 / 6 + sum34 / 24;
        out[os] = diff21 / 6 + diff34 / 12;
        out[2 * os] = (sum34 - sum12) / 6;
        out[3 * os] = diff21 / 6 + diff34 / 3;
        out[4 * os] = -sum12 / 6 + 2 * sum34 / 3 + u5;
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

// U[p][c][o] = (G w'[o][c] G^T)[p] for the filters w' (outs x ins x r x r) read from w: as
// stored, or flipped and transposed (w'[o][c] = w[c][o] rotated 180 degrees) for the input
// gradient. Rows of Op values, outputs innermost and zero beyond outs, so that each point's
// product takes U[p] as it is stored. A block of kLanes outputs at a time.
template <class F, class T>
void transform_filters(const T* w, int64_t outs, int64_t ins, bool flip_transpose, T* U) {
    constexpr int64_t L = kLanes<T>;
    constexpr int kTaps = F::kR * F::kR;
    const int64_t Op = padded_channels<T>(outs);
    parallel_for(ins, std::max<int64_t>(1, 4096 / outs), [&](int64_t b, int64_t e) {
        alignas(64) T taps[kTaps][L];
        for (int64_t c = b; c < e; ++c) {
            for (int64_t o0 = 0; o0 < outs; o0 += L) {
                const int64_t lanes = std::min(L, outs - o0);
                for (int64_t l = 0; l < L; ++l) {
                    const int64_t o = o0 + l;
                    for (int k = 0; k < kTaps; ++k)
                        taps[k][l] = l >= lanes       ? T(0)
                                     : flip_transpose ? w[(c * outs + o) * kTaps + kTaps - 1 - k]
                                                      : w[(o * ins + c) * kTaps + k];
                }
                Vec<T> g[kTaps], u[kPoints];
                for (int k = 0; k < kTaps; ++k) g[k] = load(taps[k]);
                two_d<Vec<T>, F::kR, F::kR, kIn, kIn>(g, u, F::template filter_1d<Vec<T>>,
                                                      F::template filter_1d<Vec<T>>);
                for (int p = 0; p < kPoints; ++p) store(U + (p * ins + c) * Op + o0, u[p]);
            }
        }
    });
}

// Values in the transformed filters of outs x ins filters.
template <class T>
int64_t transformed_size(int64_t outs, int64_t ins) {
    return kPoints * ins * padded_channels<T>(outs);
}

// Transformed filters kept between the calls of inference, which pass the same weights every
// time. An entry is found by the exact bytes of the weights it was made from, so weights
// changed in any way (in place, reloaded, or a new tensor at the same address) are never
// served stale; the check costs one comparison of the weights, a fraction of transforming
// them. One cache per thread; beyond kFilterCacheBytes the least recently used entries go.
constexpr size_t kFilterCacheBytes = size_t{128} << 20;

template <class T>
class FilterCache {
public:
    // The forward transform U (as transform_filters) of the filters w (outs x ins x r x r) of the
    // algorithm F, from the cache or made now; null when it is too large to keep.
    template <class F>
    const T* find_or_make(const T* w, int64_t outs, int64_t ins) {
        const size_t n = static_cast<size_t>(outs * ins * F::kR * F::kR);
        ++clock_;
        for (Entry& e : entries_) {
            if (e.r == F::kR && e.outs == outs && e.ins == ins &&
                std::memcmp(e.weights.data(), w, n * sizeof(T)) == 0) {
                e.used = clock_;
                return e.U.data();
            }
        }
        const size_t size = static_cast<size_t>(transformed_size<T>(outs, ins));
        const size_t bytes = (n + size) * sizeof(T);
        if (bytes > kFilterCacheBytes) return nullptr;
        while (held_ + bytes > kFilterCacheBytes) {
            auto lru =
                std::min_element(entries_.begin(), entries_.end(),
                                 [](const Entry& a, const Entry& b) { return a.used < b.used; });
            held_ -= lru->bytes();
            entries_.erase(lru);
        }
        Entry& e = entries_.emplace_back(
            Entry{F::kR, outs, ins, std::vector<T>(w, w + n), std::vector<T>(size), clock_});
        held_ += bytes;
        transform_filters<F>(w, outs, ins, false, e.U.data());
        return e.U.data();
    }

private:
    struct Entry {
        int r;
        int64_t outs, ins;
        std::vector<T> weights, U;
        uint64_t used;
        size_t bytes() const { return (weights.size() + U.size()) * sizeof(T); }
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
    for (int64_t l = 0; l < lanes; ++l) {
        const T* src = plane + l * H * W;
        for (int64_t y = 0; y < y_end; ++y)
            for (int64_t x = 0; x < x_end; ++x)
                buf[((y + pad) * BW + x + pad) * L + l] = src[y * W + x];
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

// The 36 transformed points of a row of `tiles` tiles into their 36 matrices: tile(t, v) fills
// v[0..36) for tile t, and point p of tile t goes to dst + p * point_step + t * tile_step. Up
// to kRun tiles are transformed into a local buffer and then written point by point: one tile
// at a time, each tile's 36 stores went to 36 distant rows and stalled the loop (the 3x3 layers
// of the 6 x 64 Go net 12-15% faster on one thread).
constexpr int64_t kRun = 8;  // Tiles whose points write_points and read_points buffer.

template <class T, class Tile>
void write_points(int64_t tiles, T* dst, int64_t point_step, int64_t tile_step, Tile&& tile) {
    Vec<T> run[kRun][kPoints];
    for (int64_t t0 = 0; t0 < tiles; t0 += kRun) {
        const int64_t n = std::min(kRun, tiles - t0);
        for (int64_t t = 0; t < n; ++t) tile(t0 + t, run[t]);
        for (int p = 0; p < kPoints; ++p)
            for (int64_t t = 0; t < n; ++t) store(dst + p * point_step + (t0 + t) * tile_step, run[t][p]);
    }
}

// The reverse of write_points: the 36 points of up to kRun tiles read point by point into a
// local buffer, then tile(t, m) for each tile with its 36 points m.
template <class T, class Tile>
void read_points(int64_t tiles, const T* src, int64_t point_step, int64_t tile_step, Tile&& tile) {
    Vec<T> run[kRun][kPoints];
    for (int64_t t0 = 0; t0 < tiles; t0 += kRun) {
        const int64_t n = std::min(kRun, tiles - t0);
        for (int p = 0; p < kPoints; ++p)
            for (int64_t t = 0; t < n; ++t) run[t][p] = load(src + p * point_step + (t0 + t) * tile_step);
        for (int64_t t = 0; t < n; ++t) tile(t0 + t, run[t]);
    }
}

// V[p][i * T + t][c] = (B^T d B)[p] for the 6x6 input tile d of tile t of image i (images
// [0, nb) of `in`, C x H x W each), with zeros outside the image; rows of Cp values. Tiles
// start tl.tile apart.
template <class T>
void transform_input(const T* in, int64_t nb, int64_t C, int64_t H, int64_t W, int64_t pad, const Tiling& tl,
                     T* V) {
    constexpr int64_t L = kLanes<T>;
    const int64_t cols = nb * tl.per_image, Cp = padded_channels<T>(C), step = tl.tile;
    // The block with its padding, large enough that every tile reads inside it.
    const int64_t PH = (tl.rows - 1) * step + kIn, PW = (tl.cols - 1) * step + kIn;
    for_each_block<T>(nb, C, PH * PW * L, [&](int64_t i, int64_t c0, T* block) {
        gather_block(in + (i * C + c0) * H * W, std::min(L, C - c0), H, W, pad, PH, PW, block);
        for (int64_t ty = 0; ty < tl.rows; ++ty) {
            T* dst = V + (i * tl.per_image + ty * tl.cols) * Cp + c0;
            write_points<T>(tl.cols, dst, cols * Cp, Cp, [&](int64_t tx, Vec<T>* v) {
                Vec<T> d[kPoints];
                const T* src = block + (ty * step * PW + tx * step) * L;
                for (int r = 0; r < kIn; ++r)
                    for (int q = 0; q < kIn; ++q) d[r * kIn + q] = load(src + (r * PW + q) * L);
                two_d<Vec<T>, kIn, kIn, kIn, kIn>(d, v, input_1d<Vec<T>>, input_1d<Vec<T>>);
            });
        }
    });
}

// out[i][o] (HO x WO) = A^T M A per tile, cropped, plus bias[o]; M[p][i * T + t][o] in rows
// of Op values.
template <class F, class T>
void transform_output(const T* M, int64_t nb, int64_t O, int64_t HO, int64_t WO, const Tiling& tl,
                      const T* bias, T* out) {
    constexpr int64_t L = kLanes<T>;
    constexpr int kTile = F::kTile;
    const int64_t cols = nb * tl.per_image, Op = padded_channels<T>(O);
    const int64_t YH = tl.rows * kTile, YW = tl.cols * kTile;
    for_each_block<T>(nb, O, YH * YW * L, [&](int64_t i, int64_t o0, T* block) {
        for (int64_t ty = 0; ty < tl.rows; ++ty) {
            const T* src = M + (i * tl.per_image + ty * tl.cols) * Op + o0;
            read_points<T>(tl.cols, src, cols * Op, Op, [&](int64_t tx, Vec<T>* m) {
                Vec<T> yv[kTile * kTile];
                two_d<Vec<T>, kIn, kIn, kTile, kTile>(m, yv, F::template output_1d<Vec<T>>,
                                                      F::template output_1d<Vec<T>>);
                T* dst = block + (ty * kTile * YW + tx * kTile) * L;
                for (int r = 0; r < kTile; ++r)
                    for (int q = 0; q < kTile; ++q) store(dst + (r * YW + q) * L, yv[r * kTile + q]);
            });
        }
        for (int64_t l = 0; l < std::min(L, O - o0); ++l) {
            T* plane = out + (i * O + o0 + l) * HO * WO;
            const T add = bias ? bias[o0 + l] : T(0);
            for (int64_t y = 0; y < HO; ++y)
                for (int64_t x = 0; x < WO; ++x) plane[y * WO + x] = block[(y * YW + x) * L + l] + add;
        }
    });
}

// dM[p][i * T + t][o] = (A dY A^T)[p] for the output-gradient tile dY (zero beyond the
// output's edge): the gradient of the tile's 36 products; rows of Op values.
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
            write_points<T>(tl.cols, dst, cols * Op, Op, [&](int64_t tx, Vec<T>* dm) {
                Vec<T> dy[kTile * kTile];
                const T* src = block + (ty * kTile * YW + tx * kTile) * L;
                for (int r = 0; r < kTile; ++r)
                    for (int q = 0; q < kTile; ++q) dy[r * kTile + q] = load(src + (r * YW + q) * L);
                two_d<Vec<T>, kTile, kTile, kIn, kIn>(dy, dm, F::template output_grad_1d<Vec<T>>,
                                                      F::template output_grad_1d<Vec<T>>);
            });
        }
    });
}

// Images per chunk so that one chunk's transformed tiles stay within the budget.
int64_t images_per_chunk(int64_t N, int64_t channels, const Tiling& tl) {
    const int64_t per_image = kPoints * channels * tl.per_image;
    return std::clamp<int64_t>(kChunkBudget / std::max<int64_t>(per_image, 1), 1, std::max<int64_t>(N, 1));
}

// One operand of the 36 products: matrix p starts at data + p * step, rows ld apart.
template <class T>
struct PointMatrices {
    T* data;
    int64_t step, ld;
};

// The 36 products C[p] = op(A[p]) (m x k) @ op(B[p]) (k x n), one per task: the same BLAS
// calls for any thread count.
template <class T>
void batched_products(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, PointMatrices<const T> A,
                      PointMatrices<const T> B, T beta, PointMatrices<T> C) {
    parallel_for(kPoints, 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p) {
            gemm_serial<T>(trans_a, trans_b, m, n, k, T(1), A.data + p * A.step, A.ld, B.data + p * B.step, B.ld,
                           beta, C.data + p * C.step, C.ld);
        }
    });
}

// out (N x outs x HO x WO) = the r x r convolution of in (N x ins x H x W) with padding `pad`,
// given the transformed filters U (transform_filters).
template <class F, class T>
void winograd_conv(const T* in, int64_t N, int64_t ins, int64_t H, int64_t W, int64_t pad,
                   const T* U, int64_t outs, const T* bias, T* out) {
    const int64_t HO = H + 2 * pad - (F::kR - 1), WO = W + 2 * pad - (F::kR - 1);
    const Tiling tl(F::kTile, HO, WO);
    const int64_t Cp = padded_channels<T>(ins), Op = padded_channels<T>(outs);
    const int64_t chunk = images_per_chunk(N, std::max(Cp, Op), tl);
    T* V = scratch<T>(1, static_cast<size_t>(kPoints * Cp * chunk * tl.per_image));
    T* M = scratch<T>(2, static_cast<size_t>(kPoints * Op * chunk * tl.per_image));
    for (int64_t n0 = 0; n0 < N; n0 += chunk) {
        const int64_t nb = std::min(chunk, N - n0), cols = nb * tl.per_image;
        transform_input(in + n0 * ins * H * W, nb, ins, H, W, pad, tl, V);
        // M[p] (cols x Op) = V[p] (cols x ins) @ U[p] (ins x Op).
        batched_products<T>(false, false, cols, Op, ins, {V, cols * Cp, Cp}, {U, ins * Op, Op},
                            T(0), {M, cols * Op, Op});
        transform_output<F>(M, nb, outs, HO, WO, tl, bias, out + n0 * outs * HO * WO);
    }
}

template <class F, class T>
void forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
             bool reuse_filters) {
    const T* U = reuse_filters ? filter_cache<T>().template find_or_make<F>(w, g.O, g.C) : nullptr;
    if (!U) {
        T* fresh = scratch<T>(0, static_cast<size_t>(transformed_size<T>(g.O, g.C)));
        transform_filters<F>(w, g.O, g.C, false, fresh);
        U = fresh;
    }
    winograd_conv<F>(x, g.N, g.C, g.H, g.W, g.pad_h, U, g.O, bias, y);
}

template <class F, class T>
void backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    // The input gradient is the convolution of gy with the flipped, transposed kernel,
    // padded by r - 1 - pad so that it comes out H x W.
    T* U = scratch<T>(0, static_cast<size_t>(transformed_size<T>(g.C, g.O)));
    transform_filters<F>(w, g.C, g.O, true, U);
    winograd_conv<F>(gy, g.N, g.O, g.HO, g.WO, F::kR - 1 - g.pad_h, U, g.C,
                     static_cast<const T*>(nullptr), gx);
}

template <class F, class T>
void backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    const Tiling tl(F::kTile, g.HO, g.WO);
    const int64_t Cp = padded_channels<T>(g.C), Op = padded_channels<T>(g.O);
    const int64_t chunk = images_per_chunk(g.N, std::max(Cp, Op), tl);
    T* V = scratch<T>(1, static_cast<size_t>(kPoints * Cp * chunk * tl.per_image));
    T* dM = scratch<T>(2, static_cast<size_t>(kPoints * Op * chunk * tl.per_image));
    T* dU = scratch<T>(0, static_cast<size_t>(kPoints * g.O * g.C));
    std::fill(dU, dU + kPoints * g.O * g.C, T(0));
    for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
        const int64_t nb = std::min(chunk, g.N - n0), cols = nb * tl.per_image;
        transform_input(x + n0 * g.C * g.H * g.W, nb, g.C, g.H, g.W, g.pad_h, tl, V);
        transform_output_grad<F>(gy + n0 * g.O * g.HO * g.WO, nb, g.O, g.HO, g.WO, tl, dM);
        // dU[p] (O x C) += dM[p]^T (O x cols) @ V[p] (cols x C), images in chunk order.
        batched_products<T>(true, false, g.O, g.C, cols, {dM, cols * Op, Op}, {V, cols * Cp, Cp}, T(1),
                            {dU, g.O * g.C, g.C});
    }
    // gw[o][c] = G^T dU[o][c] G.
    constexpr int kTaps = F::kR * F::kR;
    parallel_for(g.O * g.C, 256, [&](int64_t b, int64_t e) {
        for (int64_t oc = b; oc < e; ++oc) {
            T u[kPoints];
            for (int p = 0; p < kPoints; ++p) u[p] = dU[p * g.O * g.C + oc];
            two_d<T, kIn, kIn, F::kR, F::kR>(u, gw + oc * kTaps, F::template filter_grad_1d<T>,
                                             F::template filter_grad_1d<T>);
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
// fn.operator()<F>() with F the algorithm for g's kernel size (F4x3 or F2x5).
template <class Fn>
auto with_algorithm(const ConvGeometry& g, Fn&& fn) {
    if (g.KH == 3) return fn.template operator()<F4x3>();
    return fn.template operator()<F2x5>();
}
}  // namespace

int64_t winograd_tiles(const ConvGeometry& g) {
    return with_algorithm(g, [&]<class F>() {
        return g.N * ((g.HO + F::kTile - 1) / F::kTile) * ((g.WO + F::kTile - 1) / F::kTile);
    });
}

namespace {
// A convolution whose 36 products together need fewer multiply-adds than this runs on the
// calling thread: its regions are then a few microseconds each, and waking the second core
// and moving the transformed tiles between the cores' caches cost what the core saves
// (measured on the 6 x 64 Go net at batch 1, 3.7e6 per 3x3 layer and 1.1e7 for the 5x5 one:
// 2 threads no faster than 1;
// the 13 x 192 net at batch 1, 3.3e7 per layer: 1.5x faster on 2 threads).
constexpr double kSerialProductWork = 16e6;

bool run_serially(const ConvGeometry& g) {
    return static_cast<double>(winograd_tiles(g)) * kPoints * static_cast<double>(g.C) * static_cast<double>(g.O) <
           kSerialProductWork;
}
}  // namespace

template <class T>
void winograd_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                      bool reuse_filters) {
    std::optional<SerialScope> serial;
    if (run_serially(g)) serial.emplace();
    with_algorithm(g, [&]<class F>() { forward<F>(g, x, w, bias, y, reuse_filters); });
}

template <class T>
void winograd_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    std::optional<SerialScope> serial;
    if (run_serially(g)) serial.emplace();
    with_algorithm(g, [&]<class F>() { backward_input<F>(g, gy, w, gx); });
}

template <class T>
void winograd_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    std::optional<SerialScope> serial;
    if (run_serially(g)) serial.emplace();
    with_algorithm(g, [&]<class F>() { backward_weight<F>(g, x, gy, gw); });
}

#define KAYA_WINOGRAD_INSTANTIATE(T)                                                         \
    template void winograd_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*, \
                                      bool);                                                 \
    template void winograd_backward_input<T>(const ConvGeometry&, const T*, const T*, T*);   \
    template void winograd_backward_weight<T>(const ConvGeometry&, const T*, const T*, T*);
KAYA_WINOGRAD_INSTANTIATE(float)
KAYA_WINOGRAD_INSTANTIATE(double)
#undef KAYA_WINOGRAD_INSTANTIATE

}  // namespace kaya::kernels
