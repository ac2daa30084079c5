// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/reduce.h"

#include <cmath>
#include <limits>
#include <vector>

#include "kaya/kernels/simd/exp.h"
#include "kaya/kernels/simd/vec.h"

namespace kaya::kernels {

namespace {

// A long contiguous floating-point run: 32 partial sums in double vectors (8 elements converted
// at a time), combined in a fixed order, then the tail.
template <class T>
inline double add_contiguous(const T* p, int64_t n, int64_t& done) {
    typedef double D __attribute__((vector_size(64)));  // 8 sums, whatever simd::Vec's width
    typedef T In __attribute__((vector_size(8 * sizeof(T)), aligned(sizeof(T)), may_alias));
    D a[4] = {};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int k = 0; k < 4; ++k) a[k] += __builtin_convertvector(*reinterpret_cast<const In*>(p + i + 8 * k), D);
    }
    done = i;
    const D t = (a[0] + a[1]) + (a[2] + a[3]);
    return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}

// One run of n elements `s` apart added to acc.
template <class T>
inline void add_run(SumAcc<T>& acc, const T* p, int64_t n, int64_t s) {
    if constexpr (std::is_floating_point_v<T>) {
        if (s == 1 && n >= 64) {
            int64_t done = 0;
            const double head = add_contiguous(p, n, done);
            SumAcc<T> rest = 0;
            add_run(rest, p + done, n - done, 1);
            acc += head + rest;
            return;
        }
    }
    if (s == 1) {
        // Four partial sums break the add dependency chain; the order is fixed.
        SumAcc<T> a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int64_t i = 0;
        for (; i + 4 <= n; i += 4) {
            a0 += p[i];
            a1 += p[i + 1];
            a2 += p[i + 2];
            a3 += p[i + 3];
        }
        for (; i < n; ++i) a0 += p[i];
        acc += (a0 + a1) + (a2 + a3);
    } else {
        for (int64_t i = 0; i < n; ++i) acc += p[i * s];
    }
}

// Sum of one reduced block starting at `base`, in a fixed order.
template <class T>
SumAcc<T> sum_block(const T* base, const Loop& reduced, int64_t begin, int64_t end) {
    SumAcc<T> acc = 0;
    const int nd = reduced.ndim;
    const int64_t s = nd ? reduced.strides[0][nd - 1] : 0;
    if (nd <= 1) {
        // One run: the loop machinery would cost more than a short reduction itself (a sum
        // over a last dimension of 2, e.g. |X|^2 of (real, imaginary) pairs). Same order.
        add_run(acc, base + begin * s, end - begin, s);
        return acc;
    }
    for_each_run(reduced, begin, end, [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
        add_run(acc, base + off[0], n, s);
    });
    return acc;
}

}  // namespace

template <class O, class T>
void sum_forward(O* out, const T* in, const Loop& kept, const Loop& reduced) {
    const int64_t nout = kept.numel();
    const int64_t nred = reduced.numel();
    if (nout == 1) {
        // One output: fixed chunks reduced in parallel, then combined in chunk order.
        int64_t chunks = std::max<int64_t>(1, (nred + kParallelGrain - 1) / kParallelGrain);
        std::vector<SumAcc<T>> partial(chunks);
        const T* base = in;
        parallel_for(chunks, 1, [&](int64_t cb, int64_t ce) {
            for (int64_t c = cb; c < ce; ++c) {
                partial[c] = sum_block(base, reduced, c * kParallelGrain,
                                       std::min(nred, (c + 1) * kParallelGrain));
            }
        });
        SumAcc<T> total = 0;
        for (auto p : partial) total += p;
        out[0] = static_cast<O>(total);
        return;
    }
    // Column sums of a row-major block (reducing outer dims, keeping a contiguous inner dim):
    // walk rows and add them, which reads memory in order instead of striding per output.
    if (kept.ndim == 1 && reduced.ndim == 1 && kept.strides[0][0] == 1 &&
        kept.strides[1][0] == 1) {
        const int64_t rs = reduced.strides[0][0];
        parallel_for(nout, 1024, [&](int64_t b, int64_t e) {
            std::vector<SumAcc<T>> acc(e - b, 0);
            for (int64_t r = 0; r < nred; ++r) {
                const T* row = in + r * rs;
                for (int64_t j = b; j < e; ++j) acc[j - b] += row[j];
            }
            for (int64_t j = b; j < e; ++j) out[j] = static_cast<O>(acc[j - b]);
        });
        return;
    }
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(nred, 1));
    parallel_for(nout, grain, [&](int64_t b, int64_t e) {
        for_each_run(kept, b, e, [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
            const int64_t so = kept.ndim ? kept.strides[0][kept.ndim - 1] : 0;
            const int64_t si = kept.ndim ? kept.strides[1][kept.ndim - 1] : 0;
            for (int64_t i = 0; i < n; ++i) {
                out[off[0] + i * so] =
                    static_cast<O>(sum_block(in + off[1] + i * si, reduced, 0, nred));
            }
        });
    });
}

namespace {

template <class T, class Better>
void arg_reduce(T* values, int64_t* indices, const T* in, const Loop& kept, int64_t n,
                int64_t stride, Better better) {
    const int64_t nout = kept.numel();
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n, 1));
    parallel_for(nout, grain, [&](int64_t b, int64_t e) {
        for_each_run(kept, b, e, [&](const std::array<int64_t, kMaxOperands>& off, int64_t m) {
            const int nd = kept.ndim;
            const int64_t sv = nd ? kept.strides[0][nd - 1] : 0;
            const int64_t sx = nd ? kept.strides[1][nd - 1] : 0;
            for (int64_t i = 0; i < m; ++i) {
                const T* p = in + off[1] + i * sx;
                T best = p[0];
                int64_t arg = 0;
                for (int64_t j = 1; j < n; ++j) {
                    T v = p[j * stride];
                    if (better(v, best)) {
                        best = v;
                        arg = j;
                    }
                }
                // Values and indices share the kept geometry of the output.
                values[off[0] + i * sv] = best;
                indices[off[0] + i * sv] = arg;
            }
        });
    });
}

template <class T>
bool is_nan(T v) {
    if constexpr (std::is_floating_point_v<T>) {
        return std::isnan(v);
    } else {
        return false;
    }
}

}  // namespace

template <class T>
void max_forward(T* values, int64_t* indices, const T* in, const Loop& kept, int64_t n,
                 int64_t stride) {
    // A NaN beats everything and the first NaN is kept.
    arg_reduce(values, indices, in, kept, n, stride,
               [](T v, T best) { return !is_nan(best) && (v > best || is_nan(v)); });
}

template <class T>
void min_forward(T* values, int64_t* indices, const T* in, const Loop& kept, int64_t n,
                 int64_t stride) {
    arg_reduce(values, indices, in, kept, n, stride,
               [](T v, T best) { return !is_nan(best) && (v < best || is_nan(v)); });
}

template void sum_forward(float*, const float*, const Loop&, const Loop&);
template void sum_forward(double*, const double*, const Loop&, const Loop&);
template void sum_forward(int64_t*, const int64_t*, const Loop&, const Loop&);
template void sum_forward(int64_t*, const bool*, const Loop&, const Loop&);
#define KAYA_INSTANTIATE_ARG(T)                                                              \
    template void max_forward(T*, int64_t*, const T*, const Loop&, int64_t, int64_t);        \
    template void min_forward(T*, int64_t*, const T*, const Loop&, int64_t, int64_t);
KAYA_INSTANTIATE_ARG(float)
KAYA_INSTANTIATE_ARG(double)
KAYA_INSTANTIATE_ARG(int64_t)
KAYA_INSTANTIATE_ARG(bool)
#undef KAYA_INSTANTIATE_ARG

namespace {
// The largest of x[0..n), NaN when any is. A vector of lanes at a time (GCC does not vectorise
// the scalar form: `x > m ? x : m` is no reduction it knows, NaN making it order-dependent);
// the lanes' maxima and NaN flags are combined at the end. A NaN lane in the first vector is
// caught by its flag, so the result does not depend on where the NaN is.
template <class T>
T row_max(const T* x, int64_t n) {
    using simd::Vec;
    constexpr int64_t L = simd::kLanes<T>;
    T m = -std::numeric_limits<T>::infinity();
    bool nan = false;
    int64_t i = 0;
    if (n >= L) {
        Vec<T> vm = simd::load(x);
        auto bad = vm != vm;
        for (i = L; i + L <= n; i += L) {
            const Vec<T> v = simd::load(x + i);
            bad |= v != v;
            vm = v > vm ? v : vm;
        }
        for (int64_t l = 0; l < L; ++l) {
            nan |= bad[l] != 0;
            m = vm[l] > m ? vm[l] : m;
        }
    }
    for (; i < n; ++i) {
        nan |= std::isnan(x[i]);
        m = x[i] > m ? x[i] : m;
    }
    return nan ? std::numeric_limits<T>::quiet_NaN() : m;
}
}  // namespace

template <class T>
void max_rows(T* out, const T* in, int64_t rows, int64_t n) {
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n, 1));
    parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) out[r] = row_max(in + r * n, n);
    });
}
template void max_rows(float*, const float*, int64_t, int64_t);
template void max_rows(double*, const double*, int64_t, int64_t);

template <class T>
void softmax_rows(T* out, const T* in, int64_t rows, int64_t n) {
    // Exponentials cost ~10x a memory pass: threads pay off from fewer elements.
    const int64_t grain = std::max<int64_t>(1, kParallelGrain / 4 / std::max<int64_t>(n, 1));
    parallel_for(rows, grain, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
            const T* x = in + r * n;
            T* y = out + r * n;
            const T m = row_max(x, n);
            for (int64_t i = 0; i < n; ++i) y[i] = x[i] - m;
            if constexpr (std::is_same_v<T, float>) {
                simd::exp_forward(y, y, n);
            } else {
                for (int64_t i = 0; i < n; ++i) y[i] = std::exp(y[i]);
            }
            double s = 0;
#pragma omp simd reduction(+ : s)
            for (int64_t i = 0; i < n; ++i) s += y[i];
            const T scale = static_cast<T>(1.0 / s);
            for (int64_t i = 0; i < n; ++i) y[i] *= scale;
        }
    });
}
template void softmax_rows(float*, const float*, int64_t, int64_t);
template void softmax_rows(double*, const double*, int64_t, int64_t);

}  // namespace kaya::kernels
