// SPDX-License-Identifier: MIT
// The kaya command: `kaya train CONFIG`, `kaya sweep CONFIG`, `kaya tour`, `kaya go match`. Parses
// flags, builds the objects and runs one loop; all logic lives in apps/train.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "apps/go/match/match.h"
#include "apps/go/policy/policy.h"
#include "apps/train/config.h"
#include "apps/train/go_train.h"
#include "apps/train/sweep.h"
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
    train->add_option("config", config_path, "Config file (see configs/)")
        ->required()
        ->check(CLI::ExistingFile);
    train->add_option("--set,-s", overrides,
                      "Override a config key, e.g. --set train.lr=0.01 (repeatable)");
    train->add_flag("--resume", resume, "Continue from the run's checkpoint.safetensors");
    train->add_option("--stop-after", stop_after,
                      "Stop after this epoch, as if killed (for resume tests)");

    auto* sweep =
        app.add_subcommand("sweep", "Train a grid of hyperparameter settings and compare them");
    std::string sweep_config;
    std::vector<std::string> grid, sweep_overrides;
    kaya::app::SweepOptions sweep_options;
    sweep->add_option("config", sweep_config, "Base config file")
        ->required()
        ->check(CLI::ExistingFile);
    sweep
        ->add_option("--grid,-g", grid,
                     "A swept key and its values, e.g. --grid train.lr=0.001,0.003,0.01 "
                     "(repeatable: the full grid is trained)")
        ->required();
    sweep->add_option("--set,-s", sweep_overrides, "Override a base config key (repeatable)");
    sweep->add_option("--out", sweep_options.out_dir,
                      "Sweep directory (default runs/sweep-<config name>)");
    sweep->add_flag("--resume", sweep_options.resume,
                    "Keep finished runs and resume an interrupted one");

    auto* tour =
        app.add_subcommand("tour", "Run every application briefly and write an HTML report");
    kaya::app::TourOptions tour_options;
    tour->add_option("--out", tour_options.out_dir, "Report directory")->capture_default_str();
    tour->add_option("--data", tour_options.data_dir,
                     "Root of full real data (e.g. ../shared/data); default: embedded data only");
    tour->add_flag("--full", tour_options.full,
                   "Train to the published targets instead of briefly");

    auto* go = app.add_subcommand("go", "Go: play over GTP, matches between GTP engines");
    go->require_subcommand(1);
    auto* match =
        go->add_subcommand("match", "Play two GTP engines against each other, alternating colours");
    kaya::go::MatchOptions match_options;
    match
        ->add_option("--engine-a,-a", match_options.engine_a,
                     "Command line of engine A (GTP on stdin/stdout)")
        ->required();
    match->add_option("--engine-b,-b", match_options.engine_b, "Command line of engine B")
        ->required();
    match->add_option("--referee", match_options.referee,
                      "GTP engine that scores finished games with dead stones removed, e.g. "
                      "\"gnugo --mode gtp\" (default: Tromp-Taylor, all stones alive)");
    match->add_option("--games,-n", match_options.games, "Number of games")->capture_default_str();
    match
        ->add_option("--parallel,-j", match_options.parallel,
                     "Games played at once, each with its own engine processes")
        ->capture_default_str();
    match->add_option("--size", match_options.size, "Board size")->capture_default_str();
    match->add_option("--komi", match_options.komi, "Komi")->capture_default_str();
    match->add_option("--max-moves", match_options.max_moves,
                      "Score a game as it stands after this many moves (0: 3 x size^2)");
    match
        ->add_option("--timeout", match_options.move_timeout,
                     "Seconds an engine may take per reply")
        ->capture_default_str();
    match->add_option("--out", match_options.out_dir,
                      "Directory for game-NNN.sgf, results.csv, summary.txt");
    match->add_flag("--resume", match_options.resume,
                    "Continue an interrupted match from --out's results.csv");

    auto* gtp = go->add_subcommand("gtp", "Play Go over GTP (stdin/stdout) with a trained policy network");
    std::string weights;
    gtp->add_option("--weights,-w", weights,
                    "Policy network (model.safetensors written by kaya train); default: the built-in "
                    "network, models/go_policy_6x64.safetensors")
        ->check(CLI::ExistingFile);
    double resign_margin = kaya::go::PolicyPlayerOptions{}.resign_margin;
    gtp->add_option("--resign-margin", resign_margin,
                    "Resign when behind by this fraction of the board on the Tromp-Taylor count late in "
                    "the game (0: never)")
        ->capture_default_str();
    int symmetries = kaya::go::PolicyPlayerOptions{}.symmetries;
    gtp->add_option("--symmetries", symmetries,
                    "Average the network over this many of the board's 8 symmetries")
        ->check(CLI::Range(1, 8))
        ->capture_default_str();

    CLI11_PARSE(app, argc, argv);
    try {
        if (*train) {
            kaya::app::Config cfg = kaya::app::Config::load(config_path);
            for (const auto& o : overrides) cfg.set(o);
            if (cfg.get_string("task.kind", "") == "go_policy") {
                auto res = kaya::app::train_go_policy(cfg, {.resume = resume, .stop_after = stop_after});
                std::printf("best validation top-1 %.2f%% at epoch %lld; outputs in %s\n",
                            res.history.empty() ? 0.0 : 100 * res.history[static_cast<size_t>(res.best_epoch - 1)].val.top1,
                            static_cast<long long>(res.best_epoch), res.dir.c_str());
                return 0;
            }
            auto res = kaya::app::train(cfg, {.resume = resume, .stop_after = stop_after});
            std::printf("best validation loss %.6g at epoch %lld; outputs in %s\n",
                        res.best_val_loss, static_cast<long long>(res.best_epoch), res.dir.c_str());
        } else if (*gtp) {
            auto net = weights.empty() ? kaya::go::load_shipped_policy() : kaya::go::load_policy(weights);
            const int size = net->options().board;
            kaya::go::GtpEngine engine(
                std::make_unique<kaya::go::PolicyPlayer>(net, kaya::go::PolicyPlayerOptions{.symmetries = symmetries, .resign_margin = resign_margin}),
                {.board_size = size, .only_size = size});
            engine.run(std::cin, std::cout);
        } else if (*sweep) {
            kaya::app::Config cfg = kaya::app::Config::load(sweep_config);
            for (const auto& o : sweep_overrides) cfg.set(o);
            std::vector<kaya::app::SweepAxis> axes;
            for (const auto& g : grid) axes.push_back(kaya::app::parse_sweep_axis(g));
            auto res = kaya::app::sweep(cfg, axes, sweep_options);
            std::printf("\n%-4s", "run");
            for (const auto& a : axes) std::printf("  %-18s", a.key.c_str());
            std::printf("  best val loss\n");
            for (size_t i = 0; i < res.runs.size(); ++i) {
                std::printf("%-4zu", i + 1);
                for (const auto& v : res.runs[i].values) std::printf("  %-18s", v.c_str());
                std::printf("  %.6g%s\n", res.runs[i].best_val_loss,
                            i == res.best ? "  <- best" : "");
            }
            std::printf("sweep.csv and sweep.svg in %s\n", res.dir.c_str());
        } else if (*match) {
            auto r = kaya::go::play_match(match_options);
            std::printf(
                "A won %d, B won %d, draws %d: A scores %.1f%%, 95%% interval [%.1f%%, %.1f%%]\n",
                r.a_wins, r.b_wins, r.draws, 100 * r.rate, 100 * r.low, 100 * r.high);
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
