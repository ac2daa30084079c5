// SPDX-License-Identifier: MIT
// kaya go rescore --dir MATCH_DIR --referee CMD: a finished match's games scored again by area.
#include <cstdio>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/go/match/match.h"

namespace kaya::cli {

namespace {

struct RescoreArgs {
    std::string dir, referee;
    double timeout = 120;
};

void run(const RescoreArgs& a) {
    auto r = go::rescore_match(a.dir, a.referee, a.timeout);
    std::string changed;
    for (int g : r.changed) changed += " " + std::to_string(g);
    std::printf("%zu games changed winner:%s\n", r.changed.size(), changed.empty() ? " none" : changed.c_str());
    std::fputs(go::describe(r.match).c_str(), stdout);
}

}  // namespace

void add_go_rescore_command(CLI::App& go) {
    auto args = std::make_shared<RescoreArgs>();
    auto* cmd = go.add_subcommand(
        "rescore", "Score a match's finished games again by area rules (the referee's dead stones removed)");
    cmd->add_option("--dir", args->dir, "Match directory (results.csv, game-NNN.sgf)")->required();
    cmd->add_option("--referee", args->referee, "GTP engine that marks dead stones, e.g. \"gnugo --mode gtp\"")
        ->required();
    cmd->add_option("--timeout", args->timeout, "Seconds the referee may take per reply")->capture_default_str();
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
