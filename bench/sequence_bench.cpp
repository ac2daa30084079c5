// SPDX-License-Identifier: MIT
// Forward and backward passes of the sequence modules at the sizes of issue 14's targets: a
// TransformerEncoderLayer (batch 32, length 64, d_model 256, 4 heads, feed-forward 1024,
// batch_first, dropout 0) and a 2-layer bidirectional LSTM (input 256, hidden 256, length 64,
// batch 32, time-major). Seed of the backward pass: ones (the sum of the outputs). And one
// training step of the POS tagger of configs/pos_ewt.toml (apps/text) on a batch of the shape
// EWT's bucketed batches have: 32 sentences of 15-22 words (592 words), 300 distinct spellings
// of 3-12 characters, 9,000 words, 110 characters, 17 tags; Adam, norm clipping at 5.
#include <benchmark/benchmark.h>

#include "apps/text/tagger.h"
#include "kaya/nn/nn.h"
#include "kaya/optim/optim.h"
#include "kaya/ops/ops.h"

namespace {

using namespace kaya;

void BM_TransformerEncoderLayer(benchmark::State& state) {
    manual_seed(0);
    nn::TransformerEncoderLayer layer({.d_model = 256, .nhead = 4, .dim_feedforward = 1024,
                                       .dropout = 0.0, .batch_first = true});
    Tensor x = randn({32, 64, 256}).requires_grad_(true);
    for (auto _ : state) {
        layer.zero_grad();
        autograd::backward(sum(layer(x)));
    }
}

void BM_LstmBidirectional(benchmark::State& state) {
    manual_seed(0);
    nn::LSTM lstm({.input_size = 256, .hidden_size = 256, .num_layers = 2, .bidirectional = true});
    Tensor x = randn({64, 32, 256}).requires_grad_(true);
    for (auto _ : state) {
        lstm.zero_grad();
        autograd::backward(sum(lstm(x)));
    }
}

void BM_PosTaggerTrainStep(benchmark::State& state) {
    manual_seed(0);
    const int64_t B = 32, T = 22, U = 300, C = 12;
    text::Tagger tagger(text::TaggerOptions{}, 9000, 110, 17);
    optim::Adam opt(tagger.parameters(), {.lr = 2e-3});
    std::vector<int64_t> lengths, slots(B * T, 0), chars(U * C, 0);
    Generator g(1);
    for (int64_t b = 0; b < B; ++b) lengths.push_back(15 + b % 8);
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t t = 0; t < lengths[b]; ++t) slots[b * T + t] = 1 + static_cast<int64_t>(g.bits(b * T + t) % (U - 1));
    }
    for (int64_t u = 1; u < U; ++u) {
        const int64_t n = 3 + u % 10;
        for (int64_t c = 0; c < n; ++c) chars[u * C + c] = 2 + static_cast<int64_t>(g.bits(100000 + u * C + c) % 108);
    }
    Tensor len = from_vector<int64_t>(lengths, {B});
    Tensor valid = lt(reshape(arange(T), {1, T}), unsqueeze(len, 1));
    Tensor words = where(valid, randint(2, 9000, {B, T}), 0);
    Tensor tags = where(valid, randint(0, 17, {B, T}), -100);
    Tensor ch = from_vector<int64_t>(chars, {U, C}), sl = from_vector<int64_t>(slots, {B, T});
    int64_t tokens = 0;
    for (int64_t l : lengths) tokens += l;
    for (auto _ : state) {
        opt.zero_grad();
        Tensor scores = tagger.forward(words, ch, sl, len);
        autograd::backward(nn::cross_entropy(reshape(scores, {-1, 17}), reshape(tags, {-1})));
        optim::clip_grad_norm_(tagger.parameters(), 5.0);
        opt.step();
    }
    state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()),
                                                    benchmark::Counter::kIsRate);
}

BENCHMARK(BM_TransformerEncoderLayer)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LstmBidirectional)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PosTaggerTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
