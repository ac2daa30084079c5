// SPDX-License-Identifier: MIT
// Second derivatives on issue 18's reference problem: an MLP 10-50-1 with tanh on 200 samples
// (601 parameters) and MSE loss, in float32 (/32) and float64 (/64). BM_Hessian601 is the full
// 601 x 601 Hessian from scratch (torch.autograd.functional.hessian in bench/torch_peer.py),
// BM_Hvp601 one Hessian-vector product from scratch (forward, gradient with create_graph,
// second backward), as PyTorch's double-backward HVP.
#include <benchmark/benchmark.h>

#include "kaya/curvature/derivatives.h"
#include "kaya/ops/ops.h"

namespace {

using kaya::Tensor;

struct Problem {
    Tensor x, y, w1, b1, w2, b2;
    explicit Problem(kaya::DType dt) {
        kaya::Generator gen(18);
        x = kaya::randn({200, 10}, dt, &gen);
        y = kaya::sin(kaya::sum(x, {1}, true));
        w1 = kaya::mul(kaya::randn({50, 10}, dt, &gen), 0.3).requires_grad_(true);
        b1 = kaya::mul(kaya::randn({50}, dt, &gen), 0.1).requires_grad_(true);
        w2 = kaya::mul(kaya::randn({1, 50}, dt, &gen), 0.3).requires_grad_(true);
        b2 = kaya::mul(kaya::randn({1}, dt, &gen), 0.1).requires_grad_(true);
    }
    Tensor loss() const {
        return kaya::mean(kaya::pow(kaya::linear(kaya::tanh(kaya::linear(x, w1, b1)), w2, b2) - y, 2.0));
    }
    std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
};

kaya::DType dtype_arg(const benchmark::State& state) {
    return state.range(0) == 64 ? kaya::DType::Float64 : kaya::DType::Float32;
}

void BM_Hessian601(benchmark::State& state) {
    Problem p(dtype_arg(state));
    for (auto _ : state) {
        Tensor h = kaya::curvature::hessian([&] { return p.loss(); }, p.params());
        benchmark::DoNotOptimize(h.raw_data());
    }
}
BENCHMARK(BM_Hessian601)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Hvp601(benchmark::State& state) {
    Problem p(dtype_arg(state));
    kaya::Generator gen(5);
    Tensor v = kaya::randn({601}, dtype_arg(state), &gen);
    for (auto _ : state) {
        Tensor hv = kaya::curvature::hvp([&] { return p.loss(); }, p.params(), v);
        benchmark::DoNotOptimize(hv.raw_data());
    }
}
BENCHMARK(BM_Hvp601)->Arg(32)->Arg(64)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
