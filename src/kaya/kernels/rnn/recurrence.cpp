// SPDX-License-Identifier: MIT
#include "kaya/kernels/rnn/recurrence.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/simd/exp.h"

namespace kaya::kernels {

namespace {

// exp over a buffer: the vectorised kernel for float, std::exp for double (tests).
void exp_into(float* out, const float* in, int64_t n) { simd::exp_forward(out, in, n); }
void exp_into(double* out, const double* in, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

// x <- sigmoid(x) = 1 / (1 + exp(-x)); exp(-x) = inf for very negative x gives 0 exactly.
template <class T>
void sigmoid_inplace(T* x, int64_t n, T* tmp) {
    for (int64_t i = 0; i < n; ++i) tmp[i] = -x[i];
    exp_into(tmp, tmp, n);
    for (int64_t i = 0; i < n; ++i) x[i] = T(1) / (T(1) + tmp[i]);
}

// out <- tanh(x) = 2 / (1 + exp(-2x)) - 1, so that it runs on the same vector exp.
template <class T>
void tanh_into(T* out, const T* x, int64_t n, T* tmp) {
    for (int64_t i = 0; i < n; ++i) tmp[i] = T(-2) * x[i];
    exp_into(tmp, tmp, n);
    for (int64_t i = 0; i < n; ++i) out[i] = T(2) / (T(1) + tmp[i]) - T(1);
}

template <class T>
void tanh_inplace(T* x, int64_t n, T* tmp) { tanh_into(x, x, n, tmp); }

// Row n of step t is inside its sequence.
inline bool inside(const bool* valid, int64_t t, int64_t N, int64_t n) {
    return !valid || valid[t * N + n];
}

// dw (G*H, H) = sum_t dg_t^T h_{t-1}, with h_{-1} = h0: two products over contiguous rows.
template <class T>
void recurrent_weight_grad(T* dw, const T* dg, const T* hs, const T* h0, int64_t steps,
                           int64_t N, int64_t GH, int64_t H) {
    gemm<T>(true, false, GH, H, N, T(1), dg, GH, h0, H, T(0), dw, H);
    if (steps > 1) {
        gemm<T>(true, false, GH, H, (steps - 1) * N, T(1), dg + N * GH, GH, hs, H, T(1), dw, H);
    }
}

}  // namespace

template <class T>
void lstm_forward(T* out, T* hs, T* cs, T* acts, const T* xg, const T* w_hh, const T* h0,
                  const T* c0, const bool* valid, int64_t steps, int64_t N, int64_t H) {
    const int64_t G = 4 * H;
    std::vector<T> tmp(static_cast<size_t>(N * G)), tc(static_cast<size_t>(H));
    for (int64_t t = 0; t < steps; ++t) {
        const T* h_prev = t ? hs + (t - 1) * N * H : h0;
        const T* c_prev = t ? cs + (t - 1) * N * H : c0;
        T* a = acts + t * N * G;
        std::memcpy(a, xg + t * N * G, sizeof(T) * static_cast<size_t>(N * G));
        gemm<T>(false, true, N, G, H, T(1), h_prev, H, w_hh, H, T(1), a, G);
        for (int64_t n = 0; n < N; ++n) {
            T* ar = a + n * G;
            sigmoid_inplace(ar, 2 * H, tmp.data());      // i, f
            tanh_inplace(ar + 2 * H, H, tmp.data());     // g
            sigmoid_inplace(ar + 3 * H, H, tmp.data());  // o
            const T* hp = h_prev + n * H;
            const T* cp = c_prev + n * H;
            T* h = hs + (t * N + n) * H;
            T* c = cs + (t * N + n) * H;
            T* o = out + (t * N + n) * H;
            if (!inside(valid, t, N, n)) {
                std::copy(hp, hp + H, h);
                std::copy(cp, cp + H, c);
                std::fill(o, o + H, T(0));
                continue;
            }
            for (int64_t j = 0; j < H; ++j) c[j] = ar[H + j] * cp[j] + ar[j] * ar[2 * H + j];
            tanh_into(tc.data(), c, H, tmp.data());
            for (int64_t j = 0; j < H; ++j) o[j] = h[j] = ar[3 * H + j] * tc[j];
        }
    }
}

template <class T>
void lstm_backward(T* dxg, T* dw_hh, T* dh0, T* dc0, const T* dout, const T* dh_n,
                   const T* dc_n, const T* acts, const T* hs, const T* cs, const T* w_hh,
                   const T* h0, const T* c0, const bool* valid, int64_t steps, int64_t N,
                   int64_t H) {
    const int64_t G = 4 * H;
    // dh, dc: gradients reaching the state after step t, carried backwards in time.
    std::vector<T> dh(static_cast<size_t>(N * H), T(0)), dc(dh), dh_prev(dh);
    std::vector<T> tc(static_cast<size_t>(H)), tmp(static_cast<size_t>(H));
    if (dh_n) std::copy(dh_n, dh_n + N * H, dh.begin());
    if (dc_n) std::copy(dc_n, dc_n + N * H, dc.begin());
    for (int64_t t = steps - 1; t >= 0; --t) {
        const T* c_prev = t ? cs + (t - 1) * N * H : c0;
        const T* a = acts + t * N * G;
        T* dg = dxg + t * N * G;
        for (int64_t n = 0; n < N; ++n) {
            T* dgr = dg + n * G;
            T* dhr = dh.data() + n * H;
            T* dcr = dc.data() + n * H;
            if (!inside(valid, t, N, n)) {
                std::fill(dgr, dgr + G, T(0));  // The state passes through unchanged.
                continue;
            }
            const T* ar = a + n * G;
            const T* c = cs + (t * N + n) * H;
            const T* cp = c_prev + n * H;
            const T* go = dout ? dout + (t * N + n) * H : nullptr;
            tanh_into(tc.data(), c, H, tmp.data());
            for (int64_t j = 0; j < H; ++j) {
                const T i = ar[j], f = ar[H + j], g = ar[2 * H + j], o = ar[3 * H + j];
                const T dhj = dhr[j] + (go ? go[j] : T(0));
                const T dct = dcr[j] + dhj * o * (T(1) - tc[j] * tc[j]);
                dgr[j] = dct * g * i * (T(1) - i);
                dgr[H + j] = dct * cp[j] * f * (T(1) - f);
                dgr[2 * H + j] = dct * i * (T(1) - g * g);
                dgr[3 * H + j] = dhj * tc[j] * o * (T(1) - o);
                dcr[j] = dct * f;
            }
        }
        // dh_{t-1} = dgates_t W_hh for rows inside their sequence, dh unchanged elsewhere.
        gemm<T>(false, false, N, H, G, T(1), dg, G, w_hh, H, T(0), dh_prev.data(), H);
        for (int64_t n = 0; n < N; ++n) {
            if (inside(valid, t, N, n)) {
                std::copy(dh_prev.begin() + n * H, dh_prev.begin() + (n + 1) * H, dh.begin() + n * H);
            }
        }
    }
    if (dh0) std::copy(dh.begin(), dh.end(), dh0);
    if (dc0) std::copy(dc.begin(), dc.end(), dc0);
    if (dw_hh) recurrent_weight_grad(dw_hh, dxg, hs, h0, steps, N, G, H);
}

template <class T>
void gru_forward(T* out, T* hs, T* acts, T* extra, const T* xg, const T* w_hh, const T* b_hh,
                 const T* h0, const bool* valid, int64_t steps, int64_t N, int64_t H) {
    const int64_t G = 3 * H;
    std::vector<T> gh(static_cast<size_t>(N * G)), tmp(static_cast<size_t>(G));
    for (int64_t t = 0; t < steps; ++t) {
        const T* h_prev = t ? hs + (t - 1) * N * H : h0;
        for (int64_t n = 0; n < N; ++n) {
            T* row = gh.data() + n * G;
            if (b_hh) {
                std::copy(b_hh, b_hh + G, row);
            } else {
                std::fill(row, row + G, T(0));
            }
        }
        gemm<T>(false, true, N, G, H, T(1), h_prev, H, w_hh, H, T(1), gh.data(), G);
        for (int64_t n = 0; n < N; ++n) {
            const T* x = xg + (t * N + n) * G;
            const T* g = gh.data() + n * G;
            T* a = acts + (t * N + n) * G;
            T* e = extra + (t * N + n) * H;
            const T* hp = h_prev + n * H;
            T* h = hs + (t * N + n) * H;
            T* o = out + (t * N + n) * H;
            for (int64_t j = 0; j < 2 * H; ++j) a[j] = x[j] + g[j];
            sigmoid_inplace(a, 2 * H, tmp.data());  // r, z
            for (int64_t j = 0; j < H; ++j) {
                e[j] = g[2 * H + j];
                a[2 * H + j] = x[2 * H + j] + a[j] * e[j];
            }
            tanh_inplace(a + 2 * H, H, tmp.data());  // n
            if (!inside(valid, t, N, n)) {
                std::copy(hp, hp + H, h);
                std::fill(o, o + H, T(0));
                continue;
            }
            for (int64_t j = 0; j < H; ++j) {
                const T nn = a[2 * H + j];
                o[j] = h[j] = nn + a[H + j] * (hp[j] - nn);
            }
        }
    }
}

template <class T>
void gru_backward(T* dxg, T* dw_hh, T* db_hh, T* dh0, const T* dout, const T* dh_n,
                  const T* acts, const T* extra, const T* hs, const T* w_hh, const T* h0,
                  const bool* valid, int64_t steps, int64_t N, int64_t H) {
    const int64_t G = 3 * H;
    std::vector<T> dh(static_cast<size_t>(N * H), T(0)), dh_prev(dh);
    // Gradients of h W_hh^T + b_hh: the r and z parts equal dxg's, the n part is r * dn.
    std::vector<T> dgh(static_cast<size_t>(steps * N * G));
    if (dh_n) std::copy(dh_n, dh_n + N * H, dh.begin());
    for (int64_t t = steps - 1; t >= 0; --t) {
        const T* h_prev = t ? hs + (t - 1) * N * H : h0;
        for (int64_t n = 0; n < N; ++n) {
            T* dx = dxg + (t * N + n) * G;
            T* dg = dgh.data() + (t * N + n) * G;
            T* dhr = dh.data() + n * H;
            if (!inside(valid, t, N, n)) {
                std::fill(dx, dx + G, T(0));
                std::fill(dg, dg + G, T(0));
                continue;
            }
            const T* a = acts + (t * N + n) * G;
            const T* e = extra + (t * N + n) * H;
            const T* hp = h_prev + n * H;
            const T* go = dout ? dout + (t * N + n) * H : nullptr;
            for (int64_t j = 0; j < H; ++j) {
                const T r = a[j], z = a[H + j], nn = a[2 * H + j];
                const T dhj = dhr[j] + (go ? go[j] : T(0));
                const T dn = dhj * (T(1) - z) * (T(1) - nn * nn);
                const T dz = dhj * (hp[j] - nn) * z * (T(1) - z);
                const T dr = dn * e[j] * r * (T(1) - r);
                dx[j] = dg[j] = dr;
                dx[H + j] = dg[H + j] = dz;
                dx[2 * H + j] = dn;
                dg[2 * H + j] = dn * r;
                dhr[j] = dhj * z;  // The direct path h' = ... + z h; the product adds below.
            }
        }
        gemm<T>(false, false, N, H, G, T(1), dgh.data() + t * N * G, G, w_hh, H, T(0),
                dh_prev.data(), H);
        for (int64_t n = 0; n < N; ++n) {
            if (!inside(valid, t, N, n)) continue;
            for (int64_t j = 0; j < H; ++j) dh[n * H + j] += dh_prev[n * H + j];
        }
    }
    if (dh0) std::copy(dh.begin(), dh.end(), dh0);
    if (dw_hh) recurrent_weight_grad(dw_hh, dgh.data(), hs, h0, steps, N, G, H);
    if (db_hh) {
        std::fill(db_hh, db_hh + G, T(0));
        for (int64_t r = 0; r < steps * N; ++r) {
            for (int64_t j = 0; j < G; ++j) db_hh[j] += dgh[static_cast<size_t>(r * G + j)];
        }
    }
}

#define KAYA_INSTANTIATE(T)                                                                     \
    template void lstm_forward<T>(T*, T*, T*, T*, const T*, const T*, const T*, const T*,       \
                                  const bool*, int64_t, int64_t, int64_t);                      \
    template void lstm_backward<T>(T*, T*, T*, T*, const T*, const T*, const T*, const T*,      \
                                   const T*, const T*, const T*, const T*, const T*,            \
                                   const bool*, int64_t, int64_t, int64_t);                     \
    template void gru_forward<T>(T*, T*, T*, T*, const T*, const T*, const T*, const T*,        \
                                 const bool*, int64_t, int64_t, int64_t);                       \
    template void gru_backward<T>(T*, T*, T*, T*, const T*, const T*, const T*, const T*,       \
                                  const T*, const T*, const T*, const bool*, int64_t, int64_t,  \
                                  int64_t);
KAYA_INSTANTIATE(float)
KAYA_INSTANTIATE(double)
#undef KAYA_INSTANTIATE

}  // namespace kaya::kernels
