// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apps/analysis/landscape.h"

namespace kaya::analysis {

// Critical points of one problem over many seeds: each seed's report in landscape.csv, the
// first seed's pictures (search.svg, spectrum.svg, escape.svg when it is a saddle) and the
// course's scatter of minimum ratio against training loss (scatter.svg).
struct StudyOptions {
    LandscapeOptions landscape;
    uint64_t first_seed = 0;
    int64_t seeds = 1;
    std::string out_dir = "runs/landscape";
    bool resume = false;  // Keep the seeds landscape.csv already holds; run the rest.
    bool verbose = true;  // Progress bar and a line per seed.
    // Where the report that holds the section finds out_dir's pictures ("" : beside it).
    std::string figure_prefix;
};

struct StudyResult {
    std::vector<CriticalPointReport> points;  // In seed order (resumed ones without histories).
    std::string html;                          // The report section (figures relative to out_dir).
};

StudyResult run_landscape_study(const Problem& problem, const StudyOptions& options);

// landscape.csv, the study's table (one row per seed), written and read back for --resume.
// ParseError names source:line for a wrong header, field count, number or verdict.
std::string format_landscape_table(const std::vector<CriticalPointReport>& points);
std::vector<CriticalPointReport> parse_landscape_table(std::string_view text, const std::string& source);

// The text report of one point, as printed by `kaya landscape`.
std::string describe_point(const CriticalPointReport& r);

}  // namespace kaya::analysis
