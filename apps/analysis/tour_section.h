// SPDX-License-Identifier: MIT
#pragma once

namespace kaya::analysis {

// The loss landscape's sections of `kaya tour`: plain networks of growing depth read by
// kaya diagnose (MISSION row 6), and critical points of a small network on Fashion-MNIST,
// minimum or saddle by the Hessian's eigenvalues (row 7).
void add_tour_sections();

}  // namespace kaya::analysis
