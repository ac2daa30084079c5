// SPDX-License-Identifier: MIT
// One forward + backward of an MLP 117 -> 64 -> 64 -> 1 (ReLU, mean squared error) built from
// engine ops, at batch 256 and 32. The per-op overhead is the batch-32 time divided by the
// number of recorded ops (forward and backward).
#include <benchmark/benchmark.h>

#include "kaya/ops/ops.h"

namespace {

using namespace kaya;

struct Mlp {
    std::vector<Tensor> params;
    explicit Mlp(Generator& g) {
        auto p = [&](Shape s, double scale) {
            Tensor t = mul(randn(s, DType::Float32, &g), scale);
            return t.requires_grad_();
        };
        params = {p({117, 64}, 0.1), p({64}, 0.1), p({64, 64}, 0.1), p({64}, 0.1),
                  p({64, 1}, 0.1),   p({1}, 0.1)};
    }
    Tensor loss(const Tensor& x, const Tensor& y) const {
        Tensor h = relu(add(matmul(x, params[0]), params[1]));
        h = relu(add(matmul(h, params[2]), params[3]));
        Tensor d = sub(add(matmul(h, params[4]), params[5]), y);
        return mean(mul(d, d));
    }
};

void BM_MlpForwardBackward(benchmark::State& state) {
    const int64_t batch = state.range(0);
    Generator g(0);
    Mlp mlp(g);
    Tensor x = randn({batch, 117}, DType::Float32, &g), y = randn({batch, 1}, DType::Float32, &g);
    for (auto _ : state) {
        for (auto& p : mlp.params) p.set_grad(Tensor());
        Tensor l = mlp.loss(x, y);
        autograd::backward(l);
        benchmark::DoNotOptimize(mlp.params[0].grad().raw_data());
    }
}

BENCHMARK(BM_MlpForwardBackward)->Arg(256)->Arg(32)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
