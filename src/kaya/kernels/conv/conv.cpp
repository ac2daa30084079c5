// SPDX-License-Identifier: MIT
#include "kaya/kernels/conv/conv.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/scratch.h"
#include "kaya/kernels/conv/direct.h"
#include "kaya/kernels/conv/winograd.h"

namespace kaya::kernels {

bool ConvGeometry::resolve() {
    const int64_t eh = dil_h * (KH - 1) + 1, ew = dil_w * (KW - 1) + 1;
    const int64_t ph = H + 2 * pad_h, pw = W + 2 * pad_w;
    if (ph < eh || pw < ew) return false;
    HO = (ph - eh) / stride_h + 1;
    WO = (pw - ew) / stride_w + 1;
    return true;
}

namespace {
std::atomic<bool> g_winograd{[] {
    const char* env = std::getenv("KAYA_WINOGRAD");
    return !(env && std::strcmp(env, "0") == 0);
}()};

// Winograd's transforms cost about as much as the products they save when there are only a
// few channels; from 16 in and out they pay for themselves. Below about one 19x19 board of
// 4x4 tiles (25) its products are too thin: measured on the Go nets at batch 1
// (bench/policy_bench.cpp), Winograd took 12.1 ms against im2col's 16.8 for 13x192 and 1.30
// against 1.40 for 6x64. The 5x5 first layer (48 planes in, 25 tiles a board) at batch 16
// with 64 filters: 1.6 ms forward and 2.5 for the weight gradient (F(4x4, 5x5); F(2x2, 5x5)
// took 3.2 and 4.6, im2col 6.4 and 7.3 in an earlier run).
bool use_winograd(const ConvGeometry& g) {
    return g_winograd.load(std::memory_order_relaxed) && winograd_applies(g) && g.C >= 16 &&
           g.O >= 16 && winograd_tiles(g) >= 25;
}
}  // namespace

void set_winograd_enabled(bool on) { g_winograd.store(on); }
bool winograd_enabled() { return g_winograd.load(); }

namespace {
std::atomic<bool> g_direct{[] {
    const char* env = std::getenv("KAYA_DIRECT_CONV");
    return !(env && std::strcmp(env, "0") == 0);
}()};
}  // namespace

void set_direct_conv_enabled(bool on) { g_direct.store(on); }
bool direct_conv_enabled() { return g_direct.load(std::memory_order_relaxed); }

double ConvGeometry::multiply_adds() const {
    return static_cast<double>(N) * static_cast<double>(O) * static_cast<double>(patch()) *
           static_cast<double>(out_plane());
}

bool ConvGeometry::pointwise() const {
    return KH == 1 && KW == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0;
}

namespace {

// The output columns [lo, hi) whose input column ow * stride - pad + offset lies in [0, W).
inline void valid_range(int64_t offset, int64_t stride, int64_t pad, int64_t W, int64_t WO,
                        int64_t& lo, int64_t& hi) {
    // Smallest ow with ow * stride >= pad - offset, largest with ow * stride < W + pad - offset.
    const int64_t a = pad - offset, b = W + pad - offset;
    lo = a <= 0 ? 0 : (a + stride - 1) / stride;
    hi = b <= 0 ? 0 : (b + stride - 1) / stride;
    lo = std::min(lo, WO);
    hi = std::clamp(hi, lo, WO);
}

// One group of one image to its column matrix: col[(c * KH + i) * KW + j][oh * WO + ow] is the
// input pixel under kernel tap (i, j) of output (oh, ow), or 0 in the padding. Rows are ld
// apart (the plane size, or more when images lie side by side).
template <class T>
void im2col(const ConvGeometry& g, const T* x, T* col, int64_t ld = 0) {
    const int64_t hw = g.out_plane(), taps = g.KH * g.KW;
    if (ld == 0) ld = hw;
    parallel_for(g.c_per_group() * taps, std::max<int64_t>(1, 8192 / std::max<int64_t>(hw, 1)),
                 [&](int64_t b, int64_t e) {
        for (int64_t row = b; row < e; ++row) {
            const int64_t c = row / taps, i = row % taps / g.KW, j = row % g.KW;
            const T* xc = x + c * g.H * g.W;
            T* out = col + row * ld;
            int64_t lo, hi;
            valid_range(j * g.dil_w, g.stride_w, g.pad_w, g.W, g.WO, lo, hi);
            for (int64_t oh = 0; oh < g.HO; ++oh) {
                T* o = out + oh * g.WO;
                const int64_t ih = oh * g.stride_h - g.pad_h + i * g.dil_h;
                if (ih < 0 || ih >= g.H) {
                    std::fill(o, o + g.WO, T(0));
                    continue;
                }
                std::fill(o, o + lo, T(0));
                // Input column of output column ow: base + ow * stride (never read outside [lo, hi)).
                const int64_t base = ih * g.W - g.pad_w + j * g.dil_w;
                if (g.stride_w == 1) {
                    std::copy(xc + base + lo, xc + base + hi, o + lo);
                } else {
                    for (int64_t ow = lo; ow < hi; ++ow) o[ow] = xc[base + ow * g.stride_w];
                }
                std::fill(o + hi, o + g.WO, T(0));
            }
        }
    });
}

// The adjoint of im2col: every column entry is added back to the pixel it was read from.
// Threads own whole input channels, so no two write the same pixel.
template <class T>
void col2im(const ConvGeometry& g, const T* col, T* x, int64_t ld = 0) {
    const int64_t hw = g.out_plane(), taps = g.KH * g.KW;
    if (ld == 0) ld = hw;
    parallel_for(g.c_per_group(), std::max<int64_t>(1, 8192 / std::max<int64_t>(hw * taps, 1)),
                 [&](int64_t b, int64_t e) {
        for (int64_t c = b; c < e; ++c) {
            T* xc = x + c * g.H * g.W;
            std::fill(xc, xc + g.H * g.W, T(0));
            for (int64_t t = 0; t < taps; ++t) {
                const int64_t i = t / g.KW, j = t % g.KW;
                const T* in = col + (c * taps + t) * ld;
                int64_t lo, hi;
                valid_range(j * g.dil_w, g.stride_w, g.pad_w, g.W, g.WO, lo, hi);
                for (int64_t oh = 0; oh < g.HO; ++oh) {
                    const int64_t ih = oh * g.stride_h - g.pad_h + i * g.dil_h;
                    if (ih < 0 || ih >= g.H) continue;
                    const int64_t base = ih * g.W - g.pad_w + j * g.dil_w;
                    const T* r = in + oh * g.WO;
                    for (int64_t ow = lo; ow < hi; ++ow) xc[base + ow * g.stride_w] += r[ow];
                }
            }
        }
    });
}


// Convolutions whose product per image is small (LeNet's 6 or 16 filters on 28x28 or 10x10
// maps) waste their time in per-image calls: the images of a chunk go side by side instead,
// one product for the chunk. Chunks hold a fixed number of images (kBatchedColumns floats of
// columns), so the same products run on any thread count.
constexpr double kBatchedWork = 1 << 20;  // multiply-adds per image
constexpr int64_t kBatchedColumns = int64_t{1} << 21;

bool batched(const ConvGeometry& g) {
    return g.groups == 1 && g.N > 1 && !g.pointwise() && g.multiply_adds() / static_cast<double>(g.N) < kBatchedWork;
}

int64_t batch_chunk(const ConvGeometry& g) {
    return std::clamp<int64_t>(kBatchedColumns / std::max<int64_t>(g.patch() * g.out_plane(), 1), 1, g.N);
}

// The columns of images n0 .. n0 + nb - 1 side by side: (patch, nb * plane).
template <class T>
void batched_columns(const ConvGeometry& g, const T* x, int64_t n0, int64_t nb, T* cols) {
    const int64_t hw = g.out_plane();
    parallel_for(nb, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) im2col(g, x + (n0 + i) * g.C * g.H * g.W, cols + i * hw, nb * hw);
    });
}

// (N, O, plane) images n0 .. n0 + nb - 1 <-> (O, nb * plane) side by side.
template <class T>
void gather_planes(const T* y, int64_t O, int64_t hw, int64_t n0, int64_t nb, T* wide) {
    for (int64_t i = 0; i < nb; ++i)
        for (int64_t o = 0; o < O; ++o)
            std::memcpy(wide + o * nb * hw + i * hw, y + ((n0 + i) * O + o) * hw, sizeof(T) * static_cast<size_t>(hw));
}

// Calls f(n0, nb, cols, wide) for each chunk of nb images from n0, with scratch for their
// columns (patch, nb * plane) and their output-side planes (O, nb * plane).
template <class T, class F>
void for_each_chunk(const ConvGeometry& g, F&& f) {
    const int64_t k = g.patch(), hw = g.out_plane(), chunk = batch_chunk(g);
    T* cols = scratch<T>(0, static_cast<size_t>(k * chunk * hw));
    T* wide = scratch<T>(1, static_cast<size_t>(g.O * chunk * hw));
    for (int64_t n0 = 0; n0 < g.N; n0 += chunk) f(n0, std::min(chunk, g.N - n0), cols, wide);
}

template <class T>
void batched_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    const int64_t k = g.patch(), hw = g.out_plane();
    for_each_chunk<T>(g, [&](int64_t n0, int64_t nb, T* cols, T* wide) {
        batched_columns(g, x, n0, nb, cols);
        gemm<T>(false, false, g.O, nb * hw, k, T(1), w, k, cols, nb * hw, T(0), wide, nb * hw);
        for (int64_t i = 0; i < nb; ++i) {
            for (int64_t o = 0; o < g.O; ++o) {
                const T* src = wide + o * nb * hw + i * hw;
                T* dst = y + ((n0 + i) * g.O + o) * hw;
                const T add = bias ? bias[o] : T(0);
                for (int64_t j = 0; j < hw; ++j) dst[j] = src[j] + add;
            }
        }
    });
}

template <class T>
void batched_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    const int64_t k = g.patch(), hw = g.out_plane();
    for_each_chunk<T>(g, [&](int64_t n0, int64_t nb, T* cols, T* wide) {
        gather_planes(gy, g.O, hw, n0, nb, wide);
        gemm<T>(true, false, k, nb * hw, g.O, T(1), w, k, wide, nb * hw, T(0), cols, nb * hw);
        parallel_for(nb, 1, [&](int64_t lo, int64_t hi) {
            for (int64_t i = lo; i < hi; ++i) col2im(g, cols + i * hw, gx + (n0 + i) * g.C * g.H * g.W, nb * hw);
        });
    });
}

template <class T>
void batched_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    const int64_t k = g.patch(), hw = g.out_plane();
    for_each_chunk<T>(g, [&](int64_t n0, int64_t nb, T* cols, T* wide) {
        batched_columns(g, x, n0, nb, cols);
        gather_planes(gy, g.O, hw, n0, nb, wide);
        gemm<T>(false, true, g.O, k, nb * hw, T(1), wide, nb * hw, cols, nb * hw, n0 == 0 ? T(0) : T(1), gw, k);
    });
}

// conv2d_forward's paths other than Winograd's.
template <class T>
void unfused_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    if (batched(g) && direct_conv_enabled() && direct_applies(g)) return direct_forward(g, x, w, bias, y);
    if (batched(g)) return batched_forward(g, x, w, bias, y);
    const int64_t cg = g.c_per_group(), og = g.o_per_group(), k = g.patch(), hw = g.out_plane();
    const bool direct = g.pointwise();
    for_each_conv_task(g, g.N, [&](int64_t n) {
        T* col = direct ? nullptr : scratch<T>(0, static_cast<size_t>(k * hw));
        for (int64_t gr = 0; gr < g.groups; ++gr) {
            const T* xg = x + (n * g.C + gr * cg) * g.H * g.W;
            T* yg = y + (n * g.O + gr * og) * hw;
            const T* cols = xg;
            if (!direct) {
                im2col(g, xg, col);
                cols = col;
            }
            if (bias) {
                for (int64_t o = 0; o < og; ++o) std::fill(yg + o * hw, yg + (o + 1) * hw, bias[gr * og + o]);
            }
            gemm<T>(false, false, og, hw, k, T(1), w + gr * og * k, k, cols, hw, bias ? T(1) : T(0), yg, hw);
        }
    });
}

// The epilogue over a finished output, in one pass, the planes shared between threads when the
// convolution was.
template <class T>
void apply_epilogue(const ConvGeometry& g, const ConvEpilogue<T>& e, T* y) {
    if (e.empty()) return;
    const int64_t size = g.out_plane();
    for_each_conv_task(g, g.N * g.O, [&](int64_t plane) {
        T* p = y + plane * size;
        for (int64_t i = 0; i < size; ++i) p[i] = e.apply(p[i], plane, size, i);
    });
}

}  // namespace

// The most conv2d_kept_size keeps: batch 16 of the 13 x 192 Go net keeps 11 MB a layer.
constexpr size_t kKeptBytes = size_t{32} << 20;

template <class T>
int64_t conv2d_kept_size(const ConvGeometry& g) {
    if (!use_winograd(g)) return 0;
    const int64_t n = winograd_kept_size<T>(g);
    return static_cast<size_t>(n) * sizeof(T) <= kKeptBytes ? n : 0;
}

template <class T>
void conv2d_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                    bool weights_reused, const ConvEpilogue<T>& epilogue, T* keep) {
    if (use_winograd(g)) return winograd_forward(g, x, w, bias, y, weights_reused, epilogue, keep);
    unfused_forward(g, x, w, bias, y);
    apply_epilogue(g, epilogue, y);
}

template <class T>
void conv2d_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    if (use_winograd(g)) return winograd_backward_input(g, gy, w, gx);
    if (batched(g) && direct_conv_enabled() && direct_applies(g)) return direct_backward_input(g, gy, w, gx);
    if (batched(g)) return batched_backward_input(g, gy, w, gx);
    const int64_t cg = g.c_per_group(), og = g.o_per_group(), k = g.patch(), hw = g.out_plane();
    const bool direct = g.pointwise();
    for_each_conv_task(g, g.N, [&](int64_t n) {
        T* col = direct ? nullptr : scratch<T>(0, static_cast<size_t>(k * hw));
        for (int64_t gr = 0; gr < g.groups; ++gr) {
            T* xg = gx + (n * g.C + gr * cg) * g.H * g.W;
            const T* gyg = gy + (n * g.O + gr * og) * hw;
            // col = w_g^T @ gy_g, then back to pixels (directly into gx for 1x1 kernels).
            T* cols = direct ? xg : col;
            gemm<T>(true, false, k, hw, og, T(1), w + gr * og * k, k, gyg, hw, T(0), cols, hw);
            if (!direct) col2im(g, cols, xg);
        }
    });
}

// Columns of one group's weight gradient per task, and the most column-matrix elements held at
// once. Both are fixed, so the same BLAS calls run for any thread count: bitwise-equal results.
constexpr int64_t kWeightBlock = 64;
constexpr int64_t kColumnBudget = int64_t{1} << 23;

template <class T>
void conv2d_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw, const T* kept) {
    if (use_winograd(g)) return winograd_backward_weight(g, x, gy, gw, kept);
    if (batched(g) && direct_conv_enabled() && direct_applies(g)) return direct_backward_weight(g, x, gy, gw);
    if (batched(g)) return batched_backward_weight(g, x, gy, gw);
    const int64_t cg = g.c_per_group(), og = g.o_per_group(), k = g.patch(), hw = g.out_plane();
    const bool direct = g.pointwise();
    std::fill(gw, gw + g.O * k, T(0));
    const int64_t chunk = std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(k * hw, 1), 1, std::max<int64_t>(g.N, 1));
    T* col = direct ? nullptr : scratch<T>(0, static_cast<size_t>(chunk * k * hw));
    const int64_t blocks = (k + kWeightBlock - 1) / kWeightBlock;
    for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
        const int64_t nb = std::min(chunk, g.N - n0);
        for (int64_t gr = 0; gr < g.groups; ++gr) {
            auto input = [&](int64_t i) { return x + ((n0 + i) * g.C + gr * cg) * g.H * g.W; };
            if (!direct) for_each_conv_task(g, nb, [&](int64_t i) { im2col(g, input(i), col + i * k * hw); });
            // gw_g[:, block] += gy_i @ col_i[block]^T for every image, in image order.
            parallel_for(blocks, g.multiply_adds() >= kConvParallelWork ? 1 : blocks, [&](int64_t b, int64_t e) {
                for (int64_t blk = b; blk < e; ++blk) {
                    const int64_t c0 = blk * kWeightBlock, width = std::min(kWeightBlock, k - c0);
                    for (int64_t i = 0; i < nb; ++i) {
                        const T* cols = direct ? input(i) : col + i * k * hw;
                        gemm_serial<T>(false, true, og, width, hw, T(1), gy + ((n0 + i) * g.O + gr * og) * hw, hw,
                                       cols + c0 * hw, hw, T(1), gw + gr * og * k + c0, k);
                    }
                }
            });
        }
    }
}

#define KAYA_CONV_INSTANTIATE(T)                                                                 \
    template int64_t conv2d_kept_size<T>(const ConvGeometry&);                                   \
    template void conv2d_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*, bool, \
                                    const ConvEpilogue<T>&, T*);                                 \
    template void conv2d_backward_input<T>(const ConvGeometry&, const T*, const T*, T*);         \
    template void conv2d_backward_weight<T>(const ConvGeometry&, const T*, const T*, T*, const T*);
KAYA_CONV_INSTANTIATE(float)
KAYA_CONV_INSTANTIATE(double)
#undef KAYA_CONV_INSTANTIATE

}  // namespace kaya::kernels
