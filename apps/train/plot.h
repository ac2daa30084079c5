// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace kaya::app {

// A curve (or a path of points) to draw.
struct Series {
    std::string name;
    std::vector<double> x, y;
    bool dashed = false;
    bool markers = false;  // Draw the points (for scatter-like data).
};

struct PlotOptions {
    std::string title, xlabel, ylabel;
    bool log_y = false;
    bool log_x = false;  // For values spanning decades, e.g. learning rates.
    int width = 640, height = 400;
};

// A self-contained SVG line chart with axes, "nice" ticks, grid and legend. Non-finite points
// are skipped; an empty chart still renders its frame.
std::string line_plot_svg(const std::vector<Series>& series, const PlotOptions& options);

// A filled contour map of values[iy * nx + ix] over [x0, x1] x [y0, y1], with iso-lines, and
// paths drawn on top (e.g. optimizer trajectories on an error surface).
std::string contour_svg(const std::vector<double>& values, int nx, int ny, double x0, double x1,
                        double y0, double y1, const std::vector<Series>& paths,
                        const PlotOptions& options, int levels = 14);

// Colour i of the palette used by both charts ("#1f77b4", ...).
std::string palette(size_t i);

}  // namespace kaya::app
