// SPDX-License-Identifier: MIT
#include "apps/go/search/evaluators.h"

#include <cmath>
#include <vector>

#include "apps/go/board/score.h"
#include "apps/go/features/features.h"
#include "kaya/core/error.h"
#include "kaya/core/parallel.h"
#include "kaya/core/random.h"
#include "kaya/ops/ops.h"

namespace kaya::go {

namespace {

// The empty points of `board`, and where each sits in that list (for removal in O(1)).
struct Empties {
    std::vector<Point> points;
    std::vector<int> where;

    explicit Empties(const Board& board) : where(Board::kMaxPoints, -1) { reset(board); }
    // The board's empty points again, in board order as a new list, in the same storage.
    // Without branches: whether a point is empty is a coin toss late in a playout, and the
    // mispredicted branch was a quarter of the playout's time.
    void reset(const Board& board) {
        const std::vector<Point>& all = board.points();
        points.resize(all.size());
        int n = 0;
        for (Point p : all) {
            const int empty = static_cast<int>(board.at(p) == Color::Empty);  // 0 or 1
            points[static_cast<size_t>(n)] = p;
            where[p] = (n + 1) * empty - 1;  // n when empty, else -1
            n += empty;
        }
        points.resize(static_cast<size_t>(n));
    }
    void add(Point p) {
        where[p] = static_cast<int>(points.size());
        points.push_back(p);
    }
    void remove(Point p) {
        const int i = where[p];
        points[i] = points.back();
        where[points[i]] = i;
        points.pop_back();
        where[p] = -1;
    }
};

// Mean of `rollouts` playouts, with seeds first, first + 1, ...
float mean_playouts(const Board& board, Color to_move, double komi, int rollouts, uint64_t first) {
    double sum = 0;
    for (int i = 0; i < rollouts; ++i) sum += playout_value(board, to_move, komi, first + static_cast<uint64_t>(i));
    return static_cast<float>(sum / rollouts);
}

// The mean playout values of a batch of leaves, shared between Kaya's threads: leaf i gets the
// seeds seed + (evaluated + i) * rollouts + j, so the values do not depend on the threads.
std::vector<float> batch_playouts(const std::vector<Leaf>& leaves, int rollouts, uint64_t seed,
                                  uint64_t evaluated) {
    std::vector<float> played(leaves.size());
    parallel_for(static_cast<int64_t>(leaves.size()), 1, [&](int64_t first, int64_t last) {
        for (int64_t i = first; i < last; ++i) {
            const Leaf& leaf = leaves[static_cast<size_t>(i)];
            played[static_cast<size_t>(i)] = mean_playouts(
                *leaf.board, leaf.to_move, leaf.komi, rollouts,
                seed + (evaluated + static_cast<uint64_t>(i)) * static_cast<uint64_t>(rollouts));
        }
    });
    return played;
}

}  // namespace

float playout_value(const Board& start, Color to_move, double komi, uint64_t seed) {
    Board board = start;
    Empties empties(board);
    const Generator gen(seed);
    uint64_t counter = 0;
    const int limit = 3 * board.size() * board.size();
    Color side = to_move;
    int passes = 0;
    for (int m = 0; m < limit && passes < 2; ++m) {
        // From a random start, the first empty point that is legal and no own eye: cheaper than
        // drawing again after each refusal, and close enough to uniform for playouts.
        const int count = static_cast<int>(empties.points.size());
        Point move = kPass;
        if (count > 0) {
            int i = static_cast<int>(gen.bits(counter++) % static_cast<uint64_t>(count));
            for (int k = 0; k < count; ++k, i = i + 1 == count ? 0 : i + 1) {
                const Point p = empties.points[static_cast<size_t>(i)];
                if (board.is_legal(side, p) && !board.is_eye(side, p)) {
                    move = p;
                    break;
                }
            }
        }
        if (move == kPass) {
            board.pass(side);
            ++passes;
        } else {
            const int captured = board.play(side, move);
            passes = 0;
            if (captured > 0) {
                empties.reset(board);
            } else {
                empties.remove(move);
            }
        }
        side = opponent(side);
    }
    const double margin = tromp_taylor(board, komi).margin();
    const double mine = to_move == Color::Black ? margin : -margin;
    return mine > 0 ? 1.0f : mine < 0 ? -1.0f : 0.0f;
}

RolloutEvaluator::RolloutEvaluator(int rollouts, uint64_t seed) : rollouts_(rollouts), seed_(seed) {
    KAYA_CHECK(rollouts >= 1, ValueError, "RolloutEvaluator: rollouts must be at least 1, got ", rollouts);
}

std::vector<Evaluation> RolloutEvaluator::evaluate(const std::vector<Leaf>& leaves) {
    const std::vector<float> played = batch_playouts(leaves, rollouts_, seed_, evaluated_);
    std::vector<Evaluation> out(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
        const int n = leaves[i].board->size();
        out[i].priors.assign(static_cast<size_t>(n) * n, 1.0f);
        out[i].value = played[i];
    }
    evaluated_ += leaves.size();
    return out;
}

NetworkEvaluator::NetworkEvaluator(std::shared_ptr<PolicyNet> net, NetworkEvaluatorOptions options)
    : net_(std::move(net)), options_(options) {
    KAYA_CHECK(net_ != nullptr, ValueError, "NetworkEvaluator: no network given");
    const int symmetries = options_.symmetries;
    KAYA_CHECK(symmetries >= 1 && symmetries <= 8, ValueError, "NetworkEvaluator: symmetries must be 1 to 8, got ",
               symmetries);
    KAYA_CHECK(!options_.random_symmetry || symmetries == 1, ValueError,
               "NetworkEvaluator: random_symmetry picks one symmetry a leaf, so symmetries must be 1, got ",
               symmetries);
    const bool judges = net_->has_value_head() || net_->has_ownership_head();
    KAYA_CHECK(options_.rollouts >= (judges ? 0 : 1), ValueError, "NetworkEvaluator: rollouts must be at least ",
               judges ? "0" : "1 (the network has neither a value nor an ownership head)", ", got ",
               options_.rollouts);
    KAYA_CHECK(options_.score_scale > 0, ValueError, "NetworkEvaluator: score_scale must be positive, got ",
               options_.score_scale);
    const double w = options_.value_head_weight;
    KAYA_CHECK(w >= 0 && w <= 1, ValueError, "NetworkEvaluator: value_head_weight must be in [0, 1], got ", w);
    KAYA_CHECK(w == 0 || (net_->has_value_head() && net_->has_ownership_head()), ValueError,
               "NetworkEvaluator: value_head_weight mixes the value head with the ownership score, and the "
               "network lacks ",
               net_->has_value_head() ? "the ownership head" : "the value head");
}

std::vector<Evaluation> NetworkEvaluator::evaluate(const std::vector<Leaf>& leaves) {
    if (leaves.empty()) return {};
    const int n = net_->options().board, area = n * n;
    const size_t plane = static_cast<size_t>(kNumFeaturePlanes) * area;
    const Generator gen(options_.seed ^ 0x5f3759dfULL);
    // Leaf i is evaluated under symmetry sym[i] (0 unless random_symmetry).
    std::vector<int> sym(leaves.size(), 0);
    std::vector<float> planes(plane * leaves.size()), features(plane);
    for (size_t i = 0; i < leaves.size(); ++i) {
        KAYA_CHECK(leaves[i].board->size() == n, ValueError, "NetworkEvaluator: the network plays on ", n, "x", n,
                   ", the position is ", leaves[i].board->size(), "x", leaves[i].board->size());
        if (options_.random_symmetry) sym[i] = static_cast<int>(gen.bits(evaluated_ + i) % 8);
        float* out = planes.data() + i * plane;
        extract_features(*leaves[i].board, leaves[i].to_move, sym[i] == 0 ? out : features.data());
        if (sym[i] != 0) symmetric_planes(sym[i], n, kNumFeaturePlanes, features.data(), out);
    }
    const int rollouts = options_.rollouts;
    const std::vector<float> played =
        rollouts > 0 ? batch_playouts(leaves, rollouts, options_.seed, evaluated_)
                     : std::vector<float>(leaves.size(), 0.0f);
    std::vector<float> prob, own, head, scores;
    {
        autograd::NoGradGuard no_grad;
        Tensor x = from_vector<float>(planes, {static_cast<int64_t>(leaves.size()), kNumFeaturePlanes, n, n});
        SymmetricOutputs net_out = symmetric_outputs(*net_, x, options_.symmetries);
        prob = to_vector<float>(exp(ensemble_log_probs(net_out.log_probs)));
        if (net_out.ownership.defined()) own = to_vector<float>(net_out.ownership);
        if (net_out.values.defined()) head = to_vector<float>(net_out.values);
    }
    std::vector<Evaluation> out(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
        const Leaf& leaf = leaves[i];
        // The outputs for point (x, y) sit at its image under the leaf's symmetry.
        auto unturn = [&](const float* turned, std::vector<float>& to) {
            to.resize(static_cast<size_t>(area));
            for (int y = 0; y < n; ++y)
                for (int x = 0; x < n; ++x) {
                    int tx = x, ty = y;
                    symmetric_xy(sym[i], n, tx, ty);
                    to[static_cast<size_t>(y * n + x)] = turned[ty * n + tx];
                }
        };
        unturn(prob.data() + i * area, out[i].priors);
        float net_value = head.empty() ? 0.0f : head[i];
        if (!own.empty()) {
            const double komi = leaf.to_move == Color::White ? leaf.komi : -leaf.komi;
            const double score = ownership_score(own.data() + i * area, area, komi);
            out[i].score = static_cast<float>(score);
            const double w = options_.value_head_weight;
            net_value = static_cast<float>((1 - w) * std::tanh(score / options_.score_scale) +
                                           (w > 0 ? w * head[i] : 0.0));
        }
        if (head.empty() && own.empty()) {
            out[i].value = played[i];
        } else {
            out[i].value = rollouts > 0 ? 0.5f * (net_value + played[i]) : net_value;
        }
    }
    evaluated_ += leaves.size();
    return out;
}

}  // namespace kaya::go
