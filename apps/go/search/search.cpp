// SPDX-License-Identifier: MIT
#include "apps/go/search/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "apps/go/board/score.h"
#include "kaya/core/error.h"

namespace kaya::go {

namespace {
enum : uint8_t { kNew = 0, kPending = 1, kExpanded = 2, kTerminal = 3, kIllegal = 4 };

// The lower confidence bound of a mean value from n results with these sums: the mean less z
// standard errors. The variance is the sample's blended with a prior variance worth two results,
// so that a few equal results do not make a move look certain.
constexpr double kPriorVariance = 0.25, kPriorWeight = 2;
double lower_bound(double sum, double sq_sum, int n, double z) {
    const double mean = sum / n;
    const double deviations = std::max(0.0, sq_sum - sum * mean);
    const double variance = (deviations + kPriorWeight * kPriorVariance) / (n - 1 + kPriorWeight);
    return mean - z * std::sqrt(variance / n);
}
}  // namespace

float final_value(const Board& board, double komi, Color to_move, double* margin) {
    const double m = estimated_score(board, komi).margin();
    const double mine = to_move == Color::Black ? m : -m;
    if (margin != nullptr) *margin = mine;
    return mine > 0 ? 1.0f : mine < 0 ? -1.0f : 0.0f;
}

// One descent: the board and side to move at its end, the nodes from the root, the stone
// hashes after each move on the way (for superko) and the passes the line ends with.
struct Search::Playout {
    Board board;
    Color to_move;
    std::vector<int32_t> path;
    std::vector<uint64_t> hashes;
    int passes = 0;
};

Search::Search(std::shared_ptr<Evaluator> evaluator, SearchOptions options)
    : evaluator_(std::move(evaluator)), options_(options) {
    KAYA_CHECK(evaluator_ != nullptr, ValueError, "Search: no evaluator given");
    KAYA_CHECK(options_.score_utility >= 0 && options_.score_utility_scale > 0, ValueError,
               "Search: score_utility must be at least 0 and score_utility_scale positive, got ",
               options_.score_utility, " and ", options_.score_utility_scale);
    KAYA_CHECK(options_.lcb_z >= 0 && options_.lcb_min_share >= 0 && options_.lcb_min_share <= 1,
               ValueError, "Search: lcb_z must be at least 0 and lcb_min_share in [0, 1], got ",
               options_.lcb_z, " and ", options_.lcb_min_share);
}

void Search::clear() {
    nodes_.clear();
    root_moves_.clear();
    scored_ = false;
}

float Search::centre_for(Color side) const { return side == root_color_ ? centre_ : -centre_; }

float Search::utility(float value, float score, Color side) const {
    if (options_.score_utility <= 0) return value;
    return value + static_cast<float>(options_.score_utility *
                                      std::tanh((score - centre_for(side)) / options_.score_utility_scale));
}

int32_t Search::select_child(const Node& node, Color to_move) const {
    // The parent's worth for the side to move there (its own sums are for the other side).
    const int real = node.visits - node.virtual_loss;
    const float parent_q =
        real > 0 ? utility(-node.value_sum / static_cast<float>(real), -node.score_sum / static_cast<float>(real),
                           to_move)
                 : 0.0f;
    const float fpu = parent_q - static_cast<float>(options_.fpu_reduction);
    const float scale = static_cast<float>(options_.c_puct) * std::sqrt(static_cast<float>(std::max(1, node.visits)));
    int32_t best = -1;
    float best_score = -1e30f;
    for (int32_t i = 0; i < node.num_children; ++i) {
        const int32_t c = node.first_child + i;
        const Node& ch = nodes_[c];
        if (ch.state == kIllegal) continue;
        // Virtual visits count as losses, so playouts of one batch spread out; the score is
        // the mean of the real visits (the centre's while there are none).
        float q = fpu;
        if (ch.visits > 0) {
            const int done = ch.visits - ch.virtual_loss;
            q = utility((ch.value_sum - static_cast<float>(ch.virtual_loss)) / static_cast<float>(ch.visits),
                        done > 0 ? ch.score_sum / static_cast<float>(done) : centre_for(to_move), to_move);
        }
        const float score = q + scale * ch.prior / static_cast<float>(1 + ch.visits);
        if (score > best_score) {
            best_score = score;
            best = c;
        }
    }
    return best;
}

Search::Descent Search::descend(Playout& p) {
    int32_t cur = 0;
    for (;;) {
        Node& node = nodes_[cur];
        if (node.state == kTerminal) return Descent::kTerminal;
        if (node.state == kPending) return Descent::kCollision;
        if (node.state == kNew) return Descent::kEvaluate;
        const int32_t c = select_child(node, p.to_move);
        KAYA_CHECK(c >= 0, ValueError, "Search: a position with no move left, not even a pass");
        const Point move = nodes_[c].move;
        if (move == kPass) {
            p.board.pass(p.to_move);
            ++p.passes;
        } else {
            Board next = p.board;
            next.play(p.to_move, move);
            if (nodes_[c].visits == 0) {
                // Positional superko, checked when a move is first tried: against the game's
                // positions and those of this line.
                const uint64_t h = next.hash();
                if (game_->seen(h) || std::find(p.hashes.begin(), p.hashes.end(), h) != p.hashes.end()) {
                    nodes_[c].state = kIllegal;
                    continue;
                }
            }
            p.hashes.push_back(next.hash());
            p.board = next;
            p.passes = 0;
        }
        p.to_move = opponent(p.to_move);
        p.path.push_back(c);
        cur = c;
        if (nodes_[cur].state == kNew && p.passes >= 2) {
            nodes_[cur].state = kTerminal;
            double margin = 0;
            nodes_[cur].terminal_value = final_value(p.board, game_->komi(), p.to_move, &margin);
            nodes_[cur].terminal_score = static_cast<float>(margin);
        }
    }
}

void Search::backup(const std::vector<int32_t>& path, float value, float score, bool undo_virtual) {
    // value and score are for the side to move at the end of the path; each node's sums are
    // for the side that played its move, the other one.
    float result = -value, margin = -score;
    for (size_t i = path.size(); i-- > 0;) {
        Node& n = nodes_[path[i]];
        if (undo_virtual) {
            n.visits -= 1;
            n.virtual_loss -= 1;
        }
        n.visits += 1;
        n.value_sum += result;
        n.value_sq_sum += result * result;
        n.score_sum += margin;
        result = -result;
        margin = -margin;
    }
}

void Search::expand(int32_t index, const Board& board, Color to_move, const Evaluation& e) {
    const int n = board.size();
    KAYA_CHECK(static_cast<int>(e.priors.size()) == n * n, ValueError, "Search: the evaluator gave ",
               e.priors.size(), " priors for a ", n, "x", n, " board (expected ", n * n, ")");
    std::vector<std::pair<float, Point>> moves;
    double total = 0;
    for (int i = 0; i < n * n; ++i) {
        const Point pt = board.point(i % n, i / n);
        if (!board.is_legal(to_move, pt) || board.is_eye(to_move, pt)) continue;
        const float prior = std::isfinite(e.priors[i]) ? std::max(e.priors[i], 0.0f) : 0.0f;
        moves.emplace_back(prior, pt);
        total += prior;
    }
    // Most probable first, so that ties in selection go to the evaluator's favourite.
    std::stable_sort(moves.begin(), moves.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const float pass = moves.empty() ? 1.0f : options_.pass_prior;
    const int32_t first = static_cast<int32_t>(nodes_.size());
    for (const auto& [prior, pt] : moves) {
        Node child;
        child.move = static_cast<int16_t>(pt);
        child.prior = (1.0f - pass) *
                      (total > 0 ? static_cast<float>(prior / total) : 1.0f / static_cast<float>(moves.size()));
        nodes_.push_back(child);
    }
    Node pass_child;
    pass_child.move = kPass;
    pass_child.prior = pass;
    nodes_.push_back(pass_child);
    Node& node = nodes_[index];
    node.first_child = first;
    node.num_children = static_cast<int16_t>(moves.size() + 1);
    node.state = kExpanded;
}

bool Search::reuse(const Game& game, Color color) {
    if (nodes_.empty() || game.size() != root_board_.size() || game.komi() != root_komi_) return false;
    const auto& moves = game.moves();
    if (moves.size() < root_moves_.size()) return false;
    for (size_t k = 0; k < root_moves_.size(); ++k) {
        if (moves[k].color != root_moves_[k].color || moves[k].point != root_moves_[k].point) return false;
    }
    // Follow the moves played since through the tree, and check that they lead to the game's
    // position (a new game with the same moves but other setup stones does not).
    Board board = root_board_;
    Color side = root_color_;
    int32_t cur = 0;
    for (size_t k = root_moves_.size(); k < moves.size(); ++k) {
        const Move& m = moves[k];
        if (m.color != side || nodes_[cur].state != kExpanded) return false;
        int32_t next = -1;
        for (int32_t i = 0; i < nodes_[cur].num_children; ++i) {
            const Node& ch = nodes_[nodes_[cur].first_child + i];
            if (ch.move == m.point && ch.state != kIllegal) next = nodes_[cur].first_child + i;
        }
        if (next < 0) return false;
        if (m.point == kPass) {
            board.pass(side);
        } else {
            if (!board.is_legal(side, m.point)) return false;
            board.play(side, m.point);
        }
        cur = next;
        side = opponent(side);
    }
    if (side != color || board.hash() != game.board().hash() || board.ko_point() != game.board().ko_point())
        return false;
    if (cur != 0) reroot(cur);
    return true;
}

void Search::reroot(int32_t child) {
    // Copies the subtree under `child` to a new arena, breadth first; the rest is dropped.
    std::vector<Node> out;
    out.reserve(nodes_.size());
    out.push_back(nodes_[child]);
    for (size_t i = 0; i < out.size(); ++i) {
        const int32_t old = out[i].first_child;
        if (old < 0) continue;
        out[i].first_child = static_cast<int32_t>(out.size());
        for (int32_t j = 0; j < out[i].num_children; ++j) out.push_back(nodes_[old + j]);
    }
    nodes_ = std::move(out);
}

void Search::summarize(SearchResult& result) const {
    const Node& root = nodes_[0];
    result.visits = root.visits;
    const bool lcb = options_.lcb_z > 0;
    for (int32_t i = 0; i < root.num_children; ++i) {
        const Node& ch = nodes_[root.first_child + i];
        if (ch.state == kIllegal) continue;
        const double q = ch.visits > 0 ? ch.value_sum / ch.visits : 0.0;
        const double score = scored_ && ch.visits > 0 ? ch.score_sum / ch.visits : std::nan("");
        const double bound = lcb && ch.visits >= 2 ? lower_bound(ch.value_sum, ch.value_sq_sum,
                                                                 ch.visits, options_.lcb_z)
                                                   : std::nan("");
        result.children.push_back(
            {ch.move, ch.visits, (q + 1) / 2, ch.prior, score, (bound + 1) / 2});
    }
    // Most visits first; among equals the better value, then the higher prior.
    std::stable_sort(result.children.begin(), result.children.end(), [](const auto& a, const auto& b) {
        if (a.visits != b.visits) return a.visits > b.visits;
        if (a.win_rate != b.win_rate) return a.win_rate > b.win_rate;
        return a.prior > b.prior;
    });
    if (result.children.empty()) return;
    // The most visited move, or with lcb_z the best bound among the moves visited enough (the
    // most visited one on a tie).
    const SearchResult::Child* chosen = &result.children.front();
    const double enough = std::max(2.0, options_.lcb_min_share * chosen->visits);
    for (const SearchResult::Child& c : result.children) {
        if (lcb && c.visits >= enough && std::isfinite(c.lcb) && c.lcb > chosen->lcb) chosen = &c;
    }
    result.move = chosen->move;
    result.win_rate = chosen->win_rate;
    result.score = chosen->score;
}

void Search::evaluate(const std::vector<Playout>& batch, double komi) {
    std::vector<Leaf> leaves;
    for (const Playout& p : batch) leaves.push_back(Leaf{&p.board, p.to_move, komi});
    const std::vector<Evaluation> evals = evaluator_->evaluate(leaves);
    KAYA_CHECK(evals.size() == batch.size(), ValueError, "Search: the evaluator answered ", evals.size(), " of ",
               batch.size(), " positions");
    for (size_t i = 0; i < batch.size(); ++i) {
        const float v = evals[i].value, score = evals[i].score;
        KAYA_CHECK(std::isfinite(v), ValueError, "Search: the evaluator gave the value ", v,
                   " (expected a number in [-1, 1])");
        KAYA_CHECK(std::isfinite(score) || (std::isnan(score) && options_.score_utility <= 0), ValueError,
                   "Search: the evaluator gave the score ", score,
                   options_.score_utility > 0 ? " (score_utility needs a finite score for every leaf)"
                                              : " (expected a finite number or NaN)");
        if (std::isfinite(score)) scored_ = true;
        expand(batch[i].path.back(), batch[i].board, batch[i].to_move, evals[i]);
        backup(batch[i].path, std::clamp(v, -1.0f, 1.0f), std::isfinite(score) ? score : 0.0f, true);
    }
}

SearchResult Search::run(const Game& game, Color color) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    game_ = &game;
    const int n = game.size();
    if (!(options_.reuse_tree && reuse(game, color))) {
        nodes_.assign(1, Node{});
        nodes_[0].prior = 1;
        scored_ = false;
    }
    if (nodes_[0].state == kTerminal) nodes_[0].state = kNew;  // A root is never over: search it.
    root_moves_ = game.moves();
    root_board_ = game.board();
    root_komi_ = game.komi();
    root_color_ = color;
    // The score utility's centre: the root's mean score (for `color`), once it has a visit.
    auto centre = [&] {
        centred_ = nodes_[0].visits > 0;
        centre_ = centred_ ? -nodes_[0].score_sum / static_cast<float>(nodes_[0].visits) : 0.0f;
    };
    centre();

    SearchResult result;
    result.reused = nodes_[0].visits;
    const int batch_size = std::max(1, options_.batch);
    std::vector<Playout> batch;
    int playouts = 0;
    // The longest batch so far: a batch that would end past the time limit is not started.
    double longest_batch = 0;
    while (playouts < std::max(1, options_.playouts)) {
        const double batch_start = elapsed();
        if (playouts > 0 && options_.seconds > 0 && batch_start + longest_batch >= options_.seconds) break;
        if (static_cast<int64_t>(nodes_.size()) + static_cast<int64_t>(batch_size) * (n * n + 1) > options_.max_nodes)
            break;
        batch.clear();
        const int want = std::min(batch_size, std::max(1, options_.playouts) - playouts);
        int terminal = 0;
        for (int attempt = 0; attempt < 2 * want && static_cast<int>(batch.size()) + terminal < want; ++attempt) {
            Playout p{game.board(), color, {0}, {}, game.trailing_passes()};
            const Descent d = descend(p);
            if (d == Descent::kEvaluate) {
                // A leaf to evaluate: virtual loss on its path until its value comes back.
                for (int32_t i : p.path) {
                    nodes_[i].visits += 1;
                    nodes_[i].virtual_loss += 1;
                }
                nodes_[p.path.back()].state = kPending;
                batch.push_back(std::move(p));
            } else if (d == Descent::kTerminal) {
                const Node& end = nodes_[p.path.back()];
                backup(p.path, end.terminal_value, end.terminal_score, false);
                ++terminal;
            }
            // Otherwise the line ran into a leaf already in this batch: try again.
        }
        playouts += terminal;
        if (batch.empty()) {
            if (terminal == 0) break;  // Nothing left to explore.
            continue;
        }
        evaluate(batch, game.komi());
        longest_batch = std::max(longest_batch, elapsed() - batch_start);
        if (!centred_) centre();
        playouts += static_cast<int>(batch.size());
        result.evaluations += static_cast<int>(batch.size());
    }

    summarize(result);
    result.seconds = elapsed();
    game_ = nullptr;
    return result;
}

}  // namespace kaya::go
