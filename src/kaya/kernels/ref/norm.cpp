// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/norm.h"

#include <algorithm>
#include <cmath>

#include "kaya/core/parallel.h"

namespace kaya::kernels {

namespace {

// Rows per chunk so that a chunk holds about kParallelGrain elements.
int64_t row_grain(int64_t C) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(C, 1)); }

}  // namespace

template <class T>
void layer_norm_forward(T* out, T* mean, T* rstd, const T* x, const T* weight, const T* bias,
                        int64_t N, int64_t C, double eps) {
    parallel_for(N, row_grain(C), [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
            const T* xr = x + n * C;
            T* o = out + n * C;
            // Two passes (mean, then squared deviations) instead of E[x^2] - E[x]^2, which
            // cancels catastrophically when |mean| >> std.
            // Sums in double, in vector lanes (the order of the additions is free to change).
            double s = 0;
#pragma omp simd reduction(+ : s)
            for (int64_t c = 0; c < C; ++c) s += xr[c];
            const double mu = C ? s / static_cast<double>(C) : 0.0;
            double ss = 0;
#pragma omp simd reduction(+ : ss)
            for (int64_t c = 0; c < C; ++c) {
                const double d = xr[c] - mu;
                ss += d * d;
            }
            const double r = 1.0 / std::sqrt((C ? ss / static_cast<double>(C) : 0.0) + eps);
            mean[n] = static_cast<T>(mu);
            rstd[n] = static_cast<T>(r);
            const T m = static_cast<T>(mu), rs = static_cast<T>(r);
            for (int64_t c = 0; c < C; ++c) {
                T v = (xr[c] - m) * rs;
                if (weight) v *= weight[c];
                if (bias) v += bias[c];
                o[c] = v;
            }
        }
    });
}

template <class T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* weight, int64_t N, int64_t C) {
    if (dx) {
        parallel_for(N, row_grain(C), [&](int64_t begin, int64_t end) {
            for (int64_t n = begin; n < end; ++n) {
                const T* xr = x + n * C;
                const T* g = dy + n * C;
                const T m = mean[n], rs = rstd[n];
                double sg = 0, sgx = 0;
                for (int64_t c = 0; c < C; ++c) {
                    const T gw = weight ? g[c] * weight[c] : g[c];
                    sg += gw;
                    sgx += gw * ((xr[c] - m) * rs);
                }
                const T a = static_cast<T>(sg / static_cast<double>(C));
                const T b = static_cast<T>(sgx / static_cast<double>(C));
                T* d = dx + n * C;
                for (int64_t c = 0; c < C; ++c) {
                    const T gw = weight ? g[c] * weight[c] : g[c];
                    d[c] = rs * (gw - a - (xr[c] - m) * rs * b);
                }
            }
        });
    }
    if (!dweight && !dbias) return;
    // Column sums: each chunk owns whole columns and walks the rows in order (deterministic).
    parallel_for(C, std::max<int64_t>(8, kParallelGrain / std::max<int64_t>(N, 1)),
                 [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            if (dweight) dweight[c] = 0;
            if (dbias) dbias[c] = 0;
        }
        for (int64_t n = 0; n < N; ++n) {
            const T* xr = x + n * C;
            const T* g = dy + n * C;
            const T m = mean[n], rs = rstd[n];
            for (int64_t c = begin; c < end; ++c) {
                if (dweight) dweight[c] += g[c] * ((xr[c] - m) * rs);
                if (dbias) dbias[c] += g[c];
            }
        }
    });
}

// BatchNorm1d on (N, C) (S = 1): a channel's values are C apart, so the per-channel loops
// below would touch a new cache line per element. These versions walk rows in order and keep a
// block of channels' sums side by side; each channel's additions happen in the same order as
// in the general loops (rows ascending, in double), so the results are identical.
constexpr int64_t kChannelBlock = 64;

template <class T>
void batch_norm_forward_rows(T* out, T* mean, T* var, T* rstd, const T* x, const T* weight, const T* bias,
                             int64_t N, int64_t C, double eps, bool stats) {
    parallel_for(C, kChannelBlock, [&](int64_t begin, int64_t end) {
        for (int64_t c0 = begin; c0 < end; c0 += kChannelBlock) {
            const int64_t c1 = std::min(end, c0 + kChannelBlock), w = c1 - c0;
            double s[kChannelBlock] = {}, ss[kChannelBlock] = {}, mu[kChannelBlock];
            T a[kChannelBlock], b[kChannelBlock];
            if (stats) {
                for (int64_t n = 0; n < N; ++n) {
                    for (int64_t j = 0; j < w; ++j) s[j] += x[n * C + c0 + j];
                }
                const double count = static_cast<double>(N);
                for (int64_t j = 0; j < w; ++j) mu[j] = count > 0 ? s[j] / count : 0.0;
                for (int64_t n = 0; n < N; ++n) {
                    for (int64_t j = 0; j < w; ++j) {
                        const double d = x[n * C + c0 + j] - mu[j];
                        ss[j] += d * d;
                    }
                }
                for (int64_t j = 0; j < w; ++j) {
                    mean[c0 + j] = static_cast<T>(mu[j]);
                    var[c0 + j] = static_cast<T>(count > 0 ? ss[j] / count : 0.0);
                }
            }
            for (int64_t j = 0; j < w; ++j) {
                const int64_t c = c0 + j;
                const double r = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
                rstd[c] = static_cast<T>(r);
                a[j] = static_cast<T>(r * (weight ? static_cast<double>(weight[c]) : 1.0));
                b[j] = static_cast<T>((bias ? static_cast<double>(bias[c]) : 0.0) -
                                      static_cast<double>(mean[c]) * static_cast<double>(a[j]));
            }
            for (int64_t n = 0; n < N; ++n) {
                for (int64_t j = 0; j < w; ++j) out[n * C + c0 + j] = x[n * C + c0 + j] * a[j] + b[j];
            }
        }
    });
}

template <class T>
void batch_norm_backward_rows(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean, const T* rstd,
                              const T* weight, int64_t N, int64_t C, bool batch_stats) {
    parallel_for(C, kChannelBlock, [&](int64_t begin, int64_t end) {
        for (int64_t c0 = begin; c0 < end; c0 += kChannelBlock) {
            const int64_t c1 = std::min(end, c0 + kChannelBlock), w = c1 - c0;
            double sg[kChannelBlock] = {}, sgx[kChannelBlock] = {};
            for (int64_t n = 0; n < N; ++n) {
                for (int64_t j = 0; j < w; ++j) {
                    const int64_t i = n * C + c0 + j;
                    sg[j] += dy[i];
                    sgx[j] += dy[i] * ((x[i] - mean[c0 + j]) * rstd[c0 + j]);
                }
            }
            for (int64_t j = 0; j < w; ++j) {
                if (dweight) dweight[c0 + j] = static_cast<T>(sgx[j]);
                if (dbias) dbias[c0 + j] = static_cast<T>(sg[j]);
            }
            if (!dx) continue;
            const double count = static_cast<double>(N);
            T a[kChannelBlock], b[kChannelBlock], k[kChannelBlock];
            for (int64_t j = 0; j < w; ++j) {
                a[j] = batch_stats && count > 0 ? static_cast<T>(sg[j] / count) : T(0);
                b[j] = batch_stats && count > 0 ? static_cast<T>(sgx[j] / count) : T(0);
                k[j] = rstd[c0 + j] * (weight ? weight[c0 + j] : T(1));
            }
            for (int64_t n = 0; n < N; ++n) {
                for (int64_t j = 0; j < w; ++j) {
                    const int64_t i = n * C + c0 + j;
                    dx[i] = k[j] * (dy[i] - a[j] - (x[i] - mean[c0 + j]) * rstd[c0 + j] * b[j]);
                }
            }
        }
    });
}

template <class T>
void batch_norm_forward(T* out, T* mean, T* var, T* rstd, const T* x, const T* weight, const T* bias,
                        int64_t N, int64_t C, int64_t S, double eps, bool stats) {
    if (S == 1) {
        batch_norm_forward_rows(out, mean, var, rstd, x, weight, bias, N, C, eps, stats);
        return;
    }
    parallel_for(C, 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            if (stats) {
                double s = 0;
                for (int64_t n = 0; n < N; ++n) {
                    const T* xs = x + (n * C + c) * S;
                    for (int64_t i = 0; i < S; ++i) s += xs[i];
                }
                const double count = static_cast<double>(N * S);
                const double mu = count > 0 ? s / count : 0.0;
                double ss = 0;
                for (int64_t n = 0; n < N; ++n) {
                    const T* xs = x + (n * C + c) * S;
                    for (int64_t i = 0; i < S; ++i) {
                        const double d = xs[i] - mu;
                        ss += d * d;
                    }
                }
                mean[c] = static_cast<T>(mu);
                var[c] = static_cast<T>(count > 0 ? ss / count : 0.0);
            }
            const double r = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
            rstd[c] = static_cast<T>(r);
            // out = x * a + b with a = rstd * weight, b = bias - mean * a.
            const T a = static_cast<T>(r * (weight ? static_cast<double>(weight[c]) : 1.0));
            const T b = static_cast<T>((bias ? static_cast<double>(bias[c]) : 0.0) -
                                       static_cast<double>(mean[c]) * static_cast<double>(a));
            for (int64_t n = 0; n < N; ++n) {
                const T* xs = x + (n * C + c) * S;
                T* o = out + (n * C + c) * S;
                for (int64_t i = 0; i < S; ++i) o[i] = xs[i] * a + b;
            }
        }
    });
}

template <class T>
void batch_norm_backward(T* dx, T* dweight, T* dbias, const T* dy, const T* x, const T* mean,
                         const T* rstd, const T* weight, int64_t N, int64_t C, int64_t S,
                         bool batch_stats) {
    if (S == 1) {
        batch_norm_backward_rows(dx, dweight, dbias, dy, x, mean, rstd, weight, N, C, batch_stats);
        return;
    }
    parallel_for(C, 1, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) {
            const T m = mean[c], rs = rstd[c];
            double sg = 0, sgx = 0;  // sum dy, sum dy * xhat
            for (int64_t n = 0; n < N; ++n) {
                const T* xs = x + (n * C + c) * S;
                const T* g = dy + (n * C + c) * S;
                for (int64_t i = 0; i < S; ++i) {
                    sg += g[i];
                    sgx += g[i] * ((xs[i] - m) * rs);
                }
            }
            if (dweight) dweight[c] = static_cast<T>(sgx);
            if (dbias) dbias[c] = static_cast<T>(sg);
            if (!dx) continue;
            const T w = weight ? weight[c] : T(1);
            const double count = static_cast<double>(N * S);
            // With batch statistics: dx = rstd * w * (dy - mean(dy) - xhat * mean(dy * xhat)).
            const T a = batch_stats && count > 0 ? static_cast<T>(sg / count) : T(0);
            const T b = batch_stats && count > 0 ? static_cast<T>(sgx / count) : T(0);
            const T k = rs * w;
            for (int64_t n = 0; n < N; ++n) {
                const T* xs = x + (n * C + c) * S;
                const T* g = dy + (n * C + c) * S;
                T* d = dx + (n * C + c) * S;
                for (int64_t i = 0; i < S; ++i) d[i] = k * (g[i] - a - (xs[i] - m) * rs * b);
            }
        }
    });
}

#define KAYA_INSTANTIATE(T)                                                                   \
    template void layer_norm_forward<T>(T*, T*, T*, const T*, const T*, const T*, int64_t,    \
                                        int64_t, double);                                     \
    template void layer_norm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,  \
                                         const T*, int64_t, int64_t);                         \
    template void batch_norm_forward<T>(T*, T*, T*, T*, const T*, const T*, const T*, int64_t, \
                                        int64_t, int64_t, double, bool);                      \
    template void batch_norm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,  \
                                         const T*, int64_t, int64_t, int64_t, bool);
KAYA_INSTANTIATE(float)
KAYA_INSTANTIATE(double)
#undef KAYA_INSTANTIATE

}  // namespace kaya::kernels
