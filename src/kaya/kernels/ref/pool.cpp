// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/pool.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kaya/core/parallel.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {

namespace {

// Planes per chunk: about kParallelGrain outputs each; planes are independent, so any split
// gives the same bits.
int64_t plane_grain(const PoolGeometry& g) {
    return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, g.HO * g.WO + g.H * g.W));
}

// The in-bounds part [lo, hi) of an average window along one axis, and the window's size
// clipped to the padded input (PyTorch's count_include_pad divisor).
struct Span {
    int64_t lo, hi, padded;
};
Span avg_span(int64_t o, int64_t k, int64_t s, int64_t p, int64_t n) {
    const int64_t start = o * s - p;
    const int64_t end = std::min(start + k, n + p);
    return {std::max<int64_t>(start, 0), std::min(end, n), end - start};
}

Span adaptive_span(int64_t o, int64_t out, int64_t n) {
    const int64_t lo = (o * n) / out;
    const int64_t hi = ((o + 1) * n + out - 1) / out;
    return {lo, hi, hi - lo};
}

}  // namespace

namespace {

// Keeps (v, at) when it beats the best so far: larger, or NaN while the best is a number (the
// first NaN wins, as in PyTorch). On real data the comparison is a coin toss; compilers turn
// a ternary on it into a jump that mispredicts half the time (2.5x slower, measured on 6 planes
// of 28x28 at batch 64), while bit masks cannot become jumps.
template <class T>
inline void keep_max(T v, int64_t at, T& best, int64_t& best_at) {
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    const bool take = (v > best) | ((v != v) & (best == best));
    const Bits m = Bits{0} - static_cast<Bits>(take);
    const auto m64 = int64_t{0} - static_cast<int64_t>(take);
    Bits vb, bb;
    std::memcpy(&vb, &v, sizeof(T));
    std::memcpy(&bb, &best, sizeof(T));
    bb = (bb & ~m) | (vb & m);
    std::memcpy(&best, &bb, sizeof(T));
    best_at = (best_at & ~m64) | (at & m64);
}

// Planes whose every window lies inside the input (no padding, and with ceil_mode no window
// past the edge): no bounds checks.
template <class T>
void max_pool_inside(T* out, int64_t* indices, const T* in, const PoolGeometry& g, int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
        const T* x = in + p * g.H * g.W;
        for (int64_t oh = 0; oh < g.HO; ++oh) {
            for (int64_t ow = 0; ow < g.WO; ++ow) {
                const int64_t first = oh * g.SH * g.W + ow * g.SW;
                T best = x[first];
                int64_t at = first;
                for (int64_t i = 0; i < g.KH; ++i) {
                    for (int64_t j = 0; j < g.KW; ++j) {
                        const int64_t k = first + i * g.DH * g.W + j * g.DW;
                        keep_max(x[k], k, best, at);
                    }
                }
                const int64_t o = (p * g.HO + oh) * g.WO + ow;
                out[o] = best;
                indices[o] = at;
            }
        }
    }
}

// Lanes of the pair (a, b) picked by idx (idx[l] < L from a, else from b): GCC's two-vector
// shuffle; clang (the fuzz build) lacks __builtin_shuffle and takes the lanes one by one.
template <class V, class I>
inline V shuffle2(const V& a, const V& b, const I& idx) {
#if defined(__clang__)
    constexpr int L = static_cast<int>(sizeof(V) / sizeof(a[0]));
    V r{};
    for (int l = 0; l < L; ++l) r[l] = idx[l] < L ? a[idx[l]] : b[idx[l] - L];
    return r;
#else
    return __builtin_shuffle(a, b, idx);
#endif
}

// The common 2x2 window with stride 2 on floats, 16 outputs of a row at a time: the four taps
// de-interleaved into vectors and the winner chosen by vector masks, with keep_max's rules. 4x
// faster than one window at a time, whose compare-and-select chain is bound by latency. A short
// row's vectors read on into the next row and write past its end, which the next row then
// overwrites: both stay inside the input and inside this task's own outputs (the last rows
// read through a zero-padded copy and write lane by lane). Plane offsets are computed in 32 bits
// (planes under 2^31 elements; the caller checks).
void max_pool_2x2(float* out, int64_t* indices, const float* in, const PoolGeometry& g, int64_t p0, int64_t p1) {
    using V = simd::Vec<float>;
    using I = simd::Vec<int32_t>;
    using Wide = int64_t __attribute__((vector_size(sizeof(int64_t) * simd::kLanes<float>), aligned(8), may_alias));
    constexpr int64_t L = simd::kLanes<float>;
    I even{}, odd{};
    for (int l = 0; l < L; ++l) even[l] = 2 * l, odd[l] = 2 * l + 1;
    alignas(64) float buf[2][2 * L];
    const int64_t W = g.W, WO = g.WO;
    // Offsets, not pointers, are compared: a pointer past an array's end is not valid C++.
    const int64_t in_size = g.P * g.H * W, out_end = p1 * g.HO * WO;
    for (int64_t p = p0; p < p1; ++p) {
        for (int64_t oh = 0; oh < g.HO; ++oh) {
            const int64_t top = 2 * oh * W;
            const int64_t row0 = p * g.H * W + top, out_row = (p * g.HO + oh) * WO;
            float* o = out + out_row;
            int64_t* idx = indices + out_row;
            for (int64_t ow = 0; ow < WO; ow += L) {
                const int64_t n = std::min(L, WO - ow);
                const float* src[2] = {in + row0 + 2 * ow, in + row0 + W + 2 * ow};
                if (row0 + W + 2 * ow + 2 * L > in_size) {
                    for (int r = 0; r < 2; ++r) {
                        std::memcpy(buf[r], src[r], sizeof(float) * static_cast<size_t>(2 * n));
                        std::fill(buf[r] + 2 * n, buf[r] + 2 * L, 0.0f);
                        src[r] = buf[r];
                    }
                }
                const V a0 = simd::load(src[0]), b0 = simd::load(src[0] + L);
                const V a1 = simd::load(src[1]), b1 = simd::load(src[1] + L);
                const V v[4] = {shuffle2(a0, b0, even), shuffle2(a0, b0, odd),
                                shuffle2(a1, b1, even), shuffle2(a1, b1, odd)};
                V best = v[0];
                I tap = I{} + 0;
                for (int t = 1; t < 4; ++t) {
                    const I take = (v[t] > best) | ((v[t] != v[t]) & (best == best));
                    best = take ? v[t] : best;
                    tap = take ? I{} + t : tap;
                }
                const I at = static_cast<int32_t>(top + 2 * ow) + even + (tap & 1) + (tap >> 1) * static_cast<int32_t>(W);
                const Wide at64 = __builtin_convertvector(at, Wide);
                if (out_row + ow + L <= out_end) {
                    simd::store(o + ow, best);
                    *reinterpret_cast<Wide*>(idx + ow) = at64;
                } else {
                    for (int64_t l = 0; l < n; ++l) o[ow + l] = best[l], idx[ow + l] = at64[l];
                }
            }
        }
    }
}

}  // namespace

template <class T>
void max_pool2d_forward(T* out, int64_t* indices, const T* in, const PoolGeometry& g) {
    const bool inside = g.PH == 0 && g.PW == 0 && (g.HO - 1) * g.SH + (g.KH - 1) * g.DH < g.H &&
                        (g.WO - 1) * g.SW + (g.KW - 1) * g.DW < g.W;
    parallel_for(g.P, plane_grain(g), [&](int64_t begin, int64_t end) {
        if constexpr (std::is_same_v<T, float>) {
            if (inside && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.DH == 1 && g.DW == 1 &&
                g.H * g.W < (int64_t{1} << 31))
                return max_pool_2x2(out, indices, in, g, begin, end);
        }
        if (inside) return max_pool_inside(out, indices, in, g, begin, end);
        for (int64_t p = begin; p < end; ++p) {
            const T* x = in + p * g.H * g.W;
            for (int64_t oh = 0; oh < g.HO; ++oh) {
                for (int64_t ow = 0; ow < g.WO; ++ow) {
                    T best = -std::numeric_limits<T>::infinity();
                    int64_t at = -1;
                    for (int64_t i = 0; i < g.KH; ++i) {
                        const int64_t h = oh * g.SH - g.PH + i * g.DH;
                        if (h < 0 || h >= g.H) continue;
                        for (int64_t j = 0; j < g.KW; ++j) {
                            const int64_t w = ow * g.SW - g.PW + j * g.DW;
                            if (w < 0 || w >= g.W) continue;
                            if (at < 0) {
                                best = x[h * g.W + w];
                                at = h * g.W + w;
                            } else {
                                keep_max(x[h * g.W + w], h * g.W + w, best, at);
                            }
                        }
                    }
                    const int64_t o = (p * g.HO + oh) * g.WO + ow;
                    out[o] = best;
                    indices[o] = at;
                }
            }
        }
    });
}

template <class T>
void max_pool2d_backward(T* dx, const T* dy, const int64_t* indices, const PoolGeometry& g) {
    parallel_for(g.P, plane_grain(g), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            T* d = dx + p * g.H * g.W;
            std::fill(d, d + g.H * g.W, T(0));
            const int64_t o0 = p * g.HO * g.WO;
            for (int64_t o = 0; o < g.HO * g.WO; ++o) d[indices[o0 + o]] += dy[o0 + o];
        }
    });
}

template <class T>
void avg_pool2d_forward(T* out, const T* in, const PoolGeometry& g, bool count_include_pad) {
    parallel_for(g.P, plane_grain(g), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const T* x = in + p * g.H * g.W;
            for (int64_t oh = 0; oh < g.HO; ++oh) {
                const Span sh = avg_span(oh, g.KH, g.SH, g.PH, g.H);
                for (int64_t ow = 0; ow < g.WO; ++ow) {
                    const Span sw = avg_span(ow, g.KW, g.SW, g.PW, g.W);
                    T sum = 0;
                    for (int64_t h = sh.lo; h < sh.hi; ++h) {
                        for (int64_t w = sw.lo; w < sw.hi; ++w) sum += x[h * g.W + w];
                    }
                    const int64_t div = count_include_pad ? sh.padded * sw.padded
                                                          : (sh.hi - sh.lo) * (sw.hi - sw.lo);
                    out[(p * g.HO + oh) * g.WO + ow] = sum / static_cast<T>(div);
                }
            }
        }
    });
}

template <class T>
void avg_pool2d_backward(T* dx, const T* dy, const PoolGeometry& g, bool count_include_pad) {
    parallel_for(g.P, plane_grain(g), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            T* d = dx + p * g.H * g.W;
            std::fill(d, d + g.H * g.W, T(0));
            for (int64_t oh = 0; oh < g.HO; ++oh) {
                const Span sh = avg_span(oh, g.KH, g.SH, g.PH, g.H);
                for (int64_t ow = 0; ow < g.WO; ++ow) {
                    const Span sw = avg_span(ow, g.KW, g.SW, g.PW, g.W);
                    const int64_t div = count_include_pad ? sh.padded * sw.padded
                                                          : (sh.hi - sh.lo) * (sw.hi - sw.lo);
                    const T v = dy[(p * g.HO + oh) * g.WO + ow] / static_cast<T>(div);
                    for (int64_t h = sh.lo; h < sh.hi; ++h) {
                        for (int64_t w = sw.lo; w < sw.hi; ++w) d[h * g.W + w] += v;
                    }
                }
            }
        }
    });
}

template <class T>
void adaptive_avg_pool2d_forward(T* out, const T* in, const PoolGeometry& g) {
    parallel_for(g.P, plane_grain(g), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            const T* x = in + p * g.H * g.W;
            for (int64_t oh = 0; oh < g.HO; ++oh) {
                const Span sh = adaptive_span(oh, g.HO, g.H);
                for (int64_t ow = 0; ow < g.WO; ++ow) {
                    const Span sw = adaptive_span(ow, g.WO, g.W);
                    T sum = 0;
                    for (int64_t h = sh.lo; h < sh.hi; ++h) {
                        for (int64_t w = sw.lo; w < sw.hi; ++w) sum += x[h * g.W + w];
                    }
                    out[(p * g.HO + oh) * g.WO + ow] = sum / static_cast<T>(sh.padded * sw.padded);
                }
            }
        }
    });
}

template <class T>
void adaptive_avg_pool2d_backward(T* dx, const T* dy, const PoolGeometry& g) {
    parallel_for(g.P, plane_grain(g), [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p) {
            T* d = dx + p * g.H * g.W;
            std::fill(d, d + g.H * g.W, T(0));
            for (int64_t oh = 0; oh < g.HO; ++oh) {
                const Span sh = adaptive_span(oh, g.HO, g.H);
                for (int64_t ow = 0; ow < g.WO; ++ow) {
                    const Span sw = adaptive_span(ow, g.WO, g.W);
                    const T v = dy[(p * g.HO + oh) * g.WO + ow] / static_cast<T>(sh.padded * sw.padded);
                    for (int64_t h = sh.lo; h < sh.hi; ++h) {
                        for (int64_t w = sw.lo; w < sw.hi; ++w) d[h * g.W + w] += v;
                    }
                }
            }
        }
    });
}

#define KAYA_INSTANTIATE(T)                                                                      \
    template void max_pool2d_forward<T>(T*, int64_t*, const T*, const PoolGeometry&);            \
    template void max_pool2d_backward<T>(T*, const T*, const int64_t*, const PoolGeometry&);     \
    template void avg_pool2d_forward<T>(T*, const T*, const PoolGeometry&, bool);                \
    template void avg_pool2d_backward<T>(T*, const T*, const PoolGeometry&, bool);               \
    template void adaptive_avg_pool2d_forward<T>(T*, const T*, const PoolGeometry&);             \
    template void adaptive_avg_pool2d_backward<T>(T*, const T*, const PoolGeometry&);
KAYA_INSTANTIATE(float)
KAYA_INSTANTIATE(double)
#undef KAYA_INSTANTIATE

}  // namespace kaya::kernels
