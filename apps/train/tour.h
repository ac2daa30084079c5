// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace kaya::app {

struct TourOptions {
    std::string out_dir = "report";
    std::string data_dir;  // Root of real data (covid/, ...); empty: embedded defaults only.
    bool full = false;     // Longer training, to the published targets.
};

// Runs each application briefly on data the machine has or the project makes, and writes
// <out_dir>/index.html with one section per MISSION row (what was trained on what, numbers,
// plots). Returns the path of index.html.
std::string run_tour(const TourOptions& options);

}  // namespace kaya::app
