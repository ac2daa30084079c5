// SPDX-License-Identifier: MIT
// Elementwise throughput and per-op overhead: broadcast add, exp, and a multiply-add chain
// (a * b + c) at 1e3, 1e5 and 1e7 elements, as eager ops (one allocation per result).
#include <benchmark/benchmark.h>

#include "kaya/ops/ops.h"

namespace {

using namespace kaya;

// Bytes moved per call: inputs read plus output written, in float32.
void set_bytes(benchmark::State& state, int64_t bytes) {
    state.SetBytesProcessed(state.iterations() * bytes);
}

// (n/256, 256) + (256): the bias-add pattern.
void BM_AddBroadcast(benchmark::State& state) {
    const int64_t n = state.range(0);
    const int64_t cols = std::min<int64_t>(256, n);
    Tensor x = randn({n / cols, cols}), b = randn({cols});
    for (auto _ : state) benchmark::DoNotOptimize(add(x, b).raw_data());
    set_bytes(state, 2 * n * 4);
}

void BM_Exp(benchmark::State& state) {
    const int64_t n = state.range(0);
    Tensor x = randn({n});
    for (auto _ : state) benchmark::DoNotOptimize(exp(x).raw_data());
    set_bytes(state, 2 * n * 4);
}

void BM_MulAdd(benchmark::State& state) {
    const int64_t n = state.range(0);
    Tensor a = randn({n}), b = randn({n}), c = randn({n});
    for (auto _ : state) benchmark::DoNotOptimize(add(mul(a, b), c).raw_data());
    // Two passes: a*b (read 2, write 1), then + c (read 2, write 1).
    set_bytes(state, 6 * n * 4);
}

BENCHMARK(BM_AddBroadcast)->Arg(1000)->Arg(100000)->Arg(10000000)->UseRealTime();
BENCHMARK(BM_Exp)->Arg(1000)->Arg(100000)->Arg(10000000)->UseRealTime();
BENCHMARK(BM_MulAdd)->Arg(1000)->Arg(100000)->Arg(10000000)->UseRealTime();

}  // namespace
