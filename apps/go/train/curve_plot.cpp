// SPDX-License-Identifier: MIT
#include "apps/go/train/curve_plot.h"

#include "apps/train/plot.h"

namespace kaya::go {

std::string curve_svg(const std::vector<CurvePoint>& points, const std::string& option) {
    app::Series rate{"win rate", {}, {}, false, true}, low{"95% interval, low", {}, {}, true},
        high{"95% interval, high", {}, {}, true};
    for (const CurvePoint& p : points) {
        const double x = p.value > 0 ? static_cast<double>(p.value) : 1.0;
        for (app::Series* s : {&rate, &low, &high}) s->x.push_back(x);
        rate.y.push_back(100 * p.result.rate);
        low.y.push_back(100 * p.result.low);
        high.y.push_back(100 * p.result.high);
    }
    return app::line_plot_svg({rate, low, high}, {.title = "win rate against " + option,
                                                  .xlabel = option + " (0 drawn at 1)",
                                                  .ylabel = "% of games won",
                                                  .log_x = true});
}

}  // namespace kaya::go
