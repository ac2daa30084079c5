// SPDX-License-Identifier: MIT
#include "kaya/kernels/fft/fft.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/scratch.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {
namespace {

// Signals are processed in blocks of 2 L: L complex transforms in the lanes of a 64-byte
// vector, each carrying two real signals. Buffers are split (real, imaginary) and element e of
// lane l sits at e * L + l, so every butterfly below is a loop over contiguous lanes.
template <class T>
constexpr int64_t kLanes = 64 / sizeof(T);

// One pass of the Stockham DIF recursion: a length-n_stage transform becomes r transforms of
// length m = n_stage / r, with s = n / n_stage of them side by side. Input element
// (q + s (p + j m)) for j < r feeds output elements (q + s (r p + k)), twiddled by w^{p k},
// w = e^{-2 pi i / n_stage}. Twiddles are (m, r - 1); roots are e^{-2 pi i t / r} for t < r.
template <class T>
struct Stage {
    int64_t r = 0, m = 0, s = 0;
    std::vector<T> twr, twi, rootr, rooti;
};

template <class T>
struct Plan {
    int64_t n = 0;
    std::vector<Stage<T>> stages;
};

// Radix order: 4s first (fewest passes), then 2, 3, then odd primes in increasing order.
std::vector<int64_t> radices(int64_t n) {
    std::vector<int64_t> f;
    while (n % 4 == 0) f.push_back(4), n /= 4;
    for (int64_t p : {2, 3}) {
        while (n % p == 0) f.push_back(p), n /= p;
    }
    for (int64_t p = 5; n > 1; p += 2) {
        if (p * p > n) p = n;  // The rest is prime.
        while (n % p == 0) f.push_back(p), n /= p;
    }
    return f;
}

// cos and sin of -2 pi a / b, in double with the argument reduced exactly first.
void unit_root(int64_t a, int64_t b, double& c, double& s) {
    double angle = -2.0 * std::numbers::pi * static_cast<double>(a % b) / static_cast<double>(b);
    c = std::cos(angle);
    s = std::sin(angle);
}

template <class T>
std::unique_ptr<Plan<T>> make_plan(int64_t n) {
    auto plan = std::make_unique<Plan<T>>();
    plan->n = n;
    int64_t n_stage = n, s = 1;
    for (int64_t r : radices(n)) {
        Stage<T> st;
        st.r = r;
        st.m = n_stage / r;
        st.s = s;
        st.twr.resize(st.m * (r - 1));
        st.twi.resize(st.m * (r - 1));
        for (int64_t p = 0; p < st.m; ++p) {
            for (int64_t k = 1; k < r; ++k) {
                double c, sn;
                unit_root(p * k, n_stage, c, sn);
                st.twr[p * (r - 1) + k - 1] = static_cast<T>(c);
                st.twi[p * (r - 1) + k - 1] = static_cast<T>(sn);
            }
        }
        for (int64_t t = 0; t < r; ++t) {
            double c, sn;
            unit_root(t, r, c, sn);
            st.rootr.push_back(static_cast<T>(c));
            st.rooti.push_back(static_cast<T>(sn));
        }
        plan->stages.push_back(std::move(st));
        n_stage /= r;
        s *= r;
    }
    return plan;
}

// Plans are made once per length and dtype and kept for the process (a handful of lengths).
template <class T>
const Plan<T>& plan_for(int64_t n) {
    static std::mutex mutex;
    static std::map<int64_t, std::unique_ptr<Plan<T>>> plans;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = plans[n];
    if (!slot) slot = make_plan<T>(n);
    return *slot;
}

// y_k = twiddle_k * x_k for k >= 1, in place over a run of `len` lanes.
template <class T>
inline void twiddle(T* __restrict yr, T* __restrict yi, int64_t len, T wr, T wi) {
    for (int64_t i = 0; i < len; ++i) {
        T a = yr[i], b = yi[i];
        yr[i] = a * wr - b * wi;
        yi[i] = a * wi + b * wr;
    }
}

template <class T>
void radix2(const Stage<T>& st, T* yr, T* yi, const T* xr, const T* xi) {
    const int64_t len = st.s * kLanes<T>, m = st.m;
    for (int64_t p = 0; p < m; ++p) {
        const T *a0r = xr + p * len, *a0i = xi + p * len;
        const T *a1r = xr + (p + m) * len, *a1i = xi + (p + m) * len;
        T *y0r = yr + 2 * p * len, *y0i = yi + 2 * p * len;
        T *y1r = y0r + len, *y1i = y0i + len;
        const T wr = st.twr[p], wi = st.twi[p];
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) {
            T dr = a0r[i] - a1r[i], di = a0i[i] - a1i[i];
            y0r[i] = a0r[i] + a1r[i];
            y0i[i] = a0i[i] + a1i[i];
            y1r[i] = dr * wr - di * wi;
            y1i[i] = dr * wi + di * wr;
        }
    }
}

template <class T>
void radix3(const Stage<T>& st, T* yr, T* yi, const T* xr, const T* xi) {
    const int64_t len = st.s * kLanes<T>, m = st.m;
    const T h = static_cast<T>(std::sqrt(3.0) / 2.0);
    for (int64_t p = 0; p < m; ++p) {
        const T *a0r = xr + p * len, *a0i = xi + p * len;
        const T *a1r = xr + (p + m) * len, *a1i = xi + (p + m) * len;
        const T *a2r = xr + (p + 2 * m) * len, *a2i = xi + (p + 2 * m) * len;
        T *y0r = yr + 3 * p * len, *y0i = yi + 3 * p * len;
        const T* tr = &st.twr[2 * p];
        const T* ti = &st.twi[2 * p];
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) {
            // c1,2 = a0 - (a1 + a2) / 2 -+ i (sqrt 3 / 2)(a1 - a2).
            T sr = a1r[i] + a2r[i], si = a1i[i] + a2i[i];
            T dr = h * (a1r[i] - a2r[i]), di = h * (a1i[i] - a2i[i]);
            T br = a0r[i] - T(0.5) * sr, bi = a0i[i] - T(0.5) * si;
            y0r[i] = a0r[i] + sr;
            y0i[i] = a0i[i] + si;
            T c1r = br + di, c1i = bi - dr, c2r = br - di, c2i = bi + dr;
            y0r[len + i] = c1r * tr[0] - c1i * ti[0];
            y0i[len + i] = c1r * ti[0] + c1i * tr[0];
            y0r[2 * len + i] = c2r * tr[1] - c2i * ti[1];
            y0i[2 * len + i] = c2r * ti[1] + c2i * tr[1];
        }
    }
}

template <class T>
void radix4(const Stage<T>& st, T* yr, T* yi, const T* xr, const T* xi) {
    const int64_t len = st.s * kLanes<T>, m = st.m;
    for (int64_t p = 0; p < m; ++p) {
        const T *a0r = xr + p * len, *a0i = xi + p * len;
        const T *a1r = xr + (p + m) * len, *a1i = xi + (p + m) * len;
        const T *a2r = xr + (p + 2 * m) * len, *a2i = xi + (p + 2 * m) * len;
        const T *a3r = xr + (p + 3 * m) * len, *a3i = xi + (p + 3 * m) * len;
        T *y0r = yr + 4 * p * len, *y0i = yi + 4 * p * len;
        const T* tr = &st.twr[3 * p];
        const T* ti = &st.twi[3 * p];
#pragma omp simd
        for (int64_t i = 0; i < len; ++i) {
            // c0 = (a0 + a2) + (a1 + a3), c2 = (a0 + a2) - (a1 + a3),
            // c1 = (a0 - a2) - i (a1 - a3), c3 = (a0 - a2) + i (a1 - a3).
            T s02r = a0r[i] + a2r[i], s02i = a0i[i] + a2i[i];
            T d02r = a0r[i] - a2r[i], d02i = a0i[i] - a2i[i];
            T s13r = a1r[i] + a3r[i], s13i = a1i[i] + a3i[i];
            T d13r = a1r[i] - a3r[i], d13i = a1i[i] - a3i[i];
            y0r[i] = s02r + s13r;
            y0i[i] = s02i + s13i;
            T c1r = d02r + d13i, c1i = d02i - d13r;
            T c2r = s02r - s13r, c2i = s02i - s13i;
            T c3r = d02r - d13i, c3i = d02i + d13r;
            y0r[len + i] = c1r * tr[0] - c1i * ti[0];
            y0i[len + i] = c1r * ti[0] + c1i * tr[0];
            y0r[2 * len + i] = c2r * tr[1] - c2i * ti[1];
            y0i[2 * len + i] = c2r * ti[1] + c2i * tr[1];
            y0r[3 * len + i] = c3r * tr[2] - c3i * ti[2];
            y0i[3 * len + i] = c3r * ti[2] + c3i * tr[2];
        }
    }
}

// Any radix: a direct r-point DFT per butterfly, O(r^2).
template <class T>
void radix_any(const Stage<T>& st, T* yr, T* yi, const T* xr, const T* xi) {
    const int64_t len = st.s * kLanes<T>, m = st.m, r = st.r;
    for (int64_t p = 0; p < m; ++p) {
        for (int64_t k = 0; k < r; ++k) {
            T* __restrict ykr = yr + (r * p + k) * len;
            T* __restrict yki = yi + (r * p + k) * len;
            for (int64_t i = 0; i < len; ++i) ykr[i] = yki[i] = T(0);
            for (int64_t j = 0; j < r; ++j) {
                const T* ajr = xr + (p + j * m) * len;
                const T* aji = xi + (p + j * m) * len;
                const T cr = st.rootr[(j * k) % r], ci = st.rooti[(j * k) % r];
#pragma omp simd
                for (int64_t i = 0; i < len; ++i) {
                    ykr[i] += ajr[i] * cr - aji[i] * ci;
                    yki[i] += ajr[i] * ci + aji[i] * cr;
                }
            }
            if (k > 0) twiddle(ykr, yki, len, st.twr[p * (r - 1) + k - 1], st.twi[p * (r - 1) + k - 1]);
        }
    }
}

// Forward complex FFT of the L lanes in (xr, xi), using (yr, yi) as the other buffer. Returns
// which buffer holds the result: false for x, true for y.
template <class T>
bool fft_lanes(const Plan<T>& plan, T* xr, T* xi, T* yr, T* yi) {
    bool in_y = false;
    for (const Stage<T>& st : plan.stages) {
        const T* sr = in_y ? yr : xr;
        const T* si = in_y ? yi : xi;
        T* dr = in_y ? xr : yr;
        T* di = in_y ? xi : yi;
        switch (st.r) {
            case 2: radix2(st, dr, di, sr, si); break;
            case 3: radix3(st, dr, di, sr, si); break;
            case 4: radix4(st, dr, di, sr, si); break;
            default: radix_any(st, dr, di, sr, si); break;
        }
        in_y = !in_y;
    }
    return in_y;
}

// Copies the S x S tile whose row r starts at src + r * src_stride to dst transposed (row c at
// dst + c * dst_stride), times `scale`, S = simd::kLanes<T> (one register a row): the lanes of
// the transforms below are the signals, so signals enter and leave them through transposes,
// done in registers (64 shuffles for 16 x 16 floats) instead of one strided move per element.
template <class T>
[[gnu::always_inline]] inline void transpose_tile(T* dst, int64_t dst_stride, const T* src,
                                                  int64_t src_stride, T scale = T(1)) {
    constexpr int64_t S = simd::kLanes<T>;
    simd::Vec<T> rows[S];
    for (int64_t r = 0; r < S; ++r) rows[r] = simd::load(src + r * src_stride) * scale;
    simd::transpose<T>(rows);
    for (int64_t c = 0; c < S; ++c) simd::store(dst + c * dst_stride, rows[c]);
}

// Signals s0 + 2 l and s0 + 2 l + 1 become lane l's real and imaginary parts, zero-padded from
// len to n samples (and zero lanes past the last signal). in rows are `stride` apart. A whole
// block moves in S x S tiles; a partial one, and samples past the last whole tile, one by one.
template <class T>
void pack_lanes(T* xr, T* xi, const T* in, int64_t signals, int64_t len, int64_t stride, int64_t n,
                int64_t s0) {
    constexpr int64_t L = kLanes<T>, S = simd::kLanes<T>;
    const bool whole = signals == 2 * L;
    const int64_t tiled = whole ? len / S * S : 0;
    for (int64_t i = (whole ? len : 0) * L; i < n * L; ++i) xr[i] = xi[i] = T(0);
    for (int64_t t0 = 0; t0 < tiled; t0 += S) {
        for (int64_t l0 = 0; l0 < L; l0 += S) {
            const T* src = in + (s0 + 2 * l0) * stride + t0;
            transpose_tile(xr + t0 * L + l0, L, src, 2 * stride);
            transpose_tile(xi + t0 * L + l0, L, src + stride, 2 * stride);
        }
    }
    for (int64_t j = 0; j < signals; ++j) {
        T* dst = (j % 2 == 0 ? xr : xi) + j / 2;
        const T* src = in + (s0 + j) * stride;
        for (int64_t t = tiled; t < len; ++t) dst[t * L] = src[t];
    }
}

// pack_lanes' inverse for n samples: lane l's real part, times scale, becomes signal s0 + 2 l and
// its imaginary part, times -scale, signal s0 + 2 l + 1 (irfft's conj and 1/n).
template <class T>
void unpack_lanes(T* out, const T* fr, const T* fi, int64_t signals, int64_t n, int64_t s0,
                  T scale) {
    constexpr int64_t L = kLanes<T>, S = simd::kLanes<T>;
    const int64_t tiled = signals == 2 * L ? n / S * S : 0;
    for (int64_t t0 = 0; t0 < tiled; t0 += S) {
        for (int64_t l0 = 0; l0 < L; l0 += S) {
            T* o = out + (s0 + 2 * l0) * n + t0;
            transpose_tile(o, 2 * n, fr + t0 * L + l0, L, scale);
            transpose_tile(o + n, 2 * n, fi + t0 * L + l0, L, -scale);
        }
    }
    for (int64_t j = 0; j < signals; ++j) {
        const T* src = (j % 2 == 0 ? fr : fi) + j / 2;
        const T sign = j % 2 == 0 ? scale : -scale;
        T* o = out + (s0 + j) * n;
        for (int64_t t = tiled; t < n; ++t) o[t] = sign * src[t * L];
    }
}

// rfft's output from the lanes' transforms (fr, fi): Z = A + i B with A, B the spectra of
// signals s0 + 2 l and s0 + 2 l + 1, A_k = (Z_k + conj Z_{n-k}) / 2 and
// B_k = (Z_k - conj Z_{n-k}) / (2 i). For a whole block, S/2 bins at a time: their (re, im) of
// S lanes form S rows, whose transpose is the S outputs of S signals (S/2 bins of each).
template <class T>
void unpack_spectra(T* out, const T* fr, const T* fi, int64_t signals, int64_t n, int64_t s0) {
    constexpr int64_t L = kLanes<T>, S = simd::kLanes<T>;
    using V = simd::Vec<T>;
    const int64_t bins = n / 2 + 1;
    const int64_t tiled = signals == 2 * L ? bins / (S / 2) * (S / 2) : 0;
    const T half(0.5);
    for (int64_t k0 = 0; k0 < tiled; k0 += S / 2) {
        for (int64_t l0 = 0; l0 < L; l0 += S) {
            V a[S], b[S];
            for (int64_t h = 0; h < S / 2; ++h) {
                const int64_t k = k0 + h, kk = k == 0 ? 0 : n - k;
                const V zr = simd::load(fr + k * L + l0), zi = simd::load(fi + k * L + l0);
                const V cr = simd::load(fr + kk * L + l0), ci = simd::load(fi + kk * L + l0);
                a[2 * h] = half * (zr + cr);
                a[2 * h + 1] = half * (zi - ci);
                b[2 * h] = half * (zi + ci);
                b[2 * h + 1] = half * (cr - zr);
            }
            simd::transpose<T>(a);
            simd::transpose<T>(b);
            for (int64_t r = 0; r < S; ++r) {
                T* o = out + (s0 + 2 * (l0 + r)) * bins * 2 + 2 * k0;
                simd::store(o, a[r]);
                simd::store(o + bins * 2, b[r]);
            }
        }
    }
    for (int64_t j = 0; j < signals; ++j) {
        const int64_t l = j / 2;
        T* o = out + (s0 + j) * bins * 2;
        for (int64_t k = tiled; k < bins; ++k) {
            const int64_t kk = k == 0 ? 0 : n - k;
            const T zr = fr[k * L + l], zi = fi[k * L + l], cr = fr[kk * L + l],
                    ci = fi[kk * L + l];
            o[2 * k] = j % 2 == 0 ? half * (zr + cr) : half * (zi + ci);
            o[2 * k + 1] = j % 2 == 0 ? half * (zi - ci) : half * (cr - zr);
        }
    }
}

// irfft's input to the lanes: conj Z over all n bins, Z = A + i B with A, B the Hermitian
// spectra of signals s0 + 2 l and s0 + 2 l + 1 (the imaginary parts of bin 0 and n/2 taken as
// zero): conj Z_k = (Ar - Bi, -(Ai + Br)) for k <= n/2 and conj Z_{n-k} = (Ar + Bi, Ai - Br).
// A whole block reads S/2 bins of S signals at a time as S rows and transposes them.
template <class T>
void pack_spectra(T* xr, T* xi, const T* in, int64_t signals, int64_t n, int64_t s0) {
    constexpr int64_t L = kLanes<T>, S = simd::kLanes<T>;
    using V = simd::Vec<T>;
    const int64_t bins = n / 2 + 1;
    const bool whole = signals == 2 * L;
    const int64_t tiled = whole ? bins / (S / 2) * (S / 2) : 0;
    if (!whole) {
        for (int64_t i = 0; i < n * L; ++i) xr[i] = xi[i] = T(0);
    }
    auto put = [&](int64_t k, int64_t l, auto ar, auto ai, auto br, auto bi, auto store) {
        store(xr + k * L + l, ar - bi);
        store(xi + k * L + l, -(ai + br));
        if (k > 0 && n - k >= bins) {
            store(xr + (n - k) * L + l, ar + bi);
            store(xi + (n - k) * L + l, ai - br);
        }
    };
    for (int64_t k0 = 0; k0 < tiled; k0 += S / 2) {
        for (int64_t l0 = 0; l0 < L; l0 += S) {
            V a[S], b[S];
            for (int64_t r = 0; r < S; ++r) {
                const T* src = in + (s0 + 2 * (l0 + r)) * bins * 2 + 2 * k0;
                a[r] = simd::load(src);
                b[r] = simd::load(src + bins * 2);
            }
            simd::transpose<T>(a);
            simd::transpose<T>(b);
            for (int64_t h = 0; h < S / 2; ++h) {
                const int64_t k = k0 + h;
                const bool real = k == 0 || 2 * k == n;
                const V zero{};
                put(k, l0, a[2 * h], real ? zero : a[2 * h + 1], b[2 * h],
                    real ? zero : b[2 * h + 1], [](T* p, V v) { simd::store(p, v); });
            }
        }
    }
    for (int64_t l = 0; l < (signals + 1) / 2; ++l) {
        const T* pa = in + (s0 + 2 * l) * bins * 2;
        const T* pb = 2 * l + 1 < signals ? pa + bins * 2 : nullptr;
        for (int64_t k = tiled; k < bins; ++k) {
            const bool real = k == 0 || 2 * k == n;
            const T ar = pa[2 * k], ai = real ? T(0) : pa[2 * k + 1];
            const T br = pb ? pb[2 * k] : T(0), bi = pb && !real ? pb[2 * k + 1] : T(0);
            put(k, l, ar, ai, br, bi, [](T* p, T v) { *p = v; });
        }
    }
}

// Blocks of 2 L signals, split over the pool by the work a block costs.
template <class T, class F>
void for_each_block(int64_t count, int64_t n, F&& f) {
    const int64_t block = 2 * kLanes<T>;
    const int64_t blocks = (count + block - 1) / block;
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / (n * block));
    parallel_for(blocks, grain, [&](int64_t b0, int64_t b1) {
        // Four (n, L) buffers, then 2 L values (stft_power_forward's powers of one bin).
        T* buf = scratch<T>(6, static_cast<size_t>((4 * n + 2) * kLanes<T>));
        for (int64_t b = b0; b < b1; ++b) {
            f(b * block, std::min(count, (b + 1) * block), buf);
        }
    });
}

}  // namespace

template <class T>
void rfft_forward(T* out, const T* in, int64_t count, int64_t len, int64_t n) {
    constexpr int64_t L = kLanes<T>;
    const Plan<T>& plan = plan_for<T>(n);
    for_each_block<T>(count, n, [&](int64_t s0, int64_t s1, T* buf) {
        T *xr = buf, *xi = buf + n * L, *yr = buf + 2 * n * L, *yi = buf + 3 * n * L;
        // Signal s0 + 2 l is lane l's real part, s0 + 2 l + 1 its imaginary part.
        pack_lanes(xr, xi, in, s1 - s0, len, len, n, s0);
        bool in_y = fft_lanes(plan, xr, xi, yr, yi);
        const T* fr = in_y ? yr : xr;
        const T* fi = in_y ? yi : xi;
        unpack_spectra(out, fr, fi, s1 - s0, n, s0);
    });
}

template <class T>
void irfft_forward(T* out, const T* in, int64_t count, int64_t n) {
    constexpr int64_t L = kLanes<T>;
    const Plan<T>& plan = plan_for<T>(n);
    const T scale = T(1) / static_cast<T>(n);
    for_each_block<T>(count, n, [&](int64_t s0, int64_t s1, T* buf) {
        T *xr = buf, *xi = buf + n * L, *yr = buf + 2 * n * L, *yi = buf + 3 * n * L;
        // Z = A + i B over all n bins (A, B Hermitian), then z = conj(fft(conj Z)) / n, whose
        // real part is signal s0 + 2 l and imaginary part signal s0 + 2 l + 1.
        pack_spectra(xr, xi, in, s1 - s0, n, s0);
        bool in_y = fft_lanes(plan, xr, xi, yr, yi);
        const T* fr = in_y ? yr : xr;
        const T* fi = in_y ? yi : xi;
        unpack_lanes(out, fr, fi, s1 - s0, n, s0, scale);
    });
}

template <class T>
void stft_power_forward(T* out, const T* in, const T* window, int64_t rows, int64_t len, int64_t frames,
                        int64_t n_fft, int64_t hop, T scale, T power) {
    constexpr int64_t L = kLanes<T>;
    const Plan<T>& plan = plan_for<T>(n_fft);
    const int64_t bins = n_fft / 2 + 1, per_row = (frames + 2 * L - 1) / (2 * L);
    const T s2 = scale * scale;
    // Blocks never straddle rows, so each one's frames are consecutive in its row's output.
    for_each_block<T>(rows * per_row * 2 * L, n_fft, [&](int64_t b0, int64_t, T* buf) {
        const int64_t row = b0 / (2 * L) / per_row, f0 = (b0 / (2 * L) % per_row) * 2 * L;
        const int64_t count = std::min(2 * L, frames - f0);
        T *xr = buf, *xi = buf + n_fft * L, *yr = buf + 2 * n_fft * L, *yi = buf + 3 * n_fft * L;
        const T* signal = in + row * len + f0 * hop;
        if (count == 2 * L) {
            // Lane l of sample t reads frames 2 l and 2 l + 1: strided loads (gathers) and
            // whole-vector stores, instead of one scalar store per sample and frame.
            const int64_t step = 2 * hop;
            for (int64_t t = 0; t < n_fft; ++t) {
                const T w = window[t];
                const T* a = signal + t;
                const T* b = signal + hop + t;
                T* dr = xr + t * L;
                T* di = xi + t * L;
#pragma omp simd
                for (int64_t l = 0; l < L; ++l) {
                    dr[l] = a[l * step] * w;
                    di[l] = b[l * step] * w;
                }
            }
        } else {
            for (int64_t i = 0; i < n_fft * L; ++i) xr[i] = xi[i] = T(0);
            for (int64_t j = 0; j < count; ++j) {
                T* dst = (j % 2 == 0 ? xr : xi) + j / 2;
                const T* src = signal + j * hop;
                for (int64_t t = 0; t < n_fft; ++t) dst[t * L] = src[t] * window[t];
            }
        }
        bool in_y = fft_lanes(plan, xr, xi, yr, yi);
        const T* fr = in_y ? yr : xr;
        const T* fi = in_y ? yi : xi;
        T* o = out + row * bins * frames + f0;
        T* pw = buf + 4 * n_fft * L;  // The block's 2 L powers of one bin, in frame order.
        for (int64_t k = 0; k < bins; ++k) {
            const int64_t kk = k == 0 ? 0 : n_fft - k;
            const T *zr = fr + k * L, *zi = fi + k * L, *cr = fr + kk * L, *ci = fi + kk * L;
            // |A|^2 and |B|^2 from Z = A + i B without forming A and B: 4|A|^2 = (zr + cr)^2 +
            // (zi - ci)^2 and 4|B|^2 = (zi + ci)^2 + (cr - zr)^2.
#pragma omp simd
            for (int64_t l = 0; l < L; ++l) {
                const T ar = zr[l] + cr[l], ai = zi[l] - ci[l], br = zi[l] + ci[l], bi = cr[l] - zr[l];
                pw[2 * l] = T(0.25) * s2 * (ar * ar + ai * ai);
                pw[2 * l + 1] = T(0.25) * s2 * (br * br + bi * bi);
            }
            T* ok = o + k * frames;
            if (power == T(2)) {
                for (int64_t j = 0; j < count; ++j) ok[j] = pw[j];
            } else if (power == T(1)) {
                for (int64_t j = 0; j < count; ++j) ok[j] = std::sqrt(pw[j]);
            } else {
                for (int64_t j = 0; j < count; ++j) ok[j] = std::pow(pw[j], power / T(2));
            }
        }
    });
}

template void stft_power_forward<float>(float*, const float*, const float*, int64_t, int64_t, int64_t, int64_t,
                                        int64_t, float, float);
template void stft_power_forward<double>(double*, const double*, const double*, int64_t, int64_t, int64_t,
                                         int64_t, int64_t, double, double);
template void rfft_forward<float>(float*, const float*, int64_t, int64_t, int64_t);
template void rfft_forward<double>(double*, const double*, int64_t, int64_t, int64_t);
template void irfft_forward<float>(float*, const float*, int64_t, int64_t);
template void irfft_forward<double>(double*, const double*, int64_t, int64_t);

}  // namespace kaya::kernels
