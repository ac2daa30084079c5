// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "kaya/data/dataset.h"

namespace kaya::data {

// Builds one batch from its examples (torch's collate_fn), e.g. padding sequences of
// different lengths; see collate.h.
using Collate = std::function<Example(const std::vector<Example>&)>;

struct DataLoaderOptions {
    int64_t batch_size = 1;
    bool shuffle = false;
    uint64_t seed = 0;       // Shuffling of epoch e uses a permutation seeded by (seed, e).
    bool drop_last = false;  // Drop a final batch smaller than batch_size.
    bool prefetch = true;    // Prepare the next batch on a background thread.
    // Length bucketing: one length per example (e.g. tokens in a sentence). The epoch's order
    // is cut into pools of bucket_pool batches, each pool sorted by length and cut into
    // batches, so that a batch holds examples of similar length (little padding); with
    // shuffle, the batches are then shuffled too. Empty: batches follow the order as it is.
    std::vector<int64_t> lengths;
    int64_t bucket_pool = 50;
    // Empty: the dataset's get_batch (stacking).
    Collate collate;
    // Data-parallel training (torch's DistributedSampler): process `shard` of `shards` gets its
    // own part of every batch (shard_part), the batches being those one process would see. A
    // part with no examples comes out as an empty Example.
    int64_t shard = 0;
    int64_t shards = 1;
};

// Process `shard` of `shards`'s part of a batch of `rows` examples: rows [begin, end), the
// parts as equal as they can be and in order (part sizes differ by at most one).
std::pair<int64_t, int64_t> shard_part(int64_t rows, int64_t shard, int64_t shards);

// Batches of a dataset for one epoch at a time (torch.utils.data.DataLoader):
//   for (const Example& batch : loader.epoch(e)) { ... }
// The order of epoch e depends only on (seed, e), so a resumed run sees the same batches.
// With prefetch, one worker thread builds batch k+1 while the caller uses batch k; an
// exception in the worker is rethrown by the iterator.
class DataLoader {
public:
    DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);
    ~DataLoader();
    DataLoader(const DataLoader&) = delete;
    DataLoader& operator=(const DataLoader&) = delete;

    int64_t num_batches() const;
    const Dataset& dataset() const { return *dataset_; }
    // Example indices of epoch e in visiting order (before bucketing).
    std::vector<int64_t> order(int64_t epoch) const;
    // The example indices of each batch of epoch e, in visiting order.
    std::vector<std::vector<int64_t>> batches(int64_t epoch) const;

    class Epoch;
    class Iterator {
    public:
        const Example& operator*() const { return current_; }
        Iterator& operator++();
        bool operator!=(const Iterator& o) const { return index_ != o.index_; }

    private:
        friend class Epoch;
        Iterator(Epoch* epoch, int64_t index);
        Epoch* epoch_;
        int64_t index_;
        Example current_;
    };

    // One pass over the data, from batch `first` on (a resumed run skips the batches it has
    // already trained without building them). Only one Epoch of a loader may be iterated at a
    // time.
    class Epoch {
    public:
        Epoch(const DataLoader& loader, int64_t epoch, int64_t first = 0);
        ~Epoch();
        Epoch(const Epoch&) = delete;
        Epoch& operator=(const Epoch&) = delete;
        Iterator begin();
        Iterator end();

    private:
        friend class Iterator;
        Example next();  // The next batch in order (from the worker when prefetching).
        struct Worker;
        const DataLoader& loader_;
        std::vector<std::vector<int64_t>> batches_;
        int64_t first_ = 0;
        int64_t produced_ = 0;
        std::unique_ptr<Worker> worker_;
    };

    Epoch epoch(int64_t e, int64_t first = 0) const { return Epoch(*this, e, first); }
    // Builds the batch of these examples directly (no thread).
    Example batch(const std::vector<int64_t>& indices) const;

private:
    std::shared_ptr<const Dataset> dataset_;
    DataLoaderOptions o_;
};

}  // namespace kaya::data
