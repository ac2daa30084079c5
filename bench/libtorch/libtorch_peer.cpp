// SPDX-License-Identifier: MIT
// The C++ peer of bench/compare.py: the training steps and Go-network runs of Kaya's benchmark
// programs, written against libtorch 1.13 (Debian's libtorch-dev), with the same names so the
// tables line up. A C++ user choosing a library compares with this, not with Python.
// Built only when libtorch is installed (scripts/setup.sh --with-torch); Kaya never links it.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <vector>

namespace {

torch::nn::Sequential mlp(const std::vector<int64_t>& sizes) {
    torch::nn::Sequential m;
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
        m->push_back(torch::nn::Linear(sizes[i], sizes[i + 1]));
        if (i + 2 < sizes.size()) m->push_back(torch::nn::ReLU());
    }
    return m;
}

void threads() { torch::set_num_threads(2); }

// glibc serves blocks above its mmap threshold (128 KB at start) with fresh mappings, every call
// paying their page faults, until a freed mapped block raises the threshold to its size (as in
// bench/torch_peer.py: PyTorch's search net 16 ms a call in a fresh process, 4.6 ms after one
// 16 MB tensor was freed). The peer starts in that state, as a long-running program soon is.
const bool kMallocWarmed = [] {
    torch::empty({4 << 20}).fill_(0);
    return true;
}();

// The raw-tensor MLP of bench/mlp_bench.cpp: three matmuls, ReLU, MSE, backward.
void BM_MlpForwardBackward(benchmark::State& state) {
    threads();
    const int64_t batch = state.range(0);
    torch::manual_seed(0);
    auto p = [](std::vector<int64_t> shape) { return (torch::randn(shape) * 0.1).requires_grad_(); };
    std::vector<torch::Tensor> w = {p({117, 64}), p({64}), p({64, 64}), p({64}), p({64, 1}), p({1})};
    auto x = torch::randn({batch, 117}), y = torch::randn({batch, 1});
    for (auto _ : state) {
        for (auto& t : w) t.mutable_grad() = torch::Tensor();
        auto h = torch::relu(x.matmul(w[0]) + w[1]);
        h = torch::relu(h.matmul(w[2]) + w[3]);
        auto d = h.matmul(w[4]) + w[5] - y;
        (d * d).mean().backward();
    }
}

void BM_TrainStepMlp(benchmark::State& state) {
    threads();
    const int64_t batch = state.range(0);
    torch::manual_seed(0);
    auto model = mlp({117, 64, 64, 1});
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
    auto x = torch::randn({batch, 117}), y = torch::randn({batch, 1});
    for (auto _ : state) {
        opt.zero_grad();
        torch::mse_loss(model->forward(x), y).backward();
        opt.step();
    }
}

void BM_TrainStepFashion(benchmark::State& state) {
    threads();
    const int64_t batch = state.range(0);
    torch::manual_seed(0);
    auto model = mlp({784, 256, 128, 10});
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
    auto x = torch::rand({batch, 784}), y = torch::randint(0, 10, {batch});
    for (auto _ : state) {
        opt.zero_grad();
        torch::cross_entropy_loss(model->forward(x), y).backward();
        opt.step();
    }
}

// AlphaGo's policy network as apps/go/policy builds it: 5x5 conv from 48 planes, 3x3 convs,
// a 1x1 conv to one plane, plus a learned bias per board point.
struct PolicyNetImpl : torch::nn::Module {
    PolicyNetImpl(int64_t layers, int64_t filters) {
        body->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(48, filters, 5).padding(2)));
        body->push_back(torch::nn::ReLU());
        for (int64_t i = 0; i < layers - 2; ++i) {
            body->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(filters, filters, 3).padding(1)));
            body->push_back(torch::nn::ReLU());
        }
        body->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(filters, 1, 1).bias(false)));
        register_module("body", body);
        position_bias = register_parameter("position_bias", torch::zeros({361}));
    }
    torch::Tensor forward(const torch::Tensor& x) { return body->forward(x).flatten(1) + position_bias; }
    torch::nn::Sequential body;
    torch::Tensor position_bias;
};
TORCH_MODULE(PolicyNet);

void BM_PolicyTrain(benchmark::State& state) {
    threads();
    torch::manual_seed(0);
    PolicyNet net(state.range(0), state.range(1));
    const int64_t batch = state.range(2);
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.003));
    auto x = torch::rand({batch, 48, 19, 19}), y = torch::randint(0, 361, {batch});
    for (auto _ : state) {
        opt.zero_grad();
        torch::cross_entropy_loss(net->forward(x), y).backward();
        opt.step();
    }
}

void BM_PolicyInfer(benchmark::State& state) {
    threads();
    torch::manual_seed(0);
    PolicyNet net(state.range(0), state.range(1));
    net->eval();
    auto x = torch::rand({state.range(2), 48, 19, 19});
    torch::NoGradGuard no_grad;
    for (auto _ : state) benchmark::DoNotOptimize(torch::softmax(net->forward(x), 1));
}

// The search's network as bench/policy_bench.cpp's BM_SearchNetInfer: the 6 x 64 layers,
// residual blocks with global pooling, the value and ownership heads. Arguments: blocks, batch.
struct SearchBlockImpl : torch::nn::Module {
    SearchBlockImpl()
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3).padding(1)))),
          conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3).padding(1)))),
          pool_fc(register_module("pool_fc", torch::nn::Linear(128, 64))) {}
    torch::Tensor forward(const torch::Tensor& x) {
        auto pooled = torch::cat({x.mean({2, 3}), x.amax({2, 3})}, 1);
        auto h = conv1->forward(x) + pool_fc->forward(pooled).unsqueeze(2).unsqueeze(3);
        return torch::relu(x + conv2->forward(torch::relu(h)));
    }
    torch::nn::Conv2d conv1, conv2;
    torch::nn::Linear pool_fc;
};
TORCH_MODULE(SearchBlock);

void BM_SearchNetInfer(benchmark::State& state) {
    threads();
    torch::manual_seed(0);
    torch::nn::Sequential trunk, blocks;
    trunk->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(48, 64, 5).padding(2)));
    trunk->push_back(torch::nn::ReLU());
    for (int i = 0; i < 4; ++i) {
        trunk->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 64, 3).padding(1)));
        trunk->push_back(torch::nn::ReLU());
    }
    for (int64_t b = 0; b < state.range(0); ++b) blocks->push_back(SearchBlock());
    torch::nn::Conv2d policy_conv(torch::nn::Conv2dOptions(64, 1, 1).bias(false));
    torch::nn::Conv2d value_conv(torch::nn::Conv2dOptions(64, 1, 1));
    torch::nn::Conv2d ownership_conv(torch::nn::Conv2dOptions(64, 1, 1));
    torch::nn::Linear value_fc1(361, 256), value_fc2(256, 1);
    auto position_bias = torch::zeros({361});
    auto x = torch::rand({state.range(1), 48, 19, 19});
    torch::NoGradGuard no_grad;
    for (auto _ : state) {
        auto h = trunk->forward(x);
        if (state.range(0) > 0) h = blocks->forward(h);
        auto logits = policy_conv->forward(h).flatten(1) + position_bias;
        benchmark::DoNotOptimize(torch::softmax(logits, 1));
        auto v = value_fc1->forward(value_conv->forward(h).flatten(1));
        benchmark::DoNotOptimize(torch::tanh(value_fc2->forward(torch::relu(v))));
        benchmark::DoNotOptimize(torch::tanh(ownership_conv->forward(h).flatten(1)));
    }
}

// The sequence rows of bench/sequence_bench.cpp. libtorch 1.13's C++ TransformerEncoderLayer
// has no batch_first: the same layer on (T, N, E) does the same work.
void BM_TransformerEncoderLayer(benchmark::State& state) {
    threads();
    torch::manual_seed(0);
    torch::nn::TransformerEncoderLayer layer(
        torch::nn::TransformerEncoderLayerOptions(256, 4).dim_feedforward(1024).dropout(0.0));
    auto x = torch::randn({64, 32, 256}, torch::requires_grad());
    for (auto _ : state) {
        layer->zero_grad();
        layer->forward(x).sum().backward();
    }
}

void BM_LstmBidirectional(benchmark::State& state) {
    threads();
    torch::manual_seed(0);
    torch::nn::LSTM lstm(torch::nn::LSTMOptions(256, 256).num_layers(2).bidirectional(true));
    auto x = torch::randn({64, 32, 256}, torch::requires_grad());
    for (auto _ : state) {
        lstm->zero_grad();
        std::get<0>(lstm->forward(x)).sum().backward();
    }
}

BENCHMARK(BM_SearchNetInfer)->Args({0, 8})->Args({4, 8})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TransformerEncoderLayer)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LstmBidirectional)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MlpForwardBackward)->Arg(256)->Arg(32)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_TrainStepMlp)->Arg(256)->Arg(32)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_TrainStepFashion)->Arg(128)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_PolicyTrain)->Args({6, 64, 16})->Args({13, 192, 16})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PolicyInfer)
    ->Args({6, 64, 1})
    ->Args({6, 64, 128})
    ->Args({13, 192, 1})
    ->Args({13, 192, 128})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
