// SPDX-License-Identifier: MIT
// Forward and backward passes of the sequence modules at the sizes of issue 14's targets: a
// TransformerEncoderLayer (batch 32, length 64, d_model 256, 4 heads, feed-forward 1024,
// batch_first, dropout 0) and a 2-layer bidirectional LSTM (input 256, hidden 256, length 64,
// batch 32, time-major). Seed of the backward pass: ones (the sum of the outputs).
#include <benchmark/benchmark.h>

#include "kaya/nn/nn.h"
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

BENCHMARK(BM_TransformerEncoderLayer)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LstmBidirectional)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
