// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

#include "kaya/core/tensor.h"

namespace kaya::audio {

// Analysis windows. Periodic windows (length N, period N) are what torch.stft users pass
// (torch.hann_window's default); symmetric ones (period N - 1) are Kaldi's.
//   Hann:        0.5 - 0.5 cos(2 pi n / P)
//   Hamming:     0.54 - 0.46 cos(2 pi n / P)
//   Povey:       Hann^0.85 (Kaldi's default; always symmetric in Kaldi)
//   Rectangular: 1
//   Blackman:    c - 0.5 cos(2 pi n / P) + (0.5 - c) cos(4 pi n / P), c = blackman_coeff
enum class WindowKind { Hann, Hamming, Povey, Rectangular, Blackman };

// (length) tensor of the window, computed in double and returned as `dtype`.
// Throws ValueError for length < 1.
Tensor make_window(WindowKind kind, int64_t length, bool periodic, DType dtype = DType::Float32,
                   double blackman_coeff = 0.42);

// "hann" (or "hanning"), "hamming", "povey", "rectangular", "blackman"; ValueError listing
// the names otherwise.
WindowKind parse_window(std::string_view name);
std::string_view window_name(WindowKind kind);

}  // namespace kaya::audio
