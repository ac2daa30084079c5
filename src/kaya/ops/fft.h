// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "kaya/core/tensor.h"

namespace kaya {

// Real discrete Fourier transforms along the last dimension. Kaya has no complex dtype: a
// spectrum is a real tensor whose last dimension holds (real, imaginary), the layout of
// torch.view_as_real. Both are differentiable to any order (each one's backward is the other
// one, scaled per bin).

// rfft: x (..., L) float -> (..., n/2 + 1, 2), the one-sided spectrum
// X[k] = sum_t x[t] e^{-2 pi i k t / n}; n = -1 means L. The input is zero-padded (n > L) or
// trimmed (n < L) to n samples first. torch.view_as_real(torch.fft.rfft(x, n)).
// Throws DTypeError for non-float input, ValueError for n < 1 or an empty last dimension.
Tensor rfft(const Tensor& x, int64_t n = -1);

// irfft: X (..., B, 2) float -> (..., n), the real signal whose one-sided spectrum is X:
// x[t] = (1/n) sum_{k < n} X[k] e^{2 pi i k t / n} over the Hermitian extension of X. n = -1
// means 2 (B - 1); the bins are zero-padded or trimmed to n/2 + 1 first, and the imaginary
// parts of bin 0 and (n even) bin n/2 are ignored. torch.fft.irfft(torch.view_as_complex(X), n).
// Throws ShapeError unless the last dimension is 2, ValueError for n < 1.
Tensor irfft(const Tensor& spectrum, int64_t n = -1);

}  // namespace kaya
