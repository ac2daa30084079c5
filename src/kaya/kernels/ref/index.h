// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "kaya/kernels/ref/loop.h"

namespace kaya::kernels {

// out[p] = in[in_off(p) + idx[p] * dim_stride] over the loop's positions p.
// Loop operands: 0 = out, 1 = idx (int64), 2 = in with the gathered dim's stride set to 0.
// Precondition: every idx is in range (the op validates).
template <class T>
void gather_forward(T* out, const T* in, const int64_t* idx, const Loop& loop,
                    int64_t dim_stride);

// out[out_off(p) + idx[p] * dim_stride] += src[p], in a fixed sequential order so duplicate
// indices sum deterministically. Loop operands: 0 = src, 1 = idx, 2 = out (dim stride 0).
template <class T>
void scatter_add_forward(T* out, const T* src, const int64_t* idx, const Loop& loop,
                         int64_t dim_stride);

// Position of the first index outside [0, n) (or -1), scanning a strided int64 loop
// (operand 0). Negative indices are not wrapped.
int64_t find_bad_index(const int64_t* idx, const Loop& loop, int64_t n);

}  // namespace kaya::kernels
