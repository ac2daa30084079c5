// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "apps/tour/report.h"

namespace kaya::tour {

struct TourOptions {
    std::string out_dir = "report";
    std::string data_dir;  // Root of real data (covid/, ...); empty: embedded defaults only.
    bool full = false;     // Longer training, to the published targets.
    std::string only;      // Run only the sections whose name contains this (empty: all).
};

// One section of the report, contributed by an application: it trains or measures what it
// shows (files into options.out_dir) and adds its HTML to the report. Sections appear in the
// order of `order` (the course's order of topics), whatever the order they were added in.
struct TourSection {
    double order = 0;
    std::string name;  // For the console ("== name ==").
    std::function<void(const TourOptions&, Report&)> run;
};

// The sections of `kaya tour`. The kaya binary fills it from its table of applications
// (apps/cli/applications.cpp); the tour knows no application.
std::vector<TourSection>& tour_sections();
void add_tour_section(TourSection section);

// Runs every registered section and writes <out_dir>/index.html. The runs of a previous tour in
// <out_dir>/runs are replaced. Returns the path of index.html.
std::string run_tour(const TourOptions& options);

}  // namespace kaya::tour
