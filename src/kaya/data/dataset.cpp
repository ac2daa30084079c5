// SPDX-License-Identifier: MIT
#include "kaya/data/dataset.h"

#include <cmath>
#include <numeric>

#include "kaya/core/random.h"
#include "kaya/ops/ops.h"

namespace kaya::data {

Example Dataset::get_batch(const std::vector<int64_t>& indices) const {
    KAYA_CHECK(!indices.empty(), ValueError, "Dataset::get_batch: empty index list");
    std::vector<Example> rows;
    for (int64_t i : indices) rows.push_back(get(i));
    Example out;
    for (size_t k = 0; k < rows[0].size(); ++k) {
        std::vector<Tensor> parts;
        for (const auto& r : rows) parts.push_back(r[k]);
        out.push_back(stack(parts, 0));
    }
    return out;
}

TensorDataset::TensorDataset(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {
    KAYA_CHECK(!tensors_.empty(), ValueError, "TensorDataset: needs at least one tensor");
    for (size_t k = 0; k < tensors_.size(); ++k) {
        KAYA_CHECK(tensors_[k].dim() >= 1 && tensors_[k].shape()[0] == tensors_[0].shape()[0],
                   ShapeError, "TensorDataset: tensor ", k, " is ", describe(tensors_[k]),
                   " but tensor 0 has ", tensors_[0].shape()[0], " rows");
    }
}

int64_t TensorDataset::size() const { return tensors_[0].shape()[0]; }

Example TensorDataset::get(int64_t i) const {
    KAYA_CHECK(i >= 0 && i < size(), IndexError, "TensorDataset: index ", i, " out of range for ",
               size(), " examples");
    Example out;
    for (const auto& t : tensors_) out.push_back(select(t, 0, i));
    return out;
}

Example TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
    Tensor idx = from_vector(indices, {static_cast<int64_t>(indices.size())});
    Example out;
    for (const auto& t : tensors_) out.push_back(index_select(t, 0, idx));
    return out;
}

Subset::Subset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices)
    : base_(std::move(base)), indices_(std::move(indices)) {
    for (int64_t i : indices_) {
        KAYA_CHECK(i >= 0 && i < base_->size(), IndexError, "Subset: index ", i,
                   " out of range for a dataset of ", base_->size());
    }
}

Example Subset::get(int64_t i) const {
    KAYA_CHECK(i >= 0 && i < size(), IndexError, "Subset: index ", i, " out of range for ", size());
    return base_->get(indices_[i]);
}

Example Subset::get_batch(const std::vector<int64_t>& indices) const {
    std::vector<int64_t> mapped;
    for (int64_t i : indices) {
        KAYA_CHECK(i >= 0 && i < size(), IndexError, "Subset: index ", i, " out of range for ", size());
        mapped.push_back(indices_[i]);
    }
    return base_->get_batch(mapped);
}

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> ds,
                                                  const std::vector<int64_t>& lengths, uint64_t seed) {
    int64_t total = std::accumulate(lengths.begin(), lengths.end(), int64_t{0});
    KAYA_CHECK(total == ds->size(), ValueError, "random_split: lengths add up to ", total,
               " but the dataset has ", ds->size(), " examples");
    Generator g(seed);
    auto perm = to_vector<int64_t>(randperm(ds->size(), &g));
    std::vector<std::shared_ptr<Subset>> out;
    int64_t at = 0;
    for (int64_t len : lengths) {
        KAYA_CHECK(len >= 0, ValueError, "random_split: negative length ", len);
        out.push_back(std::make_shared<Subset>(ds, std::vector<int64_t>(perm.begin() + at, perm.begin() + at + len)));
        at += len;
    }
    return out;
}

std::vector<std::shared_ptr<Subset>> random_split(std::shared_ptr<const Dataset> ds,
                                                  const std::vector<double>& fractions, uint64_t seed) {
    double sum = std::accumulate(fractions.begin(), fractions.end(), 0.0);
    KAYA_CHECK(std::abs(sum - 1.0) < 1e-9, ValueError, "random_split: fractions add up to ", sum,
               ", expected 1");
    std::vector<int64_t> lengths;
    int64_t assigned = 0;
    for (double f : fractions) {
        KAYA_CHECK(f >= 0, ValueError, "random_split: negative fraction ", f);
        lengths.push_back(static_cast<int64_t>(std::floor(f * static_cast<double>(ds->size()))));
        assigned += lengths.back();
    }
    // Round-robin the remainder, as torch.utils.data.random_split does.
    for (size_t i = 0; assigned < ds->size(); i = (i + 1) % lengths.size(), ++assigned) ++lengths[i];
    return random_split(ds, lengths, seed);
}

}  // namespace kaya::data
