// SPDX-License-Identifier: MIT
#include "apps/train/progress.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "kaya/core/error.h"

namespace kaya::app {

namespace {

Progress::Mode default_mode() {
    if (isatty(2) != 0) return Progress::Mode::kBar;
    return Progress::line_interval() > 0 ? Progress::Mode::kLines : Progress::Mode::kOff;
}

}  // namespace

double Progress::line_interval() {
    const char* env = std::getenv("KAYA_PROGRESS_SECONDS");
    if (env == nullptr || *env == '\0') return 60;
    char* end = nullptr;
    errno = 0;
    const double s = std::strtod(env, &end);
    if (*end != '\0' || errno != 0 || !std::isfinite(s) || s < 0)
        throw ValueError(std::string("KAYA_PROGRESS_SECONDS: expected a number of seconds >= 0 (0 = "
                                                "no progress lines), got '") + env + "'");
    return s;
}

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      mode_(default_mode()),
      interval_(mode_ == Mode::kLines ? line_interval() : 0.1),
      start_(now_()),
      last_draw_(start_),
      samples_{{start_, 0}} {}

void Progress::start_at(int64_t done) { samples_.assign(1, Sample{start_, done}); }

void Progress::set_clock(std::function<Clock::time_point()> now) {
    now_ = std::move(now);
    start_ = last_draw_ = now_();
    samples_.assign(1, Sample{start_, samples_.front().done});
}

void Progress::record(Clock::time_point now, int64_t done) {
    if (now - samples_.back().at >= std::chrono::seconds(1)) samples_.push_back({now, done});
    const auto window_start = now - std::chrono::duration<double>(kRateWindowSeconds);
    while (samples_.size() >= 2 && samples_[1].at <= window_start) samples_.pop_front();
}

double Progress::rate(Clock::time_point now, int64_t done) const {
    // The oldest point inside the window that is older than now; else the one before the
    // window, so a lone update after a long gap (a stopped run) shows the rate across the gap.
    const auto window_start = now - std::chrono::duration<double>(kRateWindowSeconds);
    const Sample* base = &samples_.front();
    for (const Sample& s : samples_) {
        if (s.at >= window_start && s.at < now) {
            base = &s;
            break;
        }
    }
    const double seconds = std::chrono::duration<double>(now - base->at).count();
    return seconds > 0 ? static_cast<double>(done - base->done) / seconds : 0.0;
}

Progress::~Progress() {
    if (!finished_) finish();
}

void Progress::set_enabled(bool on) {
    if (!on) {
        mode_ = Mode::kOff;
    } else if (mode_ == Mode::kOff) {
        mode_ = Mode::kBar;
        interval_ = std::chrono::duration<double>(0.1);
    }
}

void Progress::set_output(std::FILE* out, Mode mode, double seconds) {
    out_ = out;
    mode_ = mode;
    interval_ = std::chrono::duration<double>(seconds);
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
    if (mode_ == Mode::kOff) return;
    const auto now = now_();
    record(now, done);
    // The bar redraws at most 10 times a second (terminals are slow and it must not cost
    // time); lines go out every interval, and not for the end, which the caller reports.
    if (mode_ == Mode::kLines ? done >= total_ || now - last_draw_ < interval_
                              : done < total_ && now - last_draw_ < interval_)
        return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    const double per_second = rate(now, done);
    const std::string eta =
        per_second > 0 ? format_duration(static_cast<double>(total_ - done) / per_second) : "--:--";
    int pct = total_ > 0 ? static_cast<int>(100 * done / total_) : 100;
    if (mode_ == Mode::kLines) {
        std::fprintf(out_, "%s %3d%% %lld/%lld %.1f %s/s elapsed %s ETA %s %s\n", label_.c_str(),
                     pct, static_cast<long long>(done), static_cast<long long>(total_), per_second,
                     unit_.c_str(), format_duration(elapsed).c_str(), eta.c_str(), status.c_str());
    } else {
        const int width = 24;
        int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
        std::string bar(static_cast<size_t>(filled), '#');
        bar.resize(width, '.');
        std::fprintf(out_, "\r\033[K%s |%s| %3d%% %lld/%lld %.1f %s/s ETA %s %s", label_.c_str(),
                     bar.c_str(), pct, static_cast<long long>(done), static_cast<long long>(total_),
                     per_second, unit_.c_str(), eta.c_str(), status.c_str());
    }
    std::fflush(out_);
}

void Progress::finish(const std::string& status) {
    if (finished_) return;
    finished_ = true;
    if (mode_ != Mode::kBar) return;
    last_draw_ = start_ - std::chrono::hours(1);
    update(total_, status);
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
}

}  // namespace kaya::app
