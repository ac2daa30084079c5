// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include "kaya/core/tensor.h"

namespace kaya {

// Indexing by int64 index tensors. Indices out of range throw IndexError naming the op, the
// offending value and the valid range; no op reads out of bounds.

// Rows (or slices along dim) picked by a 1-D index: out.shape[dim] = index.numel()
// (torch.index_select). Gradient: the picked slices' gradients are summed back.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// Windows of `size` elements every `step` along dim: dim becomes the window count
// (L - size) / step + 1 and a new last dimension of `size` is added, as torch.Tensor.unfold
// (a copy here, not a view). Gradient: windows' gradients added back where they overlap.
// Throws ValueError unless size >= 1, step >= 1 and size <= L.
Tensor unfold(const Tensor& x, int64_t dim, int64_t size, int64_t step);
// out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (torch.gather): index has x's number
// of dims and sizes <= x's in the other dims; out has index's shape.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// A copy of x with src[i][j][k] added at x[i][index[i][j][k]][k] for dim = 1
// (torch.scatter_add); duplicates accumulate. index and src have one shape.
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
// Rows of an embedding table looked up by int64 indices of any shape (F.embedding(input,
// weight, padding_idx)): weight (num, dim), indices (*) -> (*, dim). The gradient is summed
// into the looked-up rows; with padding_idx, that row gets no gradient (its looked-up value is
// returned unchanged). Throws IndexError for an index outside [0, num).
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<int64_t> padding_idx = std::nullopt);
// One-hot encoding of int64 classes: shape + [num_classes], int64 (F.one_hot). num_classes
// -1 uses max + 1.
Tensor one_hot(const Tensor& classes, int64_t num_classes = -1);
// Lower / upper triangle of the last two dims, others zeroed (torch.tril / triu). diagonal
// shifts the boundary as in PyTorch.
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);
// x with `value` where mask (bool, broadcast to x) is true (torch.masked_fill).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

}  // namespace kaya
