// SPDX-License-Identifier: MIT
#include "apps/train/run.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "apps/train/progress.h"
#include "apps/train/run_state.h"
#include "kaya/io/file.h"
#include "kaya/io/json.h"
#include "kaya/io/safetensors.h"
#include "kaya/kernels/blas/gemm.h"
#include "kaya/kernels/simd/sgemm.h"
#include "kaya/ops/ops.h"

namespace kaya::app {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// SIGINT and SIGTERM set a flag that the loop reads after each batch; a second one ends the
// process at once (a long evaluation does not look at the flag). The previous handlers come
// back when the run ends. Only async-signal-safe calls here: write and _Exit.
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) {
    if (g_interrupted.exchange(true)) {
        static const char quit[] = "\nkaya: interrupted again: exiting without a checkpoint\n";
        [[maybe_unused]] auto n = ::write(2, quit, sizeof quit - 1);
        std::_Exit(130);
    }
    static const char msg[] =
        "\nkaya: interrupted: saving a checkpoint after this batch (again to quit at once)\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
}

class SignalGuard {
public:
    SignalGuard() {
        g_interrupted.store(false);
        old_int_ = std::signal(SIGINT, on_signal);
        old_term_ = std::signal(SIGTERM, on_signal);
    }
    ~SignalGuard() {
        std::signal(SIGINT, old_int_);
        std::signal(SIGTERM, old_term_);
    }

private:
    void (*old_int_)(int);
    void (*old_term_)(int);
};

// "val_accuracy 88.12%" for rates, "val_loss 0.4123" otherwise.
std::string format_metrics(const Metrics& m) {
    std::string s;
    for (const auto& [n, v] : m.items()) {
        const bool rate = is_rate_metric(n);
        char buf[96];
        if (rate) {
            std::snprintf(buf, sizeof buf, "  %s %.2f%%", n.c_str(), 100 * v);
        } else if (v == std::round(v) && std::abs(v) < 1e15) {
            std::snprintf(buf, sizeof buf, "  %s %.0f", n.c_str(), v);  // Counts.
        } else {
            std::snprintf(buf, sizeof buf, "  %s %.5g", n.c_str(), v);
        }
        s += buf;
    }
    return s;
}

// A write killed half-way leaves "<file>.tmp.<pid>" (io::write_file_atomic); the target itself
// is intact. Those of processes that no longer run are removed, so kills do not fill the disk.
void remove_stale_temporaries(const std::string& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        const auto at = name.rfind(".tmp.");
        if (at == std::string::npos || at + 5 >= name.size()) continue;
        const std::string pid = name.substr(at + 5);
        if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
        if (::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH) fs::remove(e.path(), ec);
    }
}

void prepare_dir(const std::string& dir, const RunOptions& opt) {
    KAYA_CHECK(!opt.resume || fs::exists(dir + "/checkpoint.safetensors"), IoError, dir,
               "/checkpoint.safetensors: no checkpoint to resume from (output.dir '", dir, "')");
    try {
        fs::create_directories(dir);
    } catch (const fs::filesystem_error& e) {
        throw IoError("output.dir '" + dir +
                      "': cannot create the run directory: " + e.code().message());
    }
    remove_stale_temporaries(dir);
    if (opt.resume) return;
    for (const char* f : {"checkpoint.safetensors", "model.safetensors", "metrics.csv"}) {
        if (!fs::exists(dir + "/" + f)) continue;
        KAYA_CHECK(opt.force, IoError, "output.dir '", dir, "' already holds a run (", f,
                   "); continue it with --resume, or start over with --force");
    }
    for (const char* f :
         {"checkpoint.safetensors", "model.safetensors", "test.json", "metrics.csv", "run.json"}) {
        fs::remove(dir + "/" + f);
    }
}

// One run: the task, its model and optimizer, the state, and the steps of the loop. With several
// processes (dp_), each trains on its part of every batch and process 0 alone writes files.
class Run {
public:
    Run(const Config& cfg, const RunSettings& s, const RunOptions& opt, Task& task)
        : cfg_(cfg), s_(s), opt_(opt), task_(task) {
        if (opt.group && opt.group->size() > 1)
            dp_ = std::make_unique<DataParallel>(*opt.group, s.parallel);
        verbose_ = opt.verbose && root();
    }

    RunResult execute() {
        start();
        for (int64_t epoch = state_.epochs_done + 1; epoch <= s_.epochs; ++epoch) {
            if (s_.patience > 0 && state_.bad_epochs >= s_.patience) break;
            train_epoch(epoch);
            end_epoch(epoch);
            if (epoch == opt_.stop_after) return result();
        }
        finish();
        if (dp_ && verbose_ && train_seconds_ > 0)
            std::printf("%s\n", dp_->report(train_seconds_).c_str());
        return result();
    }

private:
    std::string ckpt() const { return s_.dir + "/checkpoint.safetensors"; }
    bool root() const { return !dp_ || dp_->root(); }
    int64_t processes() const { return dp_ ? dp_->size() : 1; }

    // fn on this process alone, or on process 0 with its error thrown on every process.
    void on_root(const std::string& what, const std::function<void()>& fn) {
        if (dp_) {
            dp_->on_root(what, fn);
        } else {
            fn();
        }
    }

    void start() {
        if (dp_) {
            dp_->check_batch_size(s_.batch_size);
            dp_->check_same(cfg_.effective_dump(), "effective config");
        }
        on_root("preparing " + s_.dir, [&] { prepare_dir(s_.dir, opt_); });
        manual_seed(s_.seed);  // Model initialisation and dropout draw from the default generator.
        task_.prepare({.batch_size = s_.batch_size,
                       .seed = s_.seed,
                       .verbose = verbose_,
                       .rank = dp_ ? dp_->rank() : 0,
                       .world_size = processes()});
        if (verbose_) std::printf("%s\n", task_.data_description().c_str());
        if (verbose_ && kernels::float32_matmul_precision() == kernels::MatmulPrecision::kMedium)
            std::printf("matmul precision medium (KAYA_MATMUL_PRECISION): %s\n",
                        kernels::simd::sgemm_bf16_supported()
                            ? ("float products of " + std::to_string(kernels::kBf16MinRows) +
                               " rows or more take bfloat16 operands (meant for inference)").c_str()
                            : "no AVX512-BF16 on this CPU, so the products stay in float");
        nn::Module& model = task_.model();
        if (!s_.init_weights.empty() && !opt_.resume)
            on_root("model.init_weights", [&] { load_init_weights(model); });
        optimizer_ = build_optimizer(s_.optim, model.parameters());
        schedule_ = build_schedule(s_.optim, *optimizer_, s_.epochs, task_.batches_per_epoch());
        per_batch_ = s_.optim.schedule_unit == "batch";
        if (s_.optim.schedule == "plateau") {
            plateau_ = std::make_unique<optim::ReduceLROnPlateau>(
                *optimizer_, optim::PlateauOptions{.factor = s_.optim.gamma,
                                                   .patience = s_.optim.plateau_patience});
        }
        state_.processes = processes();
        if (opt_.resume) {
            resume(model);
        } else {
            on_root("writing the run's inputs", [&] {
                io::write_file_atomic(s_.dir + "/config.toml", cfg_.effective_dump());
                task_.write_inputs(s_.dir);
            });
        }
        if (dp_) {
            dp_->check_same(std::to_string(task_.batches_per_epoch()) + " batches an epoch\n" +
                                model.summary(),
                            "model or training data");
            dp_->attach(model);
        }
        std::fflush(stdout);
    }

    void resume(nn::Module& model) {
        const int64_t batch_size = s_.batch_size, batches = task_.batches_per_epoch();
        if (dp_) {
            // Process 0's checkpoint, sent to all: the run directory need not be shared.
            const std::string bytes = dp_->file_from_root(ckpt());
            dp_->together([&] {
                state_.load(io::decode_safetensors(bytes, ckpt()), ckpt(), model, *optimizer_,
                            batch_size, batches);
            });
            if (!root()) state_.best_state.clear();
        } else {
            state_.load(ckpt(), model, *optimizer_, batch_size, batches);
        }
        if (schedule_)
            schedule_->set_epoch(per_batch_ ? state_.epochs_done * task_.batches_per_epoch() + state_.batches_done
                                            : state_.epochs_done);
        if (plateau_ && state_.schedule.has("best")) {
            plateau_->set_state({state_.schedule.get("best"),
                                 static_cast<int64_t>(state_.schedule.get("bad")),
                                 static_cast<int64_t>(state_.schedule.get("cooldown_left"))});
        }
        if (verbose_)
            std::printf("resuming %s at epoch %lld, batch %lld\n", s_.dir.c_str(),
                        static_cast<long long>(state_.epochs_done + 1),
                        static_cast<long long>(state_.batches_done));
    }

    void load_init_weights(nn::Module& model) {
        const io::SafetensorsFile f = io::load_safetensors(s_.init_weights);
        NamedTensors state;
        try {
            state = task_.init_state(f);
            model.load_state_dict(state, s_.init_strict);
        } catch (const ValueError& e) {
            cfg_.fail("model.init_weights", "model.init_weights '" + s_.init_weights +
                                                "' does not fit the model: " + e.what());
        }
        if (!verbose_) return;
        std::printf("starting from the weights in %s\n", s_.init_weights.c_str());
        if (s_.init_strict) return;
        // A partial start: say which of the model's tensors keep their fresh initialisation.
        std::set<std::string> in_file;
        for (const auto& [name, t] : state) in_file.insert(name);
        std::string fresh;
        for (const auto& [name, t] : model.state_dict())
            if (!in_file.count(name)) fresh += (fresh.empty() ? "" : ", ") + name;
        if (!fresh.empty()) std::printf("  not in the file, initialised afresh: %s\n", fresh.c_str());
    }

    struct StepResult {
        bool interrupted = false;  // Any process was asked to stop.
        bool checkpoint = false;   // Write a checkpoint after this step.
    };

    // One optimisation step. With several processes the batch is this process's part, the
    // gradients and the loss are those of the whole batch, and the decisions are process 0's
    // (checkpoint) or anyone's (interrupt).
    StepResult step(const data::Example& batch, int64_t epoch, int64_t b, bool checkpoint_due) {
        nn::Module& model = task_.model();
        optimizer_->zero_grad();
        const int64_t n = batch.empty() ? 0 : batch[0].shape()[0];
        if (dp_) dp_->begin_step(s_.seed, (epoch - 1) * task_.batches_per_epoch() + b, n);
        double l = 0;
        if (n > 0) {
            Tensor loss = task_.training_loss(batch, dp_ ? local_sums_ : state_.sums);
            autograd::backward(loss);
            l = loss.item<double>();
        }
        StepResult r{g_interrupted.load(), checkpoint_due};
        double examples = static_cast<double>(n), loss_sum = l * static_cast<double>(n);
        if (dp_) {
            const auto t = dp_->end_step({r.interrupted ? 1.0 : 0.0,
                                          root() && checkpoint_due ? 1.0 : 0.0, examples, loss_sum});
            r = {t[0] > 0, t[1] > 0};
            examples = t[2];
            loss_sum = t[3];
            local_examples_ += n;
            dp_->together([&] {
                KAYA_CHECK(examples <= static_cast<double>(s_.batch_size), Error, "task ", s_.kind,
                           " gave the processes ", examples, " examples for one batch of ",
                           s_.batch_size, ": it does not split its batches between processes "
                           "(TaskEnv.rank and world_size)");
            });
        }
        if (s_.clip_norm > 0) optim::clip_grad_norm_(model.parameters(), s_.clip_norm);
        optimizer_->step();
        if (schedule_ && per_batch_) schedule_->step();
        if (dp_) dp_->sync_buffers(model);
        const double mean = examples > 0 ? loss_sum / examples : 0;
        if (!std::isfinite(mean) && dp_) dp_->group().fail_together();
        KAYA_CHECK(std::isfinite(mean), ValueError, "training diverged at epoch ", epoch, " batch ", b,
                   ": loss is ", mean, " (lower train.lr?)");
        state_.sums.add("examples", examples);
        state_.sums.add("loss", loss_sum);
        return r;
    }

    void train_epoch(int64_t epoch) {
        const auto t0 = Clock::now();
        auto last_ckpt = t0;
        const int64_t batches = task_.batches_per_epoch();
        const int64_t first = state_.batches_done;
        Progress bar("epoch " + std::to_string(epoch) + "/" + std::to_string(s_.epochs), batches,
                     "batch");
        bar.set_enabled(verbose_ && bar.enabled());
        bar.start_at(first);
        task_.model().train();
        bool interrupted = false;
        task_.visit_batches(epoch, first, [&](int64_t b, const data::Example& batch) {
            const bool due =
                seconds_since(last_ckpt) >= 60 * s_.checkpoint_minutes && b + 1 < batches;
            const StepResult r = step(batch, epoch, b, due);
            state_.batches_done = b + 1;
            const std::string status = running_status();
            bar.update(b + 1, status);
            interrupted = r.interrupted;
            if (interrupted || (r.checkpoint && b + 1 < batches)) {
                checkpoint_mid_epoch(epoch, t0);
                last_ckpt = Clock::now();
                if (verbose_ && bar.mode() != Progress::Mode::kBar && !interrupted)
                    std::printf("  epoch %lld: %lld/%lld batches, %s, checkpoint written\n",
                                static_cast<long long>(epoch), static_cast<long long>(b + 1),
                                static_cast<long long>(batches), status.c_str());
            }
            return !interrupted;
        });
        bar.finish();
        train_seconds_ += seconds_since(t0);
        if (interrupted) {
            if (dp_) dp_->group().fail_together();
            throw Interrupted("interrupted at epoch " + std::to_string(epoch) + ", batch " +
                              std::to_string(state_.batches_done) +
                              "; the checkpoint is saved: resume with --resume" +
                              (state_.best_epoch > 0
                                   ? " (model.safetensors holds the best weights so far)"
                                   : ""));
        }
        state_.epoch_seconds += seconds_since(t0);
    }

    // The loss of the whole batches so far; the task's sums of the examples counted so far
    // (with several processes, those merged at the last checkpoint and this process's since).
    std::string running_status() const {
        const double n = state_.sums.get("examples");
        std::string s = "loss " + format_number(state_.sums.get("loss") / n);
        const double counted = dp_ ? merged_examples_ + local_examples_ : n;
        for (const auto& [name, v] : dp_ ? local_sums_.items() : state_.sums.items()) {
            if (name == "examples" || name == "loss") continue;
            const double merged = dp_ && state_.sums.has(name) ? state_.sums.get(name) : 0;
            s += " " + name + " " + format_number((v + merged) / counted);
        }
        return s;
    }
    static std::string format_number(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.4g", v);
        return buf;
    }

    // Several processes: the task's sums of every process into state_.sums (on all of them).
    void merge_sums() {
        if (!dp_) return;
        const Metrics all = dp_->sum(local_sums_);
        for (const auto& [n, v] : all.items()) state_.sums.add(n, v);
        local_sums_ = {};
        local_examples_ = 0;
        merged_examples_ = state_.sums.get("examples");
    }

    void checkpoint_mid_epoch(int64_t epoch, Clock::time_point t0) {
        merge_sums();
        if (!root()) return;
        RunState saved = state_;
        saved.epoch_seconds += seconds_since(t0);
        saved.save(ckpt(), task_.model(), *optimizer_, s_.batch_size, task_.batches_per_epoch());
    }

    // The epoch's row: training sums, and process 0's validation (sent to the others).
    Metrics epoch_row(int64_t epoch) {
        merge_sums();
        Metrics row{{"epoch", static_cast<double>(epoch)}};
        row.append(task_.epoch_columns(epoch));
        const double n = state_.sums.get("examples");
        row.set("train_loss", state_.sums.get("loss") / n);
        for (const auto& [name, v] : state_.sums.items()) {
            if (name != "examples" && name != "loss") row.set("train_" + name, v / n);
        }
        if (root()) {
            autograd::NoGradGuard no_grad;
            task_.model().eval();
            row.append(task_.validate());
            task_.model().train();
        }
        row.set("lr", optimizer_->lr());
        row.set("seconds", state_.epoch_seconds);
        return dp_ ? dp_->from_root(row) : row;
    }

    void end_epoch(int64_t epoch) {
        Metrics row = epoch_row(epoch);
        const Selection sel = task_.selection();
        const double score = row.get(sel.metric);
        KAYA_CHECK(!std::isnan(score), ValueError, "the task's validation gives no '", sel.metric,
                   "', its selection metric (internal error in the task)");
        state_.history.push_back(row);
        if (state_.best_epoch == 0 || sel.better(score, state_.best_score)) {
            state_.best_epoch = epoch;
            state_.best_score = score;
            state_.bad_epochs = 0;
            if (root()) keep_best();
        } else {
            ++state_.bad_epochs;
        }
        if (schedule_ && !per_batch_) schedule_->step();
        if (plateau_) {
            plateau_->step(row.get("val_loss"));
            const auto p = plateau_->state();
            state_.schedule = {{"best", p.best},
                               {"bad", static_cast<double>(p.bad)},
                               {"cooldown_left", static_cast<double>(p.cooldown_left)}};
        }
        if (verbose_) {
            std::printf("epoch %3lld%s\n", static_cast<long long>(epoch),
                        format_metrics(without(row, {"epoch", "seconds"})).c_str());
            std::fflush(stdout);
        }
        state_.epochs_done = epoch;
        state_.batches_done = 0;
        state_.sums = {};
        merged_examples_ = 0;
        state_.epoch_seconds = 0;
        if (!root()) return;
        state_.save(ckpt(), task_.model(), *optimizer_, s_.batch_size, task_.batches_per_epoch());
        write_history(s_.dir, state_.history, task_.plot_axis());
        task_.write_plots(s_.dir, state_.history);
    }

    void keep_best() {
        state_.best_state.clear();
        for (auto& [n, t] : task_.model().state_dict()) state_.best_state.emplace_back(n, clone(t));
        // The best weights so far are usable while training goes on, and after a Ctrl-C.
        io::save_safetensors(s_.dir + "/model.safetensors", state_.best_state,
                             task_.model_metadata());
    }

    static Metrics without(const Metrics& m, std::initializer_list<const char*> names) {
        Metrics out;
        for (const auto& [n, v] : m.items()) {
            bool skip = false;
            for (const char* x : names) skip = skip || n == x;
            if (!skip) out.set(n, v);
        }
        return out;
    }

    void finish() {
        stopped_early_ = s_.patience > 0 && state_.bad_epochs >= s_.patience &&
                         static_cast<int64_t>(state_.history.size()) < s_.epochs;
        if (!root()) return;
        nn::Module& model = task_.model();
        if (state_.best_state.empty()) {
            io::save_safetensors(s_.dir + "/model.safetensors", model.state_dict(),
                                 task_.model_metadata());
        } else {
            model.load_state_dict(
                state_.best_state);  // The test set and the task's outputs see the best weights.
        }
        autograd::NoGradGuard no_grad;
        model.eval();
        test_ = task_.test();
        if (!test_.empty()) {
            std::string json = "{\n  \"best_epoch\": " + std::to_string(state_.best_epoch);
            for (const auto& [n, v] : test_.items())
                json += ",\n  " + io::json_quote(n) + ": " + format_json(v);
            io::write_file_atomic(s_.dir + "/test.json", json + "\n}\n");
            if (verbose_)
                std::printf("test (best epoch %lld):%s\n",
                            static_cast<long long>(state_.best_epoch),
                            format_metrics(test_).c_str());
        }
        task_.finish(s_.dir);
        model.train();
        // Last, so that its presence means the run is complete (kaya sweep --resume reads it).
        const Selection sel = task_.selection();
        io::write_file_atomic(
            s_.dir + "/run.json",
            "{\n  \"epochs\": " + std::to_string(state_.history.size()) +
                ",\n  \"best_epoch\": " + std::to_string(state_.best_epoch) + ",\n  " +
                io::json_quote("best_" + sel.metric) + ": " + format_json(state_.best_score) +
                ",\n  \"stopped_early\": " + (stopped_early_ ? "true" : "false") + "\n}\n");
    }

    // The shortest of %.15g and %.17g that reads back as the same double.
    static std::string format_json(double v) {
        if (!std::isfinite(v)) return "null";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.15g", v);
        if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
        return buf;
    }

    RunResult result() {
        RunResult r;
        r.dir = s_.dir;
        r.history = state_.history;
        r.best_epoch = state_.best_epoch;
        r.best_score = state_.best_score;
        r.selection = task_.selection();
        r.test = test_;
        r.stopped_early = stopped_early_;
        r.data_description = task_.data_description();
        r.model_summary = task_.model().summary();
        r.num_parameters = task_.model().num_parameters();
        return r;
    }

    const Config& cfg_;
    const RunSettings& s_;
    const RunOptions& opt_;
    Task& task_;
    std::unique_ptr<optim::Optimizer> optimizer_;
    std::unique_ptr<optim::LRScheduler> schedule_;
    std::unique_ptr<optim::ReduceLROnPlateau> plateau_;
    RunState state_;
    std::unique_ptr<DataParallel> dp_;  // Several processes (null: this one alone).
    bool verbose_ = true;               // Printing allowed (process 0 only).
    bool per_batch_ = false;            // The schedule steps after every batch.
    Metrics local_sums_;                // Several processes: the task's sums since the last merge,
    double local_examples_ = 0;         // over this process's examples since then,
    double merged_examples_ = 0;        // and the examples the merged sums cover.
    double train_seconds_ = 0;          // Time in train_epoch in this process.
    Metrics test_;
    bool stopped_early_ = false;
};

}  // namespace

RunSettings RunSettings::read(const Config& cfg) {
    RunSettings s;
    s.kind = cfg.get_string("task.kind", s.kind);
    s.dir = cfg.get_string("output.dir", "runs/" + fs::path(cfg.source()).stem().string());
    if (s.dir.empty()) cfg.fail("output.dir", "output.dir must not be empty");
    s.seed = static_cast<uint64_t>(cfg.get_int("train.seed", 0, 0));
    s.epochs = cfg.get_int("train.epochs", s.epochs, 0);
    s.batch_size = cfg.get_int("train.batch_size", s.batch_size, 1);
    s.patience = cfg.get_int("train.patience", s.patience, 0);
    s.clip_norm = cfg.get_double("train.clip_norm", s.clip_norm, 0, INFINITY);
    s.checkpoint_minutes =
        cfg.get_double("train.checkpoint_minutes", s.checkpoint_minutes, 0, INFINITY);
    s.init_weights = cfg.get_string("model.init_weights", "");
    s.init_strict = cfg.get_bool("model.init_strict", true);
    if (!s.init_weights.empty() && !fs::exists(s.init_weights)) {
        cfg.fail("model.init_weights",
                 "model.init_weights '" + s.init_weights + "' does not exist");
    }
    s.optim = OptimSettings::read(cfg);
    s.parallel = ParallelSettings::read(cfg);
    return s;
}

double RunResult::best(const std::string& column) const {
    if (best_epoch < 1 || best_epoch > static_cast<int64_t>(history.size())) return NAN;
    return history[static_cast<size_t>(best_epoch - 1)].get(column);
}

RunResult run_training(const Config& cfg, const RunOptions& options, const TaskRegistry& registry) {
    const RunSettings settings = RunSettings::read(cfg);
    std::unique_ptr<Task> task = registry.make(settings.kind, cfg);
    cfg.check_all_read();
    SignalGuard signals;
    return Run(cfg, settings, options, *task).execute();
}

std::string effective_config(const Config& cfg, const TaskRegistry& registry) {
    const RunSettings settings = RunSettings::read(cfg);
    registry.make(settings.kind, cfg);
    cfg.check_all_read();
    return cfg.effective_dump();
}

Selection selection_of(const Config& cfg, const TaskRegistry& registry) {
    return registry.make(cfg.get_string("task.kind", RunSettings{}.kind), cfg)->selection();
}

NamedTensors with_prefix(const std::string& prefix, const NamedTensors& in) {
    NamedTensors out;
    for (const auto& [n, t] : in) out.emplace_back(prefix + n, t);
    return out;
}

NamedTensors without_prefix(const std::string& prefix, const NamedTensors& in) {
    NamedTensors out;
    for (const auto& [n, t] : in) {
        if (n.rfind(prefix, 0) == 0) out.emplace_back(n.substr(prefix.size()), t);
    }
    return out;
}

}  // namespace kaya::app
