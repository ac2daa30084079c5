// SPDX-License-Identifier: MIT
// The MLP task through the run loop: a run's outputs, resume after a stop or a real SIGKILL
// reaching the same weights as an uninterrupted run, sweeps, and what a user gets for bad
// configs and bad data.
#include "apps/mlp/mlp_task.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "apps/train/config.h"
#include "apps/train/run.h"
#include "apps/train/sweep.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::app {
namespace {

namespace fs = std::filesystem;

// The kaya binary registers its applications at start; these tests register the MLP task.
const bool kRegistered = [] {
    mlp::register_tasks(task_registry());
    return true;
}();

RunResult train(const Config& cfg, const RunOptions& options = {}) {
    return run_training(cfg, options);
}

std::string tmp_dir(const std::string& name) {
    auto p = fs::temp_directory_path() / ("kaya_apps_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(p);
    return p.string();
}

// Dropout and shuffling make the run depend on every piece of saved state.
std::string config_text(const std::string& dir, int epochs) {
    return "[data]\nsource = 'synthetic'\nrows = 600\nfeatures = 5\n[model]\nhidden = [16, 8]\n"
           "dropout = 0.2\n[train]\noptimizer = 'adam'\nlr = 0.01\nbatch_size = 32\nschedule = "
           "'step'\n"
           "step_size = 2\nepochs = " +
           std::to_string(epochs) + "\n[output]\ndir = '" + dir + "'\n";
}

NamedTensors final_weights(const std::string& dir) {
    NamedTensors out;
    for (auto& [n, t] : io::load_safetensors(dir + "/checkpoint.safetensors").tensors) {
        if (n.rfind("model.", 0) == 0) out.emplace_back(n, t);
    }
    return out;
}

void expect_same_weights(const NamedTensors& a, const NamedTensors& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].first, b[i].first);
        EXPECT_EQ(to_vector<float>(a[i].second), to_vector<float>(b[i].second)) << a[i].first;
    }
}

// Runs `kaya train cfg_path` in a child process (stdout to /dev/null, stderr to err_path),
// sends `sig` as soon as the run's first checkpoint is on disk (possibly mid-way through a
// later write), and returns the wait status.
int train_and_signal(const std::string& cfg_path, const std::string& dir,
                     const std::string& err_path, int sig) {
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY),
            errfd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(devnull, 1);
        dup2(errfd, 2);
        execl(KAYA_BINARY, KAYA_BINARY, "train", cfg_path.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(dir + "/checkpoint.safetensors") &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

TEST(Train, WritesOutputsAndLearns) {
    std::string dir = tmp_dir("outputs");
    auto r = train(Config::parse(config_text(dir, 8), "t.toml"), {.verbose = false});
    ASSERT_EQ(r.history.size(), 8u);
    EXPECT_LT(r.history.back().get("train_loss"), r.history.front().get("train_loss") / 2);
    for (auto f : {"config.toml", "metrics.csv", "curves.svg", "model.safetensors",
                   "checkpoint.safetensors", "run.json"}) {
        EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
    }
    // model.safetensors holds PyTorch state_dict names only.
    auto m = io::load_safetensors(dir + "/model.safetensors");
    EXPECT_EQ(m.tensors.front().first, "0.mean");
    EXPECT_EQ(m.tensors.back().first, "7.bias");
    EXPECT_EQ(io::read_file(dir + "/metrics.csv").substr(0, 37),
              "epoch,train_loss,val_loss,lr,seconds\n");
    fs::remove_all(dir);
}

TEST(Train, ResumeAfterStopMatchesUninterruptedRun) {
    std::string a = tmp_dir("straight"), b = tmp_dir("resumed");
    train(Config::parse(config_text(a, 6), "t.toml"), {.verbose = false});
    Config cb = Config::parse(config_text(b, 6), "t.toml");
    auto partial = train(cb, {.stop_after = 3, .verbose = false});
    EXPECT_EQ(partial.history.size(), 3u);
    auto resumed = train(cb, {.resume = true, .verbose = false});
    ASSERT_EQ(resumed.history.size(), 6u);
    expect_same_weights(final_weights(a), final_weights(b));
    // The history restored from the checkpoint continues seamlessly (times aside).
    auto straight =
        train(Config::parse(config_text(a, 6), "t.toml"), {.resume = true, .verbose = false});
    for (size_t e = 0; e < 6; ++e) {
        for (const char* c : {"train_loss", "val_loss", "lr"})
            EXPECT_EQ(straight.history[e].get(c), resumed.history[e].get(c)) << e << " " << c;
    }
    fs::remove_all(a);
    fs::remove_all(b);
}

// The real thing: SIGKILL the kaya process once a checkpoint exists, resume, compare.
TEST(Train, ResumeAfterSigkillMatchesUninterruptedRun) {
    std::string a = tmp_dir("kill_straight"), b = tmp_dir("kill_resumed");
    const int epochs = 30;
    train(Config::parse(config_text(a, epochs), "t.toml"), {.verbose = false});
    fs::create_directories(b);
    std::string cfg_path = b + "/../kaya_kill_test_" + std::to_string(::getpid()) + ".toml";
    io::write_file_atomic(cfg_path, config_text(b, epochs));
    train_and_signal(cfg_path, b, "/dev/null", SIGKILL);
    ASSERT_TRUE(fs::exists(b + "/checkpoint.safetensors"));
    auto resumed = train(Config::load(cfg_path), {.resume = true, .verbose = false});
    EXPECT_EQ(resumed.history.size(), static_cast<size_t>(epochs));
    expect_same_weights(final_weights(a), final_weights(b));
    fs::remove(cfg_path);
    fs::remove_all(a);
    fs::remove_all(b);
}

// Fashion-MNIST (installed by scripts/setup.sh): validation is carved out of the training
// images, and the official test images are scored once, with the best epoch's weights.
TEST(Train, FashionMnistKeepsTestImagesOutOfModelSelection) {
    std::string dir = tmp_dir("fashion");
    Config c = Config::parse(
        "[task]\nkind = 'classification'\n[data]\nsource = 'fashion_mnist'\nlimit_train = 1000\n"
        "limit_test = 300\nval_fraction = 0.2\n[model]\nhidden = [32]\n[train]\n"
        "optimizer = 'adam'\nlr = 0.003\nbatch_size = 50\nepochs = 3\n[output]\ndir = '" +
            dir + "'\n",
        "fashion.toml");
    RunResult r = train(c, {.verbose = false});
    EXPECT_NE(
        r.data_description.find("800 train / 200 validation (of the training images) / 300 test"),
        std::string::npos)
        << r.data_description;
    ASSERT_TRUE(std::isfinite(r.test.get("test_accuracy")) &&
                std::isfinite(r.test.get("test_loss")));
    // 10 classes: chance is 0.1; 800 images and 3 epochs reach about 0.7.
    EXPECT_GT(r.test.get("test_accuracy"), 0.5);
    // Scored with the best epoch's weights, which model.safetensors holds.
    std::string json = io::read_file(dir + "/test.json");
    EXPECT_NE(json.find("\"best_epoch\": " + std::to_string(r.best_epoch)), std::string::npos)
        << json;
    EXPECT_NE(json.find("\"test_accuracy\""), std::string::npos) << json;
    fs::remove_all(dir);
}

TEST(Train, BadConfigsGiveClearErrors) {
    std::string dir = tmp_dir("bad");
    EXPECT_THROW(
        train(Config::parse(config_text(dir, 1) + "[task]\nkind = 'classification'\n", "t.toml"),
              {.verbose = false}),
        ValueError);
    Config c = Config::parse(config_text(dir, 1), "t.toml");
    c.set("train.optimizer=lbfgs");
    EXPECT_THROW(train(c, {.verbose = false}), ValueError);
    Config d = Config::parse("[data]\nsource = 'csv'\npath = '/nonexistent.csv'\n", "t.toml");
    EXPECT_THROW(train(d, {.verbose = false}), IoError);
    // A key of another data source has the wrong type here, and says so.
    Config e = Config::parse(config_text(dir, 1), "t.toml");
    e.set("data.source=csv");
    e.set("data.path=/nonexistent.csv");
    EXPECT_THROW(train(e, {.verbose = false}), ValueError);
    EXPECT_THROW(train(Config::parse(config_text(tmp_dir("none"), 1), "t.toml"),
                       {.resume = true, .verbose = false}),
                 IoError);
    fs::remove_all(dir);
}

TEST(Train, WritesTheSplitAndSubmissionColumn) {
    std::string dir = tmp_dir("split");
    auto r = train(Config::parse(config_text(dir, 1), "t.toml"), {.verbose = false});
    std::string split = io::read_file(dir + "/split.json");
    EXPECT_EQ(split.substr(0, 33), "{\n  \"target\": \"y\",\n  \"features\": ");
    // 600 rows, 20% validation: 480 + 120 distinct row numbers.
    size_t tr = split.find("\"train_rows\""), va = split.find("\"val_rows\"");
    ASSERT_NE(tr, std::string::npos);
    ASSERT_NE(va, std::string::npos);
    auto count = [&](size_t from, size_t to) {
        return std::count(split.begin() + static_cast<long>(from),
                          split.begin() + static_cast<long>(to), ',') +
               1;
    };
    EXPECT_EQ(count(tr, va - 4), 480);
    EXPECT_EQ(count(va, split.size()), 120);
    fs::remove_all(dir);
}

using test::error_of;

TEST(Train, ConfigMistakesNameTheKeyAndWhereItCameFrom) {
    const std::string dir = tmp_dir("mistakes");
    Config typo = Config::parse(config_text(dir, 2) + "[extra]\n", "covid.toml");
    typo.set("train.epoch=2");
    EXPECT_EQ(error_of([&] { train(typo, {.verbose = false}); }),
              "unknown key train.epoch in --set train.epoch=2; did you mean train.epochs? (kaya "
              "train CONFIG "
              "--print-config lists every key this task reads)");
    std::string text = config_text(dir, 2);
    text.insert(text.find("[train]\n") + 8, "epoch = 2\n");
    Config in_file = Config::parse(text, "covid.toml");
    EXPECT_NE(error_of([&] {
                  train(in_file, {.verbose = false});
              }).find("unknown key train.epoch in covid.toml"),
              std::string::npos);
    Config negative = Config::parse(config_text(dir, 2), "covid.toml");
    negative.set("train.epochs=-1");
    EXPECT_EQ(error_of([&] { train(negative, {.verbose = false}); }),
              "--set train.epochs=-1: train.epochs must be at least 0, got -1 (train.epochs = -1)");
    Config batch = Config::parse(config_text(dir, 2) + "", "covid.toml");
    batch.set("train.batch_size=-4");
    EXPECT_NE(error_of([&] {
                  train(batch, {.verbose = false});
              }).find("train.batch_size must be at least 1"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir + "/model.safetensors"));  // Nothing trained, nothing written.
}

TEST(Train, ZeroEpochsWithACosineScheduleScoresTheStartingWeights) {
    const std::string dir = tmp_dir("zero");
    Config c = Config::parse(config_text(dir, 0), "t.toml");
    c.set("train.schedule='cosine'");
    auto r = train(c, {.verbose = false});
    EXPECT_TRUE(r.history.empty());
    EXPECT_TRUE(fs::exists(dir + "/model.safetensors"));
    fs::remove_all(dir);
}

TEST(Train, EffectiveConfigListsEveryDefault) {
    Config c = Config::parse("[data]\nsource = 'synthetic'\n", "tiny.toml");
    const std::string eff = effective_config(c);
    for (const char* key :
         {"epochs = 10", "batch_size = 64", "optimizer = 'adam'", "patience = 0", "rows = 2000",
          "hidden = [64, 64]", "kind = 'regression'", "dir = 'runs/tiny'"})
        EXPECT_NE(eff.find(key), std::string::npos) << key << " in\n" << eff;
}

TEST(Train, AnExistingRunIsNotOverwrittenWithoutForce) {
    const std::string dir = tmp_dir("existing");
    train(Config::parse(config_text(dir, 1), "t.toml"), {.verbose = false});
    EXPECT_THROW(train(Config::parse(config_text(dir, 1), "t.toml"), {.verbose = false}), IoError);
    auto again =
        train(Config::parse(config_text(dir, 2), "t.toml"), {.force = true, .verbose = false});
    EXPECT_EQ(again.history.size(), 2u);
    // An output directory that cannot be made is an error about output.dir, not an internal one.
    io::write_file_atomic(dir + "/file", "x");
    EXPECT_NE(error_of([&] {
                  train(Config::parse(config_text(dir + "/file/sub", 1), "t.toml"),
                        {.verbose = false});
              }).find("output.dir"),
              std::string::npos);
    fs::remove_all(dir);
}

// CSV data as a user's own file: NaN and inf cells, too few rows, a header alone.
TEST(Train, BadCsvDataIsRefusedWithFileLineAndColumn) {
    const std::string dir = tmp_dir("csv");
    fs::create_directories(dir);
    std::string rows = "a,b,y\n";
    for (int i = 0; i < 30; ++i)
        rows +=
            std::to_string(i) + "," + std::to_string(i % 7) + "," + std::to_string(2 * i) + "\n";
    io::write_file_atomic(dir + "/nan.csv", rows + "1,nan,3\n4,5,inf\n");
    auto csv = [&](const std::string& file, const std::string& extra) {
        return Config::parse("[data]\nsource = 'csv'\npath = '" + dir + "/" + file + "'\n" + extra +
                                 "[train]\nepochs = 1\n[output]\ndir = '" + dir + "/run_" + file +
                                 "'\n",
                             "csv.toml");
    };
    EXPECT_EQ(error_of([&] { train(csv("nan.csv", ""), {.verbose = false}); }),
              dir +
                  "/nan.csv:32:3: expected a finite number in column 'b', got 'nan' "
                  "(data.drop_nonfinite = true "
                  "skips such rows)");
    auto r = train(csv("nan.csv", "drop_nonfinite = true\n"), {.verbose = false});
    EXPECT_NE(r.data_description.find("30 rows (2 with NaN/inf dropped)"), std::string::npos)
        << r.data_description;
    io::write_file_atomic(dir + "/one.csv", "a,y\n1,2\n");
    EXPECT_EQ(error_of([&] { train(csv("one.csv", ""), {.verbose = false}); }),
              dir +
                  "/one.csv has 1 examples: data.val_fraction 0.2 leaves 1 for training and 0 for "
                  "validation; both "
                  "need at least one (more data, or another val_fraction)");
    io::write_file_atomic(dir + "/header.csv", "a,y\n");
    EXPECT_EQ(error_of([&] { train(csv("header.csv", ""), {.verbose = false}); }),
              dir + "/header.csv: no data rows (only a header?)");
    fs::remove_all(dir);
}

// Weights made elsewhere (another run, or PyTorch) start a run; a file that does not fit is
// refused naming the tensor.
TEST(Train, InitWeightsStartTheRunAndMismatchesNameTheTensor) {
    const std::string a = tmp_dir("init_a"), b = tmp_dir("init_b");
    auto first = train(Config::parse(config_text(a, 3), "t.toml"), {.verbose = false});
    Config warm = Config::parse(config_text(b, 0), "t.toml");
    warm.set("model.init_weights='" + a + "/model.safetensors'");
    train(warm, {.verbose = false});
    expect_same_weights(io::load_safetensors(a + "/model.safetensors").tensors,
                        io::load_safetensors(b + "/model.safetensors").tensors);
    Config missing = Config::parse(config_text(b, 1), "t.toml");
    missing.set("model.init_weights='/nonexistent.safetensors'");
    EXPECT_NE(
        error_of([&] { train(missing, {.force = true, .verbose = false}); }).find("does not exist"),
        std::string::npos);
    Config other = Config::parse(config_text(b, 1), "t.toml");
    other.set("model.hidden=[4]");
    other.set("model.init_weights='" + a + "/model.safetensors'");
    const std::string msg = error_of([&] { train(other, {.force = true, .verbose = false}); });
    EXPECT_NE(msg.find("model.init_weights"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1.weight"), std::string::npos) << msg;
    fs::remove_all(a);
    fs::remove_all(b);
}

// Ctrl-C: the binary saves a checkpoint, says how to resume and exits 130; the resumed run ends
// where an uninterrupted one does.
TEST(Train, InterruptSavesAndResumes) {
    std::string a = tmp_dir("int_straight"), b = tmp_dir("int_resumed");
    const int epochs = 40;
    train(Config::parse(config_text(a, epochs), "t.toml"), {.verbose = false});
    fs::create_directories(b);
    std::string cfg_path = b + "/../kaya_int_test_" + std::to_string(::getpid()) + ".toml";
    io::write_file_atomic(cfg_path, config_text(b, epochs));
    std::string err = b + "/../kaya_int_err_" + std::to_string(::getpid());
    const int status = train_and_signal(cfg_path, b, err, SIGINT);
    const std::string said = io::read_file(err);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        GTEST_SKIP() << "the run finished before the signal";
    ASSERT_TRUE(WIFEXITED(status)) << said;
    EXPECT_EQ(WEXITSTATUS(status), 130) << said;
    EXPECT_NE(said.find("resume with --resume"), std::string::npos) << said;
    EXPECT_TRUE(fs::exists(b + "/model.safetensors"));
    train(Config::load(cfg_path), {.resume = true, .verbose = false});
    expect_same_weights(final_weights(a), final_weights(b));
    fs::remove(cfg_path);
    fs::remove(err);
    fs::remove_all(a);
    fs::remove_all(b);
}

// tools/load_in_pytorch.py rebuilds a saved MLP in PyTorch (Debian's python3-torch, installed by
// scripts/setup.sh --with-torch) and scores it: the numbers must equal Kaya's.
bool torch_available() {
    return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
}

std::string run_tool(const std::string& run_dir) {
    const std::string out = run_dir + "/pytorch.json";
    const std::string cmd = "/usr/bin/python3 " KAYA_SOURCE_DIR "/tools/load_in_pytorch.py " +
                            run_dir + " --json > " + out;
    const int rc = std::system(cmd.c_str());
    return (rc == 0 ? "" : "exit " + std::to_string(rc) + ": ") + io::read_file(out);
}

TEST(Interop, ASavedMlpScoresTheSameInPyTorch) {
    if (!torch_available())
        GTEST_SKIP() << "python3-torch is not installed (scripts/setup.sh --with-torch)";
    const std::string dir = tmp_dir("interop");
    fs::create_directories(dir);
    // Fashion-MNIST: the test accuracy of test.json.
    train(Config::parse(
              "[task]\nkind = 'classification'\n[data]\nsource = 'fashion_mnist'\nlimit_train = "
              "1000\n"
              "limit_test = 500\n[model]\nhidden = [32]\nactivation = 'gelu'\n[train]\nepochs = 2\n"
              "[output]\ndir = '" +
                  dir + "/fashion'\n",
              "fashion.toml"),
          {.verbose = false});
    std::string said = run_tool(dir + "/fashion");
    EXPECT_NE(said.find("\"match\": true"), std::string::npos) << said;
    EXPECT_NE(said.find("test accuracy"), std::string::npos) << said;
    // A CSV regression: the best validation MSE, on split.json's rows, with 2 of 3 features.
    std::string rows = "id,a,b,c,y\n";
    for (int i = 0; i < 200; ++i)
        rows += std::to_string(i) + "," + std::to_string(i % 13) + "," +
                std::to_string((i * 7) % 11) + "," + std::to_string(i % 5) + "," +
                std::to_string(0.5 * (i % 13) - 0.2 * ((i * 7) % 11)) + "\n";
    io::write_file_atomic(dir + "/data.csv", rows);
    train(Config::parse("[data]\nsource = 'csv'\npath = '" + dir +
                            "/data.csv'\nselect_k = 2\n[model]\nhidden = [8]\n"
                            "[train]\nepochs = 5\n[output]\ndir = '" +
                            dir + "/csv'\n",
                        "csv.toml"),
          {.verbose = false});
    said = run_tool(dir + "/csv");
    EXPECT_NE(said.find("\"match\": true"), std::string::npos) << said;
    fs::remove_all(dir);
}

TEST(Sweep, AxisParsingKeepsBracketsAndQuotes) {
    auto a = parse_sweep_axis("model.hidden=[32,16],[64],[]");
    EXPECT_EQ(a.key, "model.hidden");
    EXPECT_EQ(a.values, (std::vector<std::string>{"[32,16]", "[64]", "[]"}));
    auto b = parse_sweep_axis("train.optimizer='a,b',adam");
    EXPECT_EQ(b.values, (std::vector<std::string>{"'a,b'", "adam"}));
    EXPECT_THROW(parse_sweep_axis("train.lr"), ValueError);
    EXPECT_THROW(parse_sweep_axis("train.lr=0.1,,0.2"), ValueError);
    EXPECT_THROW(parse_sweep_axis("model.hidden=[1,2"), ValueError);
    auto c = parse_sweep_axis("augment={},{hflip=0.5,vflip=0.5}");
    EXPECT_EQ(c.values, (std::vector<std::string>{"{}", "{hflip=0.5,vflip=0.5}"}));
    EXPECT_THROW(parse_sweep_axis("augment={hflip=0.5"), ValueError);
}

TEST(Sweep, TrainsTheGridWritesCsvAndResumes) {
    std::string dir = tmp_dir("sweep");
    Config base = Config::parse(config_text(dir + "/unused", 2), "base.toml");
    std::vector<SweepAxis> axes{parse_sweep_axis("train.lr=0.0001,0.01"),
                                parse_sweep_axis("train.batch_size=32,64")};
    auto res = sweep(base, axes, {.out_dir = dir, .verbose = false});
    ASSERT_EQ(res.runs.size(), 4u);
    EXPECT_EQ(res.runs[1].values, (std::vector<std::string>{"0.0001", "64"}));
    EXPECT_EQ(res.runs[2].values, (std::vector<std::string>{"0.01", "32"}));
    // Two epochs at lr 1e-4 barely move the weights; lr 1e-2 learns: the best run is one of those.
    EXPECT_GE(res.best, 2u);
    EXPECT_EQ(res.selection.metric, "val_loss");
    for (const auto& r : res.runs) EXPECT_TRUE(fs::exists(r.dir + "/model.safetensors")) << r.dir;
    std::string csv = io::read_file(dir + "/sweep.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "train.lr,train.batch_size,best_val_loss,best_epoch,train_loss,seconds,dir");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
    EXPECT_NE(io::read_file(dir + "/sweep.svg").find("train.batch_size=64"), std::string::npos);

    // Resume: finished runs are read back, not retrained (same numbers, same file times).
    auto before = fs::last_write_time(res.runs[0].dir + "/model.safetensors");
    auto again = sweep(base, axes, {.out_dir = dir, .resume = true, .verbose = false});
    EXPECT_EQ(fs::last_write_time(res.runs[0].dir + "/model.safetensors"), before);
    for (size_t i = 0; i < 4; ++i)
        EXPECT_NEAR(again.runs[i].best_score, res.runs[i].best_score,
                    1e-5 * res.runs[i].best_score);
    // Without --resume or --force an existing sweep is not overwritten.
    EXPECT_THROW(sweep(base, axes, {.out_dir = dir, .verbose = false}), IoError);
    // Changed settings with --resume are refused instead of mixing two sweeps.
    Config other = base;
    other.set("model.hidden=[4]");
    EXPECT_THROW(sweep(other, axes, {.out_dir = dir, .resume = true, .verbose = false}),
                 ValueError);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::app
