// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::translate {

// Registers the translation section of `kaya tour`.
void add_tour_sections();

}  // namespace kaya::translate
