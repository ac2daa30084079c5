// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::vision {

// Small pictures the project draws itself, for tests and quick demos: four classes of shapes
// (a horizontal bar, a vertical bar, a ring, a filled square) at random places and sizes on a
// dark background with a little noise; grey (channels 1) or tinted (channels 3) images
// (C, size, size) in [0, 1]. The same seed gives the same pictures.
const std::vector<std::string>& toy_image_classes();
Tensor draw_toy_image(int64_t cls, int64_t size, int64_t channels, uint64_t seed);

// Writes `per_class` PNGs of each class into dir/<class>/NNN.png (the layout of
// data.source = "folder").
void write_toy_image_folder(const std::string& dir, int64_t per_class, int64_t size, int64_t channels,
                            uint64_t seed);

}  // namespace kaya::vision
