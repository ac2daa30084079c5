// SPDX-License-Identifier: MIT
// The distributed layer within one process: the post-accumulate-grad hook, the gradient
// reducer's buckets, weights and unused parameters over a group of one, and batch sharding.
// tests/distributed_mpi runs the same pieces across two processes under mpirun.
#include <gtest/gtest.h>

#include <cmath>

#include "kaya/autograd/engine.h"
#include "kaya/data/dataloader.h"
#include "kaya/distributed/process_group.h"
#include "kaya/distributed/reducer.h"
#include "kaya/ops/ops.h"

namespace kaya::distributed {
namespace {

Tensor param(const Shape& shape, uint64_t seed) {
    Generator g(seed);
    Tensor p = randn(shape, DType::Float32, &g);
    p.requires_grad_(true);
    return p;
}

TEST(PostAccumulateGradHook, FiresOnceWithTheCompleteGradient) {
    Tensor w = param({3}, 1);
    // w is used twice: the hook must see the sum of both contributions, once.
    int calls = 0;
    std::vector<float> seen;
    const int64_t id = autograd::add_post_accumulate_grad_hook(w, [&](const Tensor& leaf) {
        ++calls;
        seen = to_vector<float>(leaf.grad());
    });
    Tensor loss = add(sum(mul(w, 2.0)), sum(mul(w, w)));
    autograd::backward(loss);
    EXPECT_EQ(calls, 1);
    const auto wv = to_vector<float>(w), gv = to_vector<float>(w.grad());
    ASSERT_EQ(seen.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_FLOAT_EQ(seen[i], 2 + 2 * wv[i]);
        EXPECT_EQ(seen[i], gv[i]);
    }
    autograd::remove_post_accumulate_grad_hook(w, id);
    autograd::backward(sum(w));
    EXPECT_EQ(calls, 1);
    Tensor x = mul(w, 2.0);  // Not a leaf.
    EXPECT_THROW(autograd::add_post_accumulate_grad_hook(x, [](const Tensor&) {}), ValueError);
}

TEST(GradientReducer, BucketsInReverseOrderUnderTheCap) {
    auto group = single_process_group();
    // 4 float32 parameters of 1 KiB each and a float64 one; cap 2 KiB.
    std::vector<Tensor> ps{param({256}, 1), param({256}, 2), param({256}, 3), param({256}, 4),
                           to(param({8}, 5), DType::Float64)};
    ps[4] = detach(ps[4]);
    ps[4].requires_grad_(true);
    GradientReducer r(*group, ps, {.bucket_mb = 2.0 / 1024});
    EXPECT_EQ(r.stats().buckets, 3);
    EXPECT_EQ(r.bucket_params(0), (std::vector<size_t>{4}));  // Last first, its own dtype.
    EXPECT_EQ(r.bucket_params(1), (std::vector<size_t>{3, 2}));
    EXPECT_EQ(r.bucket_params(2), (std::vector<size_t>{1, 0}));
    EXPECT_EQ(r.stats().bytes, 4 * 1024 + 64);
    EXPECT_THROW(GradientReducer(*group, {detach(ps[0])}), ValueError);  // No grad.
}

// With one process the weighted mean of gradients is the gradient itself (to rounding: it is
// scaled by the weight and back), with and without overlap; a parameter nobody used keeps no
// gradient; extra values come back.
TEST(GradientReducer, OneProcessLeavesGradientsAsTheyAre) {
    auto group = single_process_group();
    for (bool overlap : {true, false}) {
        std::vector<Tensor> ps{param({4, 3}, 1), param({3}, 2), param({5}, 3)};
        GradientReducer r(*group, ps, {.bucket_mb = 1e-5, .overlap = overlap});
        Tensor x = randn({6, 4});
        for (int step = 0; step < 3; ++step) {
            for (auto& p : ps) p.set_grad(Tensor());
            r.begin(6);
            Tensor loss = mean(tanh(add(matmul(x, ps[0]), ps[1])));
            autograd::backward(loss);
            const auto g0 = to_vector<float>(ps[0].grad()), g1 = to_vector<float>(ps[1].grad());
            const auto extra = r.finish({1.5, -2});
            EXPECT_EQ(extra, (std::vector<double>{1.5, -2}));
            const auto r0 = to_vector<float>(ps[0].grad()), r1 = to_vector<float>(ps[1].grad());
            for (size_t i = 0; i < g0.size(); ++i) EXPECT_NEAR(r0[i], g0[i], 1e-6 * std::abs(g0[i]));
            for (size_t i = 0; i < g1.size(); ++i) EXPECT_NEAR(r1[i], g1[i], 1e-6 * std::abs(g1[i]));
            EXPECT_FALSE(ps[2].grad().defined());
        }
        EXPECT_EQ(r.stats().steps, 3);
        // Buckets go out in order: ps[2]'s, the first, never completes during backward (it is
        // unused), so none starts early; finish() starts all three.
        EXPECT_EQ(r.stats().buckets, 3);
        EXPECT_EQ(r.stats().early_launches, 0);
    }
}

// With every parameter used, each bucket starts from the hook of its last gradient, during
// backward; without overlap, none does.
TEST(GradientReducer, BucketsStartDuringBackward) {
    auto group = single_process_group();
    for (bool overlap : {true, false}) {
        std::vector<Tensor> ps{param({4, 3}, 1), param({3}, 2)};
        GradientReducer r(*group, ps, {.bucket_mb = 1e-5, .overlap = overlap});
        for (int step = 0; step < 2; ++step) {
            r.begin(1);
            autograd::backward(sum(add(matmul(randn({2, 4}), ps[0]), ps[1])));
            r.finish();
        }
        EXPECT_EQ(r.stats().early_launches, overlap ? 4 : 0);
    }
}

TEST(GradientReducer, RefusesMisuse) {
    auto group = single_process_group();
    Tensor w = param({3}, 1);
    GradientReducer r(*group, {w});
    EXPECT_THROW(r.finish(), ValueError);  // No begin.
    EXPECT_THROW(r.begin(-1), ValueError);
    r.begin(1);
    EXPECT_THROW(r.begin(1), ValueError);
    autograd::backward(sum(w));
    EXPECT_THROW(autograd::backward(sum(w)), ValueError);  // A second gradient in one step.
    EXPECT_THROW(GradientReducer(*group, {w}, {.bucket_mb = 0}), ValueError);
}

TEST(ProcessGroup, OneProcessCollectives) {
    auto group = single_process_group();
    EXPECT_EQ(group->rank(), 0);
    EXPECT_EQ(group->size(), 1);
    EXPECT_EQ(group->broadcast_string("config", 0, "test"), "config");
    EXPECT_EQ(group->allreduce_sum(std::vector<double>{1, 2}, "test"), (std::vector<double>{1, 2}));
    EXPECT_THROW(group->allreduce_sum(zeros({2}, DType::Int64), "test"), DTypeError);
    EXPECT_THROW(group->broadcast(zeros({2}), 1, "test"), ValueError);
    EXPECT_THROW(group->broadcast(transpose(zeros({2, 3}), 0, 1), 0, "test"), ValueError);
}

TEST(ShardPart, PartsCoverTheBatchInOrderAndDifferByAtMostOne) {
    for (int64_t rows : {0, 1, 5, 64, 65}) {
        for (int64_t shards : {1, 2, 3, 7}) {
            int64_t next = 0, lo = rows, hi = 0;
            for (int64_t s = 0; s < shards; ++s) {
                const auto [b, e] = data::shard_part(rows, s, shards);
                EXPECT_EQ(b, next);
                next = e;
                lo = std::min(lo, e - b);
                hi = std::max(hi, e - b);
            }
            EXPECT_EQ(next, rows);
            EXPECT_LE(hi - lo, 1);
        }
    }
    EXPECT_THROW(data::shard_part(4, 2, 2), ValueError);
}

// Each process's loader gives its part of the batches one process would see, in order.
TEST(ShardPart, LoaderShardsJoinToTheUnshardedBatches) {
    auto ds = std::make_shared<data::TensorDataset>(std::vector<Tensor>{arange(0, 23, 1, DType::Int64)});
    const data::DataLoaderOptions base{.batch_size = 6, .shuffle = true, .seed = 9};
    data::DataLoader whole(ds, base);
    std::vector<std::unique_ptr<data::DataLoader>> parts;
    for (int64_t s = 0; s < 3; ++s) {
        auto o = base;
        o.shard = s;
        o.shards = 3;
        parts.push_back(std::make_unique<data::DataLoader>(ds, o));
    }
    for (int64_t epoch = 1; epoch <= 2; ++epoch) {
        const auto all = whole.batches(epoch);
        std::vector<std::vector<std::vector<int64_t>>> split;
        for (auto& p : parts) split.push_back(p->batches(epoch));
        for (size_t b = 0; b < all.size(); ++b) {
            std::vector<int64_t> joined;
            for (auto& s : split) joined.insert(joined.end(), s[b].begin(), s[b].end());
            EXPECT_EQ(joined, all[b]);
        }
    }
    data::DataLoaderOptions bad = base;
    bad.shard = 3;
    bad.shards = 3;
    EXPECT_THROW(data::DataLoader(ds, bad), ValueError);
}

}  // namespace
}  // namespace kaya::distributed
