// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "kaya/core/tensor.h"

namespace kaya {

// View ops share memory with their input (no copy) unless stated. Dims may be negative
// (counted from the end); out-of-range dims throw IndexError, bad sizes ShapeError. Gradients
// flow back to the viewed elements.

// New shape with the same number of elements; one size may be -1 (inferred). view() throws
// ShapeError when the strides do not allow a view; reshape() copies in that case only.
Tensor view(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, const Shape& shape);
// Reorders dims: out.shape[i] = x.shape[dims[i]] (torch.permute).
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
// Transpose of a matrix (<= 2 dims), like Tensor.t().
Tensor t(const Tensor& x);
// Elements start .. start + length - 1 along dim (torch.narrow).
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
// Python slicing x[..., start:end:step, ...] on one dim; start/end are clamped like Python's,
// step must be positive.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
// Removes dim by taking index `index` along it (x[..., index, ...]).
Tensor select(const Tensor& x, int64_t dim, int64_t index);
// Repeats size-1 dims (stride 0) to `shape`; -1 keeps a size; new leading dims allowed.
Tensor expand(const Tensor& x, const Shape& shape);
Tensor expand_as(const Tensor& x, const Tensor& other);
// Removes all size-1 dims, or only `dim` if it has size 1.
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
// Inserts a size-1 dim at position dim (in [-x.dim()-1, x.dim()]).
Tensor unsqueeze(const Tensor& x, int64_t dim);
// Merges dims start_dim..end_dim into one (a view when possible, like reshape).
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);

// Concatenation along an existing dim (torch.cat); all other sizes must match; dtypes are
// promoted. Copies.
Tensor cat(const std::vector<Tensor>& xs, int64_t dim = 0);
// Joins along a new dim (torch.stack); all shapes must be equal. Copies.
Tensor stack(const std::vector<Tensor>& xs, int64_t dim = 0);
// Views of consecutive pieces of size split_size (the last may be smaller) (torch.split).
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
// Views of pieces with the given sizes, which must add up to x.size(dim).
std::vector<Tensor> split_with_sizes(const Tensor& x, const std::vector<int64_t>& sizes,
                                     int64_t dim = 0);
// `chunks` near-equal views (torch.chunk: size ceil(n / chunks), possibly fewer pieces).
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);

}  // namespace kaya
