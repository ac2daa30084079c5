// SPDX-License-Identifier: MIT
#include "apps/go/data/positions.h"

#include <algorithm>
#include <cmath>

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

GoPositions::GoPositions(std::shared_ptr<const std::vector<GameRecord>> games,
                         const std::vector<size_t>& ids, PositionOptions options)
    : games_(std::move(games)), options_(options) {
    bool first = true;
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
        for (size_t m = 0; m < r.moves.size(); ++m) {
            if (r.moves[m].point != kPass)
                index_.push_back({static_cast<uint32_t>(g), static_cast<uint32_t>(m)});
        }
    }
}

void GoPositions::fill(int64_t i, float* planes, int64_t* target, float* outcome) const {
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
        extract_features(b, move.color, planes);
    } else {
        std::vector<float> tmp(static_cast<size_t>(kNumFeaturePlanes) * area);
        extract_features(b, move.color, tmp.data());
        symmetric_planes(sym, size_, kNumFeaturePlanes, tmp.data(), planes);
    }
    const Point p = symmetric_point(b, move.point, sym);
    *target = b.y_of(p) * size_ + b.x_of(p);
    if (outcome) *outcome = game_outcome(r, move.color);
}

data::Example GoPositions::get(int64_t i) const {
    KAYA_CHECK(i >= 0 && i < size(), IndexError, "GoPositions: index ", i, " out of range for ",
               size(), " positions");
    Tensor x = Tensor::empty({kNumFeaturePlanes, size_, size_}, DType::Float32);
    Tensor y = Tensor::empty({}, DType::Int64);
    Tensor z = options_.outcome ? Tensor::empty({}, DType::Float32) : Tensor();
    fill(i, x.data<float>(), y.data<int64_t>(), options_.outcome ? z.data<float>() : nullptr);
    if (options_.outcome) return {x, y, z};
    return {x, y};
}

data::Example GoPositions::get_batch(const std::vector<int64_t>& indices) const {
    const int64_t n = static_cast<int64_t>(indices.size());
    for (int64_t i : indices) {
        KAYA_CHECK(i >= 0 && i < size(), IndexError, "GoPositions: index ", i, " out of range for ",
                   size(), " positions");
    }
    Tensor x = Tensor::empty({n, kNumFeaturePlanes, size_, size_}, DType::Float32);
    Tensor y = Tensor::empty({n}, DType::Int64);
    Tensor z = options_.outcome ? Tensor::empty({n}, DType::Float32) : Tensor();
    float* px = x.data<float>();
    int64_t* py = y.data<int64_t>();
    float* pz = options_.outcome ? z.data<float>() : nullptr;
    const int64_t stride = static_cast<int64_t>(kNumFeaturePlanes) * size_ * size_;
    // One position costs tens of microseconds (replay + features): one per task.
    parallel_for(n, 1, [&](int64_t b, int64_t e) {
        for (int64_t k = b; k < e; ++k)
            fill(indices[static_cast<size_t>(k)], px + k * stride, py + k, pz ? pz + k : nullptr);
    });
    if (pz) return {x, y, z};
    return {x, y};
}

}  // namespace kaya::go
