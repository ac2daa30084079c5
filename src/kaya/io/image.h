// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

#include "kaya/core/tensor.h"

namespace kaya::io {

// Image files through stb_image (Debian's libstb; public domain / MIT): PNG (8 and 16 bit),
// JPEG (baseline and progressive), BMP, GIF (first frame), TGA, PNM, PSD, HDR.
// The result is float32 (C, H, W) in [0, 1] (16-bit PNGs keep their precision), C the stored
// channel count (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA) or `channels` when given (1 or 3:
// converted the way stb does, grey = luma). Throws ParseError naming the file and stb's reason
// for a corrupt, truncated, empty or unsupported file, and for images of zero size or more
// than 2^28 pixels (checked from the header before decoding).
Tensor read_image(const std::string& path, int channels = 0);
Tensor decode_image(std::string_view bytes, const std::string& source, int channels = 0);

// Writes a float (C, H, W) image with values in [0, 1] (clamped) as an 8-bit PNG, atomically;
// C is 1, 3 or 4. ShapeError otherwise.
void write_png(const std::string& path, const Tensor& image);

}  // namespace kaya::io
