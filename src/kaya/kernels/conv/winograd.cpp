// SPDX-License-Identifier: MIT
#include "kaya/kernels/conv/winograd.h"

#include <algorithm>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/conv/scratch.h"

namespace kaya::kernels {

namespace {

constexpr int kTile = 4;      // Output tile side.
constexpr int kIn = 6;        // Input tile side: kTile + 3 - 1.
constexpr int kPoints = 36;   // kIn * kIn transform points, one matrix product each.
// At most this many floats of transformed input per chunk of images.
constexpr int64_t kChunkBudget = int64_t{1} << 22;

// F(4x4, 3x3) with interpolation points 0, 1, -1, 2, -2 and infinity, written out as the
// one-dimensional transforms that act on the rows and then the columns of a tile. This file is
// compiled with -ffp-contract=off: every copy the compiler inlines then rounds the same way, so
// results do not depend on which thread (or code path) ran them.

// B^T d for d = in[0], in[s], ..., in[5s] (6 -> 6).
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

// A^T m (6 -> 4).
template <class T>
inline void output_1d(const T* m, int64_t s, T* out, int64_t os) {
    const T m0 = m[0], m1 = m[s], m2 = m[2 * s], m3 = m[3 * s], m4 = m[4 * s], m5 = m[5 * s];
    const T a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
    out[0] = m0 + a + c;
    out[os] = b + 2 * d;
    out[2 * os] = a + 4 * c;
    out[3 * os] = b + 8 * d + m5;
}

// G g (3 -> 6).
template <class T>
inline void filter_1d(const T* g, int64_t s, T* out, int64_t os) {
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
inline void output_grad_1d(const T* y, int64_t s, T* out, int64_t os) {
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
inline void filter_grad_1d(const T* u, int64_t s, T* out, int64_t os) {
    const T u0 = u[0], u1 = u[s], u2 = u[2 * s], u3 = u[3 * s], u4 = u[4 * s], u5 = u[5 * s];
    out[0] = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
    out[os] = (u2 - u1) / 6 + (u3 - u4) / 12;
    out[2 * os] = (u3 + u4 - u1 - u2) / 6 + u5;
}

// out (R x C) = f applied to the columns, then to the rows, of in (K x K2), all row-major.
template <class T, int K, int K2, int R, int C, class F, class G>
inline void two_d(const T* in, T* out, F rows_to, G cols_to) {
    T mid[R * K2];
    for (int j = 0; j < K2; ++j) rows_to(in + j, K2, mid + j, K2);
    for (int i = 0; i < R; ++i) cols_to(mid + i * K2, 1, out + i * C, 1);
}

struct Tiling {
    int64_t rows, cols, per_image;
    Tiling(int64_t HO, int64_t WO)
        : rows((HO + kTile - 1) / kTile), cols((WO + kTile - 1) / kTile), per_image(rows * cols) {}
};

// n tiles at once: out[R][C][n] = f applied to the columns, then to the rows, of in[K][K2][n],
// with mid (R x K2 x n) as scratch. The same arithmetic as two_d, tile by tile, but each
// formula runs along the contiguous tile index, so the compiler vectorises it.
template <class T, int K, int K2, int R, int C, class F, class G>
inline void two_d_tiles(const T* __restrict in, T* __restrict out, T* __restrict mid, int64_t n, F rows_to,
                        G cols_to) {
    for (int j = 0; j < K2; ++j)
        for (int64_t t = 0; t < n; ++t) rows_to(in + j * n + t, K2 * n, mid + j * n + t, K2 * n);
    for (int i = 0; i < R; ++i)
        for (int64_t t = 0; t < n; ++t) cols_to(mid + i * K2 * n + t, n, out + i * C * n + t, n);
}

// The transforms below work one plane at a time: its tiles are gathered point-major (all
// tiles' value at point 0, then point 1, ...), transformed together, and the 36 results of a
// point written out as one contiguous run: writing each tile's 36 values straight to 36 planes
// megabytes apart thrashed the TLB and took most of the time.

// U[p][o][c] = (G w'[o][c] G^T)[p] for the filters w' (outs x ins x 3 x 3) read from w: as
// stored, or flipped and transposed (w'[o][c] = w[c][o] rotated 180 degrees) for the input
// gradient.
template <class T>
void transform_filters(const T* w, int64_t outs, int64_t ins, bool flip_transpose, T* U) {
    parallel_for(outs, std::max<int64_t>(1, 4096 / ins), [&](int64_t b, int64_t e) {
        std::vector<T> stage(static_cast<size_t>(kPoints * ins));
        for (int64_t o = b; o < e; ++o) {
            for (int64_t c = 0; c < ins; ++c) {
                T g[9] = {}, u[kPoints];
                if (flip_transpose) {
                    const T* src = w + (c * outs + o) * 9;
                    for (int k = 0; k < 9; ++k) g[k] = src[8 - k];
                } else {
                    std::copy(w + (o * ins + c) * 9, w + (o * ins + c) * 9 + 9, g);
                }
                two_d<T, 3, 3, kIn, kIn>(g, u, filter_1d<T>, filter_1d<T>);
                for (int p = 0; p < kPoints; ++p) stage[static_cast<size_t>(p * ins + c)] = u[p];
            }
            for (int p = 0; p < kPoints; ++p)
                std::copy(stage.begin() + p * ins, stage.begin() + (p + 1) * ins, U + (p * outs + o) * ins);
        }
    });
}

// Per-thread buffers of one plane's tiles: gathered inputs, the mid-transform and results.
template <class T>
struct TileBuffers {
    std::vector<T> in, mid, out;
    explicit TileBuffers(int64_t tiles)
        : in(static_cast<size_t>(kPoints * tiles)),
          mid(static_cast<size_t>(kPoints * tiles)),
          out(static_cast<size_t>(kPoints * tiles)) {}
};

// V[p][c][i * T + t] = (B^T d B)[p] for the 6x6 input tile d of tile t of image i (images
// [0, nb) of `in`, C x H x W each), with zeros outside the image.
template <class T>
void transform_input(const T* in, int64_t nb, int64_t C, int64_t H, int64_t W, int64_t pad, const Tiling& tl,
                     T* V) {
    const int64_t cols = nb * tl.per_image, n = tl.per_image;
    // The plane with its padding, large enough that every tile reads inside it.
    const int64_t PH = tl.rows * kTile + 2, PW = tl.cols * kTile + 2;
    parallel_for(nb * C, 4, [&](int64_t b, int64_t e) {
        std::vector<T> padded(static_cast<size_t>(PH * PW));
        TileBuffers<T> buf(n);
        for (int64_t ic = b; ic < e; ++ic) {
            const int64_t i = ic / C, c = ic % C;
            const T* plane = in + ic * H * W;
            std::fill(padded.begin(), padded.end(), T(0));
            for (int64_t y = 0; y < H && y + pad < PH; ++y) {
                const int64_t m = std::min(W, PW - pad);
                std::copy(plane + y * W, plane + y * W + m, padded.begin() + (y + pad) * PW + pad);
            }
            for (int r = 0; r < kIn; ++r)
                for (int q = 0; q < kIn; ++q) {
                    T* dst = buf.in.data() + (r * kIn + q) * n;
                    for (int64_t ty = 0; ty < tl.rows; ++ty) {
                        const T* src = padded.data() + (ty * kTile + r) * PW + q;
                        for (int64_t tx = 0; tx < tl.cols; ++tx) dst[ty * tl.cols + tx] = src[tx * kTile];
                    }
                }
            two_d_tiles<T, kIn, kIn, kIn, kIn>(buf.in.data(), buf.out.data(), buf.mid.data(), n, input_1d<T>,
                                               input_1d<T>);
            for (int p = 0; p < kPoints; ++p)
                std::copy(buf.out.begin() + p * n, buf.out.begin() + (p + 1) * n, V + (p * C + c) * cols + i * n);
        }
    });
}

// out[i][o] (HO x WO) = A^T M A per tile, cropped, plus bias[o].
template <class T>
void transform_output(const T* M, int64_t nb, int64_t O, int64_t HO, int64_t WO, const Tiling& tl, const T* bias,
                      T* out) {
    const int64_t cols = nb * tl.per_image, n = tl.per_image;
    parallel_for(nb * O, 4, [&](int64_t b, int64_t e) {
        TileBuffers<T> buf(n);
        for (int64_t io = b; io < e; ++io) {
            const int64_t i = io / O, o = io % O;
            for (int p = 0; p < kPoints; ++p) {
                const T* src = M + (p * O + o) * cols + i * n;
                std::copy(src, src + n, buf.in.begin() + p * n);
            }
            two_d_tiles<T, kIn, kIn, kTile, kTile>(buf.in.data(), buf.out.data(), buf.mid.data(), n, output_1d<T>,
                                                   output_1d<T>);
            T* plane = out + io * HO * WO;
            const T add = bias ? bias[o] : T(0);
            for (int r = 0; r < kTile; ++r)
                for (int q = 0; q < kTile; ++q) {
                    const T* src = buf.out.data() + (r * kTile + q) * n;
                    for (int64_t ty = 0; ty < tl.rows && ty * kTile + r < HO; ++ty)
                        for (int64_t tx = 0; tx < tl.cols && tx * kTile + q < WO; ++tx)
                            plane[(ty * kTile + r) * WO + tx * kTile + q] = src[ty * tl.cols + tx] + add;
                }
        }
    });
}

// dM[p][o][i * T + t] = (A dY A^T)[p] for the 4x4 output-gradient tile dY (zero beyond the
// output's edge): the gradient of the tile's 36 products.
template <class T>
void transform_output_grad(const T* gy, int64_t nb, int64_t O, int64_t HO, int64_t WO, const Tiling& tl, T* dM) {
    const int64_t cols = nb * tl.per_image, n = tl.per_image;
    parallel_for(nb * O, 4, [&](int64_t b, int64_t e) {
        TileBuffers<T> buf(n);
        for (int64_t io = b; io < e; ++io) {
            const int64_t i = io / O, o = io % O;
            const T* plane = gy + io * HO * WO;
            for (int r = 0; r < kTile; ++r)
                for (int q = 0; q < kTile; ++q) {
                    T* dst = buf.in.data() + (r * kTile + q) * n;
                    for (int64_t ty = 0; ty < tl.rows; ++ty)
                        for (int64_t tx = 0; tx < tl.cols; ++tx) {
                            const int64_t yy = ty * kTile + r, xx = tx * kTile + q;
                            dst[ty * tl.cols + tx] = (yy < HO && xx < WO) ? plane[yy * WO + xx] : T(0);
                        }
                }
            two_d_tiles<T, kTile, kTile, kIn, kIn>(buf.in.data(), buf.out.data(), buf.mid.data(), n,
                                                   output_grad_1d<T>, output_grad_1d<T>);
            for (int p = 0; p < kPoints; ++p)
                std::copy(buf.out.begin() + p * n, buf.out.begin() + (p + 1) * n, dM + (p * O + o) * cols + i * n);
        }
    });
}

// Images per chunk so that one chunk's transformed tiles stay within the budget.
int64_t images_per_chunk(int64_t N, int64_t channels, const Tiling& tl) {
    const int64_t per_image = kPoints * channels * tl.per_image;
    return std::clamp<int64_t>(kChunkBudget / std::max<int64_t>(per_image, 1), 1, std::max<int64_t>(N, 1));
}

// The 36 products C[p] = A[p] (m x k) @ B[p] (k x n, or n x k when trans_b), one per task:
// the same BLAS calls for any thread count.
template <class T>
void batched_products(int64_t m, int64_t n, int64_t k, const T* A, const T* B, bool trans_b, T beta, T* C) {
    parallel_for(kPoints, 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p) {
            gemm_serial<T>(false, trans_b, m, n, k, T(1), A + p * m * k, k, B + p * k * n, trans_b ? k : n, beta,
                           C + p * m * n, n);
        }
    });
}

// out (N x outs x HO x WO) = the 3x3 convolution of in (N x ins x H x W) with padding `pad`,
// given the transformed filters U (36 x outs x ins).
template <class T>
void winograd_conv(const T* in, int64_t N, int64_t ins, int64_t H, int64_t W, int64_t pad, const T* U, int64_t outs,
                   const T* bias, T* out) {
    const int64_t HO = H + 2 * pad - 2, WO = W + 2 * pad - 2;
    const Tiling tl(HO, WO);
    const int64_t chunk = images_per_chunk(N, std::max(ins, outs), tl);
    T* V = scratch<T>(1, static_cast<size_t>(kPoints * ins * chunk * tl.per_image));
    T* M = scratch<T>(2, static_cast<size_t>(kPoints * outs * chunk * tl.per_image));
    for (int64_t n0 = 0; n0 < N; n0 += chunk) {
        const int64_t nb = std::min(chunk, N - n0), cols = nb * tl.per_image;
        transform_input(in + n0 * ins * H * W, nb, ins, H, W, pad, tl, V);
        batched_products<T>(outs, cols, ins, U, V, false, T(0), M);
        transform_output(M, nb, outs, HO, WO, tl, bias, out + n0 * outs * HO * WO);
    }
}

}  // namespace

bool winograd_applies(const ConvGeometry& g) {
    return g.KH == 3 && g.KW == 3 && g.stride_h == 1 && g.stride_w == 1 && g.dil_h == 1 && g.dil_w == 1 &&
           g.groups == 1 && g.pad_h == g.pad_w && g.pad_h <= 2 && g.HO >= 1 && g.WO >= 1;
}

template <class T>
void winograd_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    T* U = scratch<T>(0, static_cast<size_t>(kPoints * g.O * g.C));
    transform_filters(w, g.O, g.C, false, U);
    winograd_conv(x, g.N, g.C, g.H, g.W, g.pad_h, U, g.O, bias, y);
}

template <class T>
void winograd_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    // The input gradient is the convolution of gy with the flipped, transposed kernel,
    // padded by 2 - pad so that it comes out H x W.
    T* U = scratch<T>(0, static_cast<size_t>(kPoints * g.C * g.O));
    transform_filters(w, g.C, g.O, true, U);
    winograd_conv(gy, g.N, g.O, g.HO, g.WO, 2 - g.pad_h, U, g.C, static_cast<const T*>(nullptr), gx);
}

template <class T>
void winograd_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    const Tiling tl(g.HO, g.WO);
    const int64_t chunk = images_per_chunk(g.N, std::max(g.C, g.O), tl);
    T* V = scratch<T>(1, static_cast<size_t>(kPoints * g.C * chunk * tl.per_image));
    T* dM = scratch<T>(2, static_cast<size_t>(kPoints * g.O * chunk * tl.per_image));
    T* dU = scratch<T>(0, static_cast<size_t>(kPoints * g.O * g.C));
    std::fill(dU, dU + kPoints * g.O * g.C, T(0));
    for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
        const int64_t nb = std::min(chunk, g.N - n0), cols = nb * tl.per_image;
        transform_input(x + n0 * g.C * g.H * g.W, nb, g.C, g.H, g.W, g.pad_h, tl, V);
        transform_output_grad(gy + n0 * g.O * g.HO * g.WO, nb, g.O, g.HO, g.WO, tl, dM);
        // dU[p] += dM[p] (O x cols) @ V[p]^T (cols x C), images in chunk order.
        batched_products<T>(g.O, g.C, cols, dM, V, true, T(1), dU);
    }
    // gw[o][c] = G^T dU[o][c] G.
    parallel_for(g.O * g.C, 256, [&](int64_t b, int64_t e) {
        for (int64_t oc = b; oc < e; ++oc) {
            T u[kPoints];
            for (int p = 0; p < kPoints; ++p) u[p] = dU[p * g.O * g.C + oc];
            two_d<T, kIn, kIn, 3, 3>(u, gw + oc * 9, filter_grad_1d<T>, filter_grad_1d<T>);
        }
    });
}

#define KAYA_WINOGRAD_INSTANTIATE(T)                                                           \
    template void winograd_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*); \
    template void winograd_backward_input<T>(const ConvGeometry&, const T*, const T*, T*);    \
    template void winograd_backward_weight<T>(const ConvGeometry&, const T*, const T*, T*);
KAYA_WINOGRAD_INSTANTIATE(float)
KAYA_WINOGRAD_INSTANTIATE(double)
#undef KAYA_WINOGRAD_INSTANTIATE

}  // namespace kaya::kernels
