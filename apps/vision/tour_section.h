// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::vision {

// Rows 11 and 12 in the tour, on a slice of Fashion-MNIST: one small CNN with max pooling,
// average pooling, strided convolutions and no pooling (parameters, multiply-adds, time,
// training and test accuracy), then trained without augmentation and with flips, rotation and
// scale, each scored on rotated, scaled and flipped copies of the test images; a grid of
// augmented samples and the feature maps after each pooling layer.
void demo_vision(const tour::TourOptions& options, tour::Report& report);
void add_tour_sections();

}  // namespace kaya::vision
