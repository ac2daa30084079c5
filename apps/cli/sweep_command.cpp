// SPDX-License-Identifier: MIT
// kaya sweep CONFIG --grid key=v1,v2 [--grid ...] [--set ...] [--out DIR] [--resume | --force]
#include <cstdio>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/train/sweep.h"

namespace kaya::cli {

namespace {

struct SweepArgs {
    std::string config;
    std::vector<std::string> grid, overrides;
    app::SweepOptions options;
};

void run(const SweepArgs& a) {
    app::Config cfg = app::Config::load(a.config);
    for (const auto& o : a.overrides) cfg.set(o);
    std::vector<app::SweepAxis> axes;
    for (const auto& g : a.grid) axes.push_back(app::parse_sweep_axis(g));
    auto res = app::sweep(cfg, axes, a.options);
    std::printf("\n%-4s", "run");
    for (const auto& ax : axes) std::printf("  %-18s", ax.key.c_str());
    std::printf("  best %s\n", res.selection.metric.c_str());
    for (size_t i = 0; i < res.runs.size(); ++i) {
        std::printf("%-4zu", i + 1);
        for (const auto& v : res.runs[i].values) std::printf("  %-18s", v.c_str());
        std::printf("  %.6g%s\n", res.runs[i].best_score, i == res.best ? "  <- best" : "");
    }
    std::printf("sweep.csv and sweep.svg in %s\n", res.dir.c_str());
}

}  // namespace

void add_sweep_command(CLI::App& app) {
    auto args = std::make_shared<SweepArgs>();
    auto* cmd =
        app.add_subcommand("sweep", "Train a grid of hyperparameter settings and compare them");
    cmd->add_option("config", args->config, "Base config file")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--grid,-g", args->grid,
                    "A swept key and its values, e.g. --grid train.lr=0.001,0.003,0.01 "
                    "(repeatable: the full grid is trained)")
        ->required();
    cmd->add_option("--set,-s", args->overrides, "Override a base config key (repeatable)");
    cmd->add_option("--out", args->options.out_dir,
                    "Sweep directory (default runs/sweep-<config name>)");
    auto* resume = cmd->add_flag("--resume", args->options.resume,
                                 "Keep finished runs and resume an interrupted one");
    cmd->add_flag("--force", args->options.force, "Start over in a directory that holds a sweep")
        ->excludes(resume);
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
