// SPDX-License-Identifier: MIT
// The training application: configs and overrides, a run's outputs, resume after a stop or a
// real SIGKILL reaching the same weights as an uninterrupted run, and hyperparameter sweeps.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "apps/train/config.h"
#include "apps/train/plot.h"
#include "apps/train/sweep.h"
#include "apps/train/trainer.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::app {
namespace {

namespace fs = std::filesystem;

std::string tmp_dir(const std::string& name) {
    auto p = fs::temp_directory_path() / ("kaya_apps_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(p);
    return p.string();
}

// Dropout and shuffling make the run depend on every piece of saved state.
std::string config_text(const std::string& dir, int epochs) {
    return "[data]\nsource = 'synthetic'\nrows = 600\nfeatures = 5\n[model]\nhidden = [16, 8]\n"
           "dropout = 0.2\n[train]\noptimizer = 'adam'\nlr = 0.01\nbatch_size = 32\nschedule = 'step'\n"
           "step_size = 2\nepochs = " + std::to_string(epochs) + "\n[output]\ndir = '" + dir + "'\n";
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

TEST(Config, OverridesAndTypedErrors) {
    Config c = Config::parse("[train]\nlr = 0.1\nepochs = 3\nname = 'x'\n", "t.toml");
    c.set("train.lr=0.5");
    c.set("model.hidden=[4, 2]");
    c.set("data.path=/some/file.csv");
    EXPECT_EQ(c.get_double("train.lr", 0), 0.5);
    EXPECT_EQ(c.get_ints("model.hidden", {}), (std::vector<int64_t>{4, 2}));
    EXPECT_EQ(c.get_string("data.path", ""), "/some/file.csv");
    EXPECT_EQ(c.get_int("train.missing", 7), 7);
    EXPECT_THROW(c.get_int("train.name", 0), ValueError);
    EXPECT_THROW(c.require_string("data.nothing"), ValueError);
    EXPECT_THROW(c.set("novalue"), ValueError);
    try {
        Config::parse("[train]\nlr = = 3\n", "bad.toml");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("bad.toml:2:", 0), 0u) << e.what();
    }
}

TEST(Train, WritesOutputsAndLearns) {
    std::string dir = tmp_dir("outputs");
    auto r = train(Config::parse(config_text(dir, 8), "t.toml"), {.verbose = false});
    ASSERT_EQ(r.history.size(), 8u);
    EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss / 2);
    for (auto f : {"config.toml", "metrics.csv", "curves.svg", "model.safetensors", "checkpoint.safetensors"}) {
        EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
    }
    // model.safetensors holds PyTorch state_dict names only.
    auto m = io::load_safetensors(dir + "/model.safetensors");
    EXPECT_EQ(m.tensors.front().first, "0.mean");
    EXPECT_EQ(m.tensors.back().first, "7.bias");
    EXPECT_EQ(io::read_file(dir + "/metrics.csv").substr(0, 37), "epoch,train_loss,val_loss,lr,seconds\n");
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
    auto straight = train(Config::parse(config_text(a, 6), "t.toml"), {.resume = true, .verbose = false});
    for (size_t e = 0; e < 6; ++e) {
        EXPECT_EQ(straight.history[e].train_loss, resumed.history[e].train_loss) << e;
        EXPECT_EQ(straight.history[e].val_loss, resumed.history[e].val_loss) << e;
        EXPECT_EQ(straight.history[e].lr, resumed.history[e].lr) << e;
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
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        execl(KAYA_BINARY, KAYA_BINARY, "train", cfg_path.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Kill as soon as the first checkpoint is on disk (possibly mid-way through a later write).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(b + "/checkpoint.safetensors") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
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
    ASSERT_TRUE(std::isfinite(r.test_accuracy) && std::isfinite(r.test_loss));
    // 10 classes: chance is 0.1; 800 images and 3 epochs reach about 0.7.
    EXPECT_GT(r.test_accuracy, 0.5);
    // Scored with the best epoch's weights, which model.safetensors holds.
    std::string json = io::read_file(dir + "/test.json");
    EXPECT_NE(json.find("\"best_epoch\": " + std::to_string(r.best_epoch)), std::string::npos)
        << json;
    EXPECT_NE(json.find("\"test_accuracy\""), std::string::npos) << json;
    fs::remove_all(dir);
}

TEST(Train, BadConfigsGiveClearErrors) {
    std::string dir = tmp_dir("bad");
    EXPECT_THROW(train(Config::parse(config_text(dir, 1) + "[task]\nkind = 'classification'\n", "t.toml"), {.verbose = false}),
                 ValueError);
    Config c = Config::parse(config_text(dir, 1), "t.toml");
    c.set("train.optimizer=lbfgs");
    EXPECT_THROW(train(c, {.verbose = false}), ValueError);
    Config d = Config::parse(config_text(dir, 1), "t.toml");
    d.set("data.source=csv");
    d.set("data.path=/nonexistent.csv");
    EXPECT_THROW(train(d, {.verbose = false}), IoError);
    EXPECT_THROW(train(Config::parse(config_text(tmp_dir("none"), 1), "t.toml"), {.resume = true, .verbose = false}), IoError);
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
        return std::count(split.begin() + static_cast<long>(from), split.begin() + static_cast<long>(to), ',') + 1;
    };
    EXPECT_EQ(count(tr, va - 4), 480);
    EXPECT_EQ(count(va, split.size()), 120);
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
}

TEST(Sweep, TrainsTheGridWritesCsvAndResumes) {
    std::string dir = tmp_dir("sweep");
    Config base = Config::parse(config_text(dir + "/unused", 2), "base.toml");
    std::vector<SweepAxis> axes{parse_sweep_axis("train.lr=0.0001,0.01"), parse_sweep_axis("train.batch_size=32,64")};
    auto res = sweep(base, axes, {.out_dir = dir, .verbose = false});
    ASSERT_EQ(res.runs.size(), 4u);
    EXPECT_EQ(res.runs[1].values, (std::vector<std::string>{"0.0001", "64"}));
    EXPECT_EQ(res.runs[2].values, (std::vector<std::string>{"0.01", "32"}));
    // Two epochs at lr 1e-4 barely move the weights; lr 1e-2 learns: the best run is one of those.
    EXPECT_GE(res.best, 2u);
    for (const auto& r : res.runs) EXPECT_TRUE(fs::exists(r.dir + "/model.safetensors")) << r.dir;
    std::string csv = io::read_file(dir + "/sweep.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "train.lr,train.batch_size,best_val_loss,best_epoch,seconds,dir");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
    EXPECT_NE(io::read_file(dir + "/sweep.svg").find("train.batch_size=64"), std::string::npos);

    // Resume: finished runs are read back, not retrained (same numbers, same file times).
    auto before = fs::last_write_time(res.runs[0].dir + "/model.safetensors");
    auto again = sweep(base, axes, {.out_dir = dir, .resume = true, .verbose = false});
    EXPECT_EQ(fs::last_write_time(res.runs[0].dir + "/model.safetensors"), before);
    for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(again.runs[i].best_val_loss, res.runs[i].best_val_loss, 1e-5 * res.runs[i].best_val_loss);
    // Changed settings with --resume are refused instead of mixing two sweeps.
    Config other = base;
    other.set("model.hidden=[4]");
    EXPECT_THROW(sweep(other, axes, {.out_dir = dir, .resume = true, .verbose = false}), ValueError);
    fs::remove_all(dir);
}

TEST(Plot, SvgHasSeriesAndSurvivesOddData) {
    std::string svg = line_plot_svg({{"a", {1, 2, 3}, {1, 4, 9}}, {"b", {1, 2}, {NAN, 2}, true}},
                                    {.title = "t<1>", .xlabel = "x", .ylabel = "y", .log_y = true});
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("t&lt;1&gt;"), std::string::npos);
    EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
    EXPECT_NE(line_plot_svg({}, {}).find("</svg>"), std::string::npos);
    // A log x axis labels decades and skips non-positive x.
    std::string lx = line_plot_svg({{"lr", {1e-4, 1e-3, 1e-2, 0}, {3, 2, 1, 5}}}, {.xlabel = "lr", .log_x = true});
    EXPECT_NE(lx.find(">0.001<"), std::string::npos);
    EXPECT_NE(lx.find("lr (log)"), std::string::npos);
    // Three epochs get ticks 1, 2, 3 and none between; fractional x keeps fractional ticks.
    std::string ep = line_plot_svg({{"loss", {1, 2, 3}, {0.7, 0.5, 0.4}}}, {.xlabel = "epoch"});
    EXPECT_NE(ep.find("'middle'>2<"), std::string::npos);
    EXPECT_EQ(ep.find("'middle'>1.5<"), std::string::npos);
    EXPECT_EQ(ep.find("'middle'>1.2<"), std::string::npos);
    std::string fr = line_plot_svg({{"loss", {1, 1.5, 3}, {0.7, 0.5, 0.4}}}, {.xlabel = "x"});
    EXPECT_NE(fr.find("'middle'>1.2<"), std::string::npos);
}

}  // namespace
}  // namespace kaya::app
