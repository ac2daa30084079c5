// SPDX-License-Identifier: MIT
// The run loop with a task it has never seen: a toy Task registered here trains, checkpoints,
// resumes mid-epoch to the same weights, keeps its best epoch by its own metric, and appears in
// a sweep, with no change to apps/train. Also the gradient-synchronisation hook.
#include "apps/train/run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "apps/train/sweep.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"

namespace kaya::app {
namespace {

namespace fs = std::filesystem;

// The toy: fit y = 3x - 1 with one Linear layer on 64 fixed points, batches in a seeded order.
class LineTask : public Task {
public:
    explicit LineTask(const Config& cfg) : points_(cfg.get_int("data.points", 64, 8)) {}
    void prepare(const TaskEnv& env) override {
        batch_ = env.batch_size;
        seed_ = env.seed;
        x_ = reshape(linspace(-1, 1, points_), {points_, 1});
        y_ = sub(mul(x_, 3.0), 1.0);
        model_ = std::make_shared<nn::Linear>(1, 1);
    }
    std::string data_description() const override {
        return std::to_string(points_) + " points on a line";
    }
    nn::Module& model() override { return *model_; }
    int64_t batches_per_epoch() const override { return points_ / batch_; }
    void visit_batches(int64_t epoch, int64_t first,
                       const std::function<bool(int64_t, const data::Example&)>& fn) override {
        Generator g(seed_ + static_cast<uint64_t>(epoch));
        Tensor order = randperm(points_, &g);
        for (int64_t b = first; b < batches_per_epoch(); ++b) {
            Tensor idx = narrow(order, 0, b * batch_, batch_);
            if (!fn(b, {index_select(x_, 0, idx), index_select(y_, 0, idx)})) return;
        }
    }
    Tensor training_loss(const data::Example& b, Metrics& sums) override {
        sums.add("steps", static_cast<double>(b[0].shape()[0]));
        return nn::mse_loss((*model_)(b[0]), b[1]);
    }
    Metrics validate() override {
        const double loss = nn::mse_loss((*model_)(x_), y_).item<double>();
        return {{"val_loss", loss}, {"val_fit", 1 / (1 + loss)}};
    }
    Selection selection() const override { return {"val_fit", true}; }

private:
    int64_t points_, batch_ = 1;
    uint64_t seed_ = 0;
    Tensor x_, y_;
    std::shared_ptr<nn::Linear> model_;
};

TaskRegistry toy_registry() {
    TaskRegistry r;
    r.add("line", [](const Config& cfg) { return std::make_unique<LineTask>(cfg); });
    return r;
}

std::string tmp_dir(const std::string& name) {
    auto p = fs::temp_directory_path() / ("kaya_run_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(p);
    return p.string();
}

Config line_config(const std::string& dir, int epochs) {
    return Config::parse(
        "[task]\nkind = 'line'\n[train]\noptimizer = 'sgd'\nlr = 0.1\nbatch_size = 8\nepochs = " +
            std::to_string(epochs) + "\n[output]\ndir = '" + dir + "'\n",
        "line.toml");
}

NamedTensors weights(const std::string& dir) {
    return without_prefix("model.", io::load_safetensors(dir + "/checkpoint.safetensors").tensors);
}

TEST(RunLoop, TrainsAnyRegisteredTaskAndResumesMidEpoch) {
    const TaskRegistry reg = toy_registry();
    const std::string a = tmp_dir("a"), b = tmp_dir("b");
    RunResult full = run_training(line_config(a, 6), {.verbose = false}, reg);
    ASSERT_EQ(full.history.size(), 6u);
    EXPECT_LT(full.history.back().get("val_loss"), 0.1 * full.history.front().get("val_loss"));
    EXPECT_EQ(full.history.back().get("train_steps"), 1.0);  // The task's own sum, per example.
    EXPECT_EQ(full.selection.metric, "val_fit");
    EXPECT_EQ(full.best_score, full.best("val_fit"));
    EXPECT_EQ(io::read_file(a + "/metrics.csv").substr(0, 59),
              "epoch,train_loss,train_steps,val_loss,val_fit,lr,seconds\n1,");
    // A checkpoint every batch (checkpoint_minutes = 0), stopped after epoch 2, then resumed.
    Config cb = line_config(b, 6);
    cb.set("train.checkpoint_minutes=0");
    run_training(cb, {.stop_after = 2, .verbose = false}, reg);
    RunResult resumed = run_training(cb, {.resume = true, .verbose = false}, reg);
    ASSERT_EQ(resumed.history.size(), 6u);
    const NamedTensors wa = weights(a), wb = weights(b);
    ASSERT_EQ(wa.size(), wb.size());
    for (size_t i = 0; i < wa.size(); ++i)
        EXPECT_EQ(to_vector<float>(wa[i].second), to_vector<float>(wb[i].second));
    // ReduceLROnPlateau's own state travels in the checkpoint too.
    const std::string c = tmp_dir("c"), d = tmp_dir("d");
    Config plateau_c = line_config(c, 24), plateau_d = line_config(d, 24);
    for (Config* p : {&plateau_c, &plateau_d}) {
        p->set("train.schedule='plateau'");
        p->set("train.plateau_patience=1");
        p->set("train.lr=0.3");
    }
    RunResult straight = run_training(plateau_c, {.verbose = false}, reg);
    run_training(plateau_d, {.stop_after = 12, .verbose = false}, reg);
    RunResult continued = run_training(plateau_d, {.resume = true, .verbose = false}, reg);
    for (size_t e = 0; e < 24; ++e)
        EXPECT_EQ(straight.history[e].get("lr"), continued.history[e].get("lr")) << e;
    EXPECT_LT(straight.history.back().get("lr"), 0.3);  // The plateau did cut the rate.
    fs::remove_all(c);
    fs::remove_all(d);
    // Another batch size cannot continue the same batches.
    cb.set("train.batch_size=16");
    EXPECT_THROW(run_training(cb, {.resume = true, .verbose = false}, reg), ValueError);
    fs::remove_all(a);
    fs::remove_all(b);
}

// A schedule counted in batches (warm-up over the first batches, then a cosine to the last
// batch) moves every batch and resumes where it stopped.
TEST(RunLoop, ScheduleCountedInBatchesResumes) {
    const TaskRegistry reg = toy_registry();
    const std::string a = tmp_dir("sa"), b = tmp_dir("sb");
    Config ca = line_config(a, 4), cb = line_config(b, 4);
    for (Config* c : {&ca, &cb}) {
        c->set("train.schedule='warmup_cosine'");
        c->set("train.schedule_unit='batch'");
        c->set("train.warmup=5");
    }
    const RunResult straight = run_training(ca, {.verbose = false}, reg);
    run_training(cb, {.stop_after = 2, .verbose = false}, reg);
    const RunResult resumed = run_training(cb, {.resume = true, .verbose = false}, reg);
    ASSERT_EQ(straight.history.size(), 4u);
    for (size_t e = 0; e < 4; ++e) EXPECT_EQ(straight.history[e].get("lr"), resumed.history[e].get("lr")) << e;
    // 8 batches an epoch: after epoch 1 (8 steps, past the 5 of warm-up) the rate is already
    // below its peak, and after the last batch it is nearly 0 (0 one step later, so the last
    // batch still learns).
    EXPECT_LT(straight.history[0].get("lr"), 0.1);
    EXPECT_GT(straight.history[0].get("lr"), 0.08);
    EXPECT_LT(straight.history[3].get("lr"), 0.001);
    EXPECT_GT(straight.history[2].get("lr"), 0.01);
    const NamedTensors wa = weights(a), wb = weights(b);
    for (size_t i = 0; i < wa.size(); ++i)
        EXPECT_EQ(to_vector<float>(wa[i].second), to_vector<float>(wb[i].second));
    Config bad = line_config(a, 1);
    bad.set("train.schedule='plateau'");
    bad.set("train.schedule_unit='batch'");
    EXPECT_THROW(run_training(bad, {.force = true, .verbose = false}, reg), ValueError);
    fs::remove_all(a);
    fs::remove_all(b);
}

TEST(RunLoop, RefusesAnUnknownTaskKind) {
    const std::string dir = tmp_dir("unknown");
    EXPECT_THROW(run_training(line_config(dir, 1), {.verbose = false}, TaskRegistry{}), ValueError);
    fs::remove_all(dir);
}

TEST(RunLoop, SweepsAnyTaskByItsOwnMetric) {
    const TaskRegistry reg = toy_registry();
    const std::string dir = tmp_dir("sweep");
    auto res = sweep(line_config(dir + "/base", 3), {parse_sweep_axis("train.lr=0.0001,0.1")},
                     {.out_dir = dir, .verbose = false}, reg);
    ASSERT_EQ(res.runs.size(), 2u);
    EXPECT_EQ(res.best,
              1u);  // The larger step fits the line; val_fit is higher, and higher is better.
    const std::string csv = io::read_file(dir + "/sweep.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "train.lr,best_val_fit,best_epoch,train_loss,train_steps,val_loss,seconds,dir");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace kaya::app
