// SPDX-License-Identifier: MIT
// kaya audio features clip.wav --kind mfcc|fbank|spectrogram [--out feats.npy] [--png picture.png]
// [--sample-rate R] [--deltas N] [--cmvn]: Kaldi-style features of 25 ms frames every 10 ms
// (audio/kaldi.h) of a recording in any format and rate libsndfile reads, as a .npy matrix
// (frames, coefficients) and a picture.
#include <cstdio>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/speech/pictures.h"
#include "kaya/audio/audio_file.h"
#include "kaya/audio/kaldi.h"
#include "kaya/audio/mel.h"
#include "kaya/io/image.h"
#include "kaya/io/npy.h"
#include "kaya/ops/ops.h"

namespace kaya::cli {

namespace {

struct FeaturesArgs {
    std::string input, kind = "mfcc", out, png;
    int64_t sample_rate = 0, num_mel_bins = 0, num_ceps = 13, deltas = 0;
    double frame_length_ms = 25.0, frame_shift_ms = 10.0;
    bool cmvn = false;
};

void run(const FeaturesArgs& a) {
    autograd::NoGradGuard no_grad;
    audio::Audio clip = audio::load_audio(a.input);
    const int64_t rate = a.sample_rate > 0 ? a.sample_rate : clip.sample_rate;
    Tensor wave = audio::resample(audio::to_mono(clip.samples), clip.sample_rate, rate);
    audio::KaldiOptions k;
    k.sample_frequency = static_cast<double>(rate);
    k.frame_length_ms = a.frame_length_ms;
    k.frame_shift_ms = a.frame_shift_ms;
    k.num_ceps = a.num_ceps;
    k.num_mel_bins = a.num_mel_bins > 0 ? a.num_mel_bins : (a.kind == "fbank" ? 40 : 23);
    Tensor feats;
    try {
        if (a.kind == "mfcc") {
            feats = audio::kaldi_mfcc(wave, k);
        } else if (a.kind == "fbank") {
            feats = audio::kaldi_fbank(wave, k);
        } else {
            // Log power spectrum: the fbank pipeline with the identity instead of the filters is
            // Kaldi's "spectrogram"; here the STFT power of the same frames, in decibels.
            audio::SpectrogramOptions s;
            s.n_fft = audio::kaldi_framing(k).padded_size;
            s.win_length = audio::kaldi_framing(k).window_size;
            s.hop_length = audio::kaldi_framing(k).window_shift;
            s.center = false;
            s.window = audio::WindowKind::Hamming;
            feats = transpose(audio::amplitude_to_db(audio::spectrogram(wave, s), 10.0, 1e-10, 0.0, 80.0), 0, 1);
        }
    } catch (const Error& e) {
        throw ValueError(a.input + ": " + e.what());
    }
    Tensor t = transpose(feats, 0, 1);
    std::vector<Tensor> parts{t};
    for (int64_t i = 0; i < a.deltas; ++i) parts.push_back(audio::compute_deltas(parts.back()));
    t = cat(parts, 0);
    if (a.cmvn) t = audio::cmvn(t, -1, true);
    feats = contiguous(transpose(t, 0, 1));
    std::printf("%s: %s, %lld Hz%s, %.3f s -> %lld frames x %lld %s coefficients\n", a.input.c_str(), clip.format.c_str(),
                static_cast<long long>(clip.sample_rate),
                rate != clip.sample_rate ? (" resampled to " + std::to_string(rate) + " Hz").c_str() : "",
                static_cast<double>(wave.numel()) / static_cast<double>(rate), static_cast<long long>(feats.shape()[0]),
                static_cast<long long>(feats.shape()[1]), a.kind.c_str());
    if (!a.out.empty()) {
        io::save_npy(a.out, feats);
        std::printf("wrote %s\n", a.out.c_str());
    }
    if (!a.png.empty()) {
        io::write_png(a.png, speech::feature_image(feats, 3));
        std::printf("wrote %s\n", a.png.c_str());
    }
}

}  // namespace

void add_audio_command(CLI::App& app) {
    auto* audio_cmd = app.add_subcommand("audio", "Audio files: speech features");
    audio_cmd->require_subcommand(1);
    auto args = std::make_shared<FeaturesArgs>();
    auto* cmd = audio_cmd->add_subcommand("features", "Kaldi-style features of a recording, 25 ms frames every 10 ms");
    cmd->add_option("input", args->input, "An audio file (WAV, FLAC, Ogg, AIFF, ...; any rate, mono or stereo)")
        ->required();
    cmd->add_option("--kind", args->kind, "mfcc (cepstra), fbank (log mel energies) or spectrogram (dB)")
        ->check(CLI::IsMember({"mfcc", "fbank", "spectrogram"}))
        ->capture_default_str();
    cmd->add_option("--out", args->out, "Write the (frames, coefficients) float32 matrix as .npy");
    cmd->add_option("--png", args->png, "Write a picture of the features (time left to right)");
    cmd->add_option("--sample-rate", args->sample_rate, "Resample to this rate first (default: the file's)")
        ->check(CLI::Range(int64_t{1000}, int64_t{192000}));
    cmd->add_option("--num-mel-bins", args->num_mel_bins, "Mel bands (default 23 for mfcc, 40 for fbank)")
        ->check(CLI::Range(int64_t{4}, int64_t{256}));
    cmd->add_option("--num-ceps", args->num_ceps, "Cepstra kept (mfcc)")->check(CLI::Range(int64_t{1}, int64_t{256}))
        ->capture_default_str();
    cmd->add_option("--deltas", args->deltas, "Append deltas (1) or deltas and delta-deltas (2)")
        ->check(CLI::Range(int64_t{0}, int64_t{2}))
        ->capture_default_str();
    cmd->add_option("--frame-length-ms", args->frame_length_ms, "Window length")->capture_default_str();
    cmd->add_option("--frame-shift-ms", args->frame_shift_ms, "Hop between windows")->capture_default_str();
    cmd->add_flag("--cmvn", args->cmvn, "Normalise each coefficient to zero mean and unit variance over the recording");
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
