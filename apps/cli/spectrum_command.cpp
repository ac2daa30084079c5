// SPDX-License-Identifier: MIT
// kaya spectrum --run RUN_DIR | --config CFG --weights FILE [--batches K] [--steps N]: the
// largest and smallest Hessian eigenvalues of a trained model's loss on its training data,
// by Lanczos on Hessian-vector products (any task; e.g. the shipped Go network).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/analysis/spectrum.h"
#include "apps/cli/commands.h"
#include "kaya/core/error.h"

namespace kaya::cli {

namespace {

struct SpectrumArgs {
    std::string run, config, weights;
    std::vector<std::string> overrides;
    analysis::SpectrumOptions options;
};

void run(const SpectrumArgs& a) {
    KAYA_CHECK(a.run.empty() != (a.config.empty() && a.weights.empty()), ValueError,
               "spectrum: give --run RUN_DIR, or --config and --weights (not both)");
    KAYA_CHECK(!a.run.empty() || (!a.config.empty() && !a.weights.empty()), ValueError,
               "spectrum: --config needs --weights and the other way round");
    const std::string config = a.run.empty() ? a.config : a.run + "/config.toml";
    const std::string weights = a.run.empty() ? a.weights : a.run + "/model.safetensors";
    KAYA_CHECK(std::filesystem::exists(config), IoError, "spectrum: no config file ", config);
    app::Config cfg = app::Config::load(config);
    for (const auto& s : a.overrides) cfg.set(s);
    auto r = analysis::model_spectrum(cfg, weights, a.options);
    std::fputs(analysis::describe_spectrum(r).c_str(), stdout);
}

}  // namespace

void add_spectrum_command(CLI::App& app) {
    auto a = std::make_shared<SpectrumArgs>();
    auto* cmd = app.add_subcommand("spectrum", "Extreme Hessian eigenvalues of a trained model (Lanczos)");
    cmd->add_option("--run", a->run, "A run directory of kaya train (its config.toml and model.safetensors)");
    cmd->add_option("--config", a->config, "A training config (with --weights)");
    cmd->add_option("--weights", a->weights, "The model's weights (safetensors)");
    cmd->add_option("--set", a->overrides, "Override a config key, e.g. --set data.path=...");
    cmd->add_option("--batches", a->options.batches, "Training batches in the loss")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--steps", a->options.steps, "Lanczos steps (Hessian-vector products)")->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_option("--count", a->options.count, "How many of the largest and smallest to print")->check(CLI::Range(1, 1000))->capture_default_str();
    cmd->add_option("--seed", a->options.seed, "Seeds the data and the start vector")->capture_default_str();
    cmd->callback([a] { run(*a); });
}

}  // namespace kaya::cli
