// SPDX-License-Identifier: MIT
// The kaya command: `kaya train CONFIG`, `kaya tour`. Parses flags, builds the objects and
// runs one loop; all logic lives in apps/train.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "apps/train/config.h"
#include "apps/train/tour.h"
#include "apps/train/trainer.h"
#include "kaya/core/error.h"

int main(int argc, char** argv) {
    CLI::App app{"Kaya: a deep-learning framework in C++ and the applications built on it"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "kaya 0.1.0");

    auto* train = app.add_subcommand("train", "Train a model described by a TOML config");
    std::string config_path;
    std::vector<std::string> overrides;
    bool resume = false;
    int64_t stop_after = -1;
    train->add_option("config", config_path, "Config file (see configs/)")->required()->check(CLI::ExistingFile);
    train->add_option("--set,-s", overrides, "Override a config key, e.g. --set train.lr=0.01 (repeatable)");
    train->add_flag("--resume", resume, "Continue from the run's checkpoint.safetensors");
    train->add_option("--stop-after", stop_after, "Stop after this epoch, as if killed (for resume tests)");

    auto* tour = app.add_subcommand("tour", "Run every application briefly and write an HTML report");
    kaya::app::TourOptions tour_options;
    tour->add_option("--out", tour_options.out_dir, "Report directory")->capture_default_str();
    tour->add_option("--data", tour_options.data_dir,
                     "Root of full real data (e.g. ../shared/data); default: embedded data only");
    tour->add_flag("--full", tour_options.full, "Train to the published targets instead of briefly");

    CLI11_PARSE(app, argc, argv);
    try {
        if (*train) {
            kaya::app::Config cfg = kaya::app::Config::load(config_path);
            for (const auto& o : overrides) cfg.set(o);
            auto res = kaya::app::train(cfg, {.resume = resume, .stop_after = stop_after});
            std::printf("best validation loss %.6g at epoch %lld; outputs in %s\n", res.best_val_loss,
                        static_cast<long long>(res.best_epoch), res.dir.c_str());
        } else if (*tour) {
            std::string index = kaya::app::run_tour(tour_options);
            std::printf("report written to %s\n", index.c_str());
        }
    } catch (const kaya::Error& e) {
        std::fprintf(stderr, "kaya: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kaya: internal error: %s\n", e.what());
        return 2;
    }
    return 0;
}
