// SPDX-License-Identifier: MIT
// Speech features: the real FFT over a clip's frames (1001 frames of 512 points, the shape of
// 10 s of 16 kHz audio at a 10 ms hop), in float, on one thread and on the pool; and the whole
// MFCC of that clip (torchaudio.transforms.MFCC with n_fft 512, 25 ms / 10 ms windows, 40 mels,
// 13 coefficients; bench/torch_peer.py times torchaudio on the same work) and Kaldi's MFCC.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "apps/speech/frame_models.h"
#include "kaya/audio/kaldi.h"
#include "kaya/audio/mel.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/core/parallel.h"
#include "kaya/kernels/fft/fft.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

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

// 10 s of 16 kHz noise (the transforms' cost does not depend on the content).
kaya::Tensor ten_seconds() {
    kaya::Generator gen(3);
    return kaya::mul(kaya::randn({160000}, kaya::DType::Float32, &gen), 0.1);
}

void BM_Mfcc10s(benchmark::State& state) {
    kaya::autograd::NoGradGuard no_grad;
    kaya::Tensor x = ten_seconds();
    kaya::audio::MfccOptions o;
    o.mel.spectrogram.n_fft = 512;
    o.mel.spectrogram.win_length = 400;
    o.mel.spectrogram.hop_length = 160;
    o.mel.n_mels = 40;
    o.n_mfcc = 13;
    for (auto _ : state) benchmark::DoNotOptimize(kaya::audio::mfcc(x, o).data<float>());
}
BENCHMARK(BM_Mfcc10s)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_KaldiMfcc10s(benchmark::State& state) {
    kaya::autograd::NoGradGuard no_grad;
    kaya::Tensor x = ten_seconds();
    for (auto _ : state) benchmark::DoNotOptimize(kaya::audio::kaldi_mfcc(x, {}).data<float>());
}
BENCHMARK(BM_KaldiMfcc10s)->Unit(benchmark::kMicrosecond)->UseRealTime();

// One training step of the spoken-digit frame classifier (configs/fsdd_frames.toml): a batch of
// 256 frames, each with 5 neighbours a side gathered from the training frames' 39 MFCC
// features (429 inputs), through Linear-BatchNorm-ReLU-Dropout x2 (512 units) and the output
// layer, cross-entropy, backward, Adam. bench/torch_peer.py runs the same model and gather.
void BM_FrameMlpTrainStep(benchmark::State& state) {
    kaya::manual_seed(0);
    std::vector<kaya::Tensor> feats;
    std::vector<int64_t> labels;
    for (int i = 0; i < 2400; ++i) {
        feats.push_back(kaya::randn({42, 39}));
        labels.push_back(i % 10);
    }
    kaya::speech::FrameModelOptions o;
    auto model = kaya::speech::make_frame_model(o, 39, 10);
    auto train = std::static_pointer_cast<kaya::data::TensorDataset>(model->training_set(feats, labels));
    kaya::Tensor pick = kaya::randint(0, train->tensors()[0].shape()[0], {256});
    kaya::data::Example batch{kaya::index_select(train->tensors()[0], 0, pick),
                              kaya::index_select(train->tensors()[1], 0, pick)};
    kaya::optim::Adam opt(model->network().parameters(), {.lr = 1e-3});
    model->network().train();
    for (auto _ : state) {
        kaya::app::Metrics sums;
        opt.zero_grad();
        kaya::autograd::backward(model->loss(batch, sums));
        opt.step();
    }
}
BENCHMARK(BM_FrameMlpTrainStep)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
