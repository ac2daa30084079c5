// SPDX-License-Identifier: MIT
#include "apps/train/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>

#include "kaya/core/error.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

std::pair<double, std::string> count_axis(double max, const std::string& label) {
    if (max >= 1e7) return {1e-6, label + " (millions)"};
    if (max >= 1e4) return {1e-3, label + " (thousands)"};
    return {1.0, label};
}

std::string with_commas(int64_t n) {
    const std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out = n < 0 ? "-" : "";
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string palette(size_t i) {
    static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return colors[i % 10];
}

namespace {

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

std::string num(double v) {
    char buf[32];
    if (v != 0 && (std::abs(v) >= 1e5 || std::abs(v) < 1e-3)) {
        std::snprintf(buf, sizeof buf, "%.3g", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.4g", v);
    }
    return buf;
}

// Tick positions at 1, 2 or 5 times a power of ten, about `target` of them; whole numbers
// only when `integers` (an axis of epochs or counts has no tick at 1.2).
std::vector<double> nice_ticks(double lo, double hi, int target = 6, bool integers = false) {
    if (!(hi > lo)) return {lo};
    double raw = (hi - lo) / target;
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3.5 ? 2 : raw / mag < 7.5 ? 5 : 10);
    if (integers) step = std::max(step, 1.0);
    std::vector<double> t;
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
    return t;
}

// Ticks on a log10 axis spanning [lo, hi] (in log10 units): decades, plus 2x and 5x steps
// when the range spans less than three decades.
std::vector<double> log_ticks(double lo, double hi) {
    std::vector<double> t;
    for (int k = static_cast<int>(std::floor(lo)); k <= static_cast<int>(std::ceil(hi)); ++k) {
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && hi - lo >= 3) continue;
            double v = k + std::log10(m);
            if (v >= lo - 1e-9 && v <= hi + 1e-9) t.push_back(v);
        }
    }
    if (t.size() < 3) {
        // Less than a decade: evenly spaced "nice" values read better than one or two marks.
        t.clear();
        for (double v : nice_ticks(std::pow(10.0, lo), std::pow(10.0, hi), 4)) {
            if (v > 0) t.push_back(std::log10(v));
        }
    }
    return t;
}

struct Frame {
    double x0, x1, y0, y1;  // Data range (in log10 on a log axis).
    int left = 70, right = 150, top = 36, bottom = 48;
    int w, h;
    bool log_y = false, log_x = false;
    bool integer_x = false;  // Every x is a whole number.
    double px(double x) const {
        double v = log_x ? std::log10(x) : x;
        return left + (v - x0) / (x1 - x0) * (w - left - right);
    }
    double py(double y) const {
        double v = log_y ? std::log10(y) : y;
        return h - bottom - (v - y0) / (y1 - y0) * (h - top - bottom);
    }
};

// The frame, ticks with their labels, axis labels and title; grid lines across the plot unless
// `grid` is off (a filled surface carries its own iso-lines).
void axes(std::ostringstream& os, const Frame& f, const PlotOptions& o, bool grid = true) {
    os << "<rect x='" << f.left << "' y='" << f.top << "' width='" << f.w - f.left - f.right
       << "' height='" << f.h - f.top - f.bottom << "' fill='none' stroke='#444'/>\n";
    for (double t : f.log_x ? log_ticks(f.x0, f.x1) : nice_ticks(f.x0, f.x1, 6, f.integer_x)) {
        double xv = f.log_x ? std::pow(10.0, t) : t;
        double x = f.px(xv);
        os << "<line x1='" << x << "' y1='" << (grid ? f.top : f.h - f.bottom) << "' x2='" << x
           << "' y2='" << f.h - f.bottom + (grid ? 0 : 5) << "' stroke='"
           << (grid ? "#ddd" : "#444") << "'/><text x='" << x << "' y='" << f.h - f.bottom + 16
           << "' text-anchor='middle'>" << num(xv) << "</text>\n";
    }
    for (double t : f.log_y ? log_ticks(f.y0, f.y1) : nice_ticks(f.y0, f.y1)) {
        double yv = f.log_y ? std::pow(10.0, t) : t;
        double y = f.py(yv);
        os << "<line x1='" << (grid ? f.left : f.left - 5) << "' y1='" << y << "' x2='"
           << (grid ? f.w - f.right : f.left) << "' y2='" << y << "' stroke='"
           << (grid ? "#ddd" : "#444") << "'/><text x='" << f.left - 6 << "' y='" << y + 4
           << "' text-anchor='end'>" << num(yv) << "</text>\n";
    }
    os << "<text x='" << (f.left + f.w - f.right) / 2 << "' y='" << f.h - 8
       << "' text-anchor='middle'>" << esc(o.xlabel) << (o.log_x ? " (log)" : "") << "</text>\n";
    os << "<text transform='translate(16," << (f.top + f.h - f.bottom) / 2
       << ") rotate(-90)' text-anchor='middle'>" << esc(o.ylabel) << (o.log_y ? " (log)" : "")
       << "</text>\n";
    os << "<text x='" << f.w / 2 << "' y='20' text-anchor='middle' font-weight='bold'>"
       << esc(o.title) << "</text>\n";
}

void draw_series(std::ostringstream& os, const Frame& f, const std::vector<Series>& series) {
    // Curves are clipped to the plotting area; the legend is not.
    os << "<clipPath id='area'><rect x='" << f.left << "' y='" << f.top << "' width='" << f.w - f.left - f.right
       << "' height='" << f.h - f.top - f.bottom << "'/></clipPath>\n";
    for (size_t i = 0; i < series.size(); ++i) {
        const Series& s = series[i];
        std::string color = palette(i);
        std::ostringstream path;
        bool pen = false;
        for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
            double x = s.x[k], y = s.y[k];
            if (!std::isfinite(x) || !std::isfinite(y) || (f.log_y && y <= 0) || (f.log_x && x <= 0)) {
                pen = false;
                continue;
            }
            path << (pen ? " L" : " M") << f.px(x) << "," << f.py(y);
            pen = true;
            if (s.markers) {
                // A series of one marked point (e.g. a sweep's best run) is drawn as a ring.
                const bool alone = s.x.size() == 1;
                os << "<circle cx='" << f.px(x) << "' cy='" << f.py(y) << "' r='"
                   << (alone ? 7 : 2.5) << "' fill='" << (alone ? "none" : color) << "' stroke='"
                   << color << "' stroke-width='2'/>\n";
            }
        }
        if (s.line && (!s.markers || s.x.size() > 1)) {
            os << "<path clip-path='url(#area)' d='" << path.str() << "' fill='none' stroke='" << color
               << "' stroke-width='1.8'" << (s.dashed ? " stroke-dasharray='6,4'" : "") << "/>\n";
        }
        double ly = f.top + 14 + 18.0 * i;
        if (s.markers && (s.x.size() == 1 || !s.line)) {
            const bool ring = s.x.size() == 1;
            os << "<circle cx='" << f.w - f.right + 20 << "' cy='" << ly - 4 << "' r='" << (ring ? 5 : 3)
               << "' fill='" << (ring ? "none" : color) << "' stroke='" << color << "' stroke-width='2'/>";
        } else {
            os << "<line x1='" << f.w - f.right + 10 << "' y1='" << ly - 4 << "' x2='"
               << f.w - f.right + 30 << "' y2='" << ly - 4 << "' stroke='" << color
               << "' stroke-width='2'" << (s.dashed ? " stroke-dasharray='6,4'" : "") << "/>";
        }
        os << "<text x='" << f.w - f.right + 34 << "' y='" << ly << "'>" << esc(s.name)
           << "</text>\n";
    }
}

// Room on the right for the legend: the longest name at about 6.3 px a character (11 px
// sans-serif) after the 34 px sample, at least the default 150.
int legend_room(const std::vector<Series>& series) {
    size_t longest = 0;
    for (const auto& s : series) longest = std::max(longest, s.name.size());
    return std::max(150, 44 + static_cast<int>(6.3 * static_cast<double>(longest)));
}

std::string header(int w, int h) {
    std::ostringstream os;
    os << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
       << "' viewBox='0 0 " << w << " " << h << "' font-family='sans-serif' font-size='11'>\n"
       << "<rect width='100%' height='100%' fill='white'/>\n";
    return os.str();
}

}  // namespace

std::string line_plot_svg(const std::vector<Series>& series, const PlotOptions& o) {
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    bool integer_x = true;
    for (const auto& s : series) {
        for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
            if (!std::isfinite(s.x[k]) || !std::isfinite(s.y[k]) || (o.log_y && s.y[k] <= 0) ||
                (o.log_x && s.x[k] <= 0)) {
                continue;
            }
            double y = o.log_y ? std::log10(s.y[k]) : s.y[k];
            double x = o.log_x ? std::log10(s.x[k]) : s.x[k];
            integer_x = integer_x && s.x[k] == std::round(s.x[k]);
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            y0 = std::min(y0, y);
            y1 = std::max(y1, y);
        }
    }
    if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (x1 == x0) x1 = x0 + 1;
    if (y1 == y0) y1 = y0 + 1;
    double pad = 0.05 * (y1 - y0);
    Frame f{x0, x1, y0 - pad, y1 + pad};
    // A long legend widens the picture instead of squeezing the plot.
    f.right = legend_room(series);
    f.w = o.width + f.right - 150;
    f.h = o.height;
    f.log_y = o.log_y;
    f.log_x = o.log_x;
    f.integer_x = integer_x;
    std::ostringstream os;
    os << header(f.w, f.h);
    axes(os, f, o);
    draw_series(os, f, series);
    os << "</svg>\n";
    return os.str();
}

namespace {

// Iso-lines of the node values v[iy * nx + ix] at `level` by marching squares: one straight
// segment per grid cell that the level crosses, as an SVG path.
std::string iso_path(const std::vector<double>& v, int nx, int ny, double level,
                     const std::function<std::pair<double, double>(double, double)>& to_px) {
    std::ostringstream d;
    auto at = [&](int ix, int iy) { return v[static_cast<size_t>(iy) * nx + ix]; };
    for (int iy = 0; iy + 1 < ny; ++iy) {
        for (int ix = 0; ix + 1 < nx; ++ix) {
            // Corners counter-clockwise from the lower left, and where each edge crosses.
            const double c[4] = {at(ix, iy), at(ix + 1, iy), at(ix + 1, iy + 1), at(ix, iy + 1)};
            const double cx[4] = {0, 1, 1, 0}, cy[4] = {0, 0, 1, 1};
            std::vector<std::pair<double, double>> hits;
            for (int e = 0; e < 4; ++e) {
                const int n = (e + 1) % 4;
                if ((c[e] < level) == (c[n] < level)) continue;
                const double t = (level - c[e]) / (c[n] - c[e]);
                hits.push_back(
                    to_px(ix + cx[e] + t * (cx[n] - cx[e]), iy + cy[e] + t * (cy[n] - cy[e])));
            }
            // Two crossings make a segment; four (a saddle cell) make two.
            for (size_t k = 0; k + 1 < hits.size(); k += 2) {
                d << "M" << hits[k].first << "," << hits[k].second << "L" << hits[k + 1].first
                  << "," << hits[k + 1].second;
            }
        }
    }
    return d.str();
}

}  // namespace

std::string contour_svg(const std::vector<double>& v, int nx, int ny, double x0, double x1,
                        double y0, double y1, const std::vector<Series>& paths,
                        const PlotOptions& o, int levels) {
    Frame f{x0, x1, y0, y1};
    f.right = legend_room(paths);
    f.w = o.width + f.right - 150;
    f.h = o.height;
    const double lo = *std::min_element(v.begin(), v.end()),
                 hi = *std::max_element(v.begin(), v.end());
    std::ostringstream os;
    os << header(f.w, f.h);
    os << "<clipPath id='surface'><rect x='" << f.left << "' y='" << f.top << "' width='"
       << f.w - f.left - f.right << "' height='" << f.h - f.top - f.bottom
       << "'/></clipPath>\n<g clip-path='url(#surface)'>\n";
    // Grid node (ix, iy) sits at x0 + ix (x1 - x0) / (nx - 1); each is drawn as the cell around it,
    // coloured continuously on a square-root scale (error surfaces are steep at the rim and flat
    // near minima), dark blue low to pale yellow high.
    auto to_px = [&](double ix, double iy) {
        return std::pair{f.px(x0 + ix * (x1 - x0) / (nx - 1)),
                         f.py(y0 + iy * (y1 - y0) / (ny - 1))};
    };
    const double cw = static_cast<double>(f.w - f.left - f.right) / (nx - 1);
    const double ch = static_cast<double>(f.h - f.top - f.bottom) / (ny - 1);
    for (int iy = 0; iy < ny; ++iy) {
        for (int ix = 0; ix < nx; ++ix) {
            const double z = v[static_cast<size_t>(iy) * nx + ix];
            const double t = hi > lo ? std::sqrt((z - lo) / (hi - lo)) : 0.0;
            char col[16];
            std::snprintf(col, sizeof col, "#%02x%02x%02x", static_cast<int>(20 + 235 * t),
                          static_cast<int>(40 + 200 * t), static_cast<int>(120 + 60 * (1 - t)));
            const auto [px, py] = to_px(ix, iy);
            os << "<rect x='" << px - cw / 2 << "' y='" << py - ch / 2 << "' width='" << cw + 0.6
               << "' height='" << ch + 0.6 << "' fill='" << col << "'/>\n";
        }
    }
    // Iso-lines at the same square-root spacing as the colours.
    for (int k = 1; k < levels; ++k) {
        const double t = static_cast<double>(k) / levels;
        os << "<path d='" << iso_path(v, nx, ny, lo + t * t * (hi - lo), to_px)
           << "' fill='none' stroke='white' stroke-opacity='0.55' stroke-width='0.8'/>\n";
    }
    // A white halo under each path keeps it visible on any colour of the surface.
    for (const Series& p : paths) {
        std::ostringstream d;
        for (size_t k = 0; k < p.x.size() && k < p.y.size(); ++k)
            d << (k ? " L" : "M") << f.px(p.x[k]) << "," << f.py(p.y[k]);
        os << "<path d='" << d.str()
           << "' fill='none' stroke='white' stroke-opacity='0.7' stroke-width='4'/>\n";
    }
    os << "</g>\n";
    axes(os, f, o, false);
    draw_series(os, f, paths);
    // Where each path starts (hollow circle) and ends (filled circle).
    for (size_t i = 0; i < paths.size(); ++i) {
        const Series& s = paths[i];
        if (s.x.empty() || s.y.empty()) continue;
        const size_t last = std::min(s.x.size(), s.y.size()) - 1;
        os << "<circle cx='" << f.px(s.x[0]) << "' cy='" << f.py(s.y[0])
           << "' r='5' fill='white' stroke='" << palette(i) << "' stroke-width='2'/>\n<circle cx='"
           << f.px(s.x[last]) << "' cy='" << f.py(s.y[last]) << "' r='4.5' fill='" << palette(i)
           << "' stroke='white' stroke-width='1'/>\n";
    }
    const double ly = f.top + 14 + 18.0 * paths.size() + 8;
    os << "<circle cx='" << f.w - f.right + 20 << "' cy='" << ly - 4
       << "' r='4' fill='white' stroke='#444'/>"
       << "<text x='" << f.w - f.right + 34 << "' y='" << ly << "'>start</text>\n<circle cx='"
       << f.w - f.right + 20 << "' cy='" << ly + 14 << "' r='4' fill='#444'/><text x='"
       << f.w - f.right + 34 << "' y='" << ly + 18 << "'>end</text>\n";
    os << "</svg>\n";
    return os.str();
}

std::string heatmap_svg(const std::vector<double>& counts, const std::vector<std::string>& rows,
                        const std::vector<std::string>& cols, const PlotOptions& o) {
    const int nr = static_cast<int>(rows.size()), nc = static_cast<int>(cols.size());
    KAYA_CHECK(counts.size() == rows.size() * cols.size(), ValueError, "heatmap_svg: ",
               counts.size(), " counts for ", nr, " x ", nc, " cells");
    size_t longest = 0;
    for (const auto& r : rows) longest = std::max(longest, r.size());
    const int cell = 30, left = 20 + static_cast<int>(7.0 * static_cast<double>(longest)), top = 70;
    const int w = left + nc * cell + 20, h = top + nr * cell + 40;
    std::ostringstream os;
    os << header(w, h);
    os << "<text x='" << w / 2 << "' y='16' text-anchor='middle' font-size='13'>" << esc(o.title)
       << "</text>\n";
    os << "<text x='" << left + nc * cell / 2 << "' y='34' text-anchor='middle'>" << esc(o.xlabel)
       << "</text>\n";
    os << "<text x='12' y='" << top + nr * cell / 2 << "' text-anchor='middle' transform='rotate(-90 12 "
       << top + nr * cell / 2 << ")'>" << esc(o.ylabel) << "</text>\n";
    for (int c = 0; c < nc; ++c) {
        const int x = left + c * cell + cell / 2;
        os << "<text x='" << x << "' y='" << top - 6 << "' transform='rotate(-45 " << x << " "
           << top - 6 << ")' font-size='10'>" << esc(cols[c]) << "</text>\n";
    }
    for (int r = 0; r < nr; ++r) {
        double total = 0;
        for (int c = 0; c < nc; ++c) total += counts[static_cast<size_t>(r * nc + c)];
        const int y = top + r * cell;
        os << "<text x='" << left - 4 << "' y='" << y + cell / 2 + 4 << "' text-anchor='end' font-size='10'>"
           << esc(rows[r]) << "</text>\n";
        for (int c = 0; c < nc; ++c) {
            const double v = counts[static_cast<size_t>(r * nc + c)];
            const double share = total > 0 ? v / total : 0;
            // White to dark blue by the share of the row; the diagonal reads at a glance.
            const int shade = static_cast<int>(255 - 200 * std::sqrt(share));
            os << "<rect x='" << left + c * cell << "' y='" << y << "' width='" << cell
               << "' height='" << cell << "' fill='rgb(" << shade << "," << shade << ",255)' stroke='#ddd'/>";
            if (v > 0) {
                os << "<text x='" << left + c * cell + cell / 2 << "' y='" << y + cell / 2 + 3
                   << "' text-anchor='middle' font-size='8' fill='" << (share > 0.5 ? "white" : "black")
                   << "'>" << (v >= 10000 ? std::to_string(static_cast<int64_t>(v / 1000)) + "k"
                                          : std::to_string(static_cast<int64_t>(v)))
                   << "</text>";
            }
            os << "\n";
        }
    }
    os << "</svg>\n";
    return os.str();
}

namespace {

// A few anchor colours of a viridis-like scale, interpolated linearly.
void colour(double v, float& r, float& g, float& b) {
    static const float anchors[5][3] = {
        {0.267f, 0.005f, 0.329f}, {0.229f, 0.322f, 0.546f}, {0.128f, 0.567f, 0.551f}, {0.369f, 0.789f, 0.383f},
        {0.993f, 0.906f, 0.144f}};
    v = std::clamp(v, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(v));
    const float t = static_cast<float>(v - i);
    r = anchors[i][0] + t * (anchors[i + 1][0] - anchors[i][0]);
    g = anchors[i][1] + t * (anchors[i + 1][1] - anchors[i][1]);
    b = anchors[i][2] + t * (anchors[i + 1][2] - anchors[i][2]);
}

}  // namespace

Tensor feature_image(const Tensor& features, int64_t scale) {
    const int64_t T = features.shape()[0], D = features.shape()[1];
    auto v = to_vector<double>(features);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted[static_cast<size_t>(0.01 * static_cast<double>(sorted.size() - 1))];
    const double hi = sorted[static_cast<size_t>(0.99 * static_cast<double>(sorted.size() - 1))];
    const double span = hi > lo ? hi - lo : 1.0;
    const int64_t H = D * scale, W = T * scale;
    std::vector<float> img(static_cast<size_t>(3 * H * W));
    for (int64_t y = 0; y < H; ++y) {
        const int64_t d = D - 1 - y / scale;  // Coefficient 0 at the bottom.
        for (int64_t x = 0; x < W; ++x) {
            float r, g, b;
            colour((v[(x / scale) * D + d] - lo) / span, r, g, b);
            img[y * W + x] = r;
            img[H * W + y * W + x] = g;
            img[2 * H * W + y * W + x] = b;
        }
    }
    return from_vector(img, {3, H, W});
}

}  // namespace kaya::app
