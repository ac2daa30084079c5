// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/index.h"

namespace kaya::kernels {

template <class T>
void gather_forward(T* out, const T* in, const int64_t* idx, const Loop& loop,
                    int64_t dim_stride) {
    const int nd = loop.ndim;
    const int64_t so = nd ? loop.strides[0][nd - 1] : 0;
    const int64_t sx = nd ? loop.strides[1][nd - 1] : 0;
    const int64_t si = nd ? loop.strides[2][nd - 1] : 0;
    parallel_runs(loop, [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
            out[off[0] + i * so] = in[off[2] + i * si + idx[off[1] + i * sx] * dim_stride];
        }
    });
}

template <class T>
void scatter_add_forward(T* out, const T* src, const int64_t* idx, const Loop& loop,
                         int64_t dim_stride) {
    const int nd = loop.ndim;
    const int64_t ss = nd ? loop.strides[0][nd - 1] : 0;
    const int64_t sx = nd ? loop.strides[1][nd - 1] : 0;
    const int64_t so = nd ? loop.strides[2][nd - 1] : 0;
    // Sequential on purpose: parallel writes to the same index would race.
    for_each_run(loop, 0, loop.numel(), [&](const std::array<int64_t, kMaxOperands>& off, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
            out[off[2] + i * so + idx[off[1] + i * sx] * dim_stride] += src[off[0] + i * ss];
        }
    });
}

int64_t find_bad_index(const int64_t* idx, const Loop& loop, int64_t n) {
    int64_t bad = -1, pos = 0;
    const int64_t s = loop.ndim ? loop.strides[0][loop.ndim - 1] : 0;
    for_each_run(loop, 0, loop.numel(), [&](const std::array<int64_t, kMaxOperands>& off, int64_t m) {
        for (int64_t i = 0; i < m && bad < 0; ++i) {
            int64_t v = idx[off[0] + i * s];
            if (v < 0 || v >= n) bad = pos + i;
        }
        pos += m;
    });
    return bad;
}

#define KAYA_INSTANTIATE(T)                                                                   \
    template void gather_forward(T*, const T*, const int64_t*, const Loop&, int64_t);        \
    template void scatter_add_forward(T*, const T*, const int64_t*, const Loop&, int64_t);
KAYA_INSTANTIATE(float)
KAYA_INSTANTIATE(double)
KAYA_INSTANTIATE(int64_t)
KAYA_INSTANTIATE(bool)
#undef KAYA_INSTANTIATE

}  // namespace kaya::kernels
