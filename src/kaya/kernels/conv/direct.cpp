// SPDX-License-Identifier: MIT
#include "kaya/kernels/conv/direct.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "kaya/kernels/scratch.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {

namespace {

using simd::kLanes;
using simd::load;
using simd::store;
using simd::Vec;
// The blocks of sums below are sized for the vector registers there are: AVX-512's 32 (or the
// 64-byte vectors of older levels), or AVX2's 16, where simd::Vec is 32 bytes.
constexpr bool kWideRegisters = simd::kVecBytes == 64;
// Vectors a row of output may take: rows of up to 64 floats or 32 doubles whatever the width.
constexpr int64_t kMaxVectors = 4 * 64 / simd::kVecBytes;

template <class T>
int64_t vectors_for(int64_t width) {
    return (width + kLanes<T> - 1) / kLanes<T>;
}

// The input zero-padded: every image's channels as (H + 2 pad_h) rows of `pitch` elements,
// wide enough that a row of output vectors can read all its taps without bounds checks.
struct PaddedLayout {
    int64_t rows, pitch;
    int64_t plane() const { return rows * pitch; }
};

template <class T>
PaddedLayout padded_layout(const ConvGeometry& g) {
    return {g.H + 2 * g.pad_h, vectors_for<T>(g.WO) * kLanes<T> + g.KW - 1};
}

template <class T>
void pad_input(const ConvGeometry& g, const PaddedLayout& p, const T* x, T* xp) {
    // Each element written once: the border rows, then each row's left zeros, pixels, right zeros.
    for_each_conv_task(g, g.N, [&](int64_t n) {
        for (int64_t c = 0; c < g.C; ++c) {
            T* plane = xp + (n * g.C + c) * p.plane();
            std::fill(plane, plane + g.pad_h * p.pitch, T(0));
            for (int64_t r = 0; r < g.H; ++r) {
                T* row = plane + (r + g.pad_h) * p.pitch;
                std::fill(row, row + g.pad_w, T(0));
                std::memcpy(row + g.pad_w, x + ((n * g.C + c) * g.H + r) * g.W, sizeof(T) * static_cast<size_t>(g.W));
                std::fill(row + g.pad_w + g.W, row + p.pitch, T(0));
            }
            std::fill(plane + (g.H + g.pad_h) * p.pitch, plane + p.plane(), T(0));
        }
    });
}

// The block of b channels among `blocks` that wastes the fewest padded channels for O (ties: the
// larger block).
template <size_t K>
int pick_block(int64_t O, const int (&blocks)[K]) {
    int best = blocks[0];
    for (int b : blocks) {
        if ((O + b - 1) / b * b < (O + best - 1) / best * best) best = b;
    }
    return best;
}

// Padded input rows below r + i that are all zeros are skipped: the taps i in [lo, hi) of output
// rows r .. r + rows - 1 read at least one row of the image.
struct TapRows {
    int64_t lo, hi;
};
inline TapRows tap_rows(const ConvGeometry& g, int64_t r, int64_t rows) {
    return {std::max<int64_t>(0, g.pad_h - r - rows + 1), std::min<int64_t>(g.KH, g.pad_h + g.H - r)};
}

// Output channels and rows computed together: OB broadcast weights against the NV input
// vectors of RB rows, OB x RB x NV sums in registers. One vector row takes two rows at a time.
template <int NV>
constexpr int kForwardRows = NV == 1 ? 2 : 1;

// The weights as blocks of OB output channels, innermost: wb[block][c][i][j][o] (zeros past O).
template <class T>
void block_weights(const ConvGeometry& g, const T* w, int64_t ob, T* wb) {
    const int64_t taps = g.patch(), blocks = (g.O + ob - 1) / ob;
    std::fill(wb, wb + blocks * taps * ob, T(0));
    for (int64_t o = 0; o < g.O; ++o) {
        for (int64_t t = 0; t < taps; ++t) wb[((o / ob) * taps + t) * ob + o % ob] = w[o * taps + t];
    }
}

// Output rows r .. r + RB - 1 of channels o0 .. o0 + OB - 1 of one image.
template <class T, int NV, int OB, int RB>
void forward_rows(const ConvGeometry& g, const PaddedLayout& p, const T* xp, const T* wblock,
                  const T* bias, int64_t o0, int64_t r, T* y) {
    constexpr int64_t V = kLanes<T>;
    Vec<T> acc[OB][RB][NV] = {};
    const TapRows taps = tap_rows(g, r, RB);
    for (int64_t c = 0; c < g.C; ++c) {
        for (int64_t i = taps.lo; i < taps.hi; ++i) {
            const T* row = xp + c * p.plane() + (r + i) * p.pitch;
            const T* wt = wblock + (c * g.KH + i) * g.KW * OB;
            for (int64_t j = 0; j < g.KW; ++j, wt += OB) {
                Vec<T> in[RB][NV];
                for (int k = 0; k < RB; ++k)
                    for (int v = 0; v < NV; ++v) in[k][v] = load(row + k * p.pitch + j + v * V);
                for (int o = 0; o < OB; ++o) {
                    const T wv = wt[o];
                    for (int k = 0; k < RB; ++k)
                        for (int v = 0; v < NV; ++v) acc[o][k][v] += wv * in[k][v];
                }
            }
        }
    }
    for (int o = 0; o < OB && o0 + o < g.O; ++o) {
        const T add = bias ? bias[o0 + o] : T(0);
        for (int k = 0; k < RB; ++k) {
            T lanes[NV * V];
            std::memcpy(lanes, acc[o][k], sizeof lanes);
            T* dst = y + ((o0 + o) * g.HO + r + k) * g.WO;
            for (int64_t x = 0; x < g.WO; ++x) dst[x] = lanes[x] + add;
        }
    }
}

// One image, block by block of output channels.
template <class T, int NV, int OB>
void forward_image(const ConvGeometry& g, const PaddedLayout& p, const T* xp, const T* wb,
                   const T* bias, T* y) {
    constexpr int RB = kForwardRows<NV>;
    for (int64_t o0 = 0; o0 < g.O; o0 += OB) {
        const T* wblock = wb + (o0 / OB) * g.patch() * OB;
        int64_t r = 0;
        for (; r + RB <= g.HO; r += RB) forward_rows<T, NV, OB, RB>(g, p, xp, wblock, bias, o0, r, y);
        for (; r < g.HO; ++r) forward_rows<T, NV, OB, 1>(g, p, xp, wblock, bias, o0, r, y);
    }
}

// Both forward layouts: pads the input, blocks the weights by ob channels, then calls
// image(p, xn, wb, yn) for each image's padded input xn and output yn.
template <class T, class F>
void forward_each_image(const ConvGeometry& g, const T* x, const T* w, int64_t ob, T* y, F&& image) {
    const PaddedLayout p = padded_layout<T>(g);
    T* xp = scratch<T>(0, static_cast<size_t>(g.N * g.C * p.plane()));
    const int64_t blocks = (g.O + ob - 1) / ob;
    T* wb = scratch<T>(1, static_cast<size_t>(blocks * g.patch() * ob));
    pad_input(g, p, x, xp);
    block_weights(g, w, ob, wb);
    for_each_conv_task(g, g.N, [&](int64_t n) {
        image(p, static_cast<const T*>(xp + n * g.C * p.plane()), static_cast<const T*>(wb), y + n * g.O * g.out_plane());
    });
}

template <class T, int NV, int OB>
void forward_rows_with(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    forward_each_image(g, x, w, OB, y, [&](const PaddedLayout& p, const T* xn, const T* wb, T* yn) {
        forward_image<T, NV, OB>(g, p, xn, wb, bias, yn);
    });
}

// Up to 8 channels a block for rows of one or two vectors (8 x 2 or 8 x 1 x 2 sums), 4 for
// wider rows; 6 where the layer has 6 (LeNet's first layer and its second's input gradient).
// With AVX2's 16 registers: up to 6 x 2 sums for rows of one or two vectors, 3 x 3 and 2 x 4 for
// rows of three and four, 1 x NV beyond.
template <class T, int NV>
void forward_with(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    if constexpr (!kWideRegisters) {
        if constexpr (NV <= 2) {
            switch (pick_block(g.O, {6, 4, 3})) {
                case 6: return forward_rows_with<T, NV, 6>(g, x, w, bias, y);
                case 4: return forward_rows_with<T, NV, 4>(g, x, w, bias, y);
                default: return forward_rows_with<T, NV, 3>(g, x, w, bias, y);
            }
        } else {
            constexpr int kBlock = NV == 3 ? 3 : NV == 4 ? 2 : 1;
            return forward_rows_with<T, NV, kBlock>(g, x, w, bias, y);
        }
    } else if constexpr (NV <= 2) {
        switch (pick_block(g.O, {8, 6, 4})) {
            case 8: return forward_rows_with<T, NV, 8>(g, x, w, bias, y);
            case 6: return forward_rows_with<T, NV, 6>(g, x, w, bias, y);
            default: return forward_rows_with<T, NV, 4>(g, x, w, bias, y);
        }
    } else {
        forward_rows_with<T, NV, 4>(g, x, w, bias, y);
    }
}

// Channels in lanes, for many filters on short rows (LeNet's second layer: 16 filters on rows of
// 10): a vector holds V output channels of one pixel, P pixels of a row at a time, so no lane
// waits on a short row. Output pixels x0 .. x0 + P - 1 of row r, channels o0 .. o0 + V - 1.
template <class T, int P>
void forward_pixels(const ConvGeometry& g, const PaddedLayout& p, const T* xp, const T* wblock,
                    const T* bias, int64_t o0, int64_t r, int64_t x0, T* y) {
    constexpr int64_t V = kLanes<T>;
    Vec<T> acc[P] = {};
    const TapRows taps = tap_rows(g, r, 1);
    for (int64_t c = 0; c < g.C; ++c) {
        for (int64_t i = taps.lo; i < taps.hi; ++i) {
            const T* row = xp + c * p.plane() + (r + i) * p.pitch + x0;
            const T* wt = wblock + (c * g.KH + i) * g.KW * V;
            for (int64_t j = 0; j < g.KW; ++j, wt += V) {
                const Vec<T> wv = load(wt);
                for (int k = 0; k < P; ++k) acc[k] += wv * row[j + k];
            }
        }
    }
    for (int64_t o = 0; o < V && o0 + o < g.O; ++o) {
        const T add = bias ? bias[o0 + o] : T(0);
        T* dst = y + ((o0 + o) * g.HO + r) * g.WO + x0;
        for (int k = 0; k < P; ++k) dst[k] = acc[k][o] + add;
    }
}

constexpr int kMaxPixels = 12;  // Sums in registers of a pixel block, and the widest block.

template <class T, int... Ps>
constexpr auto pixel_kernels(std::integer_sequence<int, Ps...>) {
    return std::array{&forward_pixels<T, Ps + 1>...};
}

// A row of WO pixels as near-equal blocks of at most kMaxPixels: calls f(x0, width).
template <class F>
void for_each_pixel_block(int64_t width, F&& f) {
    const int64_t blocks = (width + kMaxPixels - 1) / kMaxPixels, base = width / blocks, extra = width % blocks;
    for (int64_t b = 0, x0 = 0; b < blocks; ++b) {
        const int64_t w = base + (b < extra ? 1 : 0);
        f(x0, w);
        x0 += w;
    }
}

template <class T>
void forward_channels(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    constexpr int64_t V = kLanes<T>;
    static constexpr auto kernel = pixel_kernels<T>(std::make_integer_sequence<int, kMaxPixels>{});
    const int64_t blocks = (g.O + V - 1) / V;
    forward_each_image(g, x, w, V, y, [&](const PaddedLayout& p, const T* xn, const T* wb, T* yn) {
        for (int64_t b = 0; b < blocks; ++b) {
            for (int64_t r = 0; r < g.HO; ++r) {
                for_each_pixel_block(g.WO, [&](int64_t x0, int64_t width) {
                    kernel[width - 1](g, p, xn, wb + b * g.patch() * V, bias, b * V, r, x0, yn);
                });
            }
        }
    });
}

// Channels go in lanes when that leaves fewer lanes idle than rows in lanes: more than a
// padded row's share of the filters fill whole vectors (square 3x3 and 5x5 kernels only).
template <class T>
bool channels_in_lanes(const ConvGeometry& g) {
    constexpr int64_t V = kLanes<T>;
    if (g.KH != g.KW) return false;
    const double rows = static_cast<double>(g.WO) / static_cast<double>(vectors_for<T>(g.WO) * V);
    const double channels = static_cast<double>(g.O) / static_cast<double>((g.O + V - 1) / V * V);
    return channels > rows;
}

// gw[o0 .. o0 + OB)[c][i][:] = sum over images and output rows of gy's row against the input
// row i below it, shifted by each tap j; OB x KW sums in registers (rows of zero padding
// skipped). gyp: gy with rows padded to NV vectors (zeros past WO) and channels to a multiple of
// OB.
template <class T, int NV, int KW, int OB>
void weight_task(const ConvGeometry& g, const PaddedLayout& p, const T* xp, const T* gyp,
                 int64_t o0, int64_t c, int64_t i, T* gw) {
    constexpr int64_t V = kLanes<T>;
    const int64_t o_padded = (g.O + OB - 1) / OB * OB, pitch = NV * V;
    const int64_t r_lo = std::max<int64_t>(0, g.pad_h - i), r_hi = std::min(g.HO, g.pad_h + g.H - i);
    Vec<T> acc[OB][KW] = {};
    for (int64_t n = 0; n < g.N; ++n) {
        const T* xn = xp + (n * g.C + c) * p.plane() + i * p.pitch;
        const T* gn = gyp + (n * o_padded + o0) * g.HO * pitch;
        for (int64_t r = r_lo; r < r_hi; ++r) {
            Vec<T> gv[OB][NV];
            for (int o = 0; o < OB; ++o)
                for (int v = 0; v < NV; ++v) gv[o][v] = load(gn + (o * g.HO + r) * pitch + v * V);
            const T* row = xn + r * p.pitch;
            for (int j = 0; j < KW; ++j) {
                for (int v = 0; v < NV; ++v) {
                    Vec<T> in = load(row + j + v * V);
                    simd::keep_in_register<T>(in);
                    for (int o = 0; o < OB; ++o) acc[o][j] += gv[o][v] * in;
                }
            }
        }
    }
    for (int o = 0; o < OB && o0 + o < g.O; ++o) {
        for (int j = 0; j < KW; ++j) {
            T lanes[V];
            std::memcpy(lanes, &acc[o][j], sizeof lanes);
            T s = 0;
            for (int64_t k = 0; k < V; ++k) s += lanes[k];
            gw[(((o0 + o) * g.C + c) * g.KH + i) * KW + j] = s;
        }
    }
}

template <class T, int NV, int KW, int OB>
void weight_rows_with(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    constexpr int64_t pitch = NV * kLanes<T>;
    const PaddedLayout p = padded_layout<T>(g);
    const int64_t o_padded = (g.O + OB - 1) / OB * OB, hw = g.out_plane();
    T* xp = scratch<T>(0, static_cast<size_t>(g.N * g.C * p.plane()));
    T* gyp = scratch<T>(1, static_cast<size_t>(g.N * o_padded * g.HO * pitch));
    pad_input(g, p, x, xp);
    for_each_conv_task(g, g.N, [&](int64_t n) {
        T* dst = gyp + n * o_padded * g.HO * pitch;
        for (int64_t o = 0; o < g.O; ++o) {
            for (int64_t r = 0; r < g.HO; ++r) {
                T* row = dst + (o * g.HO + r) * pitch;
                std::memcpy(row, gy + (n * g.O + o) * hw + r * g.WO, sizeof(T) * static_cast<size_t>(g.WO));
                std::fill(row + g.WO, row + pitch, T(0));
            }
        }
        std::fill(dst + g.O * g.HO * pitch, dst + o_padded * g.HO * pitch, T(0));
    });
    const int64_t blocks = o_padded / OB, tasks = blocks * g.C * g.KH;
    for_each_conv_task(g, tasks, [&](int64_t t) {
        const int64_t i = t % g.KH, c = t / g.KH % g.C, o0 = t / (g.KH * g.C) * OB;
        weight_task<T, NV, KW, OB>(g, p, xp, gyp, o0, c, i, gw);
    });
}

// Blocks of 4 output channels, or 3 where that pads fewer (6 filters: two blocks of 3); one with
// AVX2 (KW sums and NV vectors of gy).
template <class T, int NV, int KW>
void weight_with(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    if constexpr (!kWideRegisters) return weight_rows_with<T, NV, KW, 1>(g, x, gy, gw);
    if (pick_block(g.O, {4, 3}) == 3) return weight_rows_with<T, NV, KW, 3>(g, x, gy, gw);
    weight_rows_with<T, NV, KW, 4>(g, x, gy, gw);
}

// Channels in lanes for the weight gradient: gw[o0 .. o0 + V)[c][:][:], the K x K taps of one
// input channel summed over the pixels of images [n0, n1), in registers all at once (AVX2: a 5 x
// 5 kernel's a row of taps at a time). gyt: gy with each image's pixels outermost and its
// channels padded to whole vectors.
template <class T, int K>
void weight_channels_task(const ConvGeometry& g, const PaddedLayout& p, const T* xp, const T* gyt,
                          int64_t o_padded, int64_t o0, int64_t c, int64_t n0, int64_t n1, T* out) {
    constexpr int64_t V = kLanes<T>;
    constexpr int kRows = kWideRegisters || K * K <= 12 ? K : 1;  // rows of taps a pass sums
    for (int i0 = 0; i0 < K; i0 += kRows) {
        Vec<T> acc[kRows][K] = {};
        for (int64_t n = n0; n < n1; ++n) {
            const T* xn = xp + (n * g.C + c) * p.plane() + i0 * p.pitch;
            const T* gn = gyt + n * g.out_plane() * o_padded + o0;
            for (int64_t r = 0; r < g.HO; ++r) {
                for (int64_t x = 0; x < g.WO; ++x) {
                    const Vec<T> gv = load(gn + (r * g.WO + x) * o_padded);
                    const T* in = xn + r * p.pitch + x;
                    for (int i = 0; i < kRows; ++i)
                        for (int j = 0; j < K; ++j) acc[i][j] += gv * in[i * p.pitch + j];
                }
            }
        }
        for (int i = 0; i < kRows; ++i)
            for (int j = 0; j < K; ++j) store(out + ((i0 + i) * K + j) * V, acc[i][j]);
    }
}

// The batch is cut into a fixed number of chunks (from the shape alone, so the sums do not
// depend on the thread count) when there are too few channel tasks to share; the chunks' sums
// are added in order.
template <class T, int K>
void weight_channels(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    constexpr int64_t V = kLanes<T>, KK = K * K;
    constexpr int64_t kTasks = 8;
    const PaddedLayout p = padded_layout<T>(g);
    const int64_t blocks = (g.O + V - 1) / V, o_padded = blocks * V, hw = g.out_plane();
    const int64_t chunks = std::clamp<int64_t>((kTasks + blocks * g.C - 1) / (blocks * g.C), 1, g.N);
    T* xp = scratch<T>(0, static_cast<size_t>(g.N * g.C * p.plane()));
    T* gyt = scratch<T>(1, static_cast<size_t>(g.N * hw * o_padded));
    T* part = scratch<T>(2, static_cast<size_t>(chunks * blocks * g.C * KK * V));
    pad_input(g, p, x, xp);
    for_each_conv_task(g, g.N, [&](int64_t n) {
        T* dst = gyt + n * hw * o_padded;
        for (int64_t k = 0; k < hw; ++k) {
            for (int64_t o = 0; o < g.O; ++o) dst[k * o_padded + o] = gy[(n * g.O + o) * hw + k];
            std::fill(dst + k * o_padded + g.O, dst + (k + 1) * o_padded, T(0));
        }
    });
    for_each_conv_task(g, chunks * blocks * g.C, [&](int64_t t) {
        const int64_t c = t % g.C, b = t / g.C % blocks, chunk = t / (g.C * blocks);
        weight_channels_task<T, K>(g, p, xp, gyt, o_padded, b * V, c, chunk * g.N / chunks,
                                   (chunk + 1) * g.N / chunks, part + t * KK * V);
    });
    for (int64_t o = 0; o < g.O; ++o) {
        for (int64_t c = 0; c < g.C; ++c) {
            for (int64_t k = 0; k < KK; ++k) {
                T s = 0;
                for (int64_t chunk = 0; chunk < chunks; ++chunk)
                    s += part[((chunk * blocks + o / V) * g.C + c) * KK * V + k * V + o % V];
                gw[(o * g.C + c) * KK + k] = s;
            }
        }
    }
}

// Calls f.template operator()<NV>() with NV the vectors a row of `width` takes.
template <class T, class F>
void with_vectors(int64_t width, F&& f) {
    switch (vectors_for<T>(width)) {
        case 1: return f.template operator()<1>();
        case 2: return f.template operator()<2>();
        case 3: return f.template operator()<3>();
        case 4: return f.template operator()<4>();
    }
    if constexpr (kMaxVectors > 4) {
        switch (vectors_for<T>(width)) {
            case 5: return f.template operator()<5>();
            case 6: return f.template operator()<6>();
            case 7: return f.template operator()<7>();
            default: return f.template operator()<8>();
        }
    } else {
        return f.template operator()<4>();
    }
}

}  // namespace

bool direct_applies(const ConvGeometry& g) {
    // Rows are kMaxVectors vectors at most (32 doubles), so the forward pass (output width WO) and
    // the input gradient (a forward pass producing width W) both fit.
    const int64_t max_width = kMaxVectors * kLanes<double>;
    return g.groups == 1 && g.stride_h == 1 && g.stride_w == 1 && g.dil_h == 1 && g.dil_w == 1 &&
           (g.KW == 3 || g.KW == 5) && g.KH >= 1 && g.pad_h < g.KH && g.pad_w < g.KW &&
           g.WO >= 1 && g.HO >= 1 && g.WO <= max_width && g.W <= max_width;
}

template <class T>
void direct_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
    if (channels_in_lanes<T>(g)) return forward_channels(g, x, w, bias, y);
    with_vectors<T>(g.WO, [&]<int NV>() { forward_with<T, NV>(g, x, w, bias, y); });
}

// The input gradient is a forward convolution of gy, padded by kernel - 1 - padding, with the
// filters flipped and their in and out channels swapped.
template <class T>
void direct_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx) {
    ConvGeometry t{.N = g.N, .C = g.O, .H = g.HO, .W = g.WO, .O = g.C, .KH = g.KH, .KW = g.KW,
                   .pad_h = g.KH - 1 - g.pad_h, .pad_w = g.KW - 1 - g.pad_w};
    t.resolve();
    const int64_t taps = g.KH * g.KW;
    T* flipped = scratch<T>(2, static_cast<size_t>(g.O * g.C * taps));
    for (int64_t o = 0; o < g.O; ++o)
        for (int64_t c = 0; c < g.C; ++c)
            for (int64_t k = 0; k < taps; ++k)
                flipped[(c * g.O + o) * taps + (taps - 1 - k)] = w[(o * g.C + c) * taps + k];
    direct_forward(t, gy, flipped, static_cast<const T*>(nullptr), gx);
}

template <class T>
void direct_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
    if (channels_in_lanes<T>(g)) {
        if (g.KW == 3) return weight_channels<T, 3>(g, x, gy, gw);
        return weight_channels<T, 5>(g, x, gy, gw);
    }
    with_vectors<T>(g.WO, [&]<int NV>() {
        if (g.KW == 3) return weight_with<T, NV, 3>(g, x, gy, gw);
        weight_with<T, NV, 5>(g, x, gy, gw);
    });
}

#define KAYA_DIRECT_INSTANTIATE(T)                                                         \
    template void direct_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*); \
    template void direct_backward_input<T>(const ConvGeometry&, const T*, const T*, T*);    \
    template void direct_backward_weight<T>(const ConvGeometry&, const T*, const T*, T*);
KAYA_DIRECT_INSTANTIATE(float)
KAYA_DIRECT_INSTANTIATE(double)
#undef KAYA_DIRECT_INSTANTIATE

}  // namespace kaya::kernels
