// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace kaya::kernels {

// Discrete Fourier transforms of many real signals at once, float or double, any length n >= 1.
//
// A mixed-radix Stockham FFT (radices 4, 2, 3 and any odd prime; no bit reversal) that runs
// 64 bytes of signals side by side: signal pairs are packed as the real and imaginary parts of
// one complex transform, and each butterfly works on 16 float (8 double) such transforms in
// the lanes of one vector. Short frames of speech come in the thousands, so vectorising across
// them beats vectorising inside one transform. A length with a large prime factor p costs
// O(n p) per transform (a direct DFT of the prime factor), as KissFFT does.

// rfft: out[s, k] = sum_{t < len} in[s, t] e^{-2 pi i k t / n} for k = 0 .. n/2, as
// torch.fft.rfft(in, n) (zero-padded from len <= n samples). in (count, len) contiguous,
// out (count, n/2 + 1, 2) contiguous, (real, imaginary) pairs.
template <class T>
void rfft_forward(T* out, const T* in, int64_t count, int64_t len, int64_t n);

// irfft: out[s, t] = (1/n) sum_{k < n} X[s, k] e^{2 pi i k t / n}, where X is the Hermitian
// extension of the n/2 + 1 given bins (X[n - k] = conj X[k]); the imaginary parts of bin 0
// and, for even n, bin n/2 are ignored, as torch.fft.irfft(in, n) does.
// in (count, n/2 + 1, 2) contiguous, out (count, n) contiguous.
template <class T>
void irfft_forward(T* out, const T* in, int64_t count, int64_t n);

// Fused short-time power spectrum, for features that need no gradient: frame f of row r is
// in[r, f * hop + j] * window[j] for j < n_fft (the caller pads the signal; window holds zeros
// where it is shorter than n_fft), and out[r, k, f] = (scale |X_f[k]|)^power, bins k <= n_fft/2.
// Frames never exist as a tensor: they are read from the signal into the FFT's lanes, and the
// spectra leave them as whole runs of frames per bin, the (bins, frames) layout of a spectrogram.
// in (rows, len), window (n_fft), out (rows, n_fft/2 + 1, frames); requires
// (frames - 1) * hop + n_fft <= len.
template <class T>
void stft_power_forward(T* out, const T* in, const T* window, int64_t rows, int64_t len, int64_t frames,
                        int64_t n_fft, int64_t hop, T scale, T power);

}  // namespace kaya::kernels
