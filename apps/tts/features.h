// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kaya/core/tensor.h"

namespace kaya::tts {

// The spectrogram the models predict, Tacotron 2's: magnitude STFT (Hann window, centred),
// 80 Slaney mel bands up to 8 kHz, natural log with a floor. Stored with the weights.
struct MelConfig {
    int64_t sample_rate = 22050;
    int64_t n_fft = 1024;
    int64_t hop = 256;  // 11.6 ms at 22,050 Hz: 86 frames a second.
    int64_t n_mels = 80;
    double f_min = 0;
    double f_max = 8000;
    double floor = 1e-5;  // log(max(mel, floor)): silence is log(1e-5) = -11.5.

    double frames_per_second() const { return static_cast<double>(sample_rate) / static_cast<double>(hop); }
    double silence() const;  // log(floor), what padding frames hold.
    std::map<std::string, std::string> metadata() const;  // "mel.sample_rate" -> "22050", ...
    // From model metadata; ParseError naming `source` and the key when one is missing or bad.
    static MelConfig from_metadata(const std::map<std::string, std::string>& m, const std::string& source);
};

// Samples (T) at config.sample_rate -> log-mel (frames, n_mels) float32, frames = T / hop + 1.
Tensor log_mel(const Tensor& samples, const MelConfig& config);

// Back to sound without a neural vocoder: the mel magnitudes spread over the STFT bins by
// non-negative least squares (multiplicative updates, Lee and Seung 2001), raised to `power`
// (Tacotron's sharpening), then Griffin-Lim's phase. (frames, n_mels) -> ((frames - 1) * hop)
// samples (at least n_fft / hop + 1 frames' worth: shorter input is padded with silence),
// peak-normalised to 0.9 (sharpening changes the level; this keeps every output alike).
struct VocoderOptions {
    int griffin_lim_iters = 60;
    double power = 1.5;
    int nnls_iters = 30;
};
Tensor mel_to_audio(const Tensor& log_mel, const MelConfig& config, const VocoderOptions& options = {});

}  // namespace kaya::tts
