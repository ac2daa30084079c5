// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::tts {

// Registers the text-to-speech section of `kaya tour` (MISSION row 17).
void add_tour_sections();

}  // namespace kaya::tts
