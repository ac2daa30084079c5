// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "apps/train/config.h"
#include "kaya/data/transforms.h"

namespace kaya::vision {

// The [augment] section of a config, each augmentation off at its default:
//   hflip, vflip             probability of a left-right / up-down flip, in [0, 1]
//   rotation, rotation_p     largest angle in degrees [0, 180] and the probability of rotating
//   scale_min, scale_max     zoom range (1 = off), in [0.25, 4], and scale_p
//   crop_padding             translation by up to this many pixels (padded random crop)
//   brightness, contrast     jitter strengths in [0, 1)
//   noise, noise_p           Gaussian noise standard deviation and probability
// Applied in that order (geometry first, then intensity). Every value is range-checked with an
// error naming the key and where it came from.
struct AugmentOptions {
    double hflip = 0, vflip = 0;
    double rotation = 0, rotation_p = 1;
    double scale_min = 1, scale_max = 1, scale_p = 1;
    int64_t crop_padding = 0;
    double brightness = 0, contrast = 0;
    double noise = 0, noise_p = 1;

    static AugmentOptions read(const app::Config& cfg);
    bool any() const;
    // One line for logs and reports, e.g. "hflip 0.5, rotation 15 deg".
    std::string describe() const;
};

// The transform the options describe (the identity when none is on).
data::Transform build_augmentation(const AugmentOptions& options);

}  // namespace kaya::vision
