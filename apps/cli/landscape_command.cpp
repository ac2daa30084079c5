// SPDX-License-Identifier: MIT
// kaya landscape [--data fashion|clusters] [--seeds N] [--out DIR] ...: trains a small network
// to critical points and tells minima from saddle points by the Hessian's eigenvalues
// (MISSION row 7); writes DIR/landscape.csv, the pictures and DIR/index.html.
#include <cstdio>
#include <memory>

#include "apps/analysis/landscape_study.h"
#include "apps/cli/commands.h"
#include "apps/tour/report.h"

namespace kaya::cli {

namespace {

struct LandscapeArgs {
    analysis::StudyOptions study;
    std::string data = "fashion";
    std::string dir = "/usr/share/datasets/fashion-mnist";
    int64_t samples = 1000;
    uint64_t data_seed = 0;
};

void run(const LandscapeArgs& a) {
    analysis::Problem problem = a.data == "fashion" ? analysis::fashion_problem(a.dir, a.samples, a.data_seed)
                                                    : analysis::cluster_problem(a.samples, 12, 4, a.data_seed);
    std::printf("data: %s\n", problem.description.c_str());
    auto result = analysis::run_landscape_study(problem, a.study);
    tour::Report report("Kaya: critical points of a small network");
    report.add_section("Critical points: local minima and saddle points (the Hessian)", result.html);
    std::printf("wrote %s/landscape.csv and %s\n", a.study.out_dir.c_str(), report.write(a.study.out_dir).c_str());
}

}  // namespace

void add_landscape_command(CLI::App& app) {
    auto a = std::make_shared<LandscapeArgs>();
    auto& l = a->study.landscape;
    auto* cmd = app.add_subcommand("landscape", "Critical points of a small network: minimum or saddle, from the Hessian");
    cmd->add_option("--data", a->data, "fashion (Fashion-MNIST, 7x7 averaged pixels) or clusters (synthetic)")
        ->check(CLI::IsMember({"fashion", "clusters"}))->capture_default_str();
    cmd->add_option("--dir", a->dir, "Fashion-MNIST's IDX files")->capture_default_str();
    cmd->add_option("--samples", a->samples, "Training examples (the full batch)")->check(CLI::Range(10, 60000))->capture_default_str();
    cmd->add_option("--data-seed", a->data_seed, "Seeds the choice of examples")->capture_default_str();
    cmd->add_option("--hidden", l.hidden, "Hidden units (one hidden layer)")->check(CLI::Range(1, 200))->capture_default_str();
    cmd->add_option("--activation", l.activation, "tanh, sigmoid or relu")
        ->check(CLI::IsMember({"tanh", "sigmoid", "relu"}))->capture_default_str();
    cmd->add_option("--train-steps", l.train_steps, "Full-batch Adam steps on the loss")->check(CLI::Range(0, 1000000))->capture_default_str();
    cmd->add_option("--lr", l.lr, "Their learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--critical-steps", l.critical_steps, "Then Adam steps on |gradient|^2 / 2")->check(CLI::Range(0, 1000000))->capture_default_str();
    cmd->add_option("--critical-lr", l.critical_lr, "Their learning rate (cosine decay to 0)")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--newton-steps", l.newton_steps, "Then Levenberg-Marquardt steps on |gradient|^2 (full Hessian)")
        ->check(CLI::Range(0, 10000))->capture_default_str();
    cmd->add_option("--gradient-tolerance", l.gradient_tolerance, "A critical point has a gradient norm at most this")
        ->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--eigen-tolerance", l.eigen_tolerance, "|eigenvalue| below this x the largest counts as zero")
        ->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--seeds", a->study.seeds, "How many seeds (the scatter needs several)")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--first-seed", a->study.first_seed, "The first seed")->capture_default_str();
    cmd->add_option("--out", a->study.out_dir, "Output directory")->capture_default_str();
    cmd->add_flag("--resume", a->study.resume, "Keep the seeds DIR/landscape.csv already has");
    cmd->callback([a] { run(*a); });
}

}  // namespace kaya::cli
