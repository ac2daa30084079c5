// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "kaya/audio/window.h"
#include "kaya/core/tensor.h"

namespace kaya::audio {

// Kaldi's feature pipeline as torchaudio.compliance.kaldi computes it (Kaldi's defaults, which
// are the course's 25 ms windows every 10 ms): frames of frame_length ms every frame_shift ms
// (snip_edges: only whole frames; otherwise frames centred on multiples of the shift, edges
// mirrored), DC offset removed, pre-emphasis, Povey window, zero-padded to a power of two, power
// spectrum, num_mel_bins triangular filters on Kaldi's mel scale 1127 ln(1 + f / 700) between
// low_freq and high_freq (<= 0: Nyquist + high_freq), log. No dither and no VTLN warping.
struct KaldiOptions {
    double sample_frequency = 16000.0;
    double frame_length_ms = 25.0;
    double frame_shift_ms = 10.0;
    double preemphasis = 0.97;
    bool remove_dc_offset = true;
    bool round_to_power_of_two = true;
    bool snip_edges = true;
    WindowKind window = WindowKind::Povey;
    double blackman_coeff = 0.42;
    int64_t num_mel_bins = 23;
    double low_freq = 20.0;
    double high_freq = 0.0;
    bool use_energy = false;  // Prepend (fbank; replace c0 for mfcc) the frame's log energy.
    bool raw_energy = true;   // Energy before pre-emphasis and windowing.
    double energy_floor = 1.0;
    bool htk_compat = false;  // Energy last instead of first (and c0 scaled by sqrt 2 in mfcc).
    bool use_log_fbank = true;
    bool use_power = true;
    bool subtract_mean = false;
    int64_t num_ceps = 13;
    double cepstral_lifter = 22.0;
};

// Samples per frame and per shift, and the FFT length, for these options.
struct KaldiFraming {
    int64_t window_size = 0, window_shift = 0, padded_size = 0;
};
KaldiFraming kaldi_framing(const KaldiOptions& options);

// Log mel filterbank energies: waveform (T) or (1, T) float (scaled as the file's samples are:
// torchaudio's kaldi functions take [-1, 1] floats too) -> (frames, num_mel_bins [+ 1]).
// torchaudio.compliance.kaldi.fbank. Differentiable. Throws ValueError for a clip shorter than
// one window (naming both lengths) or inconsistent options.
Tensor kaldi_fbank(const Tensor& waveform, const KaldiOptions& options = {});

// MFCC: the log filterbank through Kaldi's DCT (orthonormal, c0 scaled by sqrt(1 / bins)) and
// the cepstral lifter 1 + L/2 sin(pi i / L) -> (frames, num_ceps).
// torchaudio.compliance.kaldi.mfcc. Differentiable.
Tensor kaldi_mfcc(const Tensor& waveform, const KaldiOptions& options = {});

}  // namespace kaya::audio
