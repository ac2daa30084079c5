// SPDX-License-Identifier: MIT
// kaya go match -a CMD -b CMD [--referee CMD] [--games N] [--parallel N] [--out DIR] [--resume]
#include <cstdio>
#include <memory>

#include "apps/cli/commands.h"
#include "apps/go/match/match.h"

namespace kaya::cli {

void add_go_match_command(CLI::App& go) {
    auto o = std::make_shared<go::MatchOptions>();
    auto* cmd =
        go.add_subcommand("match", "Play two GTP engines against each other, alternating colours");
    cmd->add_option("--engine-a,-a", o->engine_a, "Command line of engine A (GTP on stdin/stdout); {game} in it is replaced "
                    "by the game's number and the engine started anew for each game (e.g. "
                    "--seed {game})")
        ->required();
    cmd->add_option("--engine-b,-b", o->engine_b, "Command line of engine B ({game} as for A)")->required();
    cmd->add_option("--referee", o->referee,
                    "GTP engine that marks dead stones in finished games (final_status_list dead), e.g. "
                    "\"gnugo --mode gtp\" (default: Tromp-Taylor, all stones alive)");
    cmd->add_option("--games,-n", o->games, "Number of games")->capture_default_str();
    cmd->add_option("--parallel,-j", o->parallel,
                    "Games played at once, each with its own engine processes")
        ->capture_default_str();
    cmd->add_option("--size", o->size, "Board size")->capture_default_str();
    cmd->add_option("--komi", o->komi, "Komi")->capture_default_str();
    cmd->add_option("--scoring", o->scoring,
                    "area: the referee's dead stones removed, then stones and surrounded points (the rules "
                    "komi 7.5 assumes); referee: the referee's own final_score")
        ->check(CLI::IsMember({"area", "referee"}))
        ->capture_default_str();
    cmd->add_option("--max-moves", o->max_moves,
                    "Score a game as it stands after this many moves (0: 3 x size^2)");
    cmd->add_option("--timeout", o->move_timeout, "Seconds an engine may take per reply")
        ->capture_default_str();
    cmd->add_option("--out", o->out_dir, "Directory for game-NNN.sgf, results.csv, summary.txt");
    cmd->add_flag("--resume", o->resume, "Continue an interrupted match from --out's results.csv");
    cmd->callback([o] {
        std::fputs(go::describe(go::play_match(*o)).c_str(), stdout);
    });
}

}  // namespace kaya::cli
