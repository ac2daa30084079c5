// SPDX-License-Identifier: MIT
// kaya go gtp [--weights FILE] [--symmetries N] [--resign-margin F]
#include <iostream>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/go/gtp/gtp.h"
#include "apps/go/policy/policy.h"

namespace kaya::cli {

namespace {

struct GtpArgs {
    std::string weights;
    go::PolicyPlayerOptions player;
};

void run(const GtpArgs& a) {
    auto net = a.weights.empty() ? go::load_shipped_policy() : go::load_policy(a.weights);
    const int size = net->options().board;
    go::GtpEngine engine(std::make_unique<go::PolicyPlayer>(net, a.player),
                         {.board_size = size, .only_size = size});
    engine.run(std::cin, std::cout);
}

}  // namespace

void add_go_gtp_command(CLI::App& go) {
    auto args = std::make_shared<GtpArgs>();
    auto* cmd =
        go.add_subcommand("gtp", "Play Go over GTP (stdin/stdout) with a trained policy network");
    cmd->add_option(
           "--weights,-w", args->weights,
           "Policy network (model.safetensors written by kaya train); default: the built-in "
           "network, models/go_policy_6x64.safetensors")
        ->check(CLI::ExistingFile);
    cmd->add_option(
           "--resign-margin", args->player.resign_margin,
           "Resign when behind by this fraction of the board on the area count late in "
           "the game (0: never)")
        ->capture_default_str();
    cmd->add_option("--symmetries", args->player.symmetries,
                    "Average the network over this many of the board's 8 symmetries")
        ->check(CLI::Range(1, 8))
        ->capture_default_str();
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
