// SPDX-License-Identifier: MIT
#include "kaya/data/dataloader.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "kaya/core/random.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/random.h"

namespace kaya::data {

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions o)
    : dataset_(std::move(dataset)), o_(o) {
    KAYA_CHECK(dataset_ != nullptr, ValueError, "DataLoader: dataset is null");
    KAYA_CHECK(o.batch_size > 0, ValueError, "DataLoader: batch_size must be positive, got ", o.batch_size);
    KAYA_CHECK(o.lengths.empty() || static_cast<int64_t>(o.lengths.size()) == dataset_->size(),
               ValueError, "DataLoader: got ", o.lengths.size(), " lengths for a dataset of ",
               dataset_->size(), " examples");
    KAYA_CHECK(o.shards > 0 && o.shard >= 0 && o.shard < o.shards, ValueError,
               "DataLoader: shard ", o.shard, " of ", o.shards, " does not exist");
    KAYA_CHECK(o.bucket_pool > 0, ValueError, "DataLoader: bucket_pool must be positive, got ",
               o.bucket_pool);
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::num_batches() const {
    int64_t n = dataset_->size();
    return o_.drop_last ? n / o_.batch_size : (n + o_.batch_size - 1) / o_.batch_size;
}

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
    const int64_t n = dataset_->size();
    if (!o_.shuffle) {
        std::vector<int64_t> v(n);
        std::iota(v.begin(), v.end(), 0);
        return v;
    }
    // Counter space of epoch e starts at e << 40, so epochs never share random draws.
    Generator g(o_.seed);
    g.set_state(o_.seed, static_cast<uint64_t>(epoch) << 40);
    return to_vector<int64_t>(randperm(n, &g));
}

std::vector<std::vector<int64_t>> DataLoader::batches(int64_t epoch) const {
    std::vector<int64_t> ord = order(epoch);
    const int64_t n = static_cast<int64_t>(ord.size());
    if (!o_.lengths.empty()) {
        // Sort within pools of consecutive examples: similar lengths per batch, while the
        // pools keep the shuffle's randomness. stable_sort: ties keep the shuffled order.
        const int64_t pool = o_.bucket_pool * o_.batch_size;
        for (int64_t s = 0; s < n; s += pool) {
            std::stable_sort(ord.begin() + s, ord.begin() + std::min(n, s + pool),
                             [&](int64_t a, int64_t b) { return o_.lengths[a] < o_.lengths[b]; });
        }
    }
    std::vector<std::vector<int64_t>> out;
    for (int64_t b = 0; b < num_batches(); ++b) {
        const int64_t start = b * o_.batch_size, end = std::min(start + o_.batch_size, n);
        out.emplace_back(ord.begin() + start, ord.begin() + end);
    }
    if (!o_.lengths.empty() && o_.shuffle) {
        // A second stream of the epoch's counter space, apart from the order's.
        Generator g(o_.seed);
        g.set_state(o_.seed, (static_cast<uint64_t>(epoch) << 40) | (uint64_t{1} << 39));
        auto perm = to_vector<int64_t>(randperm(static_cast<int64_t>(out.size()), &g));
        std::vector<std::vector<int64_t>> shuffled;
        for (int64_t i : perm) shuffled.push_back(std::move(out[i]));
        out = std::move(shuffled);
    }
    if (o_.shards > 1) {
        for (auto& b : out) {
            const auto [begin, end] = shard_part(static_cast<int64_t>(b.size()), o_.shard, o_.shards);
            b = std::vector<int64_t>(b.begin() + begin, b.begin() + end);
        }
    }
    return out;
}

std::pair<int64_t, int64_t> shard_part(int64_t rows, int64_t shard, int64_t shards) {
    KAYA_CHECK(shards > 0 && shard >= 0 && shard < shards && rows >= 0, ValueError, "shard_part: part ",
               shard, " of ", shards, " of ", rows, " rows does not exist");
    return {rows * shard / shards, rows * (shard + 1) / shards};
}

Example DataLoader::batch(const std::vector<int64_t>& indices) const {
    if (indices.empty() && o_.shards > 1) return {};  // This process's part of a small batch.
    if (!o_.collate) return dataset_->get_batch(indices);
    std::vector<Example> examples;
    examples.reserve(indices.size());
    for (int64_t i : indices) examples.push_back(dataset_->get(i));
    return o_.collate(examples);
}

// A single background thread filling a queue of at most two batches.
struct DataLoader::Epoch::Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Example> ready;
    std::exception_ptr error;
    bool stop = false;
    std::thread thread;

    void run(const DataLoader& loader, const std::vector<std::vector<int64_t>>& batches,
             int64_t first) {
        for (int64_t b = first; b < static_cast<int64_t>(batches.size()); ++b) {
            Example e;
            try {
                e = loader.batch(batches[static_cast<size_t>(b)]);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mu);
                error = std::current_exception();
                cv.notify_all();
                return;
            }
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [&] { return stop || ready.size() < 2; });
            if (stop) return;
            ready.push_back(std::move(e));
            cv.notify_all();
        }
    }
};

DataLoader::Epoch::Epoch(const DataLoader& loader, int64_t epoch, int64_t first)
    : loader_(loader), batches_(loader.batches(epoch)), first_(first), produced_(first) {
    KAYA_CHECK(first >= 0 && first <= loader.num_batches(), ValueError, "DataLoader: first batch ",
               first, " is outside the epoch's ", loader.num_batches(), " batches");
    if (loader_.o_.prefetch && loader_.num_batches() - first > 1) {
        worker_ = std::make_unique<Worker>();
        worker_->thread =
            std::thread([this] { worker_->run(loader_, batches_, first_); });
    }
}

DataLoader::Epoch::~Epoch() {
    if (worker_) {
        {
            std::lock_guard<std::mutex> lock(worker_->mu);
            worker_->stop = true;
        }
        worker_->cv.notify_all();
        worker_->thread.join();
    }
}

Example DataLoader::Epoch::next() {
    const int64_t b = produced_++;
    if (!worker_) return loader_.batch(batches_[static_cast<size_t>(b)]);
    std::unique_lock<std::mutex> lock(worker_->mu);
    worker_->cv.wait(lock, [&] { return !worker_->ready.empty() || worker_->error; });
    if (worker_->ready.empty()) std::rethrow_exception(worker_->error);
    Example e = std::move(worker_->ready.front());
    worker_->ready.pop_front();
    worker_->cv.notify_all();
    return e;
}

DataLoader::Iterator DataLoader::Epoch::begin() { return Iterator(this, first_); }
DataLoader::Iterator DataLoader::Epoch::end() { return Iterator(this, loader_.num_batches()); }

DataLoader::Iterator::Iterator(Epoch* epoch, int64_t index) : epoch_(epoch), index_(index) {
    if (index_ < epoch_->loader_.num_batches()) {
        KAYA_CHECK(epoch_->produced_ == epoch_->first_, ValueError,
                   "DataLoader: an epoch can be iterated only once; call loader.epoch(e) again");
        current_ = epoch_->next();
    }
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
    ++index_;
    current_ = index_ < epoch_->loader_.num_batches() ? epoch_->next() : Example{};
    return *this;
}

}  // namespace kaya::data
