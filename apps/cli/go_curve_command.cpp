// SPDX-License-Identifier: MIT
// kaya go curve --values 0,50,200,800 -b CMD --referee CMD --games N --out DIR [--resume]
#include <cstdio>
#include <filesystem>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/go/match/curve.h"
#include "apps/go/train/curve_plot.h"
#include "kaya/io/file.h"

namespace kaya::cli {

void add_go_curve_command(CLI::App& go) {
    auto o = std::make_shared<go::CurveOptions>();
    o->values = {0, 50, 200, 800};
    o->match.games = 20;
    auto* cmd = go.add_subcommand(
        "curve", "Win rate of an engine against a fixed opponent as one of its options varies (a match per value)");
    cmd->add_option("--engine", o->engine,
                    "Command line of the engine without the varied option (default: this kaya's `go gtp`)");
    cmd->add_option("--option", o->option, "The varied option, appended as \"<option> <value>\"")
        ->capture_default_str();
    cmd->add_option("--values", o->values, "Its values, e.g. 0,50,200,800")->delimiter(',')->capture_default_str();
    cmd->add_option("--engine-b,-b", o->match.engine_b, "Command line of the fixed opponent")->required();
    cmd->add_option("--referee", o->match.referee,
                    "GTP engine that marks dead stones in finished games, e.g. \"gnugo --mode gtp\"");
    cmd->add_option("--games,-n", o->match.games, "Games per value")->capture_default_str();
    cmd->add_option("--parallel,-j", o->match.parallel, "Games played at once")->capture_default_str();
    cmd->add_option("--size", o->match.size, "Board size")->capture_default_str();
    cmd->add_option("--komi", o->match.komi, "Komi")->capture_default_str();
    cmd->add_option("--timeout", o->match.move_timeout, "Seconds an engine may take per reply")
        ->capture_default_str();
    cmd->add_option("--out", o->match.out_dir,
                    "Directory: a match directory per value, curve.csv and curve.svg")
        ->required();
    cmd->add_flag("--resume", o->match.resume, "Continue an interrupted curve from --out");
    cmd->callback([o] {
        if (o->engine.empty())
            o->engine = std::filesystem::read_symlink("/proc/self/exe").string() + " go gtp";
        std::filesystem::create_directories(o->match.out_dir);
        auto points = go::play_curve(*o);
        io::write_file_atomic(o->match.out_dir + "/curve.csv", go::curve_csv(points, o->option));
        io::write_file_atomic(o->match.out_dir + "/curve.svg", go::curve_svg(points, o->option));
        for (const auto& p : points)
            std::printf("%s %lld: won %d of %zu, %.1f%% [%.1f%%, %.1f%%]\n", o->option.c_str(),
                        static_cast<long long>(p.value), p.result.a_wins, p.result.games.size(),
                        100 * p.result.rate, 100 * p.result.low, 100 * p.result.high);
        std::printf("curve.csv and curve.svg in %s\n", o->match.out_dir.c_str());
    });
}

}  // namespace kaya::cli
