// SPDX-License-Identifier: MIT
#include "apps/go/search/search_player.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/go/board/coords.h"
#include "apps/go/board/score.h"
#include "kaya/core/error.h"

namespace kaya::go {

namespace {
int side_index(Color c) { return c == Color::Black ? 0 : 1; }
// Kept back from every move's share of the clock: the controller's and the pipe's delays.
constexpr double kSafetySeconds = 0.2;
}  // namespace

SearchPlayer::SearchPlayer(std::shared_ptr<Evaluator> evaluator, SearchPlayerOptions options)
    : search_(std::move(evaluator), options.search), options_(options) {
    KAYA_CHECK(options_.search.playouts >= 1, ValueError, "SearchPlayer: playouts must be at least 1, got ",
               options_.search.playouts);
}

void SearchPlayer::time_settings(double main_time, double byo_yomi_time, int byo_yomi_stones) {
    // GTP: byo-yomi time 0 with stones 0 means no time limit.
    timed_ = !(byo_yomi_time > 0 && byo_yomi_stones == 0) && (main_time > 0 || byo_yomi_stones > 0);
    main_ = main_time;
    byo_ = byo_yomi_time;
    byo_stones_ = byo_yomi_stones;
    told_[0] = told_[1] = false;
}

void SearchPlayer::time_left(Color color, double seconds, int stones) {
    const int i = side_index(color);
    left_[i] = seconds;
    stones_left_[i] = stones;
    told_[i] = true;
}

double SearchPlayer::move_budget(const Game& game, Color color) const {
    const double cap = options_.search.seconds;
    if (!timed_) return cap;
    const int i = side_index(color);
    double budget;
    if (told_[i] && stones_left_[i] > 0) {
        // In byo-yomi: the period's time over the stones still to play in it.
        budget = left_[i] / stones_left_[i];
    } else {
        const double left = told_[i] ? left_[i] : main_;
        const double points = static_cast<double>(game.size()) * game.size();
        // Moves this side still expects to make: half of what is left of a game of about 0.8 x
        // points moves, and never fewer than 20; the byo-yomi period follows the main time.
        const double expected = std::max(20.0, (0.8 * points - static_cast<double>(game.moves().size())) / 2);
        budget = left / expected + (byo_stones_ > 0 ? byo_ / byo_stones_ : 0.0);
    }
    budget = std::max(0.05, budget - kSafetySeconds);
    return cap > 0 ? std::min(cap, budget) : budget;
}

std::string search_summary(const Board& board, const SearchResult& r, int top) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s: %d visits (%d reused), %d evaluations in %.2f s, win rate %.1f%%;",
                  point_to_gtp(board, r.move).c_str(), r.visits, r.reused, r.evaluations, r.seconds,
                  100 * r.win_rate);
    std::string line = buf;
    if (std::isfinite(r.score)) {
        // Without the ';': the moves' list starts after it.
        line.pop_back();
        std::snprintf(buf, sizeof buf, ", score %+.1f;", r.score);
        line += buf;
    }
    for (size_t i = 0; i < r.children.size() && static_cast<int>(i) < top; ++i) {
        const SearchResult::Child& c = r.children[i];
        std::snprintf(buf, sizeof buf, " %s %d %.1f%% (prior %.1f%%)", point_to_gtp(board, c.move).c_str(),
                      c.visits, 100 * c.win_rate, 100 * c.prior);
        line += buf;
    }
    return line;
}

Point SearchPlayer::choose(const Game& game, Color color) {
    const auto& moves = game.moves();
    const bool opponent_passed = !moves.empty() && moves.back().point == kPass;
    if (opponent_passed) {
        const double m = estimated_score(game.board(), game.komi()).margin();
        if ((color == Color::Black ? m : -m) > 0) return kPass;
    }
    SearchOptions o = options_.search;
    o.seconds = move_budget(game, color);
    search_.set_options(o);
    last_ = search_.run(game, color);
    if (options_.log) std::fprintf(stderr, "%s\n", search_summary(game.board(), last_).c_str());
    const double points = static_cast<double>(game.size()) * game.size();
    if (options_.resign_win_rate > 0 && last_.win_rate < options_.resign_win_rate &&
        last_.visits >= options_.resign_visits && static_cast<double>(moves.size()) >= options_.resign_after * points) {
        return kResign;
    }
    return last_.move;
}

}  // namespace kaya::go
