// SPDX-License-Identifier: MIT
#include "apps/go/gtp/client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "kaya/core/error.h"

namespace kaya::go {

namespace {

// write() to a pipe whose reader has exited raises SIGPIPE, which would kill the whole
// program. Block it around the write and discard a pending one, so the caller gets EPIPE.
bool write_all(int fd, const std::string& data) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    size_t done = 0;
    bool ok = true;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = false;
            break;
        }
        done += static_cast<size_t>(n);
    }
    if (!ok && errno == EPIPE) {
        timespec zero{0, 0};
        sigtimedwait(&pipe_set, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return ok;
}

}  // namespace

GtpClient::GtpClient(std::string command, double timeout_seconds, const std::string& stderr_path)
    : command_(std::move(command)), timeout_(timeout_seconds) {
    int in_pipe[2], out_pipe[2];
    // Close-on-exec from the start: an engine started at the same time by another thread must
    // not inherit these ends, or this engine would never see end-of-file on its stdin. dup2
    // clears the flag on the child's copies at 0 and 1.
    KAYA_CHECK(::pipe2(in_pipe, O_CLOEXEC) == 0 && ::pipe2(out_pipe, O_CLOEXEC) == 0, IoError,
               "GTP engine '", command_,
               "': cannot create pipes: ", std::strerror(errno));
    pid_ = ::fork();
    KAYA_CHECK(pid_ >= 0, IoError, "GTP engine '", command_,
               "': fork failed: ", std::strerror(errno));
    if (pid_ == 0) {
        // Child: its own process group (so the engine's children can be killed with it),
        // stdin from in_pipe, stdout to out_pipe, stderr to the log or /dev/null.
        ::setpgid(0, 0);
        ::dup2(in_pipe[0], 0);
        ::dup2(out_pipe[1], 1);
        int err = ::open(stderr_path.empty() ? "/dev/null" : stderr_path.c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (err >= 0) ::dup2(err, 2);  // Everything else closes itself at exec.
        ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    to_child_ = in_pipe[1];
    from_child_ = out_pipe[0];
}

GtpClient::~GtpClient() {
    if (pid_ <= 0) {
        close_all();  // Already reaped by alive().
        return;
    }
    {
        // Ask politely, then insist: an engine that ignores quit must not outlive the match.
        write_all(to_child_, "quit\n");
        close_all();
        for (int i = 0; i < 50; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                ::kill(-pid_, SIGKILL);  // Anything the engine started and left behind.
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

void GtpClient::close_all() {
    if (to_child_ >= 0) ::close(to_child_);
    if (from_child_ >= 0) ::close(from_child_);
    to_child_ = from_child_ = -1;
}

bool GtpClient::alive() {
    if (pid_ <= 0) return false;
    if (::waitpid(pid_, nullptr, WNOHANG) == 0) return true;
    // Reaped: the pid may now be reused, so it must never be signalled again.
    ::kill(-pid_, SIGKILL);  // Anything the engine started and left behind.
    pid_ = -1;
    return false;
}

std::string GtpClient::send(const std::string& cmd) {
    auto fail = [&](const std::string& why) {
        return IoError("GTP engine '" + command_ + "': " + cmd + ": " + why);
    };
    if (to_child_ < 0 || !write_all(to_child_, cmd + "\n"))
        throw fail("cannot write (the engine has exited)");
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_);
    // A response ends with an empty line; carriage returns are ignored.
    size_t end;
    while ((end = buffer_.find("\n\n")) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            char secs[32];
            std::snprintf(secs, sizeof secs, "%g", timeout_);
            throw fail(std::string("no response within ") + secs + " s");
        }
        pollfd p{from_child_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        char chunk[4096];
        ssize_t n = ::read(from_child_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // The engine closes its output as it exits, a moment before it can be reaped:
            // wait for that moment so alive() tells the truth afterwards.
            for (int i = 0; i < 100 && alive(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            close_all();
            throw fail("the engine closed its output (exited?)");
        }
        for (ssize_t i = 0; i < n; ++i) {
            if (chunk[i] != '\r') buffer_ += chunk[i];
        }
    }
    std::string response = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    // Skip blank lines some engines emit before a response.
    size_t start = response.find_first_not_of('\n');
    response = start == std::string::npos ? "" : response.substr(start);
    if (response.empty() || (response[0] != '=' && response[0] != '?')) {
        throw fail("malformed response '" + response + "'");
    }
    const bool ok = response[0] == '=';
    size_t text = 1;
    while (text < response.size() && std::isdigit(static_cast<unsigned char>(response[text])))
        ++text;
    while (text < response.size() && response[text] == ' ') ++text;
    std::string body = response.substr(text);
    if (!ok) throw ValueError("GTP engine '" + command_ + "': " + cmd + ": " + body);
    return body;
}

}  // namespace kaya::go
