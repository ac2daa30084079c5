// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/banded.h"

#include "kaya/core/parallel.h"

namespace kaya::kernels {

template <class T>
void banded_matmul_forward(T* out, const T* w, const int64_t* lo, const int64_t* hi, const T* x, int64_t B,
                           int64_t M, int64_t K, int64_t F) {
    // One (batch, row) pair per task: a row accumulates its band's rows of x, each a contiguous
    // run of F values, so the inner loop is a vectorised multiply-add over frames.
    int64_t work = 0;
    for (int64_t m = 0; m < M; ++m) work += (hi[m] - lo[m]) * F;
    const int64_t grain = std::max<int64_t>(1, kParallelGrain * M / std::max<int64_t>(1, work));
    parallel_for(B * M, grain, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t b = r / M, m = r % M;
            T* o = out + r * F;
            for (int64_t f = 0; f < F; ++f) o[f] = T(0);
            for (int64_t k = lo[m]; k < hi[m]; ++k) {
                const T c = w[m * K + k];
                const T* xk = x + (b * K + k) * F;
#pragma omp simd
                for (int64_t f = 0; f < F; ++f) o[f] += c * xk[f];
            }
        }
    });
}

template void banded_matmul_forward<float>(float*, const float*, const int64_t*, const int64_t*, const float*,
                                           int64_t, int64_t, int64_t, int64_t);
template void banded_matmul_forward<double>(double*, const double*, const int64_t*, const int64_t*, const double*,
                                            int64_t, int64_t, int64_t, int64_t);

}  // namespace kaya::kernels
