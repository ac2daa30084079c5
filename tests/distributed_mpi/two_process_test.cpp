// SPDX-License-Identifier: MIT
// Run by ctest under `mpirun -np 2`: the same tests run in both processes, in the same order,
// and every collective in them is matched. Data-parallel training must keep the parameters
// identical in every process after every step, and equal one process training on the same
// global batches within float summation tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kaya/autograd/engine.h"
#include "kaya/data/dataloader.h"
#include "kaya/distributed/process_group.h"
#include "kaya/distributed/reducer.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/adaptive.h"

namespace kaya::distributed {
namespace {

ProcessGroup& group() { return world(); }

TEST(TwoProcesses, GroupAndCollectives) {
    ASSERT_EQ(group().size(), 2) << "run under mpirun -np 2";
    EXPECT_EQ(group().backend(), "mpi");
    const int r = group().rank();
    EXPECT_EQ(group().allreduce_sum(std::vector<double>{r + 1.0, 10.0 * r}, "t"),
              (std::vector<double>{3, 10}));
    Tensor f = full({1000}, static_cast<double>(r + 1), DType::Float32);
    group().allreduce_sum(f, "float")->wait();
    EXPECT_EQ(to_vector<float>(f), std::vector<float>(1000, 3.0f));
    // A string of another length on each process: root 1's arrives everywhere.
    const std::string mine(static_cast<size_t>(5 + 1000 * r), static_cast<char>('a' + r));
    EXPECT_EQ(group().broadcast_string(mine, 1, "t"), std::string(1005, 'b'));
    Tensor t = full({3, 4}, static_cast<double>(r), DType::Int64);
    group().broadcast(t, 0, "t")->wait();
    EXPECT_EQ(to_vector<int64_t>(t), std::vector<int64_t>(12, 0));
}

// A 5-16-1 tanh network as plain leaves.
std::vector<Tensor> init_params(uint64_t seed) {
    Generator g(seed);
    std::vector<Tensor> ps{mul(randn({5, 16}, DType::Float32, &g), 0.5), zeros({16}),
                           mul(randn({16, 1}, DType::Float32, &g), 0.5), zeros({1})};
    for (auto& p : ps) p.requires_grad_(true);
    return ps;
}

Tensor loss_of(const std::vector<Tensor>& ps, const Tensor& x, const Tensor& y) {
    Tensor h = tanh(add(matmul(x, ps[0]), ps[1]));
    Tensor d = sub(add(matmul(h, ps[2]), ps[3]), y);
    return mean(mul(d, d));
}

uint64_t hash_of(const std::vector<Tensor>& ps) {
    uint64_t h = 1469598103934665603ULL;
    for (const auto& p : ps) {
        const auto* b = static_cast<const unsigned char*>(p.raw_data());
        for (int64_t i = 0; i < p.numel() * 4; ++i) h = (h ^ b[i]) * 1099511628211ULL;
    }
    return h;
}

// Process 0's hash sent to all; each compares; the count of mismatches summed.
int processes_differing(const std::vector<Tensor>& ps) {
    const std::string h = std::to_string(hash_of(ps));
    const bool same = group().broadcast_string(h, 0, "hash") == h;
    return static_cast<int>(group().allreduce_sum(std::vector<double>{same ? 0.0 : 1.0}, "hash")[0]);
}

struct Case {
    bool overlap;
    int64_t batch;  // Global batch: odd sizes give parts of unequal size; 1 leaves a part empty.
    double bucket_mb;
};

class DataParallelTraining : public ::testing::TestWithParam<Case> {};

TEST_P(DataParallelTraining, SameParametersEverywhereAndAsOneProcess) {
    const Case c = GetParam();
    Generator g(7);
    const int64_t rows = 400;
    Tensor X = randn({rows, 5}, DType::Float32, &g);
    Tensor Y = sin(sum(X, {1}, true));
    // Every process starts from different weights: process 0's are broadcast.
    std::vector<Tensor> dp = init_params(100 + static_cast<uint64_t>(group().rank()));
    broadcast_tensors(group(), dp, 0);
    std::vector<Tensor> ref = init_params(100);  // One process, the whole batch.
    optim::Adam opt_dp(dp, {.lr = 0.01}), opt_ref(ref, {.lr = 0.01});
    GradientReducer reducer(group(), dp, {.bucket_mb = c.bucket_mb, .overlap = c.overlap});
    int differing_steps = 0;
    double worst = 0;
    for (int64_t step = 0; step < 50; ++step) {
        const int64_t start = (step * c.batch) % (rows - c.batch);
        Tensor xb = narrow(X, 0, start, c.batch), yb = narrow(Y, 0, start, c.batch);
        opt_ref.zero_grad();
        autograd::backward(loss_of(ref, xb, yb));
        opt_ref.step();

        const auto [b, e] = data::shard_part(c.batch, group().rank(), group().size());
        opt_dp.zero_grad();
        reducer.begin(static_cast<double>(e - b));
        double local = 0;
        if (e > b) {
            Tensor l = loss_of(dp, narrow(xb, 0, b, e - b), narrow(yb, 0, b, e - b));
            autograd::backward(l);
            local = l.item<double>() * static_cast<double>(e - b);
        }
        const auto sums = reducer.finish({local, static_cast<double>(e - b)});
        EXPECT_EQ(sums[1], static_cast<double>(c.batch));
        opt_dp.step();
        differing_steps += processes_differing(dp) > 0;
        for (size_t i = 0; i < dp.size(); ++i) {
            const auto a = to_vector<float>(dp[i]), r = to_vector<float>(ref[i]);
            for (size_t k = 0; k < a.size(); ++k) worst = std::max(worst, static_cast<double>(std::abs(a[k] - r[k])));
        }
    }
    EXPECT_EQ(differing_steps, 0);
    // Adam's steps are 0.01 at most; float summation in another order moves weights by far less.
    EXPECT_LT(worst, 2e-5);
    EXPECT_EQ(reducer.stats().steps, 50);
}

INSTANTIATE_TEST_SUITE_P(Cases, DataParallelTraining,
                         ::testing::Values(Case{true, 32, 1.0}, Case{false, 32, 1.0},
                                           Case{true, 31, 1e-4}, Case{true, 1, 1e-4}));

}  // namespace
}  // namespace kaya::distributed

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    kaya::distributed::world();  // MPI first: the tests run in both processes.
    int failed = RUN_ALL_TESTS();
    // Both processes end with the same verdict.
    const double any = kaya::distributed::world().allreduce_sum(std::vector<double>{failed ? 1.0 : 0.0}, "verdict")[0];
    return any > 0 ? 1 : 0;
}
