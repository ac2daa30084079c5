// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/go/match/match.h"

namespace kaya::go {

// The cost of search as a curve: one engine's win rate against a fixed opponent while one of
// its options varies (e.g. the playouts a move), a match per value.
struct CurveOptions {
    std::string engine;                // Engine A's command line without the varied option.
    std::string option = "--playouts";  // Appended as " <option> <value>".
    std::vector<int64_t> values;
    // Everything else of each match (engine_b, referee, games, parallel, size, komi, resume,
    // out_dir). Each value's match goes to out_dir/<option without dashes>-<value>/ (none when
    // out_dir is empty).
    MatchOptions match;
};

struct CurvePoint {
    int64_t value = 0;
    MatchResult result;
};

// Plays the matches in the order of `values`; with match.resume, each continues from its
// directory's results (a killed curve resumes where it stopped).
std::vector<CurvePoint> play_curve(const CurveOptions& options);

// The points as CSV: value, games, wins, draws, win rate and its 95% Wilson interval.
std::string curve_csv(const std::vector<CurvePoint>& points, const std::string& option);

}  // namespace kaya::go
