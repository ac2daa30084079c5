// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::vision {

// Images (C, H, W) of one shape in [0, 1] laid out in rows of `cols`, each enlarged `scale`
// times (nearest neighbour) with `pad` white pixels around it: one picture to write_png.
Tensor tile_images(const std::vector<Tensor>& images, int64_t cols, int64_t scale = 1, int64_t pad = 2);

// The first `count` channels of a feature map (C, H, W) as grey images, each stretched to
// [0, 1] by its own minimum and maximum (a constant map is mid-grey).
std::vector<Tensor> feature_map_images(const Tensor& maps, int64_t count);

}  // namespace kaya::vision
