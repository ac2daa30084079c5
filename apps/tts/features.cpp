// SPDX-License-Identifier: MIT
#include "apps/tts/features.h"

#include <cmath>

#include "kaya/audio/mel.h"
#include "kaya/audio/spectral.h"
#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::tts {

namespace {

audio::SpectrogramOptions spectrogram_options(const MelConfig& c) {
    return {.n_fft = c.n_fft, .hop_length = c.hop, .power = 1.0};
}

Tensor filterbank(const MelConfig& c) {
    return audio::mel_filterbank(c.n_fft / 2 + 1, c.f_min, c.f_max, c.n_mels, c.sample_rate, true,
                                 audio::MelScale::Slaney);
}

}  // namespace

double MelConfig::silence() const { return std::log(floor); }

std::map<std::string, std::string> MelConfig::metadata() const {
    auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return std::string(buf);
    };
    return {{"mel.sample_rate", std::to_string(sample_rate)}, {"mel.n_fft", std::to_string(n_fft)},
            {"mel.hop", std::to_string(hop)},                 {"mel.n_mels", std::to_string(n_mels)},
            {"mel.f_min", num(f_min)},                        {"mel.f_max", num(f_max)},
            {"mel.floor", num(floor)}};
}

MelConfig MelConfig::from_metadata(const std::map<std::string, std::string>& m, const std::string& source) {
    auto get = [&](const std::string& key) {
        auto it = m.find(key);
        KAYA_CHECK(it != m.end(), ParseError, source, ": no '", key, "' in the metadata (not a Kaya speech model?)");
        try {
            return std::stod(it->second);
        } catch (const std::logic_error&) {
            throw ParseError(source + ": metadata '" + key + "' = '" + it->second + "' is not a number");
        }
    };
    MelConfig c;
    c.sample_rate = static_cast<int64_t>(get("mel.sample_rate"));
    c.n_fft = static_cast<int64_t>(get("mel.n_fft"));
    c.hop = static_cast<int64_t>(get("mel.hop"));
    c.n_mels = static_cast<int64_t>(get("mel.n_mels"));
    c.f_min = get("mel.f_min");
    c.f_max = get("mel.f_max");
    c.floor = get("mel.floor");
    KAYA_CHECK(c.sample_rate > 0 && c.n_fft > 0 && c.hop > 0 && c.n_mels > 0 && c.floor > 0, ParseError, source,
               ": mel settings out of range");
    return c;
}

Tensor log_mel(const Tensor& samples, const MelConfig& c) {
    KAYA_CHECK(samples.dim() == 1, ShapeError, "log_mel: expected mono samples (T), got ", describe(samples));
    audio::MelOptions o{.spectrogram = spectrogram_options(c),
                        .sample_rate = c.sample_rate,
                        .f_min = c.f_min,
                        .f_max = c.f_max,
                        .n_mels = c.n_mels,
                        .slaney_norm = true,
                        .scale = audio::MelScale::Slaney};
    const Tensor mel = audio::mel_spectrogram(to(samples, DType::Float32), o);  // (n_mels, frames)
    return contiguous(t(log(clamp(mel, c.floor, std::nullopt))));
}

Tensor mel_to_audio(const Tensor& log_mel_frames, const MelConfig& c, const VocoderOptions& o) {
    KAYA_CHECK(log_mel_frames.dim() == 2 && log_mel_frames.shape()[1] == c.n_mels, ShapeError,
               "mel_to_audio: expected (frames, ", c.n_mels, ") log-mel, got ", describe(log_mel_frames));
    KAYA_CHECK(log_mel_frames.shape()[0] > 0, ValueError, "mel_to_audio: no frames to render");
    // The STFT needs a signal longer than its window: very short outputs get silent frames after.
    const int64_t shortest = c.n_fft / c.hop + 2;
    Tensor frames_in = to(log_mel_frames, DType::Float32);
    if (frames_in.shape()[0] < shortest)
        frames_in = cat({frames_in, full({shortest - frames_in.shape()[0], c.n_mels}, c.silence())}, 0);
    const Tensor fb = filterbank(c);                                   // (bins, n_mels)
    const Tensor mel = exp(frames_in);                                 // (frames, n_mels)
    // Non-negative S (frames, bins) with S fb ~ mel: start from each bin's filter-weighted
    // average of the bands, then multiplicative updates, which keep S >= 0.
    const Tensor fbt = t(fb);                                          // (n_mels, bins)
    const Tensor weight = clamp(sum(fb, {1}), 1e-8, std::nullopt);     // (bins)
    Tensor s = div(mm(mel, fbt), weight);
    const Tensor numerator = mm(mel, fbt);
    const Tensor gram = mm(fb, fbt);                                   // (bins, bins)
    for (int k = 0; k < o.nnls_iters; ++k) s = mul(s, div(numerator, add(mm(s, gram), 1e-10)));
    const Tensor magnitude = pow(s, o.power);                           // (frames, bins)
    const Tensor wave = audio::griffin_lim(contiguous(t(magnitude)), spectrogram_options(c),
                                           {.n_iter = o.griffin_lim_iters, .power = 1.0,
                                            .length = (frames_in.shape()[0] - 1) * c.hop});
    const double peak = max(abs(wave)).item<double>();
    return peak > 0 ? mul(wave, 0.9 / peak) : wave;
}

}  // namespace kaya::tts
