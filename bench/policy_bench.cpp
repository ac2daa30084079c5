// SPDX-License-Identifier: MIT
// AlphaGo's policy network on 19x19 (apps/go/policy): one SGD training step at batch 16 and
// inference at batch 1 and 128, for the paper's 13 layers x 192 filters and the CPU-sized
// 6 x 64. Arguments: layers, filters, batch. bench/torch_peer.py runs the same nets.
#include <benchmark/benchmark.h>

#include "apps/go/policy/policy.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

namespace {

using namespace kaya;

std::shared_ptr<go::PolicyNet> net_for(const benchmark::State& state) {
    manual_seed(0);
    return std::make_shared<go::PolicyNet>(
        go::PolicyNetOptions{.board = 19, .filters = state.range(1), .layers = state.range(0)});
}

void BM_PolicyTrain(benchmark::State& state) {
    auto net = net_for(state);
    const int64_t batch = state.range(2);
    optim::SGD opt(net->parameters(), {.lr = 0.003});
    Tensor x = rand({batch, 48, 19, 19}), y = randint(0, 361, {batch});
    for (auto _ : state) {
        opt.zero_grad();
        autograd::backward(nn::cross_entropy(net->forward(x), y));
        opt.step();
    }
    state.counters["pos/s"] = benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_PolicyInfer(benchmark::State& state) {
    auto net = net_for(state);
    net->eval();
    const int64_t batch = state.range(2);
    Tensor x = rand({batch, 48, 19, 19});
    for (auto _ : state) {
        autograd::NoGradGuard no_grad;
        benchmark::DoNotOptimize(softmax(net->forward(x), 1));
    }
    state.counters["pos/s"] = benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

// The search's network (apps/go/search): `filters` x 6 layers, `blocks` residual blocks with
// global pooling (configs/go_residual_cpu.toml), the value and ownership heads, every head
// from one pass at the search's batch of leaves, its float products at `precision`.
void search_net_infer(benchmark::State& state, int64_t blocks, int64_t batch, int64_t filters,
                      kernels::MatmulPrecision precision) {
    manual_seed(0);
    go::PolicyNet net({.board = 19,
                       .filters = filters,
                       .layers = 6,
                       .value_hidden = 256,
                       .ownership = true,
                       .blocks = blocks,
                       .global_pool = blocks > 0});
    {
        autograd::NoGradGuard no_grad;  // Blocks away from their zero start, as after training.
        for (auto& [name, p] : net.named_parameters())
            if (name.find("conv2") != std::string::npos || name.find("pool_fc") != std::string::npos)
                copy_(p, mul(randn(p.shape()), 0.01));
    }
    net.eval();
    Tensor x = rand({batch, 48, 19, 19});
    kernels::set_float32_matmul_precision(precision);
    for (auto _ : state) {
        autograd::NoGradGuard no_grad;
        go::PolicyOutputs out = net.forward_heads(x);
        benchmark::DoNotOptimize(softmax(out.logits, 1));
        benchmark::DoNotOptimize(out.ownership);
    }
    kernels::set_float32_matmul_precision(kernels::MatmulPrecision::kHighest);
    state.counters["pos/s"] = benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

// The 64-filter search net. Arguments: blocks, batch (bench/torch_peer.py has its peer).
void BM_SearchNetInfer(benchmark::State& state) {
    search_net_infer(state, state.range(0), state.range(1), 64, kernels::MatmulPrecision::kHighest);
}

// Any width, in float (precision 0) or with bfloat16 products (1, `--matmul-precision medium`;
// on a CPU without AVX512-BF16 the same as 0). Arguments: blocks, batch, filters, precision.
void BM_SearchNetPrecision(benchmark::State& state) {
    search_net_infer(state, state.range(0), state.range(1), state.range(2),
                     state.range(3) ? kernels::MatmulPrecision::kMedium : kernels::MatmulPrecision::kHighest);
}
BENCHMARK(BM_SearchNetPrecision)
    ->ArgsProduct({{4}, {8}, {64, 128}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SearchNetInfer)->Args({0, 8})->Args({4, 8})->Unit(benchmark::kMillisecond)->UseRealTime();

// One residual block of the search net (global pooling, batch 8) in inference: its ReLUs and
// adds in the convolutions' epilogues as the net runs them (fused 1), or as separate ops after
// each convolution (0). Arguments: fused, filters, precision (0 float, 1 bfloat16 products).
void BM_ResidualBlockInfer(benchmark::State& state) {
    const int64_t filters = state.range(1), batch = 8;
    manual_seed(0);
    go::ResidualBlock block(filters, true, nullptr);
    autograd::NoGradGuard no_grad;
    for (auto& [name, p] : block.named_parameters()) copy_(p, mul(randn(p.shape()), 0.05));
    Tensor x = relu(randn({batch, filters, 19, 19}));
    kernels::set_float32_matmul_precision(state.range(2) ? kernels::MatmulPrecision::kMedium
                                                         : kernels::MatmulPrecision::kHighest);
    for (auto _ : state) {
        if (state.range(0)) {
            benchmark::DoNotOptimize(block.forward(x));
            continue;
        }
        Tensor pooled = cat({mean(x, {2, 3}), amax(x, {2, 3})}, 1);
        Tensor h =
            relu(add((*block.conv1)(x), reshape((*block.pool_fc)(pooled), {batch, filters, 1, 1})));
        benchmark::DoNotOptimize(relu(add(x, (*block.conv2)(h))));
    }
    kernels::set_float32_matmul_precision(kernels::MatmulPrecision::kHighest);
}
BENCHMARK(BM_ResidualBlockInfer)
    ->ArgsProduct({{0, 1}, {64, 128}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

// One layer of the Go nets at batch 16, by direction: 0 forward, 1 input gradient, 2 weight
// gradient (for finding where a training step spends its time). Arguments: direction,
// filters, kernel (3: a filters -> filters 3x3 layer; 5: the first layer, 48 planes -> filters).
void BM_ConvLayer(benchmark::State& state) {
    const int64_t filters = state.range(1), kernel = state.range(2), batch = 16;
    const int64_t ins = kernel == 5 ? 48 : filters;
    manual_seed(0);
    Tensor x = rand({batch, ins, 19, 19}), w = randn({filters, ins, kernel, kernel}),
           gy = randn({batch, filters, 19, 19});
    const Conv2dParams p{.padding = {kernel / 2, kernel / 2}};
    for (auto _ : state) {
        switch (state.range(0)) {
            case 0: benchmark::DoNotOptimize(conv2d(x, w, Tensor(), p)); break;
            case 1: benchmark::DoNotOptimize(conv2d_input_grad(x.shape(), w, gy, p)); break;
            default: benchmark::DoNotOptimize(conv2d_weight_grad(x, w.shape(), gy, p)); break;
        }
    }
    const double macs = static_cast<double>(batch) * filters * ins * kernel * kernel * 361;
    state.counters["GFLOP/s"] = benchmark::Counter(2 * macs, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ConvLayer)
    ->ArgsProduct({{0, 1, 2}, {64, 192}, {3, 5}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_PolicyTrain)->Args({6, 64, 16})->Args({13, 192, 16})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PolicyInfer)
    ->Args({6, 64, 1})
    ->Args({6, 64, 128})
    ->Args({13, 192, 1})
    ->Args({13, 192, 128})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
