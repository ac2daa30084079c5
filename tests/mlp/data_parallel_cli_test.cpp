// SPDX-License-Identifier: MIT
// `mpirun -np N kaya train` as a user runs it: two processes train as one on the same global
// batches, resume, refuse what cannot work with a clear message, and end together when one of
// them is killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya {
namespace {

namespace fs = std::filesystem;

bool have_mpi() { return std::string(KAYA_MPIEXEC).size() > 0; }

std::string tmp_dir(const std::string& name) {
    auto p = fs::temp_directory_path() / ("kaya_dp_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

std::string config_text(const std::string& dir) {
    return "[data]\nsource = 'synthetic'\nrows = 640\nfeatures = 5\n[model]\nhidden = [32, 16]\n"
           "[train]\noptimizer = 'adam'\nlr = 0.01\nbatch_size = 32\nepochs = 4\n[output]\ndir = '" +
           dir + "'\n";
}

// Runs a shell command line (stdout and stderr to `log`); returns the exit code.
int sh(const std::string& cmd, const std::string& log) {
    const int status = std::system((cmd + " > " + log + " 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string mpirun(int np) {
    // As root, Open MPI wants both variables; --oversubscribe lets 3 processes share 2 cores.
    // Containers and chroots may lack /dev/shm or forbid cross-process reads: the shared-memory
    // transport then keeps its files in /tmp and copies through them.
    const std::string shm = fs::exists("/dev/shm") ? "" : "OMPI_MCA_btl_vader_backing_directory=/tmp ";
    return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
           "OMPI_MCA_btl_vader_single_copy_mechanism=none KAYA_NUM_THREADS=1 " +
           shm + std::string(KAYA_MPIEXEC) + " --oversubscribe -np " + std::to_string(np) + " ";
}

std::string kaya_train(const std::string& cfg, const std::string& extra = "") {
    return std::string(KAYA_BINARY) + " train " + cfg + " " + extra;
}

std::vector<std::vector<float>> weights(const std::string& file) {
    std::vector<std::vector<float>> out;
    // Weights, optimizer state, best weights; not the history (it holds times in seconds).
    for (auto& [n, t] : io::load_safetensors(file).tensors) {
        if (n.rfind("history.", 0) != 0) out.push_back(to_vector<float>(t));
    }
    return out;
}

double max_difference(const std::string& a, const std::string& b) {
    const auto wa = weights(a), wb = weights(b);
    EXPECT_EQ(wa.size(), wb.size());
    double worst = 0;
    for (size_t i = 0; i < wa.size() && i < wb.size(); ++i) {
        EXPECT_EQ(wa[i].size(), wb[i].size());
        for (size_t k = 0; k < wa[i].size() && k < wb[i].size(); ++k)
            worst = std::max(worst, static_cast<double>(std::abs(wa[i][k] - wb[i][k])));
    }
    return worst;
}

TEST(DataParallelCli, TwoProcessesTrainAsOneAndResume) {
    if (!have_mpi()) GTEST_SKIP() << "built without MPI";
    const std::string d = tmp_dir("same");
    const std::string cfg = d + "/run.toml";
    io::write_file_atomic(cfg, config_text(d + "/one"));
    ASSERT_EQ(sh(kaya_train(cfg), d + "/one.log"), 0) << io::read_file(d + "/one.log");
    ASSERT_EQ(sh(mpirun(2) + kaya_train(cfg, "--set output.dir=" + d + "/two"), d + "/two.log"), 0)
        << io::read_file(d + "/two.log");
    // 4 epochs of 16 batches: 64 steps of Adam. Summation order differs, nothing else.
    const double diff = max_difference(d + "/one/model.safetensors", d + "/two/model.safetensors");
    EXPECT_LT(diff, 1e-4);
    const std::string log = io::read_file(d + "/two.log");
    EXPECT_NE(log.find("data-parallel: 2 processes (mpi)"), std::string::npos) << log;
    // Progress and results once: one summary line, not two.
    EXPECT_EQ(log.find("best val_loss"), log.rfind("best val_loss")) << log;
    // Killed after epoch 2 (as if) and resumed with 2 processes: the same weights, bit for bit.
    ASSERT_EQ(sh(mpirun(2) + kaya_train(cfg, "--set output.dir=" + d + "/r --stop-after 2"),
                 d + "/r1.log"), 0) << io::read_file(d + "/r1.log");
    ASSERT_EQ(sh(mpirun(2) + kaya_train(cfg, "--set output.dir=" + d + "/r --resume"), d + "/r2.log"), 0)
        << io::read_file(d + "/r2.log");
    EXPECT_EQ(max_difference(d + "/two/model.safetensors", d + "/r/model.safetensors"), 0.0);
    EXPECT_EQ(max_difference(d + "/two/checkpoint.safetensors", d + "/r/checkpoint.safetensors"), 0.0);
    // With another number of processes the resume is refused, and says how to continue.
    EXPECT_EQ(sh(kaya_train(cfg, "--set output.dir=" + d + "/r --resume"), d + "/r3.log"), 1);
    EXPECT_NE(io::read_file(d + "/r3.log").find("written by a run of 2 processes, resumed with 1; "
                                               "resume with the same number (mpirun -np 2)"),
              std::string::npos)
        << io::read_file(d + "/r3.log");
    fs::remove_all(d);
}

TEST(DataParallelCli, RefusesWhatTheProcessesCannotShare) {
    if (!have_mpi()) GTEST_SKIP() << "built without MPI";
    const std::string d = tmp_dir("refuse");
    const std::string cfg = d + "/run.toml";
    io::write_file_atomic(cfg, config_text(d + "/out"));
    EXPECT_EQ(sh(mpirun(3) + kaya_train(cfg), d + "/a.log"), 1);
    EXPECT_NE(io::read_file(d + "/a.log").find("train.batch_size 32 cannot be shared by 3 processes"),
              std::string::npos)
        << io::read_file(d + "/a.log");
    // Two programs in one job (MPMD) with different learning rates.
    const std::string other = "--set output.dir=" + d + "/out --set train.lr=0.02";
    EXPECT_EQ(sh(mpirun(1) + kaya_train(cfg) + " : -np 1 " + kaya_train(cfg, other), d + "/b.log"), 1);
    EXPECT_NE(io::read_file(d + "/b.log").find("the effective config differs between processes (1 of "
                                              "2 differ from process 0's); process 1 has"),
              std::string::npos)
        << io::read_file(d + "/b.log");
    EXPECT_NE(io::read_file(d + "/b.log").find("'lr = 0.02' where process 0 has 'lr = 0.01'"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(d + "/out/checkpoint.safetensors"));
    fs::remove_all(d);
}

// N copies of another command would each do all of it, writing the same files.
TEST(DataParallelCli, OnlyTrainRunsOnSeveralProcesses) {
    if (!have_mpi()) GTEST_SKIP() << "built without MPI";
    const std::string d = tmp_dir("other");
    const std::string cfg = d + "/run.toml";
    io::write_file_atomic(cfg, config_text(d + "/out"));
    EXPECT_EQ(sh(mpirun(2) + KAYA_BINARY + " sweep " + cfg + " --grid train.lr=0.1,0.01", d + "/a.log"), 1);
    EXPECT_NE(io::read_file(d + "/a.log").find("launched as 2 processes (mpirun), but only `kaya train` "
                                              "runs on several processes; run `kaya sweep` as one process"),
              std::string::npos)
        << io::read_file(d + "/a.log");
    EXPECT_FALSE(fs::exists(d + "/out"));
    EXPECT_EQ(sh(mpirun(2) + KAYA_BINARY + " doctor", d + "/b.log"), 0);
    EXPECT_NE(io::read_file(d + "/b.log").find("launched as 2 processes"), std::string::npos);
    fs::remove_all(d);
}

// A long two-process run in the background; each process writes its pid, then trains.
struct Job {
    pid_t shell = 0;
    pid_t second = 0;  // The pid of one of the two processes.
    std::string log;
};

Job start_long_job(const std::string& d, const std::string& extra) {
    const std::string cfg = d + "/run.toml";
    io::write_file_atomic(cfg, config_text(d + "/out"));
    const std::string pidfile = d + "/pids";
    const std::string cmd =
        mpirun(2) + "sh -c 'echo $$ >> " + pidfile + "; exec " +
        kaya_train(cfg, "--set train.epochs=100000 --set data.rows=20000 " + extra) + "'";
    Job job;
    job.log = d + "/job.log";
    job.shell = fork();
    if (job.shell == 0) {
        execl("/bin/sh", "sh", "-c", (cmd + " > " + job.log + " 2>&1").c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Wait until a checkpoint exists: both processes are training.
    for (int i = 0; i < 600 && !fs::exists(d + "/out/checkpoint.safetensors"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(fs::exists(d + "/out/checkpoint.safetensors")) << io::read_file(job.log);
    const std::string pids = io::read_file(pidfile);
    job.second = static_cast<pid_t>(std::stol(pids.substr(pids.find('\n') + 1)));
    return job;
}

// Seconds until the job ends (at most 60; then it is killed and the test fails); its status.
double seconds_to_end(const Job& job, int& status) {
    const auto t0 = std::chrono::steady_clock::now();
    pid_t done = 0;
    while ((done = waitpid(job.shell, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (done == 0) {
        kill(-job.shell, SIGKILL);
        kill(job.shell, SIGKILL);
        waitpid(job.shell, &status, 0);
        ADD_FAILURE() << "the job did not end within 60 s";
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(DataParallelCli, AKilledProcessEndsTheJobInSeconds) {
    if (!have_mpi()) GTEST_SKIP() << "built without MPI";
    const std::string d = tmp_dir("kill");
    const Job job = start_long_job(d, "");
    ASSERT_EQ(kill(job.second, SIGKILL), 0);
    int status = 0;
    EXPECT_LT(seconds_to_end(job, status), 15.0);
    EXPECT_NE(WEXITSTATUS(status), 0);
    EXPECT_NE(io::read_file(job.log).find("exited on signal 9"), std::string::npos) << io::read_file(job.log);
    // The checkpoint left behind is complete: it loads.
    EXPECT_NO_THROW(io::load_safetensors(d + "/out/checkpoint.safetensors"));
    fs::remove_all(d);
}

// A process that hangs (here: stopped) must not hang the others forever: after
// distributed.timeout_minutes the one waiting ends the job, saying why.
TEST(DataParallelCli, AHangingProcessEndsTheJobAfterTheTimeout) {
    if (!have_mpi()) GTEST_SKIP() << "built without MPI";
    const std::string d = tmp_dir("hang");
    const Job job = start_long_job(d, "--set distributed.timeout_minutes=0.05");  // 3 s.
    ASSERT_EQ(kill(job.second, SIGSTOP), 0);
    int status = 0;
    const double s = seconds_to_end(job, status);
    EXPECT_GT(s, 2.5);
    EXPECT_LT(s, 20.0);
    EXPECT_NE(WEXITSTATUS(status), 0);
    EXPECT_NE(io::read_file(job.log).find("no answer from the other processes for 3 s in"),
              std::string::npos)
        << io::read_file(job.log);
    EXPECT_NO_THROW(io::load_safetensors(d + "/out/checkpoint.safetensors"));
    fs::remove_all(d);
}

}  // namespace
}  // namespace kaya
