// SPDX-License-Identifier: MIT
#include "apps/go/match/curve.h"

#include <cstdio>

#include "kaya/core/error.h"

namespace kaya::go {

namespace {

// "--playouts" -> "playouts": the name of a value's directory.
std::string bare(const std::string& option) {
    size_t i = 0;
    while (i < option.size() && option[i] == '-') ++i;
    return option.substr(i);
}

}  // namespace

std::vector<CurvePoint> play_curve(const CurveOptions& o) {
    KAYA_CHECK(!o.engine.empty(), ValueError, "play_curve: no engine given");
    KAYA_CHECK(!o.values.empty(), ValueError, "play_curve: no values of ", o.option, " given");
    KAYA_CHECK(!bare(o.option).empty(), ValueError, "play_curve: the option '", o.option, "' has no name");
    std::vector<CurvePoint> points;
    for (int64_t v : o.values) {
        MatchOptions m = o.match;
        m.engine_a = o.engine + " " + o.option + " " + std::to_string(v);
        if (!o.match.out_dir.empty()) m.out_dir = o.match.out_dir + "/" + bare(o.option) + "-" + std::to_string(v);
        if (m.verbose) std::printf("%s %lld: %s\n", o.option.c_str(), static_cast<long long>(v), m.engine_a.c_str());
        points.push_back({v, play_match(m)});
    }
    return points;
}

std::string curve_csv(const std::vector<CurvePoint>& points, const std::string& option) {
    std::string out = bare(option) + ",games,wins,draws,win_rate,low,high\n";
    char line[256];
    for (const CurvePoint& p : points) {
        std::snprintf(line, sizeof line, "%lld,%zu,%d,%d,%.4f,%.4f,%.4f\n", static_cast<long long>(p.value),
                      p.result.games.size(), p.result.a_wins, p.result.draws, p.result.rate, p.result.low,
                      p.result.high);
        out += line;
    }
    return out;
}

}  // namespace kaya::go
