// SPDX-License-Identifier: MIT
// Progress on a terminal (a bar redrawn in place) and in a log (a plain line every interval).
#include "apps/train/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kaya/core/error.h"

namespace kaya::app {
namespace {

// What the progress wrote into a temporary file.
std::string written(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
    return s;
}

TEST(Progress, InALogWritesPlainLinesAndLeavesTheEndToTheCaller) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        Progress p("epoch 2/30", 4, "batch");
        p.set_output(f, Progress::Mode::kLines, 0);
        p.start_at(1);
        for (int64_t done = 2; done <= 4; ++done) p.update(done, "loss 1.5");
    }
    const std::string s = written(f);
    std::fclose(f);
    EXPECT_EQ(s.find('\r'), std::string::npos) << s;
    EXPECT_EQ(s.find('\033'), std::string::npos) << s;
    // Batches 2 and 3; the last (4 of 4) is the caller's summary line, not a progress line.
    EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2) << s;
    EXPECT_EQ(s.rfind("epoch 2/30  50% 2/4 ", 0), 0u) << s;
    EXPECT_NE(s.find("\nepoch 2/30  75% 3/4 "), std::string::npos) << s;
    EXPECT_NE(s.find(" batch/s elapsed "), std::string::npos) << s;
    EXPECT_NE(s.find(" ETA "), std::string::npos) << s;
    EXPECT_NE(s.find("loss 1.5\n"), std::string::npos) << s;
}

TEST(Progress, InALogWaitsForTheIntervalAndOffWritesNothing) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        Progress p("eval", 10, "pos");
        p.set_output(f, Progress::Mode::kLines, 3600);
        for (int64_t done = 1; done <= 10; ++done) p.update(done);
    }
    {
        Progress p("eval", 10, "pos");
        p.set_output(f, Progress::Mode::kBar, 0);
        p.set_enabled(false);
        for (int64_t done = 1; done <= 10; ++done) p.update(done);
    }
    EXPECT_EQ(written(f), "");
    std::fclose(f);
}

TEST(Progress, OnATerminalRedrawsOneLineAndClearsIt) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    {
        Progress p("epoch 1/1", 2, "batch");
        p.set_output(f, Progress::Mode::kBar, 0);
        p.update(1);
        p.finish();
    }
    const std::string s = written(f);
    std::fclose(f);
    EXPECT_EQ(s.find('\n'), std::string::npos) << s;
    EXPECT_EQ(s.rfind("\r\033[Kepoch 1/1 |############............|  50% 1/2 ", 0), 0u) << s;
    EXPECT_NE(s.find("|########################| 100% 2/2 "), std::string::npos) << s;
    EXPECT_EQ(s.substr(s.size() - 4), "\r\033[K") << s;
}

// The rate a progress line shows ("... 3/4 2.5 batch/s elapsed ...").
double shown_rate(const std::string& line, const std::string& unit) {
    const size_t end = line.find(" " + unit + "/s ");
    EXPECT_NE(end, std::string::npos) << line;
    const size_t begin = line.rfind(' ', end - 1) + 1;
    return std::stod(line.substr(begin, end - begin));
}

// The last line written.
std::string last_line(const std::string& s) {
    const size_t newline = s.rfind('\n', s.size() - 2);
    const size_t from = newline == std::string::npos ? 0 : newline + 1;
    return s.substr(from, s.size() - 1 - from);
}

TEST(Progress, TheRateAndEtaAreThoseOfTheLastMinuteSoAStoppedRunRecovers) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    using namespace std::chrono;
    Progress::Clock::time_point t{};
    Progress p("epoch 4/20", 10000, "batch");
    p.set_output(f, Progress::Mode::kLines, 0);
    p.set_clock([&t] { return t; });
    p.start_at(1000);  // resumed
    int64_t done = 1000;
    auto run = [&](int seconds, int per_second) {
        for (int i = 0; i < seconds * 10; ++i) {
            t += milliseconds(100);
            if (i % (10 / per_second) == 0) p.update(++done);
        }
    };
    run(120, 2);
    EXPECT_NEAR(shown_rate(last_line(written(f)), "batch"), 2.0, 0.05);
    // Stopped for an hour: the first line after shows the hour, the next minute's the speed again.
    t += hours(1);
    p.update(++done);
    EXPECT_LT(shown_rate(last_line(written(f)), "batch"), 0.1);
    run(90, 5);
    const std::string line = last_line(written(f));
    EXPECT_NEAR(shown_rate(line, "batch"), 5.0, 0.1) << line;
    // (10000 - 1691) / 5 s = 27:42.
    EXPECT_NE(line.find(" ETA 27:4"), std::string::npos) << line;
    // The elapsed time is the wall clock's, the hour included.
    EXPECT_NE(line.find(" elapsed 1:03:30 "), std::string::npos) << line;
    std::fclose(f);
}

TEST(Progress, WithNothingDoneTheEtaIsUnknown) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    Progress::Clock::time_point t{};
    Progress p("eval", 10, "pos");
    p.set_output(f, Progress::Mode::kLines, 0);
    p.set_clock([&t] { return t; });
    t += std::chrono::seconds(5);
    p.update(0);
    EXPECT_NE(written(f).find(" 0.0 pos/s elapsed 00:05 ETA --:-- "), std::string::npos)
        << written(f);
    std::fclose(f);
}

TEST(Progress, TheLineIntervalComesFromTheEnvironmentAndIsChecked) {
    const char* old = std::getenv("KAYA_PROGRESS_SECONDS");
    const std::string saved = old ? old : "";
    unsetenv("KAYA_PROGRESS_SECONDS");
    EXPECT_EQ(Progress::line_interval(), 60);
    setenv("KAYA_PROGRESS_SECONDS", "2.5", 1);
    EXPECT_EQ(Progress::line_interval(), 2.5);
    setenv("KAYA_PROGRESS_SECONDS", "0", 1);
    EXPECT_EQ(Progress::line_interval(), 0);
    for (const char* bad : {"soon", "-1", "10s", "nan"}) {
        setenv("KAYA_PROGRESS_SECONDS", bad, 1);
        try {
            Progress::line_interval();
            ADD_FAILURE() << bad << " was accepted";
        } catch (const ValueError& e) {
            EXPECT_NE(std::string(e.what()).find("KAYA_PROGRESS_SECONDS: expected a number of seconds >= 0"),
                      std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find(std::string("got '") + bad + "'"), std::string::npos) << e.what();
        }
    }
    if (old) {
        setenv("KAYA_PROGRESS_SECONDS", saved.c_str(), 1);
    } else {
        unsetenv("KAYA_PROGRESS_SECONDS");
    }
}

}  // namespace
}  // namespace kaya::app
