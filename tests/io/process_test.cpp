// SPDX-License-Identifier: MIT
// Running another program: arguments without a shell, stdin fed, stdout and stderr drained
// together, exit status and signals, a program that is missing or hangs.
#include <gtest/gtest.h>

#include <string>

#include "kaya/core/error.h"
#include "kaya/io/process.h"
#include "support/errors.h"

namespace kaya::io {
namespace {

TEST(Process, RunsWithoutAShellAndFeedsStdin) {
    // One argument with spaces and a quote stays one argument.
    auto r = run_process({"printf", "%s|", "a b", "it's"});
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_EQ(r.out, "a b|it's|");
    // Large input and output through both pipes at once (more than a pipe buffer each way).
    std::string big(1 << 20, 'x');
    r = run_process({"cat"}, big);
    EXPECT_EQ(r.out.size(), big.size());
    r = run_process({"sh", "-c", "cat >&2; echo done"}, big);
    EXPECT_EQ(r.err.size(), big.size());
    EXPECT_EQ(r.out, "done\n");
}

TEST(Process, ReportsStatusSignalsAndFailures) {
    EXPECT_EQ(run_process({"sh", "-c", "exit 3"}).exit_status, 3);
    EXPECT_EQ(run_process({"sh", "-c", "kill -9 $$"}).exit_status, 128 + 9);
    // A child that stops reading its stdin: no SIGPIPE for us.
    EXPECT_EQ(run_process({"true"}, std::string(1 << 20, 'y')).exit_status, 0);
    EXPECT_NE(test::error_of([] { run_process({"kaya-no-such-program", "x"}); }).find("not found in PATH"),
              std::string::npos);
    EXPECT_NE(test::error_of([] { run_process({"sleep", "5"}, "", 0.2); }).find("did not finish within 0.2 s"),
              std::string::npos);
    EXPECT_TRUE(program_exists("sh"));
    EXPECT_FALSE(program_exists("kaya-no-such-program"));
}

}  // namespace
}  // namespace kaya::io
