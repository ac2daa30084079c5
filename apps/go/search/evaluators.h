// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>

#include "apps/go/policy/policy.h"
#include "apps/go/search/search.h"

namespace kaya::go {

// The result of one random playout from `board` with `to_move` to play, for that side: both
// sides play uniformly random legal moves that fill none of their own eyes (simple ko; no
// superko, as playouts usually go) until both pass or 3 x points moves have been made; the end
// position is scored by area with every stone alive (a finished playout has captured its dead
// stones). +1 win, -1 loss, 0 draw. `seed` picks the moves.
float playout_value(const Board& board, Color to_move, double komi, uint64_t seed);

// Uniform priors over the legal moves and the mean of `rollouts` random playouts as the value:
// plain Monte Carlo tree search, needing no network (small boards, tests, a baseline).
// Deterministic: the n-th position evaluated gets the seeds seed + n * rollouts + i.
class RolloutEvaluator : public Evaluator {
public:
    explicit RolloutEvaluator(int rollouts = 1, uint64_t seed = 0);
    std::vector<Evaluation> evaluate(const std::vector<Leaf>& leaves) override;

private:
    int rollouts_;
    uint64_t seed_, evaluated_ = 0;
};

struct NetworkEvaluatorOptions {
    int symmetries = 1;            // Average the net over this many of the board's 8 symmetries.
    bool random_symmetry = false;  // With symmetries = 1: a random one of the 8 for each leaf.
    int rollouts = 1;              // Random playouts for each leaf's value (see below).
    uint64_t seed = 0;             // Seeds the playouts and the random symmetries.
    double score_scale = 20.0;     // An ownership score's value is tanh(score / score_scale).
    // With both heads, the value head's share of the net's value, the ownership score's value
    // having the rest (KataGo values a position by both its win rate and its score). 0: the
    // score alone, as before value heads learned (PolicyNetOptions::value_norm).
    double value_head_weight = 0.0;
};

// The policy network's move probabilities as priors (averaged over `symmetries` of the board's
// 8, or under one random symmetry per leaf as Leela Zero does), the leaves of a batch in one
// forward pass. The net's own value: with an ownership head ownership_value of its ownership
// (averaged over the same symmetries) with `score_scale`, the ownership's sum plus komi being
// the leaf's score too, mixed with the value head's output by `value_head_weight` when the net
// has both; with a value head only, its output (averaged likewise). The value: with
// rollouts = 0 the net's own; with rollouts > 0 the mean of the net's and of `rollouts` random
// playouts (AlphaGo's mixing, lambda = 0.5); for a net with neither head the playouts alone
// (rollouts >= 1). Deterministic as RolloutEvaluator; the n-th leaf's random symmetry is drawn
// from `seed` and n.
class NetworkEvaluator : public Evaluator {
public:
    explicit NetworkEvaluator(std::shared_ptr<PolicyNet> net, NetworkEvaluatorOptions options = {});
    std::vector<Evaluation> evaluate(const std::vector<Leaf>& leaves) override;

private:
    std::shared_ptr<PolicyNet> net_;
    NetworkEvaluatorOptions options_;
    uint64_t evaluated_ = 0;
};

}  // namespace kaya::go
