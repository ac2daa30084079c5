// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "apps/go/gtp/gtp.h"
#include "apps/go/search/search.h"

namespace kaya::go {

struct SearchPlayerOptions {
    SearchOptions search;
    // Resign when the chosen move's win rate is below this (0 never), once `resign_after` of
    // the board's points have been played and the root has at least `resign_visits` visits.
    double resign_win_rate = 0.05;
    double resign_after = 0.3;
    int resign_visits = 200;
    // After each search, one line on stderr (as Leela Zero prints): the move, visits, time,
    // win rate and the most visited moves with their visits, win rates and priors.
    bool log = false;
};

// That line for `result` of a search on `board`.
std::string search_summary(const Board& board, const SearchResult& result, int top = 5);

// Plays the most visited move of a Monte Carlo tree search (search.h). Keeps the tree between
// moves. Passes at once when the opponent has just passed and the area count with estimated
// dead stones (score.h) already wins, as the policy player does; otherwise passes only when
// the search prefers it. Time: with GTP's time_settings and time_left it spends a share of the
// time left (main time over the moves still expected, or the byo-yomi period over its stones),
// never more than the search's own `seconds` when that is set.
class SearchPlayer : public Player {
public:
    SearchPlayer(std::shared_ptr<Evaluator> evaluator, SearchPlayerOptions options = {});
    Point choose(const Game& game, Color color) override;
    void time_settings(double main_time, double byo_yomi_time, int byo_yomi_stones) override;
    void time_left(Color color, double seconds, int stones) override;

    // The seconds the next move of `color` may take in `game` (0: no limit but the playouts).
    double move_budget(const Game& game, Color color) const;
    const SearchResult& last_result() const { return last_; }

private:
    Search search_;
    SearchPlayerOptions options_;
    SearchResult last_;
    // GTP's clock: main time, byo-yomi period and stones; time left and stones per colour.
    bool timed_ = false;
    double main_ = 0, byo_ = 0;
    int byo_stones_ = 0;
    double left_[2] = {0, 0};
    int stones_left_[2] = {0, 0};
    bool told_[2] = {false, false};
};

}  // namespace kaya::go
