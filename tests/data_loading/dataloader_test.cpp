// SPDX-License-Identifier: MIT
// Dataset, random_split and DataLoader (src/kaya/data; this folder is not named tests/data
// because that one holds the golden files).
#include <gtest/gtest.h>

#include <set>

#include "kaya/data/dataloader.h"
#include "kaya/ops/ops.h"

namespace kaya::data {
namespace {

std::shared_ptr<TensorDataset> numbers(int64_t n) {
    Tensor x = reshape(arange(2 * n, DType::Float32), {n, 2});
    Tensor y = arange(n);
    return std::make_shared<TensorDataset>(std::vector<Tensor>{x, y});
}

std::vector<int64_t> labels_seen(DataLoader& loader, int64_t epoch) {
    std::vector<int64_t> out;
    for (const Example& b : loader.epoch(epoch)) {
        auto v = to_vector<int64_t>(b[1]);
        out.insert(out.end(), v.begin(), v.end());
    }
    return out;
}

TEST(TensorDataset, RowsAndErrors) {
    auto ds = numbers(5);
    EXPECT_EQ(ds->size(), 5);
    Example e = ds->get(3);
    EXPECT_EQ(to_vector<float>(e[0]), (std::vector<float>{6, 7}));
    EXPECT_EQ(e[1].item<int64_t>(), 3);
    EXPECT_THROW(ds->get(5), IndexError);
    EXPECT_THROW(TensorDataset({zeros({3}), zeros({4})}), ShapeError);
}

TEST(DataLoader, SequentialBatchesWithAndWithoutDropLast) {
    DataLoader keep(numbers(10), {.batch_size = 4});
    EXPECT_EQ(keep.num_batches(), 3);
    std::vector<int64_t> sizes;
    for (const Example& b : keep.epoch(0)) sizes.push_back(b[0].shape()[0]);
    EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
    EXPECT_EQ(labels_seen(keep, 0), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    DataLoader drop(numbers(10), {.batch_size = 4, .drop_last = true});
    EXPECT_EQ(drop.num_batches(), 2);
    EXPECT_EQ(labels_seen(drop, 0).size(), 8u);
}

TEST(DataLoader, ShuffleIsSeededPerEpochAndAPermutation) {
    DataLoader a(numbers(50), {.batch_size = 8, .shuffle = true, .seed = 3});
    DataLoader b(numbers(50), {.batch_size = 8, .shuffle = true, .seed = 3, .prefetch = false});
    auto e0 = labels_seen(a, 0), e1 = labels_seen(a, 1);
    EXPECT_EQ(e0, labels_seen(b, 0)) << "prefetch does not change the order";
    EXPECT_EQ(e1, labels_seen(b, 1));
    EXPECT_NE(e0, e1) << "each epoch reshuffles";
    EXPECT_EQ(std::set<int64_t>(e0.begin(), e0.end()).size(), 50u);
    DataLoader c(numbers(50), {.batch_size = 8, .shuffle = true, .seed = 4});
    EXPECT_NE(labels_seen(c, 0), e0);
}

TEST(DataLoader, GenericDatasetsAreStacked) {
    struct Squares : Dataset {
        int64_t size() const override { return 6; }
        Example get(int64_t i) const override {
            return {full({2}, static_cast<double>(i * i)), scalar_tensor(static_cast<double>(i))};
        }
    };
    DataLoader l(std::make_shared<Squares>(), {.batch_size = 4});
    auto epoch = l.epoch(0);
    auto it = epoch.begin();
    EXPECT_EQ((*it)[0].shape(), (Shape{4, 2}));
    EXPECT_EQ(to_vector<float>((*it)[1]), (std::vector<float>{0, 1, 2, 3}));
}

TEST(DataLoader, WorkerErrorsReachTheCaller) {
    struct Broken : Dataset {
        int64_t size() const override { return 10; }
        Example get(int64_t i) const override {
            KAYA_CHECK(i < 6, ValueError, "Broken: example ", i, " is corrupt");
            return {scalar_tensor(1.0)};
        }
    };
    DataLoader l(std::make_shared<Broken>(), {.batch_size = 2});
    EXPECT_THROW({ for (const Example& b : l.epoch(0)) (void)b; }, ValueError);
}

TEST(RandomSplit, DisjointSeededAndComplete) {
    auto ds = numbers(10);
    auto parts = random_split(ds, std::vector<int64_t>{7, 3}, 42);
    EXPECT_EQ(parts[0]->size(), 7);
    EXPECT_EQ(parts[1]->size(), 3);
    std::set<int64_t> all;
    for (auto& p : parts) all.insert(p->indices().begin(), p->indices().end());
    EXPECT_EQ(all.size(), 10u);
    EXPECT_EQ(random_split(ds, std::vector<int64_t>{7, 3}, 42)[1]->indices(), parts[1]->indices());
    auto frac = random_split(ds, std::vector<double>{0.8, 0.2}, 1);
    EXPECT_EQ(frac[0]->size(), 8);
    EXPECT_THROW(random_split(ds, std::vector<int64_t>{5, 3}, 0), ValueError);
    EXPECT_EQ(parts[1]->get_batch({0, 1})[1].shape(), (Shape{2}));
}

}  // namespace
}  // namespace kaya::data
