// SPDX-License-Identifier: MIT
// Issue 19's speed comparison: mel frames a second at batch 1 for the autoregressive model
// (Tacotron, configs/tts_ar.toml's shape: one decoder step after another) and the
// non-autoregressive one (FastSpeech, configs/tts_nar.toml's shape: every frame at once), on the
// same 80-character text and the same number of frames. Untrained weights with the stop token
// and the durations pinned, so both make exactly `frames` frames; trained models' speeds on the
// test sentences are in their runs' test.json. Also Griffin-Lim on those frames (the rest of
// the time to a WAV).
#include <benchmark/benchmark.h>

#include <cmath>

#include "apps/tts/fastspeech.h"
#include "apps/tts/features.h"
#include "apps/tts/tacotron.h"
#include "apps/tts/text.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/ops.h"

namespace {

using namespace kaya;

const char* kText = "printing, in the only sense with which we are at present concerned, differs from most.";

Tensor text_ids() {
    const auto ids = tts::Symbols::encode(kText);
    return from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())});
}

void set(nn::Module& m, const std::string& name, double value) {
    autograd::NoGradGuard g;
    for (auto& [n, t] : m.state_dict()) {
        if (n == name) fill_(t, value);
    }
}

void BM_TtsAutoregressive(benchmark::State& state) {
    manual_seed(0);
    tts::Tacotron m({});
    m.eval();
    set(m, "stop.weight", 0.0);
    set(m, "stop.bias", -100.0);  // Never stops: exactly `steps` steps.
    const int64_t frames = state.range(0), steps = frames / m.options().reduction;
    const Tensor text = text_ids();
    for (auto _ : state) benchmark::DoNotOptimize(m.generate(text, steps).mel);
    state.counters["frames/s"] = benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_TtsNonAutoregressive(benchmark::State& state) {
    manual_seed(0);
    tts::FastSpeech m({});
    m.eval();
    const Tensor text = text_ids();
    const int64_t frames = state.range(0);
    // Every character lasts frames / L: log(1 + d) from the bias alone.
    set(m, "duration_out.weight", 0.0);
    set(m, "duration_out.bias", std::log(1.0 + static_cast<double>(frames) / static_cast<double>(text.shape()[0])));
    int64_t made = 0;
    for (auto _ : state) {
        auto g = m.generate(text);
        made = g.mel.shape()[0];
        benchmark::DoNotOptimize(g.mel);
    }
    state.counters["frames/s"] = benchmark::Counter(static_cast<double>(made), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_TtsGriffinLim(benchmark::State& state) {
    manual_seed(0);
    const tts::MelConfig c;
    const Tensor mel = add(mul(randn({state.range(0), c.n_mels}), 2.0), -6.0);
    for (auto _ : state) benchmark::DoNotOptimize(tts::mel_to_audio(mel, c));
    state.counters["frames/s"] = benchmark::Counter(static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(BM_TtsAutoregressive)->Arg(450)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TtsNonAutoregressive)->Arg(450)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TtsGriffinLim)->Arg(450)->Unit(benchmark::kMillisecond)->UseRealTime();
