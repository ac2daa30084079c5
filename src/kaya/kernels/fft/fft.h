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

}  // namespace kaya::kernels
