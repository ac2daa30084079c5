// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

namespace kaya::io {

// What a finished process left: its exit status (128 + signal when a signal ended it, as the
// shell reports it) and everything it wrote to stdout and stderr.
struct ProcessResult {
    int exit_status = 0;
    std::string out, err;
};

// Runs argv[0] (looked up in PATH) with the arguments argv[1..] directly, no shell, stdin from
// `input` (then closed), and waits for it, reading stdout and stderr as they come so neither
// pipe fills up. After `timeout_seconds` (<= 0: no limit) the process is killed and IoError
// says so. IoError when the program cannot be started, naming it ("not found" when it is not
// in PATH). A non-zero exit status is returned, not thrown: the caller knows what it means.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = "",
                          double timeout_seconds = 0);

// Whether `program` can be found in PATH (or is an executable path).
bool program_exists(const std::string& program);

}  // namespace kaya::io
