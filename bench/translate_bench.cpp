// SPDX-License-Identifier: MIT
// Issue 15's reference shape: an encoder-decoder Transformer of 3 + 3 pre-norm layers, d_model
// 256, 4 heads, feed-forward 1024, vocabularies of 8,000 (tied output), dropout 0.1. One
// training step (batch 32, source and target length 32, label-smoothed cross-entropy, Adam),
// and greedy decoding at batch 1 of a 32-token source: `steps` tokens with the key/value cache
// (1) or recomputing the prefix at every step (0), as PyTorch's nn.Transformer loop does.
// bench/torch_peer.py runs the same in PyTorch.
#include <benchmark/benchmark.h>

#include "apps/translate/decode.h"
#include "apps/translate/model.h"
#include "kaya/nn/nn.h"
#include "kaya/optim/optim.h"
#include "kaya/ops/ops.h"

namespace {

using namespace kaya;

std::shared_ptr<translate::Translator> reference_model() {
    manual_seed(0);
    return std::make_shared<translate::Translator>(translate::TranslatorOptions{
        .src_vocab = 8000, .tgt_vocab = 8000, .d_model = 256, .heads = 4, .encoder_layers = 3,
        .decoder_layers = 3, .feedforward = 1024, .dropout = 0.1, .max_len = 256});
}

void BM_TranslatorTrainStep(benchmark::State& state) {
    auto m = reference_model();
    optim::Adam opt(m->parameters(), {.lr = 5e-4, .betas = {0.9, 0.98}});
    Tensor src = randint(4, 8000, {32, 32}), tin = randint(4, 8000, {32, 32}), tout = randint(4, 8000, {32, 32});
    for (auto _ : state) {
        opt.zero_grad();
        Tensor logits = m->forward(src, tin);
        autograd::backward(nn::cross_entropy(reshape(logits, {-1, 8000}), reshape(tout, {-1}),
                                             {.ignore_index = 0, .label_smoothing = 0.1}));
        opt.step();
    }
    state.counters["tokens/s"] = benchmark::Counter(32 * 32, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_GreedyDecode(benchmark::State& state) {
    auto m = reference_model();
    const int64_t steps = state.range(0);
    const bool cache = state.range(1) != 0;
    Tensor src = randint(4, 8000, {1, 32});
    for (auto _ : state) benchmark::DoNotOptimize(translate::greedy_trace(*m, src, steps, cache));
    state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(steps),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_TranslatorTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GreedyDecode)
    ->ArgsProduct({{8, 16, 32, 64}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
