// SPDX-License-Identifier: MIT
// The loss-landscape application: critical points (a known saddle, the search on real-shaped
// data, the verdicts), the diagnosis of runs, and the two commands end to end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "apps/analysis/diagnose.h"
#include "apps/analysis/landscape.h"
#include "apps/analysis/landscape_study.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"
#include "support/errors.h"

namespace kaya::analysis {
namespace {

namespace fs = std::filesystem;

// A fresh directory for one test, removed with its contents when the test ends.
struct TempDir {
    explicit TempDir(const std::string& name)
        : path(testing::TempDir() + "/kaya_analysis_" + name + "_" + std::to_string(getpid())) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string path;
};

TEST(Landscape, ZeroWeightsOfATanhNetworkAreASaddleWithAWayDown) {
    // With w1 = 0, w2 = 0 and balanced classes every gradient vanishes (tanh(0) = 0 and the
    // output is uniform), but w1 and w2 together can lower the loss: a saddle point.
    Problem p = cluster_problem(60, 4, 3, 1);
    LandscapeOptions o;
    auto r = analyse_point(p, o, {zeros({5, 4}, DType::Float64), zeros({5}, DType::Float64),
                                  zeros({3, 5}, DType::Float64), zeros({3}, DType::Float64)});
    EXPECT_EQ(r.parameters, 5 * 4 + 5 + 3 * 5 + 3);
    EXPECT_NEAR(r.loss, std::log(3.0), 1e-12);
    EXPECT_LT(r.gradient_norm, 1e-12);
    EXPECT_EQ(r.verdict, "saddle point");
    EXPECT_GT(r.negative, 0);
    EXPECT_EQ(r.negative + r.zero + r.positive, r.parameters);
    ASSERT_EQ(r.escape_t.size(), 41u);
    // Down on both sides of the saddle (the plot spans 1.25 times as far as the loss keeps falling),
    // and the quadratic model is close near it.
    EXPECT_LT(r.escape_loss[10], r.loss);
    EXPECT_LT(r.escape_loss[30], r.loss);
    EXPECT_NEAR(r.escape_loss[20], r.loss, 1e-12);
    EXPECT_NEAR(r.escape_loss[21] - r.loss, r.escape_quadratic[21] - r.loss,
                0.2 * std::abs(r.escape_quadratic[21] - r.loss));
}

TEST(Landscape, VerdictsFromEigenvalues) {
    LandscapeOptions o;
    CriticalPointReport r;
    r.gradient_norm = 1e-6;
    r.eigenvalues = {-0.5, 1e-9, 0.2, 3.0};
    classify_point(r, o);
    EXPECT_EQ(r.verdict, "saddle point");
    EXPECT_EQ(r.negative, 1);
    EXPECT_EQ(r.zero, 1);
    EXPECT_DOUBLE_EQ(r.minimum_ratio, 0.5);
    r.eigenvalues = {-1e-9, 0.0, 0.2, 3.0};
    classify_point(r, o);
    EXPECT_EQ(r.verdict, "local minimum");
    EXPECT_EQ(r.zero, 2);
    r.eigenvalues = {0.0, 0.0};
    classify_point(r, o);
    EXPECT_EQ(r.verdict, "flat");
    r.gradient_norm = 0.5;
    r.eigenvalues = {1.0, 2.0};
    classify_point(r, o);
    EXPECT_EQ(r.verdict, "not a critical point");
}

TEST(Landscape, TheSearchReachesACriticalPoint) {
    // Overlapping classes and far more points than parameters: the loss has finite critical
    // points (on separable data cross-entropy keeps falling as the weights grow).
    Problem p = cluster_problem(240, 2, 3, 2);
    LandscapeOptions o;
    o.hidden = 3;
    o.train_steps = 300;
    o.critical_steps = 600;
    auto r = find_critical_point(p, o, 3);
    EXPECT_EQ(r.parameters, 2 * 3 + 3 + 3 * 3 + 3);
    EXPECT_LT(r.gradient_norm, r.trained_gradient_norm);
    EXPECT_LT(r.gradient_norm, o.gradient_tolerance) << describe_point(r);
    EXPECT_NE(r.verdict, "not a critical point");
    EXPECT_EQ(r.history_step.front(), 0);
    EXPECT_GE(r.history_step.back(), o.train_steps + o.critical_steps);
    EXPECT_LT(r.gradient_norm, r.descended_gradient_norm);  // Levenberg-Marquardt helped.
    EXPECT_GT(r.polish_steps, 0);
    // Reproducible from the seed.
    auto again = find_critical_point(p, o, 3);
    EXPECT_EQ(again.loss, r.loss);
    EXPECT_EQ(again.eigenvalues, r.eigenvalues);
}

TEST(Landscape, ReluKinksAreReported) {
    Problem p = cluster_problem(60, 3, 2, 4);
    LandscapeOptions o;
    o.activation = "relu";
    // Hidden unit 0 has a zero weight row and bias: every pre-activation sits on the kink.
    Tensor w1 = tensor({0, 0, 0, 0.5, -0.2, 0.1}, DType::Float64);
    auto r = analyse_point(p, o, {reshape(w1, {2, 3}), zeros({2}, DType::Float64),
                                  ones({2, 2}, DType::Float64), zeros({2}, DType::Float64)});
    EXPECT_NEAR(r.kink_fraction, 0.5, 1e-12);
    EXPECT_NE(describe_point(r).find("kink"), std::string::npos);
    o.activation = "softsign";
    EXPECT_NE(test::error_of([&] { find_critical_point(p, o, 0); }).find("tanh, sigmoid or relu"), std::string::npos);
}

TEST(Landscape, StudyWritesTableAndPicturesAndResumes) {
    const TempDir temp("study");
    const std::string& dir = temp.path;
    Problem p = cluster_problem(60, 4, 3, 5);
    StudyOptions o;
    o.landscape.hidden = 3;
    o.landscape.train_steps = 100;
    o.landscape.critical_steps = 100;
    o.seeds = 3;
    o.out_dir = dir;
    o.verbose = false;
    auto res = run_landscape_study(p, o);
    ASSERT_EQ(res.points.size(), 3u);
    for (const char* f : {"landscape.csv", "search.svg", "spectrum.svg", "spectrum_low.svg", "scatter.svg"}) {
        EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
    }
    EXPECT_NE(res.html.find("minimum ratio"), std::string::npos);
    // Resumed with two more seeds: the first three are read back, not recomputed.
    o.seeds = 5;
    o.resume = true;
    auto more = run_landscape_study(p, o);
    ASSERT_EQ(more.points.size(), 5u);
    EXPECT_NEAR(more.points[2].loss, res.points[2].loss, 1e-9 * res.points[2].loss);
    EXPECT_EQ(more.points[2].verdict, res.points[2].verdict);
    EXPECT_TRUE(more.points[2].eigenvalues.empty());  // Read back from the table.
    // A damaged table is refused with its file and line.
    const std::string table = io::read_file(dir + "/landscape.csv");
    const std::string header = table.substr(0, table.find('\n') + 1);
    io::write_file_atomic(dir + "/landscape.csv", header + "1,2,3\n");
    EXPECT_NE(test::error_of([&] { run_landscape_study(p, o); }).find("landscape.csv:2"), std::string::npos);
    EXPECT_NE(test::error_of([&] { parse_landscape_table("seed,loss\n", "t.csv"); }).find("t.csv:1"), std::string::npos);
    EXPECT_NE(test::error_of([&] { parse_landscape_table(header + "1,490,0.1x,1,1,1,1,1,0.5,0,saddle point\n", "t.csv"); })
                  .find("t.csv:2: expected a number, got '0.1x'"), std::string::npos);
    EXPECT_NE(test::error_of([&] { parse_landscape_table(header + "-1,490,0.1,1,1,1,1,1,0.5,0,saddle point\n", "t.csv"); })
                  .find("expected a count"), std::string::npos);
    EXPECT_NE(test::error_of([&] { parse_landscape_table(header + "1,490,0.1,1,1,1,1,1,0.5,0,maximum\n", "t.csv"); })
                  .find("unknown verdict"), std::string::npos);
    // Written and read back, the table is the same.
    EXPECT_EQ(format_landscape_table(parse_landscape_table(table, "t.csv")), table);
}

// A fake finished run: metrics.csv with the given losses and weights of `layers` 8x8 matrices.
std::string fake_run(const std::string& dir, int layers, const std::vector<double>& train,
                     const std::vector<double>& val) {
    fs::create_directories(dir);
    std::string csv = "epoch,train_loss,val_loss,val_accuracy\n";
    for (size_t i = 0; i < train.size(); ++i) {
        csv += std::to_string(i + 1) + "," + std::to_string(train[i]) + "," + std::to_string(val[i]) + ",0.5\n";
    }
    io::write_file_atomic(dir + "/metrics.csv", csv);
    NamedTensors w;
    for (int l = 0; l < layers; ++l) {
        w.push_back({std::to_string(l) + ".weight", zeros({8, 8})});
        w.push_back({std::to_string(l) + ".bias", zeros({8})});
    }
    io::save_safetensors(dir + "/model.safetensors", w);
    return dir;
}

TEST(Diagnose, DeeperModelWithHigherTrainingLossIsOptimisation) {
    const TempDir temp("depth");
    const std::string& dir = temp.path;
    std::vector<RunSummary> runs = {
        read_run(fake_run(dir + "/run-002", 56, {2.3, 1.2, 0.9}, {2.3, 1.25, 0.95})),
        read_run(fake_run(dir + "/run-001", 20, {2.0, 0.6, 0.4}, {2.0, 0.62, 0.45})),
    };
    EXPECT_EQ(runs[0].layers, 56);
    EXPECT_EQ(runs[0].parameters, 56 * 72);
    auto d = diagnose(runs);
    ASSERT_EQ(d.runs.front().layers, 20);  // Smallest first.
    ASSERT_FALSE(d.findings.empty());
    EXPECT_EQ(d.findings[0].kind, "optimisation");
    EXPECT_NE(d.findings[0].text.find("0.9"), std::string::npos) << d.findings[0].text;
    EXPECT_NE(d.findings[0].text.find("0.4"), std::string::npos) << d.findings[0].text;
    EXPECT_NE(diagnosis_text(d).find("next: Optimisation"), std::string::npos);
    EXPECT_NE(diagnosis_svg(d).find("<svg"), std::string::npos);
    // The sweep's directory stands for its runs, in order.
    auto dirs = expand_run_dirs({dir});
    ASSERT_EQ(dirs.size(), 2u);
    EXPECT_NE(dirs[0].find("run-001"), std::string::npos);
}

TEST(Diagnose, OverfittingModelBiasAndHealthyFits) {
    const TempDir temp("kinds");
    const std::string& dir = temp.path;
    auto over = diagnose({read_run(fake_run(dir + "/over", 2, {1.0, 0.5, 0.2, 0.05}, {1.0, 0.6, 0.7, 0.9}))});
    ASSERT_EQ(over.findings.size(), 1u);
    EXPECT_EQ(over.findings[0].kind, "overfitting");
    EXPECT_NE(over.findings[0].text.find("epoch 2"), std::string::npos) << over.findings[0].text;
    auto bias = diagnose({read_run(fake_run(dir + "/small", 1, {1.0, 0.9, 0.88}, {1.0, 0.9, 0.89})),
                          read_run(fake_run(dir + "/big", 3, {1.0, 0.9, 0.87}, {1.0, 0.9, 0.88}))});
    ASSERT_EQ(bias.findings.size(), 1u);
    EXPECT_EQ(bias.findings[0].kind, "model bias");
    auto healthy = diagnose({read_run(fake_run(dir + "/s", 1, {1.0, 0.5, 0.4}, {1.0, 0.55, 0.5})),
                             read_run(fake_run(dir + "/b", 3, {1.0, 0.3, 0.2}, {1.0, 0.4, 0.35}))});
    ASSERT_EQ(healthy.findings.size(), 1u);
    EXPECT_EQ(healthy.findings[0].kind, "healthy");
}

TEST(Diagnose, BadRunDirectoriesAreRefusedClearly) {
    const TempDir temp("bad");
    const std::string& dir = temp.path;
    EXPECT_NE(test::error_of([&] { read_run(dir); }).find("has no metrics.csv"), std::string::npos);
    EXPECT_NE(test::error_of([&] { expand_run_dirs({dir}); }).find("neither a run directory"), std::string::npos);
    io::write_file_atomic(dir + "/metrics.csv", "epoch,loss\n1,0.5\n");
    EXPECT_NE(test::error_of([&] { read_run(dir); }).find("train_loss"), std::string::npos);
    io::write_file_atomic(dir + "/metrics.csv", "epoch,train_loss,val_loss\n");
    EXPECT_NE(test::error_of([&] { read_run(dir); }).find("no finished epoch"), std::string::npos);
}

TEST(Commands, LandscapeAndDiagnoseRunEndToEnd) {
    const TempDir temp("cli");
    const std::string& dir = temp.path;
    const std::string log = dir + "/log.txt";
    const std::string land = std::string(KAYA_BINARY) + " landscape --data clusters --samples 60 --hidden 3"
                             " --train-steps 100 --critical-steps 100 --seeds 2 --out " + dir + "/land > " + log + " 2>&1";
    ASSERT_EQ(std::system(land.c_str()), 0) << io::read_file(log);
    EXPECT_NE(io::read_file(log).find("seed 1: loss"), std::string::npos) << io::read_file(log);
    EXPECT_TRUE(fs::exists(dir + "/land/index.html"));
    fake_run(dir + "/runs/run-001", 5, {2.0, 0.6, 0.4}, {2.0, 0.62, 0.45});
    fake_run(dir + "/runs/run-002", 20, {2.3, 1.2, 0.9}, {2.3, 1.25, 0.95});
    const std::string diag = std::string(KAYA_BINARY) + " diagnose " + dir + "/runs --out " + dir + "/diag > " + log + " 2>&1";
    ASSERT_EQ(std::system(diag.c_str()), 0) << io::read_file(log);
    EXPECT_NE(io::read_file(log).find("[optimisation]"), std::string::npos) << io::read_file(log);
    EXPECT_TRUE(fs::exists(dir + "/diag/diagnosis.svg"));
    // The extreme eigenvalues of a trained model of any task (here a small MLP).
    io::write_file_atomic(dir + "/reg.toml", "[task]\nkind = 'regression'\n[data]\nsource = 'synthetic'\nrows = 200\n"
                                             "features = 3\n[model]\nhidden = [8]\nactivation = 'relu'\n[train]\n"
                                             "epochs = 3\nbatch_size = 50\n[output]\ndir = '" + dir + "/reg'\n");
    const std::string train = std::string(KAYA_BINARY) + " train " + dir + "/reg.toml > " + log + " 2>&1";
    ASSERT_EQ(std::system(train.c_str()), 0) << io::read_file(log);
    const std::string spec = std::string(KAYA_BINARY) + " spectrum --run " + dir + "/reg --batches 2 --steps 20 > " +
                             log + " 2>&1";
    ASSERT_EQ(std::system(spec.c_str()), 0) << io::read_file(log);
    const std::string out = io::read_file(log);
    EXPECT_NE(out.find("41 parameters"), std::string::npos) << out;
    EXPECT_NE(out.find("20 Lanczos steps"), std::string::npos) << out;
    EXPECT_NE(out.find("largest eigenvalues:"), std::string::npos) << out;
    EXPECT_NE(out.find("ReLU layers"), std::string::npos) << out;
    const std::string none = std::string(KAYA_BINARY) + " spectrum --run " + dir + "/land > " + log + " 2>&1";
    EXPECT_NE(std::system(none.c_str()), 0);
    EXPECT_NE(io::read_file(log).find("config.toml"), std::string::npos) << io::read_file(log);
    const std::string bad = std::string(KAYA_BINARY) + " diagnose " + dir + "/nothing > " + log + " 2>&1";
    EXPECT_NE(std::system(bad.c_str()), 0);
    EXPECT_NE(io::read_file(log).find("nothing"), std::string::npos) << io::read_file(log);
}

}  // namespace
}  // namespace kaya::analysis
