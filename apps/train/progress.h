// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>

namespace kaya::app {

// Progress on stderr: label, percentage, count, rate, ETA and a caller-supplied status (e.g.
// the running loss). On a terminal, a one-line bar redrawn in place. Otherwise (a run logged to
// a file, under nohup or a batch system) a plain line every KAYA_PROGRESS_SECONDS seconds
// (default 60; 0 turns it off), so a long run's log shows how far it is without filling up with
// redraws. Callers print their own summary line at the end.
//
// The rate, and the ETA from it, are those of the last minute, not of the whole run: a run
// stopped for an hour (SIGSTOP, a suspended laptop) or slowed by another job shows its speed
// since, not an average that hides the change.
class Progress {
public:
    enum class Mode { kOff, kBar, kLines };
    using Clock = std::chrono::steady_clock;
    // The span the rate is measured over.
    static constexpr double kRateWindowSeconds = 60;

    Progress(std::string label, int64_t total, std::string unit = "it");
    ~Progress();
    void update(int64_t done, const std::string& status = "");
    void finish(const std::string& status = "");
    // Off, or back to this stream's default (the bar when a test forces it on a pipe).
    void set_enabled(bool on);
    bool enabled() const { return mode_ != Mode::kOff; }
    Mode mode() const { return mode_; }
    // A resumed loop starts at `done`: the rate and ETA count from there.
    void start_at(int64_t done);
    // Where and how to draw (tests): lines go out at most every `seconds`.
    void set_output(std::FILE* out, Mode mode, double seconds = 0);
    // The clock (tests); steady_clock's by default. Call before the first update.
    void set_clock(std::function<Clock::time_point()> now);
    // "1:02:03" or "02:03".
    static std::string format_duration(double seconds);
    // KAYA_PROGRESS_SECONDS, or 60 when unset; a malformed or negative value is an error that
    // names the variable.
    static double line_interval();

private:
    struct Sample {
        Clock::time_point at;
        int64_t done;
    };
    // Keeps `samples_` to a point about a second apart, the oldest the last before the window.
    void record(Clock::time_point now, int64_t done);
    // Items a second over the window; over the last interval when the window holds one point.
    double rate(Clock::time_point now, int64_t done) const;

    std::string label_, unit_;
    int64_t total_;
    Mode mode_;
    std::FILE* out_ = stderr;
    std::chrono::duration<double> interval_;
    bool finished_ = false;
    std::function<Clock::time_point()> now_ = [] { return Clock::now(); };
    Clock::time_point start_, last_draw_;
    std::deque<Sample> samples_;
};

}  // namespace kaya::app
