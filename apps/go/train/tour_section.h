// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::go {

// Go's section of `kaya tour`: GNU Go self-play games made through the match runner (the
// embedded default data), read back as SGF, split by game into positions with the 48 feature
// planes; a small policy network trained on them, then playing GNU Go through `kaya go gtp`.
void demo_go(const tour::TourOptions& options, tour::Report& report);
void add_tour_sections();

}  // namespace kaya::go
