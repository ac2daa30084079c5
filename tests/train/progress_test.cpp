// SPDX-License-Identifier: MIT
// Progress on a terminal (a bar redrawn in place) and in a log (a plain line every interval).
#include "apps/train/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
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
