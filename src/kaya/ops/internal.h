// SPDX-License-Identifier: MIT
#pragma once

// Helpers shared by the op files: validation and the bridge from Tensors to kernel Loops.
// Not part of the public API.

#include <initializer_list>
#include <string_view>

#include "kaya/autograd/grad_mode.h"
#include "kaya/autograd/node.h"
#include "kaya/core/tensor.h"
#include "kaya/kernels/ref/loop.h"

namespace kaya::detail {

// Throws unless every tensor is defined and lives on the CPU (the only backend built). This
// is the single place a GPU backend would branch.
void check_inputs(std::string_view op, std::initializer_list<const Tensor*> ts);

// Strides that read t as if expanded to `shape` (0 on broadcast dims).
Strides broadcast_strides(const Tensor& t, const Shape& shape);

// A kernel Loop over out.shape() with out first, then each input broadcast to that shape.
kernels::Loop make_loop(const Tensor& out, std::initializer_list<const Tensor*> inputs);

// PyTorch's result_type: dimensioned tensors outrank 0-dim tensors, which outrank wrapped
// numbers; a lower tier only matters when it has a higher category (bool < int < float).
DType result_type(std::initializer_list<const Tensor*> ts);

// A 0-dim tensor holding a C++ number, marked as a wrapped number for type promotion.
Tensor wrap_scalar(double v);
Tensor wrap_scalar(int64_t v);

// t in dtype dt as `to` gives it (differentiable), without copying t's handle when it already
// has that dtype (a copy costs two atomic reference counts, a good part of a small op's time);
// else the converted tensor, kept in `holder`.
const Tensor& cast_ref(const Tensor& t, DType dt, Tensor& holder);

// relu's gradient rule: grad where x > 0, else 0, for x relu's input or its output (the same
// mask; PyTorch's threshold_backward), for relu and the convolution's fused ReLU. Linear in
// grad, and differentiable in it under a graph.
Tensor relu_backward(const Tensor& grad, const Tensor& x);

}  // namespace kaya::detail
