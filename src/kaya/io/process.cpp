// SPDX-License-Identifier: MIT
#include "kaya/io/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>

#include "kaya/core/error.h"

extern char** environ;

namespace kaya::io {

namespace {

std::string command_line(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

// The three pipes, closed on every path out.
struct Pipes {
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    ~Pipes() {
        for (int* p : {in, out, err}) {
            for (int k = 0; k < 2; ++k) {
                if (p[k] >= 0) ::close(p[k]);
            }
        }
    }
    static void close_end(int& fd) {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

// Feeds stdin and drains stdout/stderr until both close or the deadline passes. Returns false
// on timeout.
bool exchange(Pipes& p, const std::string& input, ProcessResult& r, double timeout_seconds) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_seconds);
    size_t written = 0;
    if (input.empty()) Pipes::close_end(p.in[1]);
    char buf[65536];
    while (p.out[0] >= 0 || p.err[0] >= 0) {
        pollfd fds[3];
        int n = 0;
        for (int fd : {p.out[0], p.err[0]}) {
            if (fd >= 0) fds[n++] = {fd, POLLIN, 0};
        }
        if (p.in[1] >= 0) fds[n++] = {p.in[1], POLLOUT, 0};
        int wait_ms = -1;
        if (timeout_seconds > 0) {
            const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        const int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        KAYA_CHECK(ready >= 0, IoError, "waiting for a child process: poll failed: ", std::strerror(errno));
        if (ready == 0) return false;
        for (int k = 0; k < n; ++k) {
            if (!fds[k].revents) continue;
            if (fds[k].fd == p.in[1]) {
                // Non-blocking: a partial write returns instead of waiting for the child,
                // which may itself be waiting for us to read its output.
                const ssize_t w = ::write(p.in[1], input.data() + written, input.size() - written);
                if (w > 0) written += static_cast<size_t>(w);
                const bool retry = w < 0 && (errno == EAGAIN || errno == EINTR);
                if ((w < 0 && !retry) || written == input.size()) Pipes::close_end(p.in[1]);
                continue;
            }
            const ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
            if (got > 0) {
                (fds[k].fd == p.out[0] ? r.out : r.err).append(buf, static_cast<size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                Pipes::close_end(fds[k].fd == p.out[0] ? p.out[0] : p.err[0]);
            }
        }
    }
    return true;
}

}  // namespace

bool program_exists(const std::string& program) {
    auto executable = [](const std::string& path) {
        struct stat st{};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
    };
    if (program.find('/') != std::string::npos) return executable(program);
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && executable(dir + "/" + program)) return true;
    }
    return false;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input, double timeout_seconds) {
    KAYA_CHECK(!argv.empty() && !argv[0].empty(), ValueError, "run_process: no program given");
    KAYA_CHECK(program_exists(argv[0]), IoError, "cannot run '", command_line(argv), "': ", argv[0],
               " not found in PATH");
    Pipes p;
    KAYA_CHECK(::pipe2(p.in, O_CLOEXEC) == 0 && ::pipe2(p.out, O_CLOEXEC) == 0 && ::pipe2(p.err, O_CLOEXEC) == 0,
               IoError, "cannot run '", command_line(argv), "': pipes: ", std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, p.in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, p.out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, p.err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    KAYA_CHECK(rc == 0, IoError, "cannot run '", command_line(argv), "': ", std::strerror(rc));
    for (int* fd : {&p.in[0], &p.out[1], &p.err[1]}) Pipes::close_end(*fd);
    ::fcntl(p.in[1], F_SETFL, ::fcntl(p.in[1], F_GETFL) | O_NONBLOCK);
    // A child that exits before reading all its stdin must not end this process with SIGPIPE:
    // blocked in this thread (a write's SIGPIPE goes to the writing thread), the write fails
    // with EPIPE instead, and a pending one is taken back before unblocking.
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ProcessResult r;
    bool finished = false;
    std::exception_ptr failure;
    try {
        finished = exchange(p, input, r, timeout_seconds);
    } catch (...) {
        failure = std::current_exception();
    }
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (!finished) ::kill(pid, SIGKILL);  // Timed out or failed: no child is left behind.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (failure) std::rethrow_exception(failure);
    KAYA_CHECK(finished, IoError, "'", command_line(argv), "' did not finish within ", timeout_seconds,
               " s and was stopped");
    r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

}  // namespace kaya::io
