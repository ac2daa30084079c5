// SPDX-License-Identifier: MIT
#include "apps/go/train/policy_task.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "apps/go/data/archive.h"
#include "apps/train/plot.h"
#include "apps/train/progress.h"
#include "apps/train/run.h"
#include "kaya/data/dataloader.h"
#include "kaya/io/file.h"
#include "kaya/ops/ops.h"

namespace kaya::go {

namespace {

using Clock = std::chrono::steady_clock;

// The value loss: mean squared error over the rows whose outcome is decided (non-zero).
Tensor value_loss(const Tensor& values, const Tensor& outcome) {
    Tensor mask = abs(outcome);  // 1 for a decided game, 0 otherwise.
    Tensor d = sub(values, outcome);
    return div(sum(mul(mul(d, d), mask)), std::max(1.0, sum(mask).item<double>()));
}

// Over the decided rows: adds their squared errors to `se`, their count to `known`, and to
// `hits` those whose value's sign names the winner.
void score_values(const Tensor& values, const Tensor& outcome, double& se, double& known, double& hits) {
    const auto v = to_vector<float>(values);
    const auto z = to_vector<float>(outcome);
    for (size_t i = 0; i < z.size(); ++i) {
        if (z[i] == 0) continue;
        se += (static_cast<double>(v[i]) - z[i]) * (static_cast<double>(v[i]) - z[i]);
        known += 1;
        hits += (v[i] > 0) == (z[i] > 0);
    }
}

// The ownership loss: binary cross-entropy of each point's predicted owner, (1 + o) / 2 with
// o = tanh(raw), i.e. the logit 2 raw, against (1 + target) / 2, averaged over the points of the
// rows with targets (mask 1).
Tensor ownership_loss(const Tensor& raw, const Tensor& target, const Tensor& mask) {
    const double rows = sum(mask).item<double>();
    if (rows == 0) return mul(sum(raw), 0.0);
    Tensor weight = expand(unsqueeze(mask, 1), raw.shape());
    Tensor each = nn::binary_cross_entropy_with_logits(
        mul(raw, 2.0), mul(add(target, 1.0), 0.5), {.weight = weight, .reduction = nn::Reduction::Sum});
    return div(each, rows * static_cast<double>(raw.size(1)));
}

// Over the rows with ownership targets, by quarter of the game: the points owned by a side
// (`owned`) and those whose predicted owner has the target's sign (`agree`).
struct OwnedPoints {
    std::array<double, 4> agree{}, owned{};

    void add(const Tensor& ownership, const data::Example& ex, const GoPositions& positions,
             const std::vector<int64_t>& idx) {
        const auto o = to_vector<float>(ownership);
        const auto t = to_vector<float>(ex[kOwnershipTensor]);
        const auto mask = to_vector<float>(ex[kOwnershipMaskTensor]);
        const size_t points = static_cast<size_t>(ownership.size(1));
        for (size_t r = 0; r < mask.size(); ++r) {
            if (mask[r] == 0) continue;
            const size_t q = static_cast<size_t>(positions.game_quarter(idx[r]));
            for (size_t j = 0; j < points; ++j) {
                const float target = t[r * points + j];
                if (target == 0) continue;
                owned[q] += 1;
                agree[q] += (o[r * points + j] > 0) == (target > 0);
            }
        }
    }
    void finish(PolicyScore::Heads& s) const {
        const double n = owned[0] + owned[1] + owned[2] + owned[3];
        if (n > 0) s.ownership_accuracy = (agree[0] + agree[1] + agree[2] + agree[3]) / n;
        for (size_t q = 0; q < 4; ++q) s.ownership_accuracy_by_quarter[q] = owned[q] > 0 ? agree[q] / owned[q] : 0;
    }
};

// The winner as the value head and the ownership's score name it, over the decided rows, by
// quarter of the game.
struct WinnerTally {
    using Heads = PolicyScore::Heads;
    double se = 0;  // The value's squared error.
    std::array<double, 4> rows{}, value_hits{}, score_hits{};
    std::array<double, Heads::kLeafValueScales.size()> score_se{}, mixed_se{};

    void add(const SymmetricOutputs& out, const data::Example& ex, const GoPositions& positions,
             const std::vector<int64_t>& idx) {
        const auto z = to_vector<float>(ex[kOutcomeTensor]);
        const auto v = out.values.defined() ? to_vector<float>(out.values) : std::vector<float>();
        const auto o = out.ownership.defined() ? to_vector<float>(out.ownership) : std::vector<float>();
        const auto komi = out.ownership.defined() ? to_vector<float>(ex[kKomiTensor]) : std::vector<float>();
        const int points = out.ownership.defined() ? static_cast<int>(out.ownership.size(1)) : 0;
        for (size_t r = 0; r < z.size(); ++r) {
            if (z[r] == 0) continue;
            const size_t q = static_cast<size_t>(positions.game_quarter(idx[r]));
            rows[q] += 1;
            if (!v.empty()) {
                se += (static_cast<double>(v[r]) - z[r]) * (static_cast<double>(v[r]) - z[r]);
                value_hits[q] += (v[r] > 0) == (z[r] > 0);
            }
            if (!o.empty()) {
                const double score = ownership_score(o.data() + r * static_cast<size_t>(points), points, komi[r]);
                score_hits[q] += (score > 0) == (z[r] > 0);
                for (size_t k = 0; k < Heads::kLeafValueScales.size(); ++k) {
                    const double sv = std::tanh(score / Heads::kLeafValueScales[k]);
                    score_se[k] += (sv - z[r]) * (sv - z[r]);
                    if (v.empty()) continue;
                    const double mixed = 0.5 * sv + 0.5 * v[r];
                    mixed_se[k] += (mixed - z[r]) * (mixed - z[r]);
                }
            }
        }
    }
    // Into s: the totals and the quarters' accuracies.
    void finish(PolicyScore::Heads& s) const {
        const double n = rows[0] + rows[1] + rows[2] + rows[3];
        if (n == 0) return;
        s.value_positions = static_cast<int64_t>(n);
        s.value_mse = se / n;
        s.value_accuracy = (value_hits[0] + value_hits[1] + value_hits[2] + value_hits[3]) / n;
        s.score_accuracy = (score_hits[0] + score_hits[1] + score_hits[2] + score_hits[3]) / n;
        for (size_t k = 0; k < score_se.size(); ++k) {
            s.score_value_mse[k] = score_se[k] / n;
            s.mixed_value_mse[k] = mixed_se[k] / n;
        }
        for (size_t q = 0; q < 4; ++q) {
            s.value_accuracy_by_quarter[q] = rows[q] > 0 ? value_hits[q] / rows[q] : 0;
            s.score_accuracy_by_quarter[q] = rows[q] > 0 ? score_hits[q] / rows[q] : 0;
        }
    }
};

// Adds to top1/top5 the rows whose target logit is the highest / among the five highest, and
// returns how many rows have a target (rows of kNoMoveTarget are left out).
int64_t count_hits(const Tensor& logits, const Tensor& target, double& top1, double& top5) {
    const auto l = to_vector<float>(logits);
    const auto t = to_vector<int64_t>(target);
    const size_t points = static_cast<size_t>(logits.shape()[1]);
    int64_t targets = 0;
    for (size_t r = 0; r < t.size(); ++r) {
        if (t[r] == kNoMoveTarget) continue;
        ++targets;
        const float* row = l.data() + r * points;
        const float v = row[t[r]];
        int above = 0;
        for (size_t j = 0; j < points && above < 5; ++j) above += row[j] > v;
        top1 += above == 0;
        top5 += above < 5;
    }
    return targets;
}

}  // namespace

PolicyScore evaluate_policy(PolicyNet& net, const GoPositions& positions, int64_t limit,
                            uint64_t seed, bool show_progress, int symmetries, PolicyScore* plain) {
    autograd::NoGradGuard no_grad;
    const bool was_training = net.is_training();
    net.eval();
    Generator g(seed);
    std::vector<int64_t> order = to_vector<int64_t>(randperm(positions.size(), &g));
    if (limit > 0 && limit < positions.size()) order.resize(static_cast<size_t>(limit));
    const int64_t batch = 256 / symmetries, n = static_cast<int64_t>(order.size());
    app::Progress bar("evaluating", n, "pos");
    bar.set_enabled(show_progress && bar.enabled());
    PolicyScore s, own;
    auto score = [](PolicyScore& into, const Tensor& log_probs, const Tensor& target) {
        into.loss +=
            nn::cross_entropy(log_probs, target, {.reduction = nn::Reduction::Sum}).item<double>();
        into.move_positions += count_hits(log_probs, target, into.top1, into.top5);
    };
    const bool value = net.has_value_head(), ownership = net.has_ownership_head();
    KAYA_CHECK(!value || positions.has_outcome(), ValueError,
               "evaluate_policy: the net has a value head but the positions carry no outcome");
    KAYA_CHECK(!ownership || positions.has_ownership(), ValueError,
               "evaluate_policy: the net has an ownership head but the positions carry no ownership");
    WinnerTally winners;
    OwnedPoints owned;
    for (int64_t b = 0; b < n; b += batch) {
        std::vector<int64_t> idx(order.begin() + b, order.begin() + std::min(n, b + batch));
        data::Example ex = positions.get_batch(idx);
        SymmetricOutputs out = symmetric_outputs(net, ex[0], symmetries);
        score(s, ensemble_log_probs(out.log_probs), ex[1]);
        if (plain && symmetries > 1) score(own, select(out.log_probs, 0, 0), ex[1]);
        // The value and ownership averaged over the symmetries score both (the net's own are
        // not kept apart).
        if (value || ownership) winners.add(out, ex, positions, idx);
        if (ownership) owned.add(out.ownership, ex, positions, idx);
        bar.update(std::min(n, b + batch));
    }
    winners.finish(s.heads);
    owned.finish(s.heads);
    own.heads = s.heads;
    bar.finish();
    if (was_training) net.train();
    for (PolicyScore* p : {&s, &own}) {
        p->positions = n;
        if (p->move_positions > 0) {
            const double m = static_cast<double>(p->move_positions);
            p->loss /= m;
            p->top1 /= m;
            p->top5 /= m;
        }
    }
    if (plain) *plain = symmetries > 1 ? own : s;
    return s;
}

PolicyTaskOptions PolicyTaskOptions::read(const app::Config& cfg) {
    PolicyTaskOptions o;
    o.path = cfg.require_string("data.path");
    o.selfplay = cfg.get_strings("data.selfplay", o.selfplay);
    if (o.selfplay == std::vector<std::string>{""}) o.selfplay.clear();  // selfplay = "": none.
    for (const auto& path : o.selfplay) {
        if (path.empty()) cfg.fail("data.selfplay", "data.selfplay names an empty path");
    }
    o.selfplay_share = cfg.get_double("data.selfplay_share", o.selfplay_share, 0, 0.95);
    if (o.selfplay_share > 0 && o.selfplay.empty())
        cfg.fail("data.selfplay_share", "data.selfplay_share needs data.selfplay (the games to draw from)");
    o.val_fraction = cfg.get_double("data.val_fraction", o.val_fraction, 0, 0.5);
    o.test_fraction = cfg.get_double("data.test_fraction", o.test_fraction, 0, 0.5);
    o.selfplay_val_fraction = cfg.get_double("data.selfplay_val_fraction", o.val_fraction, 0, 0.5);
    o.selfplay_test_fraction = cfg.get_double("data.selfplay_test_fraction", o.test_fraction, 0, 0.5);
    for (const char* key : {"data.selfplay_val_fraction", "data.selfplay_test_fraction"}) {
        if (o.selfplay.empty() && cfg.has(key)) cfg.fail(key, std::string(key) + " needs data.selfplay (the games to split)");
    }
    o.val_positions = cfg.get_int("data.val_positions", o.val_positions, 0);
    o.test_positions = cfg.get_int("data.test_positions", o.test_positions, 0);
    o.augment = cfg.get_bool("data.augment", o.augment);
    o.data_seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0, 0));
    o.filters = cfg.get_int("model.filters", o.filters, 1);
    o.layers = cfg.get_int("model.layers", o.layers, 2);
    o.first_kernel = cfg.get_int("model.first_kernel", o.first_kernel, 1);
    o.blocks = cfg.get_int("model.blocks", o.blocks, 0, 1000);
    o.global_pool = cfg.get_bool("model.global_pool", o.global_pool);
    if (o.global_pool && o.blocks == 0)
        cfg.fail("model.global_pool", "model.global_pool pools inside the residual blocks: set model.blocks too");
    o.init_widen = cfg.get_bool("model.init_widen", o.init_widen);
    o.init_weights = cfg.get_string("model.init_weights", "");
    if (o.init_widen && o.init_weights.empty())
        cfg.fail("model.init_widen", "model.init_widen widens the net of model.init_weights: set it too");
    o.value_hidden = cfg.get_int("model.value_hidden", o.value_hidden, 0);
    o.value_planes = cfg.get_int("model.value_planes", o.value_planes, 1);
    o.value_norm = cfg.get_bool("model.value_norm", o.value_norm);
    if (o.value_norm && o.value_hidden == 0)
        cfg.fail("model.value_norm", "model.value_norm normalises the value head: set model.value_hidden too");
    o.value_weight = cfg.get_double("train.value_weight", o.value_weight, 0, 1e6);
    o.ownership = cfg.get_bool("model.ownership", o.ownership);
    o.ownership_weight = cfg.get_double("train.ownership_weight", o.ownership_weight, 0, 1e6);
    if (o.first_kernel % 2 == 0) cfg.fail("model.first_kernel", "model.first_kernel must be odd");
    o.positions_per_epoch = cfg.get_int("train.positions_per_epoch", o.positions_per_epoch, 1);
    const int64_t batch = cfg.get_int("train.batch_size", app::RunSettings{}.batch_size);
    if (batch > o.positions_per_epoch)
        cfg.fail("train.positions_per_epoch",
                 "train.positions_per_epoch must be at least train.batch_size (" +
                     std::to_string(batch) + ")");
    o.symmetries = static_cast<int>(cfg.get_int("eval.symmetries", o.symmetries, 1, 8));
    o.select = cfg.get_string("train.select", o.select);
    std::vector<std::string> selectable{"val_top1"};
    if (o.ownership) {
        for (const char* m : {"val_score_accuracy", "val_ownership_accuracy"}) selectable.push_back(m);
        if (!o.selfplay.empty()) {
            for (const char* m : {"val_selfplay_score_accuracy", "val_selfplay_ownership_accuracy"})
                selectable.push_back(m);
        }
    }
    if (std::find(selectable.begin(), selectable.end(), o.select) == selectable.end()) {
        std::string known;
        for (const auto& m : selectable) known += (known.empty() ? "" : ", ") + m;
        cfg.fail("train.select", "train.select '" + o.select + "' is not one of this run's metrics: " + known);
    }
    if (!o.selfplay.empty() && !(o.value_hidden > 0 || o.ownership))
        cfg.fail("data.selfplay", "data.selfplay trains only the value and ownership heads: the model has neither");
    return o;
}

GameSplit PolicyTask::add_selfplay_games(size_t& skipped) {
    skipped = 0;
    const size_t first = games_->size();
    for (const std::string& path : o_.selfplay) {
        SgfCollection sp = load_games(path);
        KAYA_CHECK(!sp.games.empty(), ValueError, "data.selfplay '", path, "' holds no usable games (",
                   sp.skipped.size(), " skipped)");
        skipped += sp.skipped.size();
        for (GameRecord& g : sp.games) {
            g.moves_are_targets = false;
            games_->push_back(std::move(g));
        }
    }
    GameSplit own = split_games(games_->size() - first, o_.selfplay_val_fraction, o_.selfplay_test_fraction,
                                o_.data_seed);
    for (auto* v : {&own.train, &own.val, &own.test}) {
        for (size_t& g : *v) g += first;
    }
    return own;
}

void PolicyTask::set_up_streams(size_t path_games) {
    main_ = Stream{.first = 0, .n = train_->size()};
    if (o_.selfplay_share > 0) {
        own_rows_ = std::llround(o_.selfplay_share * static_cast<double>(batch_size_));
        KAYA_CHECK(own_rows_ >= 1 && own_rows_ < batch_size_, ValueError, "data.selfplay_share ", o_.selfplay_share,
                   " of a batch of ", batch_size_, " leaves ", own_rows_, " self-play rows: it needs at least one of each");
        // The self-play games' positions follow the 9-dan games' (their ids come after).
        int64_t lo = 0, hi = train_->size();
        while (lo < hi) {
            const int64_t mid = lo + (hi - lo) / 2;
            if (train_->game_of(mid) < path_games) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        KAYA_CHECK(lo > 0 && lo < train_->size(), ValueError, "data.selfplay_share: the training split has ",
                   lo, " positions of 9-dan games and ", train_->size() - lo, " of self-play games; both are needed");
        main_.n = lo;
        own_ = Stream{.first = lo, .n = train_->size() - lo, .salt = 0x2545f4914f6cdd1dULL};
    }
}

void PolicyTask::prepare(const app::TaskEnv& env) {
    batch_size_ = env.batch_size;
    rank_ = env.rank;
    world_size_ = env.world_size;
    seed_ = env.seed;
    verbose_ = env.verbose;
    const auto t_load = Clock::now();
    SgfCollection collection = load_games(o_.path);
    KAYA_CHECK(!collection.games.empty(), ValueError, "data.path '", o_.path,
               "' holds no usable games (", collection.skipped.size(), " skipped)");
    games_ = std::make_shared<std::vector<GameRecord>>(std::move(collection.games));
    const size_t path_games = games_->size();
    GameSplit split = split_games(path_games, o_.val_fraction, o_.test_fraction, o_.data_seed);
    size_t own_skipped = 0;
    // The self-play games' split, as indices into games_; their training games join split's.
    const GameSplit own = o_.selfplay.empty() ? GameSplit{} : add_selfplay_games(own_skipped);
    split.train.insert(split.train.end(), own.train.begin(), own.train.end());
    const bool outcome = o_.value_hidden > 0 || o_.ownership;
    const PositionOptions plain{.seed = o_.data_seed, .outcome = outcome, .ownership = o_.ownership};
    PositionOptions augmented = plain;
    augmented.augment = o_.augment;
    train_ = std::make_unique<GoPositions>(games_, split.train, augmented);
    val_ = std::make_unique<GoPositions>(games_, split.val, plain);
    test_positions_ = std::make_unique<GoPositions>(games_, split.test, plain);
    KAYA_CHECK(train_->size() > 0 && val_->size() > 0, ValueError, "data.path '", o_.path,
               "': the split leaves no training or validation positions (", games_->size(),
               " games; raise data.val_fraction?)");
    set_up_streams(path_games);
    std::string selfplay_desc;
    if (!o_.selfplay.empty()) {
        selfplay_val_ = std::make_unique<GoPositions>(games_, own.val, plain);
        selfplay_test_ = std::make_unique<GoPositions>(games_, own.test, plain);
        std::string paths;
        for (const auto& path : o_.selfplay) paths += (paths.empty() ? "" : ", ") + path;
        KAYA_CHECK(selfplay_val_->size() > 0, ValueError, "data.selfplay '", paths,
                   "': the split leaves no validation positions (", own.train.size() + own.val.size() + own.test.size(),
                   " games; raise data.selfplay_val_fraction?)");
        selfplay_desc = "; self-play (value and ownership only, its training games counted above) " +
                        std::to_string(own.train.size()) + " training games from " + paths + " (" +
                        std::to_string(own_skipped) + " skipped), validation " +
                        std::to_string(selfplay_val_->num_games()) + ", test " +
                        std::to_string(selfplay_test_->num_games());
    }
    char desc[512];
    std::snprintf(desc, sizeof desc,
                  "%zu games from %s (%zu skipped), %dx%d, loaded in %.1f s; split by game: train "
                  "%zu games / "
                  "%lld positions, validation %zu / %lld, test %zu / %lld",
                  path_games, o_.path.c_str(), collection.skipped.size(), train_->board_size(),
                  train_->board_size(),
                  std::chrono::duration<double>(Clock::now() - t_load).count(), train_->num_games(),
                  static_cast<long long>(train_->size()), val_->num_games(),
                  static_cast<long long>(val_->size()), test_positions_->num_games(),
                  static_cast<long long>(test_positions_->size()));
    description_ = std::string(desc) + selfplay_desc;
    net_ = std::make_shared<PolicyNet>(PolicyNetOptions{.board = train_->board_size(),
                                                        .filters = o_.filters,
                                                        .layers = o_.layers,
                                                        .first_kernel = o_.first_kernel,
                                                        .value_hidden = o_.value_hidden,
                                                        .value_planes = o_.value_planes,
                                                        .value_norm = o_.value_norm,
                                                        .ownership = o_.ownership,
                                                        .blocks = o_.blocks,
                                                        .global_pool = o_.global_pool});
}

int64_t PolicyTask::Stream::at(int64_t s, uint64_t seed) {
    const int64_t p = s / n;
    if (p != pass) {
        Generator g(Generator::mix((seed ^ salt) + 0x5851f42d4c957f2dULL * static_cast<uint64_t>(p + 1)));
        perm = to_vector<int64_t>(randperm(n, &g));
        pass = p;
    }
    return first + perm[static_cast<size_t>(s % n)];
}

void PolicyTask::visit_batches(int64_t epoch, int64_t first,
                               const std::function<bool(int64_t, const data::Example&)>& fn) {
    const int64_t batches = batches_per_epoch(), main_rows = batch_size_ - own_rows_;
    for (int64_t b = first; b < batches; ++b) {
        const int64_t batch = (epoch - 1) * batches + b, s0 = batch * batch_size_;
        // This process's part of the batch (data-parallel training; all of it otherwise): rows
        // [0, main_rows) from the main stream, the rest from the self-play games'.
        const auto [begin, end] = data::shard_part(batch_size_, rank_, world_size_);
        std::vector<int64_t> idx;
        for (int64_t j = begin; j < end; ++j) {
            idx.push_back(j < main_rows ? main_.at(batch * main_rows + j, seed_)
                                        : own_.at(batch * own_rows_ + j - main_rows, seed_));
        }
        train_->set_epoch(s0 / train_->size());
        if (!fn(b, idx.empty() ? data::Example{} : train_->get_batch(idx))) return;
    }
}

Tensor PolicyTask::training_loss(const data::Example& batch, app::Metrics& sums) {
    PolicyOutputs out = net_->forward_heads(batch[kPlanesTensor]);
    double top1 = 0, top5 = 0;
    const int64_t targets = count_hits(out.logits, batch[kMoveTensor], top1, top5);
    // The run loop divides by all the rows seen: a batch's hit rate among its rows with a move
    // target, weighted by its rows (rows of games whose moves are not targets add none).
    const double rows = static_cast<double>(batch[kMoveTensor].numel());
    if (targets > 0) sums.add("top1", top1 * rows / static_cast<double>(targets));
    // Mean over the rows with a target (cross_entropy's ignore_index); none: no policy loss.
    Tensor loss = targets > 0 ? nn::cross_entropy(out.logits, batch[kMoveTensor]) : mul(sum(out.logits), 0.0);
    if (out.values.defined()) {
        double se = 0, known = 0, hits = 0;
        score_values(out.values, batch[kOutcomeTensor], se, known, hits);
        // The run loop divides sums by all the rows seen, undecided ones (about 6% of the 9-dan
        // games) adding 0; validation's value metrics count only decided rows.
        sums.add("value_se", se);
        sums.add("value_hits", hits);
        loss = add(loss, mul(value_loss(out.values, batch[kOutcomeTensor]), o_.value_weight));
    }
    if (out.ownership.defined()) {
        Tensor own = ownership_loss(out.ownership_raw, batch[kOwnershipTensor], batch[kOwnershipMaskTensor]);
        // Per row seen (rows without targets add 0), as the value's sums.
        sums.add("ownership_loss", own.item<double>() * sum(batch[kOwnershipMaskTensor]).item<double>());
        loss = add(loss, mul(own, o_.ownership_weight));
    }
    return loss;
}

NamedTensors PolicyTask::init_state(const io::SafetensorsFile& file) {
    if (!o_.init_widen) return file.tensors;
    const PolicyNetOptions from = policy_options_from(file.metadata, o_.init_weights);
    if (verbose_)
        std::printf("widening the net of %lld filters and %lld blocks to %lld and %lld\n",
                    static_cast<long long>(from.filters), static_cast<long long>(from.blocks),
                    static_cast<long long>(o_.filters), static_cast<long long>(o_.blocks));
    return widen_policy_state(file.tensors, from, *net_);
}

app::Metrics PolicyTask::epoch_columns(int64_t epoch) const {
    return {{"positions", static_cast<double>(epoch * batches_per_epoch() * batch_size_)}};
}

app::Metrics PolicyTask::validate() {
    PolicyScore v = evaluate_policy(*net_, *val_, o_.val_positions, o_.data_seed + 1, verbose_);
    app::Metrics m{{"val_loss", v.loss}, {"val_top1", v.top1}, {"val_top5", v.top5}};
    if (net_->has_value_head()) {
        m.set("val_value_mse", v.heads.value_mse);
        m.set("val_value_accuracy", v.heads.value_accuracy);
    }
    if (net_->has_ownership_head()) {
        m.set("val_score_accuracy", v.heads.score_accuracy);
        m.set("val_ownership_accuracy", v.heads.ownership_accuracy);
    }
    if (selfplay_val_) add_head_metrics(m, "val_selfplay_", evaluate_policy(*net_, *selfplay_val_, o_.val_positions,
                                                                            o_.data_seed + 3, verbose_).heads);
    return m;
}

void PolicyTask::add_head_metrics(app::Metrics& m, const std::string& prefix, const PolicyScore::Heads& h) const {
    if (net_->has_value_head()) {
        m.set(prefix + "value_mse", h.value_mse);
        m.set(prefix + "value_accuracy", h.value_accuracy);
    }
    if (net_->has_ownership_head()) {
        m.set(prefix + "score_accuracy", h.score_accuracy);
        m.set(prefix + "ownership_accuracy", h.ownership_accuracy);
    }
}

void PolicyTask::add_leaf_value_metrics(app::Metrics& m, const std::string& prefix, const PolicyScore::Heads& h) const {
    if (!net_->has_ownership_head()) return;
    for (size_t k = 0; k < h.kLeafValueScales.size(); ++k) {
        const std::string scale = "_s" + std::to_string(static_cast<int>(h.kLeafValueScales[k]));
        m.set(prefix + "score_value_mse" + scale, h.score_value_mse[k]);
        if (net_->has_value_head()) m.set(prefix + "mixed_value_mse" + scale, h.mixed_value_mse[k]);
    }
}

void PolicyTask::add_quarter_metrics(app::Metrics& m, const std::string& prefix, const PolicyScore::Heads& h) const {
    for (size_t q = 0; q < 4; ++q) {
        const std::string quarter = "_q" + std::to_string(q + 1);
        if (net_->has_value_head()) m.set(prefix + "value_accuracy" + quarter, h.value_accuracy_by_quarter[q]);
        if (net_->has_ownership_head()) {
            m.set(prefix + "score_accuracy" + quarter, h.score_accuracy_by_quarter[q]);
            m.set(prefix + "ownership_accuracy" + quarter, h.ownership_accuracy_by_quarter[q]);
        }
    }
}

app::Metrics PolicyTask::test() {
    if (test_positions_->size() == 0) return {};
    if (verbose_) std::printf("testing the best net on the test games\n");
    test_ensemble_ = evaluate_policy(*net_, *test_positions_, o_.test_positions, o_.data_seed + 2,
                                     verbose_, o_.symmetries, &test_);
    app::Metrics m{{"test_games", static_cast<double>(test_positions_->num_games())},
                   {"test_positions", static_cast<double>(test_.positions)},
                   {"test_loss", test_.loss},
                   {"test_top1", test_.top1},
                   {"test_top5", test_.top5}};
    if (net_->has_value_head()) m.set("test_value_positions", static_cast<double>(test_.heads.value_positions));
    add_head_metrics(m, "test_", test_.heads);
    add_quarter_metrics(m, "test_", test_.heads);
    add_leaf_value_metrics(m, "test_", test_.heads);
    if (selfplay_test_ && selfplay_test_->size() > 0) {
        m.set("test_selfplay_games", static_cast<double>(selfplay_test_->num_games()));
        const PolicyScore own = evaluate_policy(*net_, *selfplay_test_, o_.test_positions, o_.data_seed + 4,
                                                verbose_, o_.symmetries);
        add_head_metrics(m, "test_selfplay_", own.heads);
        add_quarter_metrics(m, "test_selfplay_", own.heads);
        add_leaf_value_metrics(m, "test_selfplay_", own.heads);
    }
    if (o_.symmetries > 1) {
        m.set("symmetries", o_.symmetries);
        m.set("ensemble_loss", test_ensemble_.loss);
        m.set("ensemble_top1", test_ensemble_.top1);
        m.set("ensemble_top5", test_ensemble_.top5);
    }
    return m;
}

void PolicyTask::write_plots(const std::string& dir, const std::vector<app::Metrics>& history) {
    app::Series t1{"train top-1"}, v1{"validation top-1"}, v5{"validation top-5", {}, {}, true};
    const auto [scale, xlabel] =
        app::count_axis(history.back().get("positions"), "training positions");
    for (const auto& r : history) {
        const double x = r.get("positions") * scale;
        for (auto* s : {&t1, &v1, &v5}) s->x.push_back(x);
        t1.y.push_back(100 * r.get("train_top1"));
        v1.y.push_back(100 * r.get("val_top1"));
        v5.y.push_back(100 * r.get("val_top5"));
    }
    io::write_file_atomic(dir + "/accuracy.svg",
                          app::line_plot_svg({t1, v1, v5}, {.title = "move prediction accuracy",
                                                            .xlabel = xlabel,
                                                            .ylabel = "% of expert moves"}));
}

void register_tasks(app::TaskRegistry& registry) {
    registry.add(
        "go_policy", [](const app::Config& cfg) { return std::make_unique<PolicyTask>(cfg); },
        "AlphaGo's policy network on SGF games");
}

}  // namespace kaya::go
