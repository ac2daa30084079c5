// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>

#include "kaya/audio/spectral.h"
#include "kaya/core/tensor.h"

namespace kaya::audio {

// Mel scales: HTK's 2595 log10(1 + f / 700), and Slaney's (linear below 1 kHz, logarithmic
// above), as torchaudio and librosa define them.
enum class MelScale { Htk, Slaney };
double hz_to_mel(double hz, MelScale scale);
double mel_to_hz(double mel, MelScale scale);

// Triangular filters (n_freqs, n_mels) over the STFT bins linspace(0, sample_rate // 2, n_freqs),
// centred at n_mels points evenly spaced in mel between f_min and f_max (-1: sample_rate / 2).
// slaney_norm scales each filter to unit area (librosa's norm='slaney').
// torchaudio.functional.melscale_fbanks. Throws ValueError for bad frequencies or sizes.
Tensor mel_filterbank(int64_t n_freqs, double f_min, double f_max, int64_t n_mels, int64_t sample_rate,
                      bool slaney_norm = false, MelScale scale = MelScale::Htk, DType dtype = DType::Float32);

// torchaudio.transforms.MelSpectrogram: the spectrogram (..., bins, frames) times the filter
// bank -> (..., n_mels, frames). Differentiable. Defaults as torchaudio's (n_fft 400, hop 200,
// 128 mels, HTK scale, power 2).
struct MelOptions {
    SpectrogramOptions spectrogram;
    int64_t sample_rate = 16000;
    double f_min = 0.0;
    double f_max = -1.0;  // -1: sample_rate / 2.
    int64_t n_mels = 128;
    bool slaney_norm = false;
    MelScale scale = MelScale::Htk;
};
Tensor mel_spectrogram(const Tensor& x, const MelOptions& options);

// Decibels: multiplier * log10(max(x, amin)) - multiplier * db_multiplier, then, with top_db,
// floored at (maximum - top_db) per item over its last 3 dimensions (2 for a 2-D input).
// torchaudio.functional.amplitude_to_DB. Differentiable.
Tensor amplitude_to_db(const Tensor& x, double multiplier = 10.0, double amin = 1e-10, double db_multiplier = 0.0,
                       std::optional<double> top_db = std::nullopt);

// DCT-II matrix (n_mels, n_mfcc): column k is cos(pi / n_mels (n + 0.5) k); orthonormal
// (ortho) or scaled by 2. torchaudio.functional.create_dct.
Tensor dct_matrix(int64_t n_mfcc, int64_t n_mels, bool ortho = true, DType dtype = DType::Float32);

// torchaudio.transforms.MFCC: the mel spectrogram in decibels (top_db 80), or log(mel + 1e-6)
// with log_mels, through the DCT -> (..., n_mfcc, frames). Differentiable.
struct MfccOptions {
    MelOptions mel;
    int64_t n_mfcc = 40;
    bool ortho = true;
    bool log_mels = false;
};
Tensor mfcc(const Tensor& x, const MfccOptions& options);

// Delta coefficients over time (torchaudio.functional.compute_deltas):
// d_t = sum_{n=1..N} n (c_{t+n} - c_{t-n}) / (2 sum n^2), N = (win_length - 1) / 2, with the
// edges replicated. x (..., time) -> same shape. Differentiable. win_length >= 3.
Tensor compute_deltas(const Tensor& x, int64_t win_length = 5);

// Cepstral mean (and variance) normalisation over the time axis `dim` of one utterance:
// (x - mean) / std (population std, floored at 1e-10) when `variance`. Differentiable.
Tensor cmvn(const Tensor& x, int64_t dim = -1, bool variance = true);

}  // namespace kaya::audio
