// SPDX-License-Identifier: MIT
// sgemm through kaya::mm against a direct CBLAS call (OpenBLAS's own threading), the Transformer
// layer's products through kernels::gemm, one-thread products of the Go net's Winograd shapes and
// of whole squares (Kaya's kernel against OpenBLAS on one thread), and the machine's FMA peak.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <immintrin.h>

#include "kaya/core/parallel.h"
#include "kaya/kernels/blas/blas_setup.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/simd/sgemm.h"
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

// kernels::gemm (Kaya's threads) on one of the Transformer encoder layer's products (batch 32 x
// length 64, d_model 256, feed-forward 1024; sequence_bench): arguments M, N, K, trans_a, trans_b.
void BM_GemmShape(benchmark::State& state) {
    const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    const bool ta = state.range(3) != 0, tb = state.range(4) != 0;
    Tensor a = ta ? randn({K, M}) : randn({M, K}), b = tb ? randn({N, K}) : randn({K, N}), c = empty({M, N});
    for (auto _ : state) {
        kernels::gemm<float>(ta, tb, M, N, K, 1.0f, a.data<float>(), ta ? M : K, b.data<float>(), tb ? K : N, 0.0f,
                             c.data<float>(), N);
        benchmark::DoNotOptimize(c.raw_data());
    }
    set_flops(state, 2.0 * M * N * K);
}

// One product M x N x K on the calling thread: Kaya's own kernel (variant 0), OpenBLAS held to
// one thread (variant 1), or Kaya's kernel with A transposed (variant 2: K x M as stored, as
// the Winograd weight gradient's products take it). Arguments: variant, M, N, K. M = 25 is one
// image's tiles in a 19x19 Winograd F(4x4, 3x3) product, 400 sixteen images'.
void BM_SgemmOneThread(benchmark::State& state) {
    const bool blas = state.range(0) == 1, ta = state.range(0) == 2;
    const int64_t M = state.range(1), N = state.range(2), K = state.range(3);
    Tensor a = ta ? randn({K, M}) : randn({M, K}), b = randn({K, N}), c = empty({M, N});
    kernels::blas_stay_on_calling_thread();
    for (auto _ : state) {
        if (blas) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(M), static_cast<int>(N),
                        static_cast<int>(K), 1.0f, a.data<float>(), static_cast<int>(K), b.data<float>(),
                        static_cast<int>(N), 0.0f, c.data<float>(), static_cast<int>(N));
        } else if (!kernels::simd::sgemm(ta, false, M, N, K, 1.0f, a.data<float>(), ta ? M : K,
                                         b.data<float>(), N, 0.0f, c.data<float>(), N)) {
            state.SkipWithError("no AVX2/AVX-512 kernel on this CPU");
            break;
        }
        benchmark::DoNotOptimize(c.raw_data());
    }
    set_flops(state, 2.0 * M * N * K);
}

// Peak single-precision FMA throughput with the widest vectors this build targets (AVX-512 when
// -march allows it, else AVX2): 10 independent FMA chains per thread hide the latency, one
// chain set on every thread of Kaya's pool.
void BM_FmaPeak(benchmark::State& state) {
    const int64_t iters = 1 << 22;
    const int threads = num_threads();
#if defined(__AVX512F__)
    using V = __m512;
    constexpr int kLanes = 16;
    const auto set1 = [](float x) { return _mm512_set1_ps(x); };
    const auto fma = [](V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); };
    const auto first = [](V a) { return _mm512_cvtss_f32(a); };
#elif defined(__FMA__) && defined(__AVX2__)
    using V = __m256;
    constexpr int kLanes = 8;
    const auto set1 = [](float x) { return _mm256_set1_ps(x); };
    const auto fma = [](V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); };
    const auto first = [](V a) { return _mm256_cvtss_f32(a); };
#endif
    for (auto _ : state) {
#if defined(__AVX512F__) || (defined(__FMA__) && defined(__AVX2__))
        parallel_for(threads, 1, [&](int64_t b, int64_t e) {
            for (int64_t t = b; t < e; ++t) {
                V acc[10];
                for (auto& v : acc) v = set1(0.0f);
                const V m = set1(0.999999f), c = set1(1e-7f);
                for (int64_t i = 0; i < iters; ++i) {
                    for (auto& v : acc) v = fma(v, m, c);
                }
                float sink = 0;
                for (auto& v : acc) sink += first(v);
                benchmark::DoNotOptimize(sink);
            }
        });
#else
        state.SkipWithError("built without AVX2+FMA");
        break;
#endif
    }
#if defined(__AVX512F__) || (defined(__FMA__) && defined(__AVX2__))
    set_flops(state, 2.0 * kLanes * 10 * iters * threads);
#endif
}

BENCHMARK(BM_KayaMatmul)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CblasSgemm)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GemmShape)
    ->Args({2048, 768, 256, 0, 1})
    ->Args({2048, 1024, 256, 0, 1})
    ->Args({2048, 256, 1024, 0, 1})
    ->Args({2048, 256, 1024, 0, 0})
    ->Args({2048, 1024, 256, 0, 0})
    ->Args({1024, 256, 2048, 1, 0})
    ->Args({768, 256, 2048, 1, 0})
    ->Args({256, 1024, 2048, 1, 0})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_SgemmOneThread)
    ->ArgsProduct({{0, 1}, {25}, {64, 192}, {64, 192}})
    ->ArgsProduct({{0, 1}, {100, 400}, {64}, {64}})
    ->ArgsProduct({{0, 2}, {32, 64}, {64}, {400}})
    ->Args({0, 400, 192, 192})
    ->Args({1, 400, 192, 192})
    ->Args({0, 600, 192, 192})
    ->Args({1, 600, 192, 192})
    ->ArgsProduct({{0, 1}, {512}, {512}, {512}})
    ->ArgsProduct({{0, 1}, {1024}, {1024}, {1024}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_FmaPeak)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
