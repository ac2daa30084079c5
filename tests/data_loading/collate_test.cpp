// SPDX-License-Identifier: MIT
// Variable-length batches: pad_sequence, the padding collate and length bucketing.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kaya/data/collate.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::data {
namespace {

// Example i: a sequence of ids of length lens[i] (its values 100 * i + position) and tags.
class Sequences : public Dataset {
public:
    explicit Sequences(std::vector<int64_t> lens) : lens_(std::move(lens)) {}
    int64_t size() const override { return static_cast<int64_t>(lens_.size()); }
    Example get(int64_t i) const override {
        Tensor ids = add(arange(lens_[i]), 100 * i);
        return {ids, mul(ids, 2)};
    }

private:
    std::vector<int64_t> lens_;
};

TEST(Collate, PadSequenceLikePyTorch) {
    Tensor a = from_vector<float>({1, 2, 3}, {3}), b = from_vector<float>({4}, {1});
    EXPECT_EQ(to_vector<float>(pad_sequence({a, b}, true, -1)),
              (std::vector<float>{1, 2, 3, 4, -1, -1}));
    Tensor tm = pad_sequence({a, b}, false);
    EXPECT_EQ(tm.shape(), (Shape{3, 2}));
    EXPECT_EQ(to_vector<float>(tm), (std::vector<float>{1, 4, 2, 0, 3, 0}));
    EXPECT_NE(test::error_of([&] { pad_sequence({a, zeros({2, 2})}); }).find("only dim 0 may differ"),
              std::string::npos);
    EXPECT_NE(test::error_of([&] { pad_sequence({a, zeros({2}, DType::Int64)}); }).find("sequence 1 is"),
              std::string::npos);
}

TEST(Collate, PadCollateAppendsLengths) {
    Sequences ds({3, 1, 2});
    auto collate = pad_collate({-1, -7});
    Example batch = collate({ds.get(0), ds.get(1), ds.get(2)});
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(to_vector<int64_t>(batch[0]),
              (std::vector<int64_t>{0, 1, 2, 100, -1, -1, 200, 201, -1}));
    EXPECT_EQ(to_vector<int64_t>(batch[1]),
              (std::vector<int64_t>{0, 2, 4, 200, -7, -7, 400, 402, -7}));
    EXPECT_EQ(to_vector<int64_t>(batch[2]), (std::vector<int64_t>{3, 1, 2}));
}

TEST(Bucketing, BatchesHoldSimilarLengthsEveryExampleOnceSeeded) {
    std::vector<int64_t> lens;
    for (int i = 0; i < 200; ++i) lens.push_back(1 + (i * 37) % 50);
    auto ds = std::make_shared<Sequences>(lens);
    DataLoaderOptions o{.batch_size = 8, .shuffle = true, .seed = 3, .lengths = lens,
                        .bucket_pool = 25, .collate = pad_collate()};
    DataLoader loader(ds, o);
    auto batches = loader.batches(1);
    ASSERT_EQ(static_cast<int64_t>(batches.size()), loader.num_batches());
    std::multiset<int64_t> seen;
    int64_t padded = 0, tokens = 0;
    for (const auto& b : batches) {
        int64_t lo = 1000, hi = 0;
        for (int64_t i : b) {
            seen.insert(i);
            lo = std::min(lo, lens[i]), hi = std::max(hi, lens[i]);
            tokens += lens[i];
        }
        padded += hi * static_cast<int64_t>(b.size());
        EXPECT_LE(hi - lo, 3) << "one pool holds all 200 examples: neighbours differ by little";
    }
    EXPECT_EQ(seen.size(), 200u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 200u);
    EXPECT_LT(static_cast<double>(padded) / tokens, 1.1);
    EXPECT_EQ(loader.batches(1), batches);
    EXPECT_NE(loader.batches(2), batches);
    // The batches come out padded, in the same order.
    int64_t k = 0;
    for (const auto& batch : loader.epoch(1)) {
        ASSERT_EQ(batch.size(), 3u);
        EXPECT_EQ(batch[0].shape()[0], static_cast<int64_t>(batches[k].size()));
        EXPECT_EQ(to_vector<int64_t>(batch[2])[0], lens[batches[k][0]]);
        ++k;
    }
    EXPECT_EQ(k, loader.num_batches());
}

TEST(Bucketing, LengthsMustCoverTheDataset) {
    auto ds = std::make_shared<Sequences>(std::vector<int64_t>{1, 2, 3});
    EXPECT_NE(test::error_of([&] { DataLoader(ds, {.lengths = {1, 2}}); }).find("got 2 lengths"),
              std::string::npos);
}

}  // namespace
}  // namespace kaya::data
