// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "apps/go/board/game.h"

namespace kaya::go {

// A position the search asks about: the board and the side to move.
struct Leaf {
    const Board* board = nullptr;
    Color to_move = Color::Black;
    double komi = 7.5;
};

// What an evaluator says of a position: a prior probability for each of the board's points
// (index y * size + x; the search keeps only legal moves that fill no own eye, and renormalises)
// and the value, the expected result for the side to move in [-1, 1] (1: a sure win). An
// evaluator that estimates the final area margin for the side to move, in points, gives it as
// the score (NaN: no estimate).
struct Evaluation {
    std::vector<float> priors;
    float value = 0;
    float score = std::nanf("");
};

// The search's view of a network or any other judge of positions: evaluations of several
// leaves at once, in order, so that a network runs them as one batch.
class Evaluator {
public:
    virtual ~Evaluator() = default;
    virtual std::vector<Evaluation> evaluate(const std::vector<Leaf>& leaves) = 0;
};

struct SearchOptions {
    int playouts = 800;           // Leaf evaluations per move (a reused subtree adds its visits).
    double seconds = 0;           // Stop within this long (no batch is started that the longest
                                  // so far would carry past it); 0: no time limit (one batch at least).
    double c_puct = 1.5;          // Exploration weight of PUCT (AlphaGo Zero's selection rule).
    double fpu_reduction = 0.25;  // An unvisited move's value: its parent's minus this (Leela Zero).
    int batch = 8;                // Leaves evaluated together, kept apart by virtual loss.
    float pass_prior = 0.01f;     // Prior of passing (the networks have no pass output).
    bool reuse_tree = true;       // Keep the subtree of the moves played since the last search.
    int64_t max_nodes = 4'000'000;  // Nodes kept at most; the search stops early when full.
    // KataGo's dynamic score utility: a move's worth for selection is its mean value plus
    // score_utility x tanh((its mean score - centre) / score_utility_scale), the centre being
    // the root's mean score when the search starts (for the side to move). It keeps moves
    // apart when the value saturates in a game already won or lost. 0: values only; above 0
    // the evaluator must give scores. Win rates (and resignation) stay the values alone.
    double score_utility = 0;
    double score_utility_scale = 10;
    // The final choice by a lower confidence bound (Leela Zero, KataGo): among the root's moves
    // with at least lcb_min_share of the most visited one's visits, the one whose mean value less
    // lcb_z standard errors is highest. 0: the most visited move.
    double lcb_z = 0;
    double lcb_min_share = 0.15;
};

struct SearchResult {
    Point move = kPass;
    double win_rate = 0.5;  // The chosen move's value for the side to move, as a probability.
    double score = std::nan("");  // Its mean score for the side to move (NaN: no scores).
    int visits = 0;         // The root's visits, reused ones included.
    int evaluations = 0;    // Leaf evaluations made by this search.
    int reused = 0;         // Visits the root had from the previous search.
    double seconds = 0;
    // The root's moves with their visits and win rates, most visited first.
    struct Child {
        Point move;
        int visits;
        double win_rate;
        float prior;
        double score;  // NaN without scores.
        double lcb;    // The win rate's lower confidence bound (NaN: too few visits, or lcb_z 0).
    };
    std::vector<Child> children;
};

// Monte Carlo tree search with the evaluator's priors and values (PUCT, as AlphaGo Zero, Leela
// Zero and KataGo): each playout descends by the highest Q + c_puct * P * sqrt(N) / (1 + n),
// evaluates the leaf it reaches and backs its value up the path. Leaves are gathered in batches
// under virtual loss. Positional superko is checked against the game's history and the path;
// two passes in a row end a line, scored by area with dead stones estimated (score.h).
// Deterministic for a given evaluator when limited by playouts (a time limit depends on speed).
class Search {
public:
    explicit Search(std::shared_ptr<Evaluator> evaluator, SearchOptions options = {});

    // Searches the position of `game` for `color` to move. With reuse_tree on, a search from a
    // position reached by moves from the previous one keeps that subtree.
    SearchResult run(const Game& game, Color color);

    const SearchOptions& options() const { return options_; }
    void set_options(const SearchOptions& o) { options_ = o; }
    // Forgets the tree (a new game, or a position set up by other means).
    void clear();

private:
    struct Node {
        float prior = 0;
        float value_sum = 0;   // Results for the side that played `move`, one per visit.
        float score_sum = 0;   // Scores for that side, one per visit (0 without scores).
        float value_sq_sum = 0;  // The squares of the results (for the lower confidence bound).
        int32_t visits = 0;    // Including virtual visits of playouts in flight.
        int32_t first_child = -1;
        int16_t move = kPass;
        int16_t num_children = 0;
        int16_t virtual_loss = 0;
        uint8_t state = 0;     // kNew, kPending, kExpanded, kTerminal, kIllegal
        float terminal_value = 0;  // For kTerminal: the result for the side to move there,
        float terminal_score = 0;  // and its area margin.
    };
    struct Playout;

    // What one descent from the root ended with: a new leaf to evaluate (virtual loss not yet
    // applied), a finished line, or a leaf another playout of this batch is evaluating.
    enum class Descent { kEvaluate, kTerminal, kCollision };
    Descent descend(Playout& p);
    int32_t select_child(const Node& node, Color to_move) const;
    // The worth for selection of a node's mean value and score (for the side that played it,
    // `side`): the value, plus the centred score utility when it is on.
    float utility(float value, float score, Color side) const;
    // The score utility's centre for `side` (the root's side to move, or the other one).
    float centre_for(Color side) const;
    void expand(int32_t node, const Board& board, Color to_move, const Evaluation& e);
    void backup(const std::vector<int32_t>& path, float value, float score, bool real);
    // Evaluates the leaves the playouts of `batch` reached, expands them and backs their
    // values and scores up, undoing the virtual loss.
    void evaluate(const std::vector<Playout>& batch, double komi);
    bool reuse(const Game& game, Color color);
    void reroot(int32_t child);
    // The root's children, the chosen move and its win rate, into result.
    void summarize(SearchResult& result) const;

    std::shared_ptr<Evaluator> evaluator_;
    SearchOptions options_;
    std::vector<Node> nodes_;
    // The root's position: the game's moves up to it, its board and komi.
    std::vector<Move> root_moves_;
    Board root_board_;
    double root_komi_ = 0;
    Color root_color_ = Color::Black;
    // The score utility's centre for the root's side to move; set once the root has a visit.
    float centre_ = 0;
    bool centred_ = false;
    bool scored_ = false;  // The tree's evaluations came with scores.
    const Game* game_ = nullptr;  // During run: the game whose history superko checks.
};

// The result of a finished line (two passes) for `to_move`: area score with dead stones
// estimated, +1 win, -1 loss, 0 draw; with `margin`, that score for `to_move` too.
float final_value(const Board& board, double komi, Color to_move, double* margin = nullptr);

}  // namespace kaya::go
