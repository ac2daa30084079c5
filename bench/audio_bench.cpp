// SPDX-License-Identifier: MIT
// Speech features: the real FFT over a clip's frames (1001 frames of 512 points, the shape of
// 10 s of 16 kHz audio at a 10 ms hop), in float, on one thread and on the pool.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kaya/core/parallel.h"
#include "kaya/kernels/fft/fft.h"

namespace {

void BM_Rfft(benchmark::State& state) {
    const int64_t count = state.range(0), n = state.range(1);
    const int threads = static_cast<int>(state.range(2));
    std::vector<float> in(count * n), out(count * (n / 2 + 1) * 2);
    std::mt19937 gen(1);
    std::normal_distribution<float> dist;
    for (auto& x : in) x = dist(gen);
    int saved = kaya::num_threads();
    kaya::set_num_threads(threads);
    for (auto _ : state) {
        kaya::kernels::rfft_forward(out.data(), in.data(), count, n, n);
        benchmark::DoNotOptimize(out.data());
    }
    kaya::set_num_threads(saved);
    // 2.5 n log2 n flops per real transform, the usual FFT convention.
    state.counters["GFLOP/s"] = benchmark::Counter(
        2.5 * static_cast<double>(count * n) * std::log2(static_cast<double>(n)),
        benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_Rfft)->Args({1001, 512, 1})->Args({1001, 400, 1})->Args({1001, 512, 2})->Unit(benchmark::kMicrosecond);

}  // namespace
