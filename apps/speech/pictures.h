// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "apps/train/plot.h"
#include "kaya/core/tensor.h"

namespace kaya::speech {

using app::feature_image;

// An SVG of a waveform (T) at `rate` Hz with its analysis frames marked: every frame start as
// a tick under the wave, and the first few frames' windows (frame_ms long, every shift_ms) as
// brackets, so the 25 ms / 10 ms overlap can be seen. `seconds` > 0 shows only the start.
std::string waveform_svg(const Tensor& wave, int64_t rate, double frame_ms, double shift_ms,
                         const std::string& title, double seconds = 0);

}  // namespace kaya::speech
