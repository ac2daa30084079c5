// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "apps/go/match/curve.h"

namespace kaya::go {

// A curve's win rate with its 95% interval against the option's value, as SVG: a log axis, 0
// drawn at 1 (`kaya go curve`'s curve.svg and the tour's figure).
std::string curve_svg(const std::vector<CurvePoint>& points, const std::string& option);

}  // namespace kaya::go
