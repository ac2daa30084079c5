// SPDX-License-Identifier: MIT
// Row 13 in the tour: Go data the project makes itself (GNU Go self-play through the match
// runner), read back as SGF, cut into training positions with the 48 feature planes.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "apps/go/board/score.h"
#include "apps/go/data/archive.h"
#include "apps/go/data/positions.h"
#include "apps/go/features/features.h"
#include "apps/go/match/match.h"
#include "apps/train/demos.h"

namespace kaya::app {

void demo_go(const TourOptions& o, Report& report) {
    std::printf("\n== Go: self-play data and feature planes ==\n");
    const std::string gnugo = "/usr/games/gnugo";
    if (!std::filesystem::exists(gnugo)) {
        report.add_section(
            "13", "Go",
            "<p>GNU Go is not installed (Debian package gnugo; scripts/setup.sh installs it).</p>");
        return;
    }
    const int games = o.full ? 40 : 8;
    const std::string dir = o.out_dir + "/runs/go_selfplay";
    std::printf("  %d games of GNU Go against itself on 9x9\n", games);
    std::fflush(stdout);
    go::MatchOptions m{.engine_a = gnugo + " --mode gtp --level 1",
                       .engine_b = gnugo + " --mode gtp --level 1",
                       .referee = gnugo + " --mode gtp",
                       .games = games,
                       .size = 9,
                       .komi = 7.5,
                       .out_dir = dir,
                       .verbose = false};
    auto t0 = std::chrono::steady_clock::now();
    go::MatchResult match = go::play_match(m);
    const double play_secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto collection = go::load_games(dir);
    auto records = std::make_shared<std::vector<go::GameRecord>>(collection.games);
    go::GameSplit split = go::split_games(records->size(), 0.125, 0.125, 0);
    go::GoPositions train(records, split.train), val(records, split.val), test(records, split.test);
    // Feature speed on these positions, one thread.
    std::vector<float> planes(go::kNumFeaturePlanes * 81);
    auto t1 = std::chrono::steady_clock::now();
    int64_t made = 0;
    for (const auto& r : *records) {
        for (size_t k = 0; k < r.moves.size(); ++k) {
            go::Board b = r.position(k);
            go::extract_features(b, r.moves[k].color, planes.data());
            ++made;
        }
    }
    const double feat_secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
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
        static_cast<double>(made) / feat_secs,
        [&] {
            int black = 0;
            for (const auto& g : match.games) black += g.result[0] == 'B';
            return black;
        }(),
        games);
    html += buf;
    if (!records->empty()) {
        const auto& first = records->front();
        go::Board end = first.position();
        html += "<p>The final position of game 1 (" + Report::escape(first.result) + "):</p><pre>" +
                Report::escape(end.to_text()) + "</pre>";
    }
    html +=
        "<p>Not yet: the policy network (it needs Conv2d), its training on the 9-dan games of "
        "<code>../shared/data/go</code>, and <code>kaya go gtp --weights</code>.</p>";
    report.add_section("13", "Go: rules, SGF, self-play data, feature planes", html);
}

}  // namespace kaya::app
