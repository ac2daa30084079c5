// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

namespace kaya::app {

// A one-line progress bar on stderr: label, bar, percentage, rate, ETA and a caller-supplied
// status (e.g. the running loss). Silent when stderr is not a terminal, so logs and CI output
// stay clean; callers print their own per-epoch summary lines.
class Progress {
public:
    Progress(std::string label, int64_t total, std::string unit = "it");
    ~Progress();
    void update(int64_t done, const std::string& status = "");
    void finish(const std::string& status = "");
    // Forces drawing on or off (tests); defaults to isatty(stderr).
    void set_enabled(bool on) { enabled_ = on; }
    bool enabled() const { return enabled_; }
    // "1:02:03" or "02:03".
    static std::string format_duration(double seconds);

private:
    std::string label_, unit_;
    int64_t total_;
    bool enabled_;
    bool finished_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace kaya::app
