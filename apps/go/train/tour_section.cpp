// SPDX-License-Identifier: MIT
// Row 13 in the tour: Go data the project makes itself (GNU Go self-play through the match
// runner), read back as SGF, cut into training positions with the 48 feature planes.
#include "apps/go/train/tour_section.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "apps/go/board/score.h"
#include "apps/go/data/archive.h"
#include "apps/go/data/positions.h"
#include "apps/go/features/features.h"
#include "apps/go/match/curve.h"
#include "apps/go/match/match.h"
#include "apps/go/train/curve_plot.h"
#include "apps/go/train/policy_task.h"
#include "apps/train/run.h"
#include "kaya/io/file.h"

namespace kaya::go {

using tour::Report;
using tour::TourOptions;

namespace {

// The cost of search: the same net with Monte Carlo tree search over its priors (random-playout
// values: it has no value head) at a few playout counts against GNU Go level 1 on 9x9, as
// `kaya go curve` plays it; the measured 19x19 curves are in README and results/go.
std::string search_cost(const TourOptions& o, const std::string& engine) {
    const int games = o.full ? 6 : 2;
    CurveOptions c{.engine = engine,
                   .values = {0, 16, 64},
                   .match = {.engine_b = "/usr/games/gnugo --mode gtp --level 1",
                             .referee = "/usr/games/gnugo --mode gtp",
                             .games = games,
                             .size = 9,
                             .komi = 7.5,
                             .out_dir = o.out_dir + "/runs/go_search_curve",
                             .verbose = false}};
    std::filesystem::remove_all(c.match.out_dir);
    const std::vector<CurvePoint> points = play_curve(c);
    io::write_file_atomic(o.out_dir + "/go_search_curve.svg", curve_svg(points, c.option));
    std::vector<std::vector<std::string>> rows;
    for (const CurvePoint& p : points) {
        rows.push_back({std::to_string(p.value), std::to_string(p.result.a_wins) + " of " + std::to_string(games),
                        Report::number(100 * p.result.low, "%.0f") + "-" + Report::number(100 * p.result.high, "%.0f") + "%"});
    }
    return "<p>The cost of search (<code>kaya go curve</code>): the same net with Monte Carlo tree search over "
           "its move probabilities, leaves valued by one random playout each (this small net has no value "
           "head), " +
           std::to_string(games) + " games a point against GNU Go level 1 on 9x9. So few games show the "
           "mechanism, not strength: README gives the 19x19 curves of the 9-dan networks.</p>" +
           Report::table_html({"playouts a move", "Kaya won", "95% interval"}, rows) +
           Report::figure("go_search_curve.svg", "win rate against the playouts a move");
}

// AlphaGo's policy network, small, trained on the self-play games, then playing GNU Go
// through `kaya go gtp` (this same binary) in the match runner.
std::string policy_on_selfplay(const TourOptions& o, const std::string& games_dir) {
    std::printf("  training a small policy network on them, then playing GNU Go with it\n");
    std::fflush(stdout);
    const std::string run_dir = o.out_dir + "/runs/go_policy";
    std::filesystem::remove_all(run_dir);
    app::Config cfg = app::Config::parse(
        "[task]\nkind = 'go_policy'\n[data]\npath = '" + games_dir +
            "'\nval_fraction = 0.125\ntest_fraction = 0.125\nval_positions = 0\n[model]\nfilters = "
            "32\n"
            "layers = 4\n[train]\noptimizer = 'adam'\nlr = 0.002\nbatch_size = "
            "16\npositions_per_epoch = 512\n"
            "epochs = " +
            std::to_string(o.full ? 12 : 4) + "\n[output]\ndir = '" + run_dir + "'\n",
        "tour go policy");
    app::RunResult run = app::run_training(cfg, {.verbose = false});
    const app::Metrics& last = run.history.back();
    std::string html =
        "<p>AlphaGo's supervised policy network (5x5 first layer, 3x3 layers, a 1x1 head with a "
        "bias per "
        "point, softmax over the board; <code>kaya train</code> with <code>task.kind = "
        "\"go_policy\"</code>), "
        "here 4 layers of 32 filters trained for " +
        std::to_string(run.history.size()) +
        " epochs of 512 "
        "positions (random symmetries) on the training games above: validation top-1 " +
        Report::number(100 * last.get("val_top1"), "%.1f") + "%, top-5 " +
        Report::number(100 * last.get("val_top5"), "%.1f") + "%; held-out test games top-1 " +
        Report::number(100 * run.test.get("test_top1"), "%.1f") + "% (" +
        Report::number(run.test.get("test_positions"), "%.0f") +
        " positions). Chance is about 1.5%. Trained on GNU Go's own moves, the net learns to "
        "imitate GNU Go; "
        "the real training is on the 9-dan games (README, "
        "<code>configs/go_policy_cpu.toml</code>).</p>";
    io::write_file_atomic(o.out_dir + "/go_policy_accuracy.svg",
                          io::read_file(run_dir + "/accuracy.svg"));
    html += Report::figure("go_policy_accuracy.svg", "move-prediction accuracy during training");
    // The trained net against GNU Go, through GTP, as `kaya go match` plays it.
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const int n = o.full ? 10 : 2;
    MatchOptions m{.engine_a = self + " go gtp --weights " + run_dir + "/model.safetensors",
                   .engine_b = "/usr/games/gnugo --mode gtp --level 1",
                   .referee = "/usr/games/gnugo --mode gtp",
                   .games = n,
                   .size = 9,
                   .komi = 7.5,
                   .out_dir = o.out_dir + "/runs/go_policy_match",
                   .verbose = false};
    MatchResult r = play_match(m);
    html +=
        "<p>The net (no search: its most probable sensible move) against GNU Go level 1 on 9x9, " +
        std::to_string(n) + " games with colours alternating, scored by GNU Go: Kaya won " +
        std::to_string(r.a_wins) + ", lost " + std::to_string(r.b_wins) +
        " (95% interval of its win rate " + Report::number(100 * r.low, "%.0f") + "-" +
        Report::number(100 * r.high, "%.0f") + "%). Results per game:</p>";
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < r.games.size(); ++i) {
        rows.push_back({std::to_string(i + 1), r.games[i].a_black ? "Black" : "White",
                        r.games[i].result, std::to_string(r.games[i].moves)});
    }
    html += Report::table_html({"game", "Kaya played", "result", "moves"}, rows);
    const double chance = 100.0 / 70;  // About 70 legal points in a 9x9 middle game.
    html +=
        Report::finding("after seconds of training on " + std::to_string(run.history.size() * 512) +
                        " positions, the network predicts " +
                        Report::number(100 * run.test.get("test_top1"), "%.0f") +
                        "% of GNU Go's moves in games it never saw, about " +
                        Report::number(100 * run.test.get("test_top1") / chance, "%.0f") +
                        " times chance: convolutions over the 48 feature planes learn a player's "
                        "local habits. Playing without search, "
                        "it won " +
                        std::to_string(r.a_wins) + " of " + std::to_string(n) +
                        " games against GNU Go; the 9-dan network (README) is the real player.");
    html += search_cost(o, self + " go gtp --weights " + run_dir + "/model.safetensors");
    return html;
}

// Positions per second of replaying every game and extracting the feature planes, one thread.
double feature_speed(const std::vector<GameRecord>& records) {
    std::vector<float> planes(kNumFeaturePlanes * 81);
    const auto t0 = std::chrono::steady_clock::now();
    int64_t made = 0;
    for (const auto& r : records) {
        for (size_t k = 0; k < r.moves.size(); ++k) {
            Board b = r.position(k);
            extract_features(b, r.moves[k].color, planes.data());
            ++made;
        }
    }
    return static_cast<double>(made) /
           std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void demo_go(const TourOptions& o, Report& report) {
    const std::string gnugo = "/usr/games/gnugo";
    if (!std::filesystem::exists(gnugo)) {
        report.add_section(
            "Go: AlphaGo's policy network",
            "<p>GNU Go is not installed (Debian package gnugo; scripts/setup.sh installs it).</p>");
        return;
    }
    const int games = o.full ? 40 : 8;
    const std::string dir = o.out_dir + "/runs/go_selfplay";
    std::printf("  %d games of GNU Go against itself on 9x9\n", games);
    std::fflush(stdout);
    MatchOptions m{.engine_a = gnugo + " --mode gtp --level 1",
                   .engine_b = gnugo + " --mode gtp --level 1",
                   .referee = gnugo + " --mode gtp",
                   .games = games,
                   .size = 9,
                   .komi = 7.5,
                   .out_dir = dir,
                   .verbose = false};
    auto t0 = std::chrono::steady_clock::now();
    MatchResult match = play_match(m);
    const double play_secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto collection = load_games(dir);
    auto records = std::make_shared<std::vector<GameRecord>>(collection.games);
    GameSplit split = split_games(records->size(), 0.125, 0.125, 0);
    GoPositions train(records, split.train), val(records, split.val), test(records, split.test);
    const double positions_per_second = feature_speed(*records);
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        "<p>%d games of GNU Go 3.8 (level 1) against itself on 9x9, komi 7.5, played through "
        "<code>kaya go match</code> with GNU Go as the referee for dead stones, in %.1f s; written "
        "as "
        "SGF and read back with Kaya's SGF reader (%zu games, %zu skipped). These are the embedded "
        "default for Go: no downloaded data is needed.</p>",
        games, play_secs, collection.games.size(), collection.skipped.size());
    std::string html = buf;
    html += Report::table_html(
        {"split (by game)", "games", "positions"},
        {{"train", std::to_string(split.train.size()), std::to_string(train.size())},
         {"validation", std::to_string(split.val.size()), std::to_string(val.size())},
         {"test", std::to_string(split.test.size()), std::to_string(test.size())}});
    std::snprintf(
        buf, sizeof buf,
        "<p>Replaying every position and extracting AlphaGo's 48 feature planes (stone colour, "
        "liberties, captures, self-atari, ladders by reading, sensibleness, ...) ran at %.0f "
        "positions "
        "per second on one thread, so features are made on the fly during training. Black won %d "
        "of "
        "%d games.</p>",
        positions_per_second,
        [&] {
            int black = 0;
            for (const auto& g : match.games) black += g.result[0] == 'B';
            return black;
        }(),
        games);
    html += buf;
    if (!records->empty()) {
        const auto& first = records->front();
        Board end = first.position();
        html += "<p>The final position of game 1 (" + Report::escape(first.result) + "):</p><pre>" +
                Report::escape(end.to_text()) + "</pre>";
    }
    html += policy_on_selfplay(o, dir);
    report.add_section("Go: AlphaGo's policy network, from rules and game records to play", html);
}

void add_tour_sections() {
    tour::add_tour_section({13, "Go: self-play data, feature planes, the policy network", demo_go});
}

}  // namespace kaya::go
