// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::app {

// A curve (or a path of points) to draw.
struct Series {
    std::string name;
    std::vector<double> x, y;
    bool dashed = false;
    bool markers = false;  // Draw the points (for scatter-like data).
    bool line = true;      // Join the points (false with markers: a scatter plot).
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

// A filled contour map of values[iy * nx + ix] (grid nodes spanning [x0, x1] x [y0, y1], at
// least 2 x 2) in continuous colour with `levels` - 1 iso-lines, and paths drawn on top with
// their start (hollow circle) and end (filled circle) marked, e.g. optimizer trajectories on an
// error surface.
std::string contour_svg(const std::vector<double>& values, int nx, int ny, double x0, double x1,
                        double y0, double y1, const std::vector<Series>& paths,
                        const PlotOptions& options, int levels = 14);

// A matrix of counts as a grid of cells (e.g. a confusion matrix: gold classes as rows,
// predictions as columns): each cell shaded by its share of its row, with the count written
// in it; row and column labels on the left and top. counts[r * cols + c].
std::string heatmap_svg(const std::vector<double>& counts, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels, const PlotOptions& options);

// Units for an axis of counts that may run from hundreds to millions: the scale to multiply
// values by and the label with its unit, e.g. (1e-6, "training positions (millions)") when
// `max` is 2.5e6, (1e-3, "... (thousands)") from 1e4, (1, label) below.
std::pair<double, std::string> count_axis(double max, const std::string& label);

// A count with thousands separators: 1234567 -> "1,234,567".
std::string with_commas(int64_t n);

// Colour i of the palette used by both charts ("#1f77b4", ...).
std::string palette(size_t i);

// A matrix (frames, dim) as a colour image (3, dim * scale, frames * scale) in [0, 1] for
// io::write_png: time left to right, coefficient 0 at the bottom, values mapped through a
// perceptual dark-blue-to-yellow scale between their 1st and 99th percentiles (spectrograms,
// features, attention alignments).
Tensor feature_image(const Tensor& features, int64_t scale = 3);

}  // namespace kaya::app
