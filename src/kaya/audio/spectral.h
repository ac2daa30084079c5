// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>

#include "kaya/audio/window.h"
#include "kaya/core/tensor.h"

namespace kaya::audio {

// How a signal is extended past its ends: torch.nn.functional.pad's "constant" (zeros),
// "reflect" (mirror without repeating the edge sample) and "replicate" (repeat the edge).
enum class PadMode { Constant, Reflect, Replicate };

// x (..., T) -> (..., left + T + right), differentiable. Reflect needs left, right < T.
// Throws ValueError otherwise (or for negative amounts).
Tensor pad_signal(const Tensor& x, int64_t left, int64_t right, PadMode mode);

// Pre-emphasis of a whole signal: y[0] = x[0], y[t] = x[t] - coeff x[t - 1] along the last
// dimension (a first-order high-pass that lifts the weak high formants; later torchaudio's
// functional.preemphasis). Kaldi's features apply it per frame instead (kaldi.h).
// Differentiable. ValueError unless 0 <= coeff <= 1.
Tensor preemphasis(const Tensor& x, double coeff = 0.97);

// The short-time Fourier transform's framing, as torch.stft: frames of n_fft samples every
// hop_length, the window (win_length samples, zero-padded to n_fft in the middle) applied to
// each; with center, the signal is first padded by n_fft / 2 on both sides with pad_mode, so
// frame t is centred on sample t * hop_length.
struct StftOptions {
    int64_t n_fft = 400;
    int64_t hop_length = -1;  // -1: win_length / 4 (torch.stft's default).
    int64_t win_length = -1;  // -1: n_fft.
    WindowKind window = WindowKind::Hann;  // Periodic, as torch.hann_window's default.
    bool center = true;
    PadMode pad_mode = PadMode::Reflect;
    bool normalized = false;  // Multiply by n_fft^-1/2 (torch.stft's normalized).
};

// x (..., T) float -> (..., n_fft/2 + 1, frames, 2), the one-sided STFT as (real, imaginary)
// pairs: torch.view_as_real(torch.stft(x, ..., return_complex=True)). Differentiable.
// frames = 1 + (T' - n_fft) / hop with T' the (padded) length. Throws ValueError for bad sizes
// and for a signal shorter than one frame (naming both lengths).
Tensor stft(const Tensor& x, const StftOptions& options);

// The inverse (torch.istft): each frame's irfft, windowed, overlap-added and divided by the
// overlap-added squared window; with center, n_fft / 2 samples are cut from the start. `length`
// trims or zero-pads the result (-1: as many samples as the frames cover). spectrum
// (..., n_fft/2 + 1, frames, 2) -> (..., T). Differentiable. Throws ValueError where the
// squared window's overlap-add is ~0 (the window-hop pair violates NOLA).
Tensor istft(const Tensor& spectrum, const StftOptions& options, int64_t length = -1);

// |X|^2 of a spectrum (..., 2) of (real, imaginary) pairs -> (...): re^2 + im^2.
// Differentiable; without a graph one pass over the pairs.
Tensor complex_power(const Tensor& spectrum);

// torchaudio.transforms.Spectrogram: zero padding of `pad` samples each side, then the STFT;
// power 2 gives |X|^2, 1 the magnitude, p any |X|^p; "window" normalisation divides by the
// window's L2 norm. x (..., T) -> (..., n_fft/2 + 1, frames). Differentiable (a zero bin's
// magnitude gets gradient 0, as in torch).
struct SpectrogramOptions {
    int64_t n_fft = 400;
    int64_t win_length = -1;  // -1: n_fft.
    int64_t hop_length = -1;  // -1: win_length / 2 (torchaudio's default).
    int64_t pad = 0;
    WindowKind window = WindowKind::Hann;
    double power = 2.0;
    bool normalized = false;
    bool center = true;
    PadMode pad_mode = PadMode::Reflect;
};
Tensor spectrogram(const Tensor& x, const SpectrogramOptions& options);

// The STFT options a SpectrogramOptions implies (defaults resolved).
StftOptions stft_options(const SpectrogramOptions& options);

// Griffin-Lim phase recovery (torchaudio.functional.griffinlim): from a magnitude^power
// spectrogram (..., n_fft/2 + 1, frames), n_iter rounds of istft/stft with momentum, starting
// from zero phase (or random phase from `seed`). Returns (..., T). Not differentiable.
struct GriffinLimOptions {
    int n_iter = 32;
    double momentum = 0.99;
    double power = 2.0;
    int64_t length = -1;
    std::optional<uint64_t> random_seed;  // Random initial phase; zero phase when unset.
};
Tensor griffin_lim(const Tensor& spectrogram, const SpectrogramOptions& spec, const GriffinLimOptions& options);

}  // namespace kaya::audio
