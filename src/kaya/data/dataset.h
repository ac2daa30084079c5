// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::data {

// One example (or one batch): its tensors in a fixed order, e.g. {input, target}.
using Example = std::vector<Tensor>;

// A map-style dataset (torch.utils.data.Dataset): size() examples, get(i) returns one.
class Dataset {
public:
    virtual ~Dataset() = default;
    virtual int64_t size() const = 0;
    virtual Example get(int64_t index) const = 0;
    // The examples at `indices` stacked along a new first dim. The default calls get() and
    // stacks; datasets backed by tensors override it with one gather per tensor.
    virtual Example get_batch(const std::vector<int64_t>& indices) const;
};

// Rows of equally long tensors (torch.utils.data.TensorDataset): example i is
// {t[i] for t in tensors}. ShapeError when the first dims differ.
class TensorDataset : public Dataset {
public:
    explicit TensorDataset(std::vector<Tensor> tensors);
    int64_t size() const override;
    Example get(int64_t index) const override;
    Example get_batch(const std::vector<int64_t>& indices) const override;
    const std::vector<Tensor>& tensors() const { return tensors_; }

private:
    std::vector<Tensor> tensors_;
};

// The examples of `base` at the given indices (torch.utils.data.Subset).
class Subset : public Dataset {
public:
    Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices);
    int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
    Example get(int64_t index) const override;
    Example get_batch(const std::vector<int64_t>& indices) const override;
    const std::vector<int64_t>& indices() const { return indices_; }

private:
    std::shared_ptr<const Dataset> base_;
    std::vector<int64_t> indices_;
};

// Splits a dataset into non-overlapping random subsets of the given lengths (which must add
// up to its size) using a seeded permutation (torch.utils.data.random_split).
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<int64_t>& lengths,
                                                  uint64_t seed);
// Fractions (summing to 1) instead of lengths; remainders go to the first subsets, as PyTorch.
std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                  const std::vector<double>& fractions,
                                                  uint64_t seed);

}  // namespace kaya::data
