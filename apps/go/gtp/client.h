// SPDX-License-Identifier: MIT
#pragma once

#include <sys/types.h>

#include <string>

namespace kaya::go {

// A GTP engine run as a child process and spoken to over pipes: the other side of GtpEngine,
// used by the match runner (two engines and a referee). The command line is run by /bin/sh,
// so "gnugo --mode gtp --level 1" works as typed. Every read has a deadline: a silent or dead
// engine gives an IoError, never a hang.
class GtpClient {
public:
    // Starts the engine; its stderr goes to stderr_path ("" discards it). IoError if it cannot
    // be started.
    explicit GtpClient(std::string command, double timeout_seconds = 60,
                       const std::string& stderr_path = "");
    ~GtpClient();
    GtpClient(const GtpClient&) = delete;
    GtpClient& operator=(const GtpClient&) = delete;

    // Sends one command and returns the response text (without "= " and the blank line).
    // A "? message" reply throws ValueError("<engine>: <command>: message"); a timeout, a
    // closed pipe or an exited engine throws IoError naming the engine and the command.
    std::string send(const std::string& command);
    const std::string& command() const { return command_; }
    // True while the child process is running.
    bool alive();

private:
    void close_all();

    std::string command_;
    double timeout_;
    pid_t pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
    std::string buffer_;
};

}  // namespace kaya::go
