// SPDX-License-Identifier: MIT
// One full training step (zero_grad, forward, loss, backward, Adam step) with nn and optim:
// the MLP 117-64-64-1 (MSE) at batch 256 and 32, and the Fashion-MNIST MLP 784-256-128-10
// (cross-entropy) at batch 128.
#include <benchmark/benchmark.h>

#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

namespace {

using namespace kaya;

std::shared_ptr<nn::Sequential> mlp(const std::vector<int64_t>& sizes) {
    auto m = std::make_shared<nn::Sequential>();
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
        m->push_back(std::make_shared<nn::Linear>(sizes[i], sizes[i + 1]));
        if (i + 2 < sizes.size()) m->push_back(std::make_shared<nn::ReLU>());
    }
    return m;
}

void BM_TrainStepMlp(benchmark::State& state) {
    const int64_t batch = state.range(0);
    manual_seed(0);
    auto model = mlp({117, 64, 64, 1});
    optim::Adam opt(model->parameters(), {.lr = 1e-3});
    Tensor x = randn({batch, 117}), y = randn({batch, 1});
    for (auto _ : state) {
        opt.zero_grad();
        autograd::backward(nn::mse_loss((*model)(x), y));
        opt.step();
    }
}

void BM_TrainStepFashion(benchmark::State& state) {
    const int64_t batch = state.range(0);
    manual_seed(0);
    auto model = mlp({784, 256, 128, 10});
    optim::Adam opt(model->parameters(), {.lr = 1e-3});
    Tensor x = rand({batch, 784}), y = randint(0, 10, {batch});
    for (auto _ : state) {
        opt.zero_grad();
        autograd::backward(nn::cross_entropy((*model)(x), y));
        opt.step();
    }
}

BENCHMARK(BM_TrainStepMlp)->Arg(256)->Arg(32)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_TrainStepFashion)->Arg(128)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
