// SPDX-License-Identifier: MIT
#include "apps/train/go_train.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "apps/go/data/archive.h"
#include "apps/train/plot.h"
#include "apps/train/progress.h"
#include "apps/train/task.h"
#include "kaya/io/file.h"
#include "kaya/io/safetensors.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Adds to top1/top5 the rows whose target logit is the highest / among the five highest.
void count_hits(const Tensor& logits, const Tensor& target, double& top1, double& top5) {
    const auto l = to_vector<float>(logits);
    const auto t = to_vector<int64_t>(target);
    const size_t points = static_cast<size_t>(logits.shape()[1]);
    for (size_t r = 0; r < t.size(); ++r) {
        const float* row = l.data() + r * points;
        const float v = row[t[r]];
        int above = 0;
        for (size_t j = 0; j < points && above < 5; ++j) above += row[j] > v;
        top1 += above == 0;
        top5 += above < 5;
    }
}

// Training positions as an endless sequence: pass p over the training set is a permutation
// seeded by (seed, p), so position s of the stream depends only on s and a resumed run
// continues with exactly the batches it would have seen.
class PositionStream {
public:
    PositionStream(int64_t n, uint64_t seed) : n_(n), seed_(seed) {}
    int64_t pass_of(int64_t s) const { return s / n_; }
    int64_t at(int64_t s) {
        const int64_t p = pass_of(s);
        if (p != pass_) {
            Generator g(Generator::mix(seed_ + 0x5851f42d4c957f2dULL * static_cast<uint64_t>(p + 1)));
            perm_ = to_vector<int64_t>(randperm(n_, &g));
            pass_ = p;
        }
        return perm_[static_cast<size_t>(s % n_)];
    }

private:
    int64_t n_;
    uint64_t seed_;
    int64_t pass_ = -1;
    std::vector<int64_t> perm_;
};

const char* kHistory[] = {"positions", "train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "lr", "seconds"};

std::vector<double> history_row(const GoEpochRecord& r) {
    return {static_cast<double>(r.positions), r.train_loss, r.train_top1, r.val.loss, r.val.top1, r.val.top5,
            r.lr, r.seconds};
}

void write_outputs(const std::string& dir, const std::vector<GoEpochRecord>& h) {
    std::ostringstream os;
    os << "epoch";
    for (const char* k : kHistory) os << "," << k;
    os << "\n";
    for (const auto& r : h) {
        os << r.epoch;
        for (double v : history_row(r)) os << "," << v;
        os << "\n";
    }
    io::write_file_atomic(dir + "/metrics.csv", os.str());
    Series tl{"train loss"}, vl{"validation loss", {}, {}, true}, t1{"train top-1"}, v1{"validation top-1"},
        v5{"validation top-5", {}, {}, true};
    for (const auto& r : h) {
        const double x = static_cast<double>(r.positions) / 1e6;
        for (auto* s : {&tl, &vl, &t1, &v1, &v5}) s->x.push_back(x);
        tl.y.push_back(r.train_loss);
        vl.y.push_back(r.val.loss);
        t1.y.push_back(100 * r.train_top1);
        v1.y.push_back(100 * r.val.top1);
        v5.y.push_back(100 * r.val.top5);
    }
    std::string svg = line_plot_svg({t1, v1, v5}, {.title = "move prediction accuracy",
                                                   .xlabel = "training positions (millions)",
                                                   .ylabel = "% of expert moves"});
    io::write_file_atomic(dir + "/accuracy.svg", svg);
    io::write_file_atomic(dir + "/curves.svg", line_plot_svg({tl, vl}, {.title = "cross-entropy",
                                                                        .xlabel = "training positions (millions)",
                                                                        .ylabel = "loss"}));
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

PolicyScore evaluate_policy(go::PolicyNet& net, const go::GoPositions& positions, int64_t limit, uint64_t seed,
                            bool show_progress, int symmetries, PolicyScore* plain) {
    autograd::NoGradGuard no_grad;
    const bool was_training = net.is_training();
    net.eval();
    Generator g(seed);
    std::vector<int64_t> order = to_vector<int64_t>(randperm(positions.size(), &g));
    if (limit > 0 && limit < positions.size()) order.resize(static_cast<size_t>(limit));
    const int64_t batch = 256 / symmetries, n = static_cast<int64_t>(order.size());
    Progress bar("evaluating", n, "pos");
    bar.set_enabled(show_progress && bar.enabled());
    PolicyScore s, own;
    auto score = [](PolicyScore& into, const Tensor& log_probs, const Tensor& target) {
        into.loss += nn::cross_entropy(log_probs, target, {.reduction = nn::Reduction::Sum}).item<double>();
        count_hits(log_probs, target, into.top1, into.top5);
    };
    for (int64_t b = 0; b < n; b += batch) {
        std::vector<int64_t> idx(order.begin() + b, order.begin() + std::min(n, b + batch));
        data::Example ex = positions.get_batch(idx);
        Tensor per_symmetry = go::symmetric_log_probs(net, ex[0], symmetries);
        score(s, go::ensemble_log_probs(per_symmetry), ex[1]);
        if (plain && symmetries > 1) score(own, select(per_symmetry, 0, 0), ex[1]);
        bar.update(std::min(n, b + batch));
    }
    bar.finish();
    if (was_training) net.train();
    for (PolicyScore* p : {&s, &own}) {
        p->positions = n;
        if (n > 0) {
            p->loss /= static_cast<double>(n);
            p->top1 /= static_cast<double>(n);
            p->top5 /= static_cast<double>(n);
        }
    }
    if (plain) *plain = symmetries > 1 ? own : s;
    return s;
}

GoRunResult train_go_policy(const Config& cfg, const RunOptions& opt) {
    GoRunResult res;
    res.dir = cfg.get_string("output.dir", "runs/" + fs::path(cfg.source()).stem().string());
    fs::create_directories(res.dir);
    const uint64_t seed = static_cast<uint64_t>(cfg.get_int("train.seed", 0));
    manual_seed(seed);

    // Games, split by game.
    const std::string path = cfg.require_string("data.path");
    auto t_load = Clock::now();
    go::SgfCollection collection = go::load_games(path);
    KAYA_CHECK(!collection.games.empty(), ValueError, cfg.source(), ": data.path '", path, "' holds no usable games (",
               collection.skipped.size(), " skipped)");
    auto games = std::make_shared<std::vector<go::GameRecord>>(std::move(collection.games));
    const uint64_t data_seed = static_cast<uint64_t>(cfg.get_int("data.seed", 0));
    go::GameSplit split = go::split_games(games->size(), cfg.get_double("data.val_fraction", 0.01),
                                          cfg.get_double("data.test_fraction", 0.01), data_seed);
    go::GoPositions train(games, split.train,
                          {.augment = cfg.get_bool("data.augment", true), .seed = data_seed});
    go::GoPositions val(games, split.val, {.seed = data_seed}), test(games, split.test, {.seed = data_seed});
    KAYA_CHECK(train.size() > 0 && val.size() > 0, ValueError, cfg.source(),
               ": the split leaves no training or validation positions (", games->size(),
               " games; raise data.val_fraction?)");
    char desc[512];
    std::snprintf(desc, sizeof desc,
                  "%zu games from %s (%zu skipped), %dx%d, loaded in %.1f s; split by game: train %zu games / "
                  "%lld positions, validation %zu / %lld, test %zu / %lld",
                  games->size(), path.c_str(), collection.skipped.size(), train.board_size(), train.board_size(),
                  seconds_since(t_load), train.num_games(), static_cast<long long>(train.size()), val.num_games(),
                  static_cast<long long>(val.size()), test.num_games(), static_cast<long long>(test.size()));
    res.data_description = desc;
    if (opt.verbose) {
        std::printf("%s\n", desc);
        std::fflush(stdout);
    }

    auto net = std::make_shared<go::PolicyNet>(go::PolicyNetOptions{
        .board = train.board_size(),
        .filters = cfg.get_int("model.filters", 192),
        .layers = cfg.get_int("model.layers", 13),
        .first_kernel = cfg.get_int("model.first_kernel", 5)});
    // A warm start from a weights file (e.g. the net shipped in models/): same shape required.
    const std::string init = cfg.get_string("model.init_weights", "");
    if (!init.empty() && !opt.resume) {
        auto start = go::load_policy(init);
        const auto& a = start->options();
        const auto& b = net->options();
        KAYA_CHECK(a.board == b.board && a.filters == b.filters && a.layers == b.layers &&
                       a.first_kernel == b.first_kernel,
                   ValueError, cfg.source(), ": model.init_weights '", init, "' is a ", a.layers, "x", a.filters,
                   " net for ", a.board, "x", a.board, ", the config asks for ", b.layers, "x", b.filters, " on ",
                   b.board, "x", b.board);
        net->load_state_dict(start->state_dict());
        net->train();
        if (opt.verbose) std::printf("starting from the weights in %s\n", init.c_str());
    }
    res.model_summary = net->summary();
    res.num_parameters = net->num_parameters();
    auto optimizer = build_optimizer(cfg, net->parameters());
    auto schedule = build_schedule(cfg, *optimizer);

    const int64_t epochs = cfg.get_int("train.epochs", 10);
    const int64_t batch_size = cfg.get_int("train.batch_size", 16);
    const int64_t per_epoch = cfg.get_int("train.positions_per_epoch", 100000);
    KAYA_CHECK(batch_size > 0 && per_epoch >= batch_size, ValueError, cfg.source(),
               ": train.batch_size must be positive and at most train.positions_per_epoch, got ", batch_size, " and ",
               per_epoch);
    const int64_t batches = per_epoch / batch_size;
    const int64_t val_limit = cfg.get_int("data.val_positions", 10000);
    const int64_t test_limit = cfg.get_int("data.test_positions", 0);
    const double clip = cfg.get_double("train.clip_norm", 0.0);
    const double ckpt_every = 60 * cfg.get_double("train.checkpoint_minutes", 10.0);
    const std::string ckpt = res.dir + "/checkpoint.safetensors";
    PositionStream stream(train.size(), seed);

    int64_t start_epoch = 1, start_batch = 0;
    double loss_sum = 0, top1_sum = 0, epoch_secs_before = 0;
    double best_top1 = -1;
    NamedTensors best_state;
    if (opt.resume) {
        KAYA_CHECK(fs::exists(ckpt), IoError, ckpt, ": no checkpoint to resume from");
        auto f = io::load_safetensors(ckpt);
        net->load_state_dict(without_prefix("model.", f.tensors));
        optimizer->load_state_dict(without_prefix("optimizer.", f.tensors));
        best_state = without_prefix("best.", f.tensors);
        auto m = [&](const std::string& k) {
            auto it = f.metadata.find(k);
            KAYA_CHECK(it != f.metadata.end(), ParseError, ckpt, ": metadata '", k, "' missing");
            return std::stod(it->second);
        };
        KAYA_CHECK(static_cast<int64_t>(m("batch_size")) == batch_size &&
                       static_cast<int64_t>(m("positions_per_epoch")) == per_epoch,
                   ValueError, ckpt, ": saved with batch_size ", m("batch_size"), " and positions_per_epoch ",
                   m("positions_per_epoch"), "; the config now says ", batch_size, " and ", per_epoch,
                   " (the position stream would not continue where it stopped)");
        start_epoch = static_cast<int64_t>(m("epoch")) + 1;
        start_batch = static_cast<int64_t>(m("batch"));
        loss_sum = m("loss_sum");
        top1_sum = m("top1_sum");
        epoch_secs_before = m("epoch_seconds");
        res.best_epoch = static_cast<int64_t>(m("best_epoch"));
        best_top1 = m("best_top1");
        default_generator().set_state(std::stoull(f.metadata.at("rng_seed")), std::stoull(f.metadata.at("rng_offset")));
        NamedTensors hist = without_prefix("history.", f.tensors);
        std::vector<std::vector<double>> cols;
        for (const char* k : kHistory) {
            bool found = false;
            for (auto& [n, t] : hist) {
                if (n == k) {
                    cols.push_back(to_vector<double>(t));
                    found = true;
                }
            }
            KAYA_CHECK(found, ParseError, ckpt, ": history.", k, " missing");
        }
        for (int64_t e = 0; e + 1 < start_epoch; ++e) {
            auto c = [&](int i) { return cols[static_cast<size_t>(i)].at(static_cast<size_t>(e)); };
            res.history.push_back({e + 1, static_cast<int64_t>(c(0)), c(1), c(2), {c(3), c(4), c(5), val_limit}, c(6),
                                   c(7)});
        }
        if (schedule) schedule->set_epoch(start_epoch - 1);
        if (opt.verbose)
            std::printf("resuming %s at epoch %lld, batch %lld\n", res.dir.c_str(), static_cast<long long>(start_epoch),
                        static_cast<long long>(start_batch));
    } else {
        io::write_file_atomic(res.dir + "/config.toml", cfg.dump());
    }

    // Everything a killed run needs to continue from batch `done` of `epoch`.
    auto save_checkpoint = [&](int64_t epoch_done, int64_t batch_done, double epoch_secs) {
        NamedTensors all = with_prefix("model.", net->state_dict());
        for (auto& kv : with_prefix("optimizer.", optimizer->state_dict())) all.push_back(kv);
        for (auto& kv : with_prefix("best.", best_state)) all.push_back(kv);
        for (size_t i = 0; i < std::size(kHistory); ++i) {
            std::vector<double> col;
            for (const auto& r : res.history) col.push_back(history_row(r)[i]);
            all.emplace_back(std::string("history.") + kHistory[i],
                             from_vector<double>(col, {static_cast<int64_t>(col.size())}));
        }
        io::save_safetensors(ckpt, all,
                             {{"epoch", std::to_string(epoch_done)}, {"batch", std::to_string(batch_done)},
                              {"batch_size", std::to_string(batch_size)},
                              {"positions_per_epoch", std::to_string(per_epoch)}, {"loss_sum", number(loss_sum)},
                              {"top1_sum", number(top1_sum)}, {"epoch_seconds", number(epoch_secs)},
                              {"best_epoch", std::to_string(res.best_epoch)}, {"best_top1", number(best_top1)},
                              {"rng_seed", std::to_string(default_generator().seed())},
                              {"rng_offset", std::to_string(default_generator().offset())}});
    };

    net->train();
    for (int64_t epoch = start_epoch; epoch <= epochs; ++epoch) {
        auto t0 = Clock::now();
        auto last_ckpt = Clock::now();
        Progress bar("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs), batches * batch_size, "pos");
        for (int64_t b = start_batch; b < batches; ++b) {
            const int64_t s0 = ((epoch - 1) * batches + b) * batch_size;
            std::vector<int64_t> idx(static_cast<size_t>(batch_size));
            for (int64_t j = 0; j < batch_size; ++j) idx[static_cast<size_t>(j)] = stream.at(s0 + j);
            train.set_epoch(stream.pass_of(s0));
            data::Example ex = train.get_batch(idx);
            optimizer->zero_grad();
            Tensor logits = (*net)(ex[0]);
            Tensor loss = nn::cross_entropy(logits, ex[1]);
            autograd::backward(loss);
            if (clip > 0) optim::clip_grad_norm_(net->parameters(), clip);
            optimizer->step();
            const double l = loss.item<double>();
            KAYA_CHECK(std::isfinite(l), ValueError, "training diverged at epoch ", epoch, " batch ", b, ": loss is ",
                       l, " (lower train.lr?)");
            double top5_unused = 0;
            count_hits(logits, ex[1], top1_sum, top5_unused);
            loss_sum += l * static_cast<double>(batch_size);
            const double seen = static_cast<double>((b + 1) * batch_size);
            char status[80];
            std::snprintf(status, sizeof status, "loss %.3f top-1 %.1f%%", loss_sum / seen, 100 * top1_sum / seen);
            bar.update((b + 1) * batch_size, status);
            if (seconds_since(last_ckpt) >= ckpt_every && b + 1 < batches) {
                save_checkpoint(epoch - 1, b + 1, epoch_secs_before + seconds_since(t0));
                last_ckpt = Clock::now();
                if (opt.verbose && !bar.enabled()) {
                    // The bar is silent in a log file: a line per checkpoint shows the run is alive.
                    std::printf("  epoch %lld: %lld/%lld positions, %s, %.0f pos/s, checkpoint written\n",
                                static_cast<long long>(epoch), static_cast<long long>((b + 1) * batch_size),
                                static_cast<long long>(batches * batch_size), status,
                                static_cast<double>((b + 1 - start_batch) * batch_size) / seconds_since(t0));
                    std::fflush(stdout);
                }
            }
        }
        bar.finish();
        const double n = static_cast<double>(batches * batch_size);
        GoEpochRecord rec{epoch, epoch * batches * batch_size, loss_sum / n, top1_sum / n, {}, optimizer->lr(), 0};
        rec.val = evaluate_policy(*net, val, val_limit, data_seed + 1, opt.verbose);
        rec.seconds = epoch_secs_before + seconds_since(t0);
        res.history.push_back(rec);
        if (rec.val.top1 > best_top1) {
            best_top1 = rec.val.top1;
            res.best_epoch = epoch;
            best_state.clear();
            for (auto& [name, t] : net->state_dict()) best_state.emplace_back(name, clone(t));
            // The best net so far is usable (kaya go gtp --weights) while training goes on.
            io::save_safetensors(res.dir + "/model.safetensors", best_state, go::policy_metadata(net->options()));
        }
        if (schedule) schedule->step();
        if (opt.verbose) {
            std::printf("epoch %3lld  %6.2fM pos  train %.4f %5.2f%%  val %.4f top-1 %5.2f%% top-5 %5.2f%%  lr %.3g  "
                        "%.0fs (%.0f pos/s)\n",
                        static_cast<long long>(epoch), static_cast<double>(rec.positions) / 1e6, rec.train_loss,
                        100 * rec.train_top1, rec.val.loss, 100 * rec.val.top1, 100 * rec.val.top5, rec.lr,
                        rec.seconds, n / rec.seconds);
            std::fflush(stdout);
        }
        start_batch = 0;
        loss_sum = top1_sum = epoch_secs_before = 0;
        save_checkpoint(epoch, 0, 0);
        write_outputs(res.dir, res.history);
        if (epoch == opt.stop_after) return res;
    }

    // The held-out games, scored once with the best net.
    if (!best_state.empty()) net->load_state_dict(best_state);
    if (test.size() > 0) {
        if (opt.verbose) std::printf("testing the best net (epoch %lld) on the test games\n",
                                     static_cast<long long>(res.best_epoch));
        const int symmetries = static_cast<int>(cfg.get_int("eval.symmetries", 1));
        KAYA_CHECK(symmetries >= 1 && symmetries <= 8, ValueError, cfg.source(),
                   ": eval.symmetries must be 1 to 8, got ", symmetries);
        res.test_ensemble = evaluate_policy(*net, test, test_limit, data_seed + 2, opt.verbose, symmetries, &res.test);
        std::string json = "{\n  \"best_epoch\": " + std::to_string(res.best_epoch) +
                           ",\n  \"test_games\": " + std::to_string(test.num_games()) +
                           ",\n  \"test_positions\": " + std::to_string(res.test.positions) +
                           ",\n  \"test_loss\": " + number(res.test.loss) + ",\n  \"test_top1\": " +
                           number(res.test.top1) + ",\n  \"test_top5\": " + number(res.test.top5);
        if (symmetries > 1) {
            json += ",\n  \"symmetries\": " + std::to_string(symmetries) +
                    ",\n  \"ensemble_loss\": " + number(res.test_ensemble.loss) +
                    ",\n  \"ensemble_top1\": " + number(res.test_ensemble.top1) +
                    ",\n  \"ensemble_top5\": " + number(res.test_ensemble.top5);
        }
        io::write_file_atomic(res.dir + "/test.json", json + "\n}\n");
        if (opt.verbose) {
            std::printf("test: %lld positions, top-1 %.2f%%, top-5 %.2f%%, loss %.4f\n",
                        static_cast<long long>(res.test.positions), 100 * res.test.top1, 100 * res.test.top5,
                        res.test.loss);
            if (symmetries > 1)
                std::printf("test, averaged over %d symmetries: top-1 %.2f%%, top-5 %.2f%%, loss %.4f\n",
                            symmetries, 100 * res.test_ensemble.top1, 100 * res.test_ensemble.top5,
                            res.test_ensemble.loss);
        }
    }
    return res;
}

}  // namespace kaya::app
