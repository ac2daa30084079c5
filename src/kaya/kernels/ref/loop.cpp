// SPDX-License-Identifier: MIT
#include "kaya/kernels/ref/loop.h"

namespace kaya::kernels {

Loop make_loop(int ndim, const int64_t* shape, int nops, const int64_t* const* strides) {
    Loop loop;
    loop.noperands = nops;
    // Keep only dims of size != 1 (their strides never matter). A zero-size dim keeps the
    // loop empty via numel() == 0.
    for (int d = 0; d < ndim; ++d) {
        if (shape[d] == 1) continue;
        int nd = loop.ndim;
        // Merge with the previous kept dim when, for every operand, stepping the outer dim
        // equals stepping the inner one shape[d] times.
        bool merge = nd > 0;
        for (int k = 0; merge && k < nops; ++k) {
            merge = loop.strides[k][nd - 1] == strides[k][d] * shape[d];
        }
        if (merge) {
            loop.shape[nd - 1] *= shape[d];
            for (int k = 0; k < nops; ++k) loop.strides[k][nd - 1] = strides[k][d];
        } else {
            loop.shape[nd] = shape[d];
            for (int k = 0; k < nops; ++k) loop.strides[k][nd] = strides[k][d];
            ++loop.ndim;
        }
    }
    return loop;
}

Loop flat_loop(int64_t n, int nops) {
    Loop loop;
    loop.noperands = nops;
    if (n == 1) return loop;
    loop.ndim = 1;
    loop.shape[0] = n;
    for (int k = 0; k < nops; ++k) loop.strides[k][0] = 1;
    return loop;
}

}  // namespace kaya::kernels
