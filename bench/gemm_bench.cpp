// SPDX-License-Identifier: MIT
// sgemm through kaya::mm against the CBLAS call it makes, and the machine's FMA peak.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <immintrin.h>
#include <omp.h>

#include "kaya/ops/ops.h"

namespace {

using namespace kaya;

void set_flops(benchmark::State& state, double flops_per_iter) {
    state.counters["GFLOP/s"] = benchmark::Counter(flops_per_iter * state.iterations() / 1e9,
                                                   benchmark::Counter::kIsRate);
}

void BM_KayaMatmul(benchmark::State& state) {
    const int64_t n = state.range(0);
    Tensor a = randn({n, n}), b = randn({n, n});
    for (auto _ : state) benchmark::DoNotOptimize(mm(a, b).raw_data());
    set_flops(state, 2.0 * n * n * n);
}

void BM_CblasSgemm(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    Tensor a = randn({n, n}), b = randn({n, n}), c = empty({n, n});
    for (auto _ : state) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n,
                    b.data<float>(), n, 0.0f, c.data<float>(), n);
        benchmark::DoNotOptimize(c.raw_data());
    }
    set_flops(state, 2.0 * n * n * n);
}

// Peak single-precision FMA throughput: 10 independent 8-wide FMA chains per thread hide the
// FMA latency, on every thread of the pool. The VM's nominal clock understates this.
void BM_FmaPeak(benchmark::State& state) {
    const int64_t iters = 1 << 22;
    const int threads = num_threads();
    for (auto _ : state) {
#pragma omp parallel num_threads(threads)
        {
#if defined(__FMA__) && defined(__AVX2__)
            __m256 acc[10];
            for (auto& v : acc) v = _mm256_set1_ps(0.0f);
            const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
            for (int64_t i = 0; i < iters; ++i) {
                for (auto& v : acc) v = _mm256_fmadd_ps(v, m, c);
            }
            float sink = 0;
            for (auto& v : acc) sink += _mm256_cvtss_f32(v);
            benchmark::DoNotOptimize(sink);
#endif
        }
    }
    set_flops(state, 2.0 * 8 * 10 * iters * threads);
}

BENCHMARK(BM_KayaMatmul)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CblasSgemm)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FmaPeak)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
