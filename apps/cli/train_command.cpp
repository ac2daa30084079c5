// SPDX-License-Identifier: MIT
// kaya train CONFIG [--set key=value ...] [--resume | --force] [--print-config]
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/train/config.h"
#include "apps/train/run.h"
#include "kaya/distributed/process_group.h"

namespace kaya::cli {

namespace {

struct TrainArgs {
    std::string config;
    std::vector<std::string> overrides;
    bool resume = false, force = false, print_config = false;
    int64_t stop_after = -1;
};

// "best val_top1 41.57% at epoch 16", "best val_bleu 35.44 at epoch 19" or "best val_loss
// 0.8712 at epoch 93".
void print_summary(const app::RunResult& r) {
    if (r.best_epoch == 0) {
        std::printf("no epoch trained; outputs in %s\n", r.dir.c_str());
        return;
    }
    const bool rate = app::is_rate_metric(r.selection.metric);
    std::printf(rate ? "best %s %.2f%% at epoch %lld; outputs in %s\n"
                     : "best %s %.6g at epoch %lld; outputs in %s\n",
                r.selection.metric.c_str(), rate ? 100 * r.best_score : r.best_score,
                static_cast<long long>(r.best_epoch), r.dir.c_str());
}

void run(const TrainArgs& a) {
    app::Config cfg = app::Config::load(a.config);
    for (const auto& o : a.overrides) cfg.set(o);
    if (a.print_config) {
        std::printf("%s\n", app::effective_config(cfg).c_str());
        return;
    }
    // Launched by mpirun: one of several processes training together (data parallelism).
    distributed::ProcessGroup& group = distributed::world();
    app::RunResult r;
    try {
        r = app::run_training(cfg, {.resume = a.resume,
                                    .force = a.force,
                                    .stop_after = a.stop_after,
                                    .verbose = group.rank() == 0,
                                    .group = &group});
    } catch (const std::exception& e) {
        if (group.size() == 1) throw;
        // An error all processes share ends the job normally, reported once; an error in one
        // process alone ends every process at once, instead of leaving them waiting for it.
        if (!group.failing_together()) group.abort(std::string("error: ") + e.what(), 1);
        if (group.rank() != 0) std::exit(dynamic_cast<const app::Interrupted*>(&e) ? 130 : 1);
        throw;
    }
    if (group.rank() == 0) print_summary(r);
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto args = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand(
        "train", "Train a model described by a TOML config (task.kind picks the task)");
    cmd->add_option("config", args->config, "Config file (see configs/)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--set,-s", args->overrides,
                    "Override a config key, e.g. --set train.lr=0.01 (repeatable)");
    auto* resume =
        cmd->add_flag("--resume", args->resume, "Continue from the run's checkpoint.safetensors");
    cmd->add_flag("--force", args->force, "Start over in an output.dir that already holds a run")
        ->excludes(resume);
    cmd->add_flag(
        "--print-config", args->print_config,
        "Print the effective config (every key the task reads, defaults included) and exit");
    cmd->add_option("--stop-after", args->stop_after,
                    "Stop after this epoch, as if killed (for resume tests)");
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
