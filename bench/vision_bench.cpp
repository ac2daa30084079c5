// SPDX-License-Identifier: MIT
// Training steps of image classifiers (zero_grad, forward, cross-entropy, backward, step) on
// 28x28 grey images: LeNet-5 (conv 6@5x5 'same', ReLU, max-pool, conv 16@5x5, ReLU, max-pool,
// 120, 84, 10) with SGD momentum 0.9 at batch 64, and configs/fashion_cnn.toml's network with
// Adam at batch 128. bench/torch_peer.py runs the same in PyTorch.
#include <benchmark/benchmark.h>

#include "apps/vision/cnn.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

namespace {

using namespace kaya;

std::shared_ptr<nn::Sequential> lenet5() {
    auto conv = [](int64_t in, int64_t out, int64_t pad) {
        return std::make_shared<nn::Conv2d>(
            nn::Conv2dOptions{.in = in, .out = out, .kernel = {5, 5}, .params = {.padding = {pad, pad}}});
    };
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
        conv(1, 6, 2), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
        conv(6, 16, 0), std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2),
        std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(400, 120),
        std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(120, 84),
        std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(84, 10)});
}

void BM_LeNet5TrainStep(benchmark::State& state) {
    const int64_t batch = state.range(0);
    manual_seed(0);
    auto model = lenet5();
    optim::SGD opt(model->parameters(), {.lr = 0.01, .momentum = 0.9});
    Tensor x = rand({batch, 1, 28, 28}), y = randint(0, 10, {batch});
    for (auto _ : state) {
        opt.zero_grad();
        autograd::backward(nn::cross_entropy((*model)(x), y));
        opt.step();
    }
}

void BM_FashionCnnTrainStep(benchmark::State& state) {
    const int64_t batch = state.range(0);
    manual_seed(0);
    auto model = vision::build_cnn(vision::CnnOptions{}, {1, 28, 28}, 10, {0.286}, {0.353});
    model->train();
    optim::Adam opt(model->parameters(), {.lr = 1e-3});
    Tensor x = rand({batch, 1, 28, 28}), y = randint(0, 10, {batch});
    for (auto _ : state) {
        opt.zero_grad();
        autograd::backward(nn::cross_entropy((*model)(x), y));
        opt.step();
    }
}

BENCHMARK(BM_LeNet5TrainStep)->Arg(64)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_FashionCnnTrainStep)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
