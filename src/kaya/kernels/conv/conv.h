// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "kaya/core/parallel.h"

namespace kaya::kernels {

// The sizes of one 2-D convolution, PyTorch's conv2d: input (N, C, H, W), weight
// (O, C / groups, KH, KW), output (N, O, HO, WO). All arrays are contiguous NCHW.
struct ConvGeometry {
    int64_t N = 0, C = 0, H = 0, W = 0;
    int64_t O = 0, KH = 0, KW = 0;
    int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1;
    int64_t groups = 1;
    int64_t HO = 0, WO = 0;

    // Fills HO and WO; false when the dilated kernel does not fit in the padded input.
    bool resolve();
    int64_t c_per_group() const { return C / groups; }
    int64_t o_per_group() const { return O / groups; }
    // Rows of one group's column matrix: (C / groups) * KH * KW.
    int64_t patch() const { return c_per_group() * KH * KW; }
    int64_t out_plane() const { return HO * WO; }
    // True when the columns are the input itself (1x1, stride 1, no padding).
    bool pointwise() const;
    // The whole batch's multiply-adds.
    double multiply_adds() const;
};

// Below this many multiply-adds a convolution runs on the calling thread: waking the pool costs
// more than it saves, and tiny convolutions in parallel processes would oversubscribe the cores.
inline constexpr double kConvParallelWork = 1 << 18;

// Calls f(i) for i in [0, n), the tasks (images, or blocks of a gradient) shared between the
// threads when the convolution has enough work, on the calling thread otherwise. Each task's
// result is the same either way.
template <class F>
void for_each_conv_task(const ConvGeometry& g, int64_t n, F&& f) {
    if (n >= 2 && num_threads() > 1 && !in_parallel_region() && g.multiply_adds() >= kConvParallelWork) {
        parallel_for(n, 1, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) f(i);
        });
    } else {
        for (int64_t i = 0; i < n; ++i) f(i);
    }
}

// 3x3 and 5x5 convolutions with stride 1 and enough channels take Winograd's F(4x4, 3x3) and
// F(4x4, 5x5) (winograd.h); others im2col and a matrix product. Off, everything takes im2col (for
// tests and benchmarks of both paths). On by default; KAYA_WINOGRAD=0 in the environment turns it
// off.
void set_winograd_enabled(bool on);
bool winograd_enabled();
// Small convolutions that direct.h takes run there instead of through im2col; off, they take
// im2col (for tests and benchmarks of both paths). On by default; KAYA_DIRECT_CONV=0 turns it
// off.
void set_direct_conv_enabled(bool on);
bool direct_conv_enabled();

// What a convolution does to its output after the bias, as oneDNN's post-ops and cuDNN's
// convolution-add-ReLU do: y = relu(conv + bias + add), with `add` either the output's shape
// (N x O x HO x WO, a residual) or one value per image and output channel (N x O, broadcast
// over the plane), and the ReLU optional (v > 0 ? v : 0, as kaya::relu). The sums are taken in
// that order, so the result has the bits of the three steps done one after another.
template <class T>
struct ConvEpilogue {
    const T* add = nullptr;
    bool add_per_channel = false;
    bool relu = false;

    bool empty() const { return add == nullptr && !relu; }
    // The same epilogue for the images from n0 on (an output starting at image n0).
    ConvEpilogue from_image(int64_t n0, int64_t O, int64_t plane_size) const {
        ConvEpilogue e = *this;
        if (add) e.add += add_per_channel ? n0 * O : n0 * O * plane_size;
        return e;
    }
    // The epilogue's value for output v at plane index (n * O + o) and point i of the plane.
    T apply(T v, int64_t plane, int64_t plane_size, int64_t i) const {
        if (add) v = v + (add_per_channel ? add[plane] : add[plane * plane_size + i]);
        return relu ? (v > T(0) ? v : T(0)) : v;
    }
};

// Values of the work conv2d_forward can keep for conv2d_backward_weight, so that the weight
// gradient does not redo it (Winograd's path: the input's transformed tiles, as cuDNN keeps a
// reserve space); 0 when the path keeps nothing or the work would take more than 32 MB.
template <class T>
int64_t conv2d_kept_size(const ConvGeometry& g);

// y = conv(x, w) (+ bias per output channel when bias is not null), then the epilogue.
// Winograd's path applies the epilogue as it writes the output; the others in one pass after.
// weights_reused: the caller will pass the same weights again (inference), so work done on
// them alone may be kept between calls. keep: conv2d_kept_size values for that work, or null.
template <class T>
void conv2d_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                    bool weights_reused = false, const ConvEpilogue<T>& epilogue = {},
                    T* keep = nullptr);

// gx = d<y, gy>/dx, the transposed convolution of gy with w. gx is overwritten.
template <class T>
void conv2d_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx);

// gw = d<y, gy>/dw, summed over the batch in image order. gw is overwritten. kept: what
// conv2d_forward kept for this x, or null; the same bits either way.
template <class T>
void conv2d_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw,
                            const T* kept = nullptr);

}  // namespace kaya::kernels
