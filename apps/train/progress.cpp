// SPDX-License-Identifier: MIT
#include "apps/train/progress.h"

#include <unistd.h>

#include <cstdio>

namespace kaya::app {

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), enabled_(isatty(2) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_ - std::chrono::seconds(1)) {}

Progress::~Progress() {
    if (!finished_) finish();
}

std::string Progress::format_duration(double s) {
    long t = s < 0 ? 0 : static_cast<long>(s + 0.5);
    char buf[32];
    if (t >= 3600) {
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
    }
    return buf;
}

void Progress::update(int64_t done, const std::string& status) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    // Redraw at most 10 times a second: terminals are slow and the bar must not cost time.
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    const int width = 24;
    int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    int pct = total_ > 0 ? static_cast<int>(100 * done / total_) : 100;
    std::fprintf(stderr, "\r\033[K%s |%s| %3d%% %lld/%lld %.1f %s/s ETA %s %s", label_.c_str(),
                 bar.c_str(), pct, static_cast<long long>(done), static_cast<long long>(total_),
                 rate, unit_.c_str(), format_duration(eta).c_str(), status.c_str());
    std::fflush(stderr);
}

void Progress::finish(const std::string& status) {
    if (finished_) return;
    finished_ = true;
    if (!enabled_) return;
    last_draw_ = start_ - std::chrono::seconds(1);
    update(total_, status);
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
}

}  // namespace kaya::app
