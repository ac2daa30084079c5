// SPDX-License-Identifier: MIT
#include "apps/go/data/positions.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "apps/go/board/score.h"
#include "apps/go/features/features.h"
#include "kaya/core/error.h"
#include "kaya/core/parallel.h"
#include "kaya/ops/ops.h"

namespace kaya::go {

GameSplit split_games(size_t n, double val_fraction, double test_fraction, uint64_t seed) {
    KAYA_CHECK(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction < 1,
               ValueError, "split_games: fractions must be >= 0 and sum below 1, got ",
               val_fraction, " and ", test_fraction);
    Generator gen(seed);
    const std::vector<int64_t> perm = to_vector<int64_t>(randperm(static_cast<int64_t>(n), &gen));
    const std::vector<size_t> order(perm.begin(), perm.end());
    const size_t nv = static_cast<size_t>(std::llround(val_fraction * static_cast<double>(n)));
    const size_t nt = static_cast<size_t>(std::llround(test_fraction * static_cast<double>(n)));
    GameSplit s;
    s.test.assign(order.begin(), order.begin() + static_cast<long>(nt));
    s.val.assign(order.begin() + static_cast<long>(nt), order.begin() + static_cast<long>(nt + nv));
    s.train.assign(order.begin() + static_cast<long>(nt + nv), order.end());
    for (auto* v : {&s.train, &s.val, &s.test}) std::sort(v->begin(), v->end());
    return s;
}

float game_outcome(const GameRecord& record, Color side) {
    const std::string& re = record.result;
    if (re.size() < 2 || re[1] != '+' || (re[0] != 'B' && re[0] != 'W')) return 0;
    const std::string how = re.substr(2);
    if (!how.empty() && (how[0] == 'T' || how[0] == 't' || how[0] == 'F' || how[0] == 'f')) return 0;
    const Color winner = re[0] == 'B' ? Color::Black : Color::White;
    return winner == side ? 1.0f : -1.0f;
}

namespace {

// Each point's owner (Point -> Color) as 1 Black, -1 White, 0 neutral, in y * n + x order.
std::vector<int8_t> owner_grid(const Board& b, const std::vector<Color>& owner) {
    const int n = b.size();
    std::vector<int8_t> out(static_cast<size_t>(n) * n, 0);
    for (Point p : b.points())
        out[static_cast<size_t>(b.y_of(p) * n + b.x_of(p))] =
            owner[p] == Color::Black ? 1 : owner[p] == Color::White ? -1 : 0;
    return out;
}

// The final owners from the record's territory marks: a marked point is its side's, a stone
// marked DD nobody's, an unmarked stone its colour's (alive), an unmarked empty point neutral.
std::vector<Color> marked_owners(const GameRecord& record, const Board& b) {
    std::vector<Color> owner(Board::kMaxPoints, Color::Off);
    for (Point p : b.points()) owner[p] = b.at(p);
    for (Point p : record.territory_black) owner[p] = Color::Black;
    for (Point p : record.territory_white) owner[p] = Color::White;
    for (Point p : record.neutral_dead) owner[p] = Color::Empty;
    return owner;
}

}  // namespace

std::vector<int8_t> final_ownership(const GameRecord& record) {
    const std::string& re = record.result;
    const bool counted = re.size() >= 3 && re[1] == '+' && (re[0] == 'B' || re[0] == 'W') &&
                         (std::isdigit(static_cast<unsigned char>(re[2])) != 0);
    const bool marked =
        !record.territory_black.empty() || !record.territory_white.empty() || !record.neutral_dead.empty();
    if (!counted && !(marked && re == "0")) return {};
    const Board b = record.position();
    if (marked) return owner_grid(b, marked_owners(record, b));
    const double margin = estimated_score(b, record.komi).margin();
    if ((margin > 0) != (re[0] == 'B') || margin == 0) return {};
    return owner_grid(b, estimated_owners(b));
}

GoPositions::GoPositions(std::shared_ptr<const std::vector<GameRecord>> games,
                         const std::vector<size_t>& ids, PositionOptions options)
    : games_(std::move(games)), options_(options) {
    KAYA_CHECK(!options_.ownership || options_.outcome, ValueError,
               "GoPositions: ownership targets need outcome = true (their tensors follow the outcome's)");
    bool first = true;
    std::vector<size_t> used;
    for (size_t g : ids) {
        KAYA_CHECK(g < games_->size(), IndexError, "GoPositions: game ", g, " of ", games_->size());
        const GameRecord& r = (*games_)[g];
        if (options_.skip_setup && (!r.setup.empty() || r.handicap > 0)) continue;
        if (first) {
            size_ = r.size;
            first = false;
        }
        KAYA_CHECK(r.size == size_, ValueError, "GoPositions: games of sizes ", size_, " and ",
                   r.size, " cannot share a dataset");
        ++games_used_;
        used.push_back(g);
        for (size_t m = 0; m < r.moves.size(); ++m) {
            if (r.moves[m].point != kPass)
                index_.push_back({static_cast<uint32_t>(g), static_cast<uint32_t>(m)});
        }
    }
    if (options_.ownership) {
        owners_.resize(games_->size());
        // A replay and an estimate per game, tens of microseconds: one game per task.
        parallel_for(static_cast<int64_t>(used.size()), 1, [&](int64_t b, int64_t e) {
            for (int64_t k = b; k < e; ++k) {
                const size_t g = used[static_cast<size_t>(k)];
                owners_[g] = final_ownership((*games_)[g]);
            }
        });
    }
}

void GoPositions::fill(int64_t i, const Rows& rows) const {
    const auto [g, m] = index_[static_cast<size_t>(i)];
    const GameRecord& r = (*games_)[g];
    const Board b = r.position(m);  // The position before move m.
    const Move& move = r.moves[m];
    // A counter-based draw: the same (seed, epoch, index) always gives the same symmetry.
    const Generator draw(Generator::mix(options_.seed) + static_cast<uint64_t>(epoch_));
    const int sym =
        options_.augment ? static_cast<int>(draw.bits(static_cast<uint64_t>(i)) % 8) : 0;
    const int area = size_ * size_;
    if (sym == 0) {
        extract_features(b, move.color, rows.planes);
    } else {
        std::vector<float> tmp(static_cast<size_t>(kNumFeaturePlanes) * area);
        extract_features(b, move.color, tmp.data());
        symmetric_planes(sym, size_, kNumFeaturePlanes, tmp.data(), rows.planes);
    }
    const Point p = symmetric_point(b, move.point, sym);
    *rows.target = r.moves_are_targets ? b.y_of(p) * size_ + b.x_of(p) : kNoMoveTarget;
    if (rows.outcome) *rows.outcome = game_outcome(r, move.color);
    if (rows.ownership) {
        const std::vector<int8_t>& own = owners_[g];
        *rows.mask = own.empty() ? 0.0f : 1.0f;
        *rows.komi = static_cast<float>(move.color == Color::White ? r.komi : -r.komi);
        std::vector<float> mine(static_cast<size_t>(area), 0.0f);
        const float side = move.color == Color::Black ? 1.0f : -1.0f;
        for (size_t k = 0; k < own.size(); ++k) mine[k] = side * own[k];
        if (sym == 0) {
            std::copy(mine.begin(), mine.end(), rows.ownership);
        } else {
            symmetric_planes(sym, size_, 1, mine.data(), rows.ownership);
        }
    }
}

int GoPositions::game_quarter(int64_t i) const {
    KAYA_CHECK(i >= 0 && i < size(), IndexError, "GoPositions: index ", i, " out of range for ", size(),
               " positions");
    const auto [g, m] = index_[static_cast<size_t>(i)];
    return static_cast<int>(std::min<size_t>(3, 4 * size_t{m} / (*games_)[g].moves.size()));
}

size_t GoPositions::game_of(int64_t i) const {
    KAYA_CHECK(i >= 0 && i < size(), IndexError, "GoPositions: index ", i, " out of range for ", size(),
               " positions");
    return index_[static_cast<size_t>(i)].first;
}

data::Example GoPositions::get(int64_t i) const { return make({i}, false); }

data::Example GoPositions::get_batch(const std::vector<int64_t>& indices) const { return make(indices, true); }

data::Example GoPositions::make(const std::vector<int64_t>& indices, bool batched) const {
    const int64_t n = static_cast<int64_t>(indices.size()), area = int64_t{size_} * size_;
    for (int64_t i : indices) {
        KAYA_CHECK(i >= 0 && i < size(), IndexError, "GoPositions: index ", i, " out of range for ",
                   size(), " positions");
    }
    // A single example's tensors have no batch dimension.
    auto shape = [&](std::vector<int64_t> s) {
        if (batched) s.insert(s.begin(), n);
        return Shape(s.begin(), s.end());
    };
    data::Example ex{Tensor::empty(shape({kNumFeaturePlanes, size_, size_}), DType::Float32),
                     Tensor::empty(shape({}), DType::Int64)};
    if (options_.outcome) ex.push_back(Tensor::empty(shape({}), DType::Float32));
    if (options_.ownership) {
        ex.push_back(Tensor::empty(shape({area}), DType::Float32));
        ex.push_back(Tensor::empty(shape({}), DType::Float32));
        ex.push_back(Tensor::empty(shape({}), DType::Float32));
    }
    auto column = [&](size_t t, int64_t k, int64_t width) {
        return ex.size() > t ? ex[t].data<float>() + k * width : nullptr;
    };
    const int64_t stride = static_cast<int64_t>(kNumFeaturePlanes) * area;
    // One position costs tens of microseconds (replay + features): one per task.
    parallel_for(n, 1, [&](int64_t b, int64_t e) {
        for (int64_t k = b; k < e; ++k) {
            fill(indices[static_cast<size_t>(k)],
                 Rows{ex[kPlanesTensor].data<float>() + k * stride, ex[kMoveTensor].data<int64_t>() + k,
                      column(kOutcomeTensor, k, 1), column(kOwnershipTensor, k, area),
                      column(kOwnershipMaskTensor, k, 1), column(kKomiTensor, k, 1)});
        }
    });
    return ex;
}

}  // namespace kaya::go
