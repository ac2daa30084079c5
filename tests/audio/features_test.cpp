// SPDX-License-Identifier: MIT
// Every audio transform against torchaudio 0.13 (golden files from tools/gen_audio_reference.py),
// in float32, and the differentiable ones through gradcheck in float64.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "kaya/audio/kaldi.h"
#include "kaya/audio/mel.h"
#include "kaya/audio/spectral.h"
#include "kaya/autograd/gradcheck.h"
#include "kaya/ops/ops.h"
#include "support/npy.h"

namespace kaya::audio {
namespace {

Tensor golden(const std::string& name) { return test::load_npy(test::data_path("audio/" + name + ".npy")); }

// |a - b| <= 1e-4 |b| + floor, the floor a fraction of the output's largest value: float32
// rounding in an FFT is relative to a frame's energy, not to each (possibly tiny) bin.
void expect_close(const Tensor& got, const Tensor& want, double floor_fraction = 1e-6) {
    ASSERT_EQ(got.shape(), want.shape()) << describe(got) << " vs " << describe(want);
    auto a = to_vector<float>(to(got, DType::Float32));
    auto b = to_vector<float>(want);
    double peak = 0;
    for (float v : b) peak = std::max(peak, std::abs(static_cast<double>(v)));
    const double floor = floor_fraction * peak;
    int bad = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double tol = 1e-4 * std::abs(b[i]) + floor;
        if (!(std::abs(a[i] - b[i]) <= tol) && ++bad <= 5) {
            ADD_FAILURE() << "element " << i << ": got " << a[i] << ", torchaudio " << b[i] << " (tol " << tol << ")";
        }
    }
    EXPECT_EQ(bad, 0) << "of " << a.size();
}

Tensor sig16() { return golden("sig16k"); }
Tensor sig8() { return golden("sig8k"); }

MelOptions mel40() {
    MelOptions m;
    m.spectrogram.n_fft = 512;
    m.spectrogram.win_length = 400;
    m.spectrogram.hop_length = 160;
    m.n_mels = 40;
    return m;
}

TEST(Spectrogram, MatchesTorchaudio) {
    expect_close(spectrogram(sig16(), {}), golden("spectrogram_default"));
    SpectrogramOptions mag{.n_fft = 512, .win_length = 400, .hop_length = 160, .power = 1.0, .normalized = true};
    expect_close(spectrogram(sig16(), mag), golden("spectrogram_mag_norm"));
    SpectrogramOptions other{.n_fft = 256, .hop_length = 100, .pad = 50, .window = WindowKind::Hamming,
                             .power = 1.5, .center = false};
    expect_close(spectrogram(sig16(), other), golden("spectrogram_hamming_nocenter_pad"));
}

// Without a gradient the spectrogram takes the fused kernel; with one, the ops. Same values,
// over batch rows, odd FFT lengths, short windows and every power.
TEST(Spectrogram, FusedAndDifferentiablePathsAgree) {
    Generator gen(11);
    Tensor x = uniform({2, 3, 700}, -1, 1, DType::Float64, &gen);
    for (SpectrogramOptions o : {SpectrogramOptions{.n_fft = 64, .hop_length = 16},
                                 SpectrogramOptions{.n_fft = 45, .win_length = 30, .hop_length = 7, .power = 1.0},
                                 SpectrogramOptions{.n_fft = 100, .pad = 9, .power = 0.7, .normalized = true,
                                                    .center = false}}) {
        Tensor fused = spectrogram(x, o);
        Tensor xg = detach(x);
        xg.requires_grad_(true);
        Tensor graph = spectrogram(xg, o);
        ASSERT_EQ(fused.shape(), graph.shape());
        auto a = to_vector<double>(fused), b = to_vector<double>(detach(graph));
        for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-12 * (1 + std::abs(b[i]))) << i;
    }
}

TEST(Stft, MatchesTorchAndInverts) {
    StftOptions o{.n_fft = 256, .hop_length = 64};
    Tensor spec = stft(sig16(), o);
    expect_close(spec, golden("stft_256_64"));
    Tensor back = istft(spec, o, sig16().shape()[0]);
    expect_close(back, golden("istft_256_64"));
    expect_close(back, sig16(), 1e-5);
}

// torchaudio builds the filters in float32 (band edges of thousands of Hz rounded to ~1e-4 Hz),
// Kaya in double: the slopes agree to ~1e-5 of a filter's peak.
TEST(Mel, FilterbanksMatchTorchaudio) {
    expect_close(mel_filterbank(257, 0.0, 8000.0, 40, 16000), golden("fbanks_htk"), 1e-5);
    expect_close(mel_filterbank(201, 50.0, 7000.0, 30, 16000, true, MelScale::Slaney), golden("fbanks_slaney"), 1e-5);
}

TEST(Mel, SpectrogramsMatchTorchaudio) {
    expect_close(mel_spectrogram(sig16(), mel40()), golden("melspec_40"));
    MelOptions s;
    s.spectrogram.n_fft = 256;
    s.spectrogram.hop_length = 80;
    s.sample_rate = 8000;
    s.n_mels = 32;
    s.slaney_norm = true;
    s.scale = MelScale::Slaney;
    expect_close(mel_spectrogram(sig8(), s), golden("melspec_slaney"));
}

TEST(Mfcc, MatchesTorchaudio) {
    MfccOptions o{.mel = mel40(), .n_mfcc = 13};
    Tensor m = mfcc(sig16(), o);
    // Decibels and cepstra cross zero: the floor is a fraction of the largest coefficient.
    expect_close(m, golden("mfcc_13"), 1e-5);
    o.log_mels = true;
    expect_close(mfcc(sig16(), o), golden("mfcc_13_logmels"), 1e-5);
    expect_close(compute_deltas(golden("mfcc_13")), golden("deltas_mfcc_13"), 1e-5);
    expect_close(compute_deltas(golden("mfcc_13"), 9), golden("deltas_mfcc_13_win9"), 1e-5);
}

TEST(Mfcc, DecibelsWithTopDbMatchTorchaudio) {
    Tensor power = spectrogram(sig16(), {.n_fft = 256, .hop_length = 64});
    Tensor batch = stack({power, mul(power, 1e-3)});
    expect_close(amplitude_to_db(batch, 10.0, 1e-10, 0.0, 80.0), golden("amplitude_to_db_top80"), 1e-5);
    // The differentiable path (the fused one above has no graph) gives the same decibels.
    Tensor b64 = to(batch, DType::Float64);
    b64.requires_grad_(true);
    expect_close(amplitude_to_db(b64, 10.0, 1e-10, 0.0, 80.0), golden("amplitude_to_db_top80"), 1e-5);
}

TEST(GriffinLim, MatchesTorchaudio) {
    SpectrogramOptions s{.n_fft = 256, .hop_length = 64};
    Tensor power = spectrogram(sig16(), s);
    Tensor wave = griffin_lim(power, s, {.n_iter = 8, .momentum = 0.99, .power = 2.0, .length = sig16().shape()[0]});
    // Eight rounds of float32 STFTs compound rounding: compared to the signal's peak.
    expect_close(wave, golden("griffinlim_8"), 2e-4);
}

// griffin_lim runs its rounds in frame order, off the graph; here the same rounds written with
// the public stft and istft, on a batch, uncentred (a Hamming window: no zero at the ends),
// from random phases, in float64: the two
// agree to rounding.
TEST(GriffinLim, MatchesItsDefinitionThroughStftAndIstft) {
    const SpectrogramOptions spec{
        .n_fft = 64, .hop_length = 16, .window = WindowKind::Hamming, .center = false};
    const StftOptions so = stft_options(spec);
    Tensor x =
        to(stack({narrow(sig16(), 0, 0, 1000), narrow(sig16(), 0, 3000, 1000)}), DType::Float64);
    Tensor power = spectrogram(x, spec);
    const GriffinLimOptions g{.n_iter = 3, .momentum = 0.5, .power = 2.0, .random_seed = 7};
    Tensor magnitude = unsqueeze(pow(power, 0.5), -1);
    Shape shape = power.shape();
    shape.push_back(2);
    Generator gen(7);
    Tensor spectrum = mul(magnitude, rand(shape, DType::Float64, &gen));
    Tensor previous = zeros(shape, DType::Float64);
    for (int i = 0; i < g.n_iter; ++i) {
        Tensor rebuilt = stft(istft(spectrum, so), so);
        Tensor a = sub(rebuilt, mul(previous, g.momentum / (1 + g.momentum)));
        spectrum = mul(a, div(magnitude, unsqueeze(add(sqrt(complex_power(a)), 1e-16), -1)));
        previous = rebuilt;
    }
    Tensor want = istft(spectrum, so);
    Tensor got = griffin_lim(power, spec, g);
    ASSERT_EQ(got.shape(), want.shape());
    auto a = to_vector<double>(got), b = to_vector<double>(want);
    for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-9) << "sample " << i;
}

TEST(GriffinLim, LengthThatChangesTheFrameCountIsAnError) {
    SpectrogramOptions s{.n_fft = 256, .hop_length = 64};
    Tensor power = spectrogram(narrow(sig16(), 0, 0, 4000), s);  // 63 frames
    try {
        griffin_lim(power, s, {.n_iter = 1, .length = 8000});
        ADD_FAILURE() << "no error";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("has 126 frames, but the spectrogram has 63"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(griffin_lim(narrow(power, 0, 0, 100), s, {.n_iter = 1}), ShapeError);
}

TEST(Kaldi, FbankAndMfccMatchTorchaudio) {
    expect_close(kaldi_fbank(sig16(), {}), golden("kaldi_fbank_default"), 1e-5);
    expect_close(kaldi_mfcc(sig16(), {}), golden("kaldi_mfcc_default"), 1e-5);
    KaldiOptions e{.snip_edges = false, .window = WindowKind::Hamming, .num_mel_bins = 40, .low_freq = 60,
                   .high_freq = -400, .use_energy = true};
    expect_close(kaldi_fbank(sig16(), e), golden("kaldi_fbank_energy_nosnip_hamming"), 1e-5);
    KaldiOptions h{.sample_frequency = 8000, .num_mel_bins = 26, .use_energy = true, .raw_energy = false,
                   .htk_compat = true, .num_ceps = 13};
    // Quiet frames at the clip's fade-in carry float32 rounding into the high cepstra: against
    // Kaya's float64 result torchaudio's float32 output is off by up to 2.8e-3 here, Kaya's
    // float32 by 1.4e-3, so the two float32 results are compared at 5e-5 of the largest value.
    expect_close(kaldi_mfcc(sig8(), h), golden("kaldi_mfcc_8k_htk"), 5e-5);
    KaldiOptions m{.sample_frequency = 8000, .round_to_power_of_two = false, .window = WindowKind::Blackman,
                   .use_log_fbank = false, .use_power = false, .subtract_mean = true};
    expect_close(kaldi_fbank(sig8(), m), golden("kaldi_fbank_8k_magnitude"), 1e-5);
}

// The notes' framing: 25 ms windows every 10 ms are 400 and 160 samples at 16 kHz, 200 and 80
// at 8 kHz, and 0.5 s of audio gives 1 + (8000 - 400) / 160 = 48 whole frames.
TEST(Kaldi, FramingIsTwentyFiveMsEveryTen) {
    auto f = kaldi_framing({});
    EXPECT_EQ(f.window_size, 400);
    EXPECT_EQ(f.window_shift, 160);
    EXPECT_EQ(f.padded_size, 512);
    auto g = kaldi_framing({.sample_frequency = 8000});
    EXPECT_EQ(g.window_size, 200);
    EXPECT_EQ(g.window_shift, 80);
    EXPECT_EQ(kaldi_fbank(sig16(), {}).shape()[0], 48);
}

// float64 gradients of the differentiable transforms, through small inputs.
void gradcheck_signal(const std::function<Tensor(const Tensor&)>& f, int64_t len) {
    Generator gen(5);
    Tensor x = uniform({len}, -1, 1, DType::Float64, &gen);
    x.requires_grad_(true);
    auto fn = [&](const std::vector<Tensor>& xs) { return std::vector<Tensor>{f(xs[0])}; };
    auto r = autograd::gradcheck(fn, {x});
    EXPECT_TRUE(r.ok) << r.message;
}

TEST(AudioGrad, TransformsPassGradcheck) {
    gradcheck_signal([](const Tensor& x) { return stft(x, {.n_fft = 16, .hop_length = 4}); }, 40);
    gradcheck_signal([](const Tensor& x) { return spectrogram(x, {.n_fft = 16, .hop_length = 5, .power = 1.0}); }, 40);
    gradcheck_signal([](const Tensor& x) { return spectrogram(x, {.n_fft = 12, .win_length = 10, .hop_length = 3}); }, 30);
    gradcheck_signal([](const Tensor& x) {
        MelOptions m;
        m.spectrogram = {.n_fft = 16, .hop_length = 4};
        m.sample_rate = 8000;
        m.n_mels = 4;
        return mfcc(x, {.mel = m, .n_mfcc = 3, .log_mels = true});
    }, 40);
    gradcheck_signal([](const Tensor& x) {
        KaldiOptions k{.sample_frequency = 800, .num_mel_bins = 5, .num_ceps = 4};
        return kaldi_mfcc(x, k);
    }, 60);
    gradcheck_signal([](const Tensor& x) {
        StftOptions o{.n_fft = 16, .hop_length = 4};
        return istft(stft(x, o), o, 40);
    }, 40);
    gradcheck_signal([](const Tensor& x) { return cmvn(compute_deltas(reshape(x, {4, 10})), -1); }, 40);
    gradcheck_signal([](const Tensor& x) { return preemphasis(reshape(x, {2, 20}), 0.9); }, 40);
}

TEST(Preemphasis, SubtractsTheScaledPreviousSample) {
    Tensor y = preemphasis(from_vector<double>({1, 2, 4, 8}, {4}), 0.5);
    EXPECT_EQ(to_vector<double>(y), (std::vector<double>{1, 1.5, 3, 6}));
    EXPECT_THROW(preemphasis(zeros({4}), 1.5), ValueError);
}

TEST(AudioErrors, ShortOrBadInputsSayWhat) {
    EXPECT_THROW(kaldi_fbank(zeros({100}), {}), ValueError);  // Shorter than one 400-sample window.
    EXPECT_THROW(kaldi_fbank(zeros({2, 1000}), {}), ShapeError);  // Stereo: mix down first.
    EXPECT_THROW(stft(zeros({10}), {.n_fft = 64, .center = false}), ValueError);
    EXPECT_THROW(stft(zeros({10}), {.n_fft = 64}), ValueError);  // Reflect padding needs 32 < T.
    EXPECT_THROW(spectrogram(zeros({1000}), {.power = 0}), ValueError);
    EXPECT_THROW(mel_filterbank(201, 0, 9000, 40, 16000), ValueError);
    EXPECT_THROW(istft(zeros({129, 5, 2}), {.n_fft = 256, .hop_length = 300}), ValueError);  // NOLA.
    try {
        kaldi_fbank(zeros({100}), {});
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("100 samples, fewer than one window of 400"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace kaya::audio

namespace kaya::audio {
namespace {
// The graph-free Kaldi framing (one pass per frame) and the differentiable one agree.
TEST(Kaldi, FusedAndDifferentiablePathsAgree) {
    for (KaldiOptions k : {KaldiOptions{}, KaldiOptions{.sample_frequency = 8000, .snip_edges = false, .use_energy = true,
                                                         .raw_energy = false, .htk_compat = true}}) {
        Tensor x = to(golden(k.sample_frequency == 8000 ? "sig8k" : "sig16k"), DType::Float64);
        Tensor fused = kaldi_mfcc(x, k);
        Tensor xg = detach(x);
        xg.requires_grad_(true);
        Tensor graph = detach(kaldi_mfcc(xg, k));
        ASSERT_EQ(fused.shape(), graph.shape());
        auto a = to_vector<double>(fused), b = to_vector<double>(graph);
        for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-9 * (1 + std::abs(b[i]))) << i;
    }
}
}  // namespace
}  // namespace kaya::audio
