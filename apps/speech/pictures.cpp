// SPDX-License-Identifier: MIT
#include "apps/speech/pictures.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "apps/train/plot.h"
#include "kaya/ops/ops.h"

namespace kaya::speech {
std::string waveform_svg(const Tensor& wave, int64_t rate, double frame_ms, double shift_ms, const std::string& title,
                         double seconds) {
    auto w = to_vector<float>(wave);
    int64_t n = static_cast<int64_t>(w.size());
    if (seconds > 0) n = std::min<int64_t>(n, static_cast<int64_t>(seconds * static_cast<double>(rate)));
    const double width = 760, height = 260, left = 50, right = 20, top = 40, wave_h = 130;
    const double plot_w = width - left - right;
    const double duration = static_cast<double>(n) / static_cast<double>(rate);
    auto x_of = [&](double t) { return left + plot_w * t / std::max(duration, 1e-9); };
    float peak = 1e-6f;
    for (int64_t i = 0; i < n; ++i) peak = std::max(peak, std::abs(w[i]));
    std::ostringstream s;
    s.precision(4);
    s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
      << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n"
      << "<text x='" << width / 2 << "' y='20' text-anchor='middle' font-size='14'>" << title << "</text>\n";
    // The wave as a min/max envelope per pixel column.
    const int columns = static_cast<int>(plot_w);
    const double mid = top + wave_h / 2;
    s << "<path fill='none' stroke='" << app::palette(0) << "' stroke-width='1' d='";
    for (int c = 0; c < columns; ++c) {
        const int64_t a = n * c / columns, b = std::max(a + 1, n * (c + 1) / columns);
        float mn = 0, mx = 0;
        for (int64_t i = a; i < std::min(b, n); ++i) mn = std::min(mn, w[i]), mx = std::max(mx, w[i]);
        s << "M" << left + c << "," << mid - mx / peak * wave_h / 2 << "L" << left + c << "," << mid - mn / peak * wave_h / 2;
    }
    s << "'/>\n";
    // Frame starts as ticks, the first five windows as staggered brackets.
    const double frame = frame_ms / 1000.0, shift = shift_ms / 1000.0;
    const double tick_y = top + wave_h + 8;
    int64_t count = 0;
    for (double t = 0; t + frame <= duration + 1e-9; t += shift, ++count) {
        s << "<line x1='" << x_of(t) << "' y1='" << tick_y << "' x2='" << x_of(t) << "' y2='" << tick_y + 6
          << "' stroke='#555'/>\n";
        if (count < 5) {
            const double y = tick_y + 14 + 9 * static_cast<double>(count);
            s << "<path fill='none' stroke='" << app::palette(1 + static_cast<size_t>(count)) << "' stroke-width='2' d='M"
              << x_of(t) << "," << y - 3 << "V" << y << "H" << x_of(t + frame) << "V" << y - 3 << "'/>\n";
        }
    }
    s << "<text x='" << left << "' y='" << height - 12 << "'>" << count << " frames of " << frame_ms << " ms every "
      << shift_ms << " ms (first five windows drawn) over " << duration << " s</text>\n";
    s << "<text x='" << width - right << "' y='" << height - 12 << "' text-anchor='end'>time (s) 0 - " << duration
      << "</text>\n</svg>\n";
    return s.str();
}

}  // namespace kaya::speech
