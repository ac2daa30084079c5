// SPDX-License-Identifier: MIT
// kaya go gtp [--weights FILE] [--symmetries N] [--resign-margin F] [--playouts N --seconds S ...]
#include <iostream>
#include <memory>
#include <optional>

#include "apps/cli/commands.h"
#include "apps/go/gtp/gtp.h"
#include "apps/go/policy/policy.h"
#include "apps/go/search/evaluators.h"
#include "apps/go/search/search_player.h"
#include "kaya/kernels/blas/gemm.h"

namespace kaya::cli {

namespace {

struct GtpArgs {
    std::string weights;
    go::PolicyPlayerOptions player;
    go::SearchPlayerOptions search;
    int rollouts = -1;  // -1: 0 with a value or ownership head, 1 without.
    go::NetworkEvaluatorOptions eval;
    std::string dead_stones = "estimate";  // final_score's and final_status_list's judge.
    std::optional<double> value_head;      // --value-head; unset: the network's default.
    std::string matmul_precision;          // empty: as KAYA_MATMUL_PRECISION, else highest.
};

void run(GtpArgs a) {
    if (!a.matmul_precision.empty())
        kernels::set_float32_matmul_precision(kernels::parse_matmul_precision(a.matmul_precision));
    // Without --weights: the shipped policy for the network's move alone, the shipped search
    // network (with value and ownership heads) for the search.
    const bool search = a.search.search.playouts > 0;
    auto net = !a.weights.empty() ? go::load_policy(a.weights)
               : search           ? go::load_shipped_search_net()
                                  : go::load_shipped_policy();
    const int size = net->options().board;
    std::unique_ptr<go::Player> player;
    if (a.search.search.playouts == 0) {
        a.player.seed = a.eval.seed;
        player = std::make_unique<go::PolicyPlayer>(net, a.player);
    } else {
        KAYA_CHECK(a.player.temperature == 0, ValueError,
                   "kaya go gtp: --temperature draws the network's move without search; with --playouts ",
                   a.search.search.playouts, " the search chooses (use --playouts 0)");
        const bool judges = net->has_value_head() || net->has_ownership_head();
        a.eval.rollouts = a.rollouts >= 0 ? a.rollouts : judges ? 0 : 1;
        a.eval.symmetries = a.player.symmetries;
        a.eval.value_head_weight = a.value_head.value_or(a.weights.empty() ? go::kBuiltInValueHead : 0.0);
        KAYA_CHECK(net->has_ownership_head() || a.search.search.score_utility == 0, ValueError,
                   "kaya go gtp: --score-utility needs a network with an ownership head (its scores); ",
                   a.weights.empty() ? "the built-in network" : a.weights, " has none");
        auto eval = std::make_shared<go::NetworkEvaluator>(net, a.eval);
        player = std::make_unique<go::SearchPlayer>(eval, a.search);
    }
    go::GtpOptions gtp{.board_size = size, .only_size = size};
    if (a.dead_stones == "network") {
        KAYA_CHECK(net->has_ownership_head(), ValueError, "kaya go gtp: --dead-stones network needs a network with an ",
                   "ownership head; ", a.weights.empty() ? "the built-in network" : a.weights, " has none");
        gtp.dead_stones = [net](const go::Game& game) { return go::ownership_dead_stones(*net, game); };
    }
    go::GtpEngine engine(std::move(player), gtp);
    engine.run(std::cin, std::cout);
}

// The options of the network's own move (no search): resignation, symmetries, drawn moves.
void add_player_options(CLI::App* cmd, GtpArgs& args) {
    cmd->add_option(
           "--resign-margin", args.player.resign_margin,
           "Resign when behind by this fraction of the board on the area count late in "
           "the game (0: never)")
        ->capture_default_str();
    cmd->add_option("--symmetries", args.player.symmetries,
                    "Average the network over this many of the board's 8 symmetries")
        ->check(CLI::Range(1, 8))
        ->capture_default_str();
    cmd->add_option("--temperature", args.player.temperature,
                    "Without search: draw each move with probability proportional to p^(1/T) among the "
                    "network's candidates (self-play games that differ; 0: its most probable move)")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd->add_option("--sample-moves", args.player.sample_moves,
                    "With --temperature: draw only the game's first this many moves, then play the most "
                    "probable (0: every move)")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
}

// The search's own settings: batching, selection, the final choice, resignation, score utility.
void add_search_options(CLI::App* cmd, GtpArgs& args) {
    cmd->add_option("--batch", args.search.search.batch, "Leaves evaluated together by the network")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--c-puct", args.search.search.c_puct, "Exploration weight of the search")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd->add_option(
           "--lcb", args.search.search.lcb_z,
           "Choose the move whose win rate's lower confidence bound, this many standard errors "
           "below its mean, is highest among the moves with at least 15% of the most visited "
           "one's visits (Leela Zero, KataGo; 0: the most visited move)")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd->add_option("--resign-win-rate", args.search.resign_win_rate,
                    "With search: resign below this win rate late in the game (0: never)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option(
           "--score-utility", args.search.search.score_utility,
           "With an ownership head: weight of the score's utility centred on the root's score "
           "(KataGo's dynamic score utility), so that moves stay apart in a won or lost game "
           "(0: the value alone)")
        ->check(CLI::Range(0.0, 10.0))
        ->capture_default_str();
    cmd->add_option("--score-utility-scale", args.search.search.score_utility_scale,
                    "Points over which that utility turns: tanh((score - centre) / this)")
        ->check(CLI::Range(0.1, 1000.0))
        ->capture_default_str();
}

}  // namespace

void add_go_gtp_command(CLI::App& go) {
    auto args = std::make_shared<GtpArgs>();
    auto* cmd =
        go.add_subcommand("gtp", "Play Go over GTP (stdin/stdout) with a trained policy network");
    cmd->add_option(
           "--weights,-w", args->weights,
           "Policy network, with or without value and ownership heads (model.safetensors written by "
           "kaya train); default: the built-in models/go_policy_6x64.safetensors, or with --playouts "
           "models/go_residual9d_vsgnugo_6x64b4.safetensors")
        ->check(CLI::ExistingFile);
    add_player_options(cmd, *args);
    args->search.search.playouts = 0;
    cmd->add_option("--playouts", args->search.search.playouts,
                    "Monte Carlo tree search with this many playouts a move over the network's priors, "
                    "valued by the network's value head or random playouts (0: the network's move, no "
                    "search)")
        ->check(CLI::Range(0, 10'000'000))
        ->capture_default_str();
    cmd->add_option("--seconds", args->search.search.seconds,
                    "Stop each search after this many seconds (0: playouts only); GTP's time_settings "
                    "and time_left share the clock too")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    cmd->add_option("--rollouts", args->rollouts,
                    "Random playouts averaged for each leaf's value; with a value or ownership head, "
                    "mixed half and half with the network's value (default: 0 with such a head, 1 "
                    "without)")
        ->check(CLI::Range(0, 1000));
    cmd->add_flag("--log", args->search.log,
                  "After each search, print the move, its win rate and the most visited moves on stderr");
    cmd->add_option("--score-scale", args->eval.score_scale,
                    "With an ownership head, a leaf's value is tanh(score / this), the score being the "
                    "predicted ownership's sum plus komi")
        ->check(CLI::Range(0.1, 1000.0))
        ->capture_default_str();
    cmd->add_option("--value-head", args->value_head,
                    "With both a value and an ownership head: the value head's share of a leaf's value, "
                    "the score's value having the rest (0: the score alone; default: 0.5 with the "
                    "built-in search network, 0 with --weights)")
        ->check(CLI::Range(0.0, 1.0));
    add_search_options(cmd, *args);
    cmd->add_option("--random-symmetry", args->eval.random_symmetry,
                    "With --symmetries 1: evaluate each leaf under a random one of the board's 8 "
                    "symmetries (Leela Zero), so that the net's orientation biases average out")
        ->capture_default_str();
    cmd->add_option("--seed", args->eval.seed, "Seed of the random playouts and of --temperature's draws")
        ->capture_default_str();
    cmd->add_option("--dead-stones", args->dead_stones,
                    "Who judges the dead stones for final_score and final_status_list: the search-free "
                    "estimate, or the network's ownership head (averaged over the 8 symmetries)")
        ->check(CLI::IsMember({"estimate", "network"}))
        ->capture_default_str();
    cmd->add_option("--matmul-precision", args->matmul_precision,
                    "The network's float products: highest (float) or medium (bfloat16 operands, float sums, "
                    "on CPUs with AVX512-BF16: about 1.6x the evaluations a second, a convolution off by 2-5%); default: "
                    "KAYA_MATMUL_PRECISION, else highest")
        ->check(CLI::IsMember({"highest", "medium"}));
    cmd->callback([args] { run(*args); });
}

}  // namespace kaya::cli
