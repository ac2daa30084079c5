// SPDX-License-Identifier: MIT
#pragma once

#include "apps/tour/tour.h"

namespace kaya::tour {

// The course demos that belong to no application, trained directly with engine ops:
// Rows 4, 5: one curve fitted with N sigmoids, N hard sigmoids (each made of two ReLUs) and N
// ReLUs, for several N.
void demo_piecewise(const TourOptions& options, Report& report);
// Rows 2, 9: SGD, momentum, Adagrad, RMSprop and Adam on a 2-parameter problem: loss curves
// and the paths drawn on the error-surface contour.
void demo_optimizers(const TourOptions& options, Report& report);

// Adds both to the tour's sections.
void add_course_sections();

}  // namespace kaya::tour
