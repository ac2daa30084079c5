// SPDX-License-Identifier: MIT
// Runs survive what happens to real runs: SIGKILL at 30 random moments (a checkpoint is written
// after every batch, so many kills land inside a write) with a resume after each, and a disk
// that fills up during a checkpoint write. Each ends with the weights of an uninterrupted run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "apps/mlp/mlp_task.h"
#include "apps/train/run.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::app {
namespace {

namespace fs = std::filesystem;

const bool kRegistered = [] {
    if (!task_registry().contains("regression")) mlp::register_tasks(task_registry());
    return true;
}();

std::string tmp_dir(const std::string& name) {
    auto p = fs::temp_directory_path() / ("kaya_crash_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

// A small MLP with dropout (so the RNG state matters) that checkpoints after every batch.
std::string config_text(const std::string& dir, int epochs) {
    return "[data]\nsource = 'synthetic'\nrows = 640\nfeatures = 5\n[model]\nhidden = [32, 16]\ndropout = 0.1\n"
           "[train]\noptimizer = 'adam'\nlr = 0.01\nbatch_size = 32\ncheckpoint_minutes = 0\nepochs = " +
           std::to_string(epochs) + "\n[output]\ndir = '" + dir + "'\n";
}

std::vector<std::vector<float>> model_weights(const std::string& dir) {
    std::vector<std::vector<float>> out;
    for (auto& [n, t] : io::load_safetensors(dir + "/checkpoint.safetensors").tensors) {
        if (n.rfind("model.", 0) == 0) out.push_back(to_vector<float>(t));
    }
    return out;
}

// `kaya train cfg [flag]` as a child process, its output discarded; with a file size limit
// (bytes, 0 for none) and SIGXFSZ ignored, so a write past the limit fails like a full disk.
pid_t spawn(const std::string& cfg, const std::string& flag, rlim_t fsize = 0) {
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        if (fsize > 0) {
            ::signal(SIGXFSZ, SIG_IGN);
            rlimit lim{fsize, fsize};
            ::setrlimit(RLIMIT_FSIZE, &lim);
        }
        if (flag.empty()) {
            execl(KAYA_BINARY, KAYA_BINARY, "train", cfg.c_str(), static_cast<char*>(nullptr));
        } else {
            execl(KAYA_BINARY, KAYA_BINARY, "train", cfg.c_str(), flag.c_str(), static_cast<char*>(nullptr));
        }
        _exit(127);
    }
    return pid;
}

int wait_status(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

TEST(CrashSafety, ThirtySigkillsAtRandomMomentsThenTheSameWeights) {
    const std::string a = tmp_dir("straight"), b = tmp_dir("killed");
    const int epochs = 12;
    run_training(Config::parse(config_text(a, epochs), "t.toml"), {.force = true, .verbose = false});
    const std::string cfg = b + "/run.toml";
    io::write_file_atomic(cfg, config_text(b + "/out", epochs));
    Generator g(2026);
    int kills = 0, finished = 0;
    std::vector<std::string> epochs_reached;
    int mid_write = 0;  // Kills that left a half-written temporary file: they hit a write.
    while (!finished) {
        // Resume when a checkpoint is there; else start over (a kill before the first one).
        const bool resume = fs::exists(b + "/out/checkpoint.safetensors");
        const pid_t pid = spawn(cfg, resume ? "--resume" : "--force");
        if (kills < 30) {
            // Process start-up and data take ~10 ms; training and writes fill the rest.
            const auto delay = std::chrono::microseconds(5000 + g.bits(static_cast<uint64_t>(kills)) % 120000);
            std::this_thread::sleep_for(delay);
            kill(pid, SIGKILL);
        }
        const int status = wait_status(pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
            ++kills;
            std::error_code ec;  // A kill before the run made its directory leaves none.
            for (const auto& e : fs::directory_iterator(b + "/out", ec))
                mid_write += e.path().filename().string().find(".tmp.") != std::string::npos;
            if (fs::exists(b + "/out/checkpoint.safetensors"))
                epochs_reached.push_back(io::load_safetensors(b + "/out/checkpoint.safetensors").metadata.at("epoch") +
                                         "/" + io::load_safetensors(b + "/out/checkpoint.safetensors").metadata.at("batch"));
            continue;
        }
        ASSERT_TRUE(WIFEXITED(status)) << "after " << kills << " kills";
        ASSERT_EQ(WEXITSTATUS(status), 0) << "a resume failed after " << kills << " kills";
        finished = kills >= 30;
        if (!finished) kills = 30;  // The run ended before the last kill: enough torture.
    }
    EXPECT_EQ(kills, 30);
    // How far each kill let the run get shows they spread over the run (printed for the log).
    std::string reached;
    for (const auto& e : epochs_reached) reached += " " + e;
    std::printf("%d kills, %d of them during a file write; checkpoint (epoch/batch) after each:%s\n", kills,
                mid_write, reached.c_str());
    EXPECT_EQ(model_weights(a), model_weights(b + "/out"));
    // Killed writes leave no temporary files behind once a run has finished.
    for (const auto& e : fs::directory_iterator(b + "/out"))
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
    fs::remove_all(a);
    fs::remove_all(b);
}

// A checkpoint write that cannot finish (the file size limit stands in for a full disk) ends
// the run with a clear error and leaves the previous checkpoint, which a resume then uses.
TEST(CrashSafety, AFailedCheckpointWriteKeepsThePreviousOne) {
    const std::string a = tmp_dir("full_straight"), b = tmp_dir("full");
    run_training(Config::parse(config_text(a, 3), "t.toml"), {.force = true, .verbose = false});
    const std::string cfg = b + "/run.toml";
    io::write_file_atomic(cfg, config_text(b + "/out", 3));
    run_training(Config::load(cfg), {.stop_after = 1, .verbose = false});
    const std::string before = io::read_file(b + "/out/checkpoint.safetensors");
    const auto limit = static_cast<rlim_t>(before.size() / 2);
    const int status = wait_status(spawn(cfg, "--resume", limit));
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);  // A clear error, not a crash.
    EXPECT_EQ(io::read_file(b + "/out/checkpoint.safetensors"), before);
    run_training(Config::load(cfg), {.resume = true, .verbose = false});
    EXPECT_EQ(model_weights(a), model_weights(b + "/out"));
    fs::remove_all(a);
    fs::remove_all(b);
}

// The same on a real full disk: a 1 MiB tmpfs filled up while the run goes on (root only).
TEST(CrashSafety, AFullDiskDuringACheckpointGivesAClearError) {
    const std::string dir = tmp_dir("tmpfs");
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=1m") != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
    const std::string cfg = dir + "/run.toml";
    io::write_file_atomic(cfg, config_text(dir + "/out", 2));
    run_training(Config::load(cfg), {.stop_after = 1, .verbose = false});
    const std::string before = io::read_file(dir + "/out/checkpoint.safetensors");
    // Fill the disk, leaving less room than a checkpoint needs.
    {
        std::string filler(4096, 'x');
        const int fd = ::open((dir + "/filler").c_str(), O_WRONLY | O_CREAT, 0644);
        while (::write(fd, filler.data(), filler.size()) > 0) {
        }
        ::close(fd);
    }
    std::string message;
    try {
        run_training(Config::load(cfg), {.resume = true, .verbose = false});
    } catch (const IoError& e) {
        message = e.what();
    }
    EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
    EXPECT_EQ(io::read_file(dir + "/out/checkpoint.safetensors"), before);
    for (const auto& e : fs::directory_iterator(dir + "/out"))
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
    fs::remove(dir + "/filler");
    run_training(Config::load(cfg), {.resume = true, .verbose = false});  // Room again: it resumes.
    ::umount(dir.c_str());
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::app
