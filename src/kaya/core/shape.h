// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include "kaya/core/small_vector.h"

namespace kaya {

// Sizes of each dimension, outermost first. A 0-dim (scalar) tensor has an empty Shape.
using Shape = SmallVector;
// Element (not byte) strides, one per dimension.
using Strides = SmallVector;

// "[2, 3, 4]".
std::string format_shape(const Shape& shape);
// Product of sizes (1 for a scalar).
int64_t numel(const Shape& shape);
// Row-major strides of a dense tensor of this shape.
Strides contiguous_strides(const Shape& shape);

// NumPy/PyTorch broadcast of two shapes; throws ShapeError naming `op` when a pair of sizes is
// neither equal nor 1.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);

// Wraps a possibly negative dim into [0, ndim); throws IndexError naming `op` when out of range.
// For a scalar (ndim 0) dims -1 and 0 are accepted as PyTorch does.
int64_t wrap_dim(int64_t dim, int64_t ndim, std::string_view op);

// Checks every size is non-negative; throws ValueError naming `op`.
void check_sizes(const Shape& shape, std::string_view op);

}  // namespace kaya
