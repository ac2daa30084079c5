// SPDX-License-Identifier: MIT
#pragma once

// Reductions over raw strided buffers. The ops layer splits the input's dims into kept dims
// (described by `kept`, operands 0 = out, 1 = in) and reduced dims (described by `reduced`,
// operand 0 = in). Every output element is reduced by one thread in a fixed order, and a
// single-output reduction is cut into fixed chunks combined in order, so results are
// identical for any thread count.

#include <cstdint>

#include "kaya/kernels/ref/loop.h"

namespace kaya::kernels {

// Accumulator type: double for floating inputs (accurate float sums), int64 for int64/bool.
template <class T>
using SumAcc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

// out[k] = sum of in over the reduced dims at kept position k.
// out: kept-shape buffer of type O (T for floats, int64 for int64/bool inputs).
template <class O, class T>
void sum_forward(O* out, const T* in, const Loop& kept, const Loop& reduced);

// values[k], indices[k] = max (or min) of in along one reduced dim of size n and stride
// `stride`; ties keep the first index; NaN wins, as in torch.max(x, dim).
template <class T>
void max_forward(T* values, int64_t* indices, const T* in, const Loop& kept, int64_t n,
                 int64_t stride);
template <class T>
void min_forward(T* values, int64_t* indices, const T* in, const Loop& kept, int64_t n,
                 int64_t stride);

// out[r] = the largest value of row r of a contiguous (rows, n) buffer, NaN when the row holds
// one (torch.amax): no indices, so the loop is vectorised (the global pooling of the Go nets'
// residual blocks, 4% of a search before). Rows are shared between threads.
template <class T>
void max_rows(T* out, const T* in, int64_t rows, int64_t n);

// Softmax of each row of a contiguous (rows, n) buffer: out = exp(x - max) / sum, the max and
// the sum taken per row (the sum in double); the exponentials of float rows on the vector exp.
// A row of -inf gives NaN, as the unfused formula and PyTorch do. Rows are shared between
// threads; each row is computed by one thread in a fixed order.
template <class T>
void softmax_rows(T* out, const T* in, int64_t rows, int64_t n);

}  // namespace kaya::kernels
