// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/train/config.h"
#include "kaya/data/dataloader.h"
#include "kaya/data/dataset.h"
#include "kaya/io/safetensors.h"
#include "kaya/nn/module.h"

namespace kaya::app {

// Named numbers in a fixed order: one row of metrics.csv, a test score, a checkpoint's sums.
class Metrics {
public:
    Metrics() = default;
    Metrics(std::initializer_list<std::pair<std::string, double>> values) : values_(values) {}
    // Sets a value, keeping the position of an existing name.
    void set(const std::string& name, double value);
    void add(const std::string& name, double value);  // Sums into the value (0 if absent).
    bool has(const std::string& name) const;
    // The value; NaN when absent.
    double get(const std::string& name) const;
    const std::vector<std::pair<std::string, double>>& items() const { return values_; }
    bool empty() const { return values_.empty(); }
    void append(const Metrics& other);

private:
    std::vector<std::pair<std::string, double>> values_;
};

// Whether a metric is a rate in [0, 1] shown as a percentage (names with accuracy, top1, top5);
// others (losses, BLEU already 0-100, counts) are shown as they are.
bool is_rate_metric(const std::string& name);

// Which validation metric picks the best epoch, and in which direction.
struct Selection {
    std::string metric = "val_loss";
    bool higher_is_better = false;
    bool better(double a, double b) const { return higher_is_better ? a > b : a < b; }
};

// What the run loop tells a task when it prepares it.
struct TaskEnv {
    int64_t batch_size = 64;  // train.batch_size.
    uint64_t seed = 0;        // train.seed (the default generator is already seeded with it).
    bool verbose = true;      // Progress and log lines allowed.
    // Data-parallel training: this process is `rank` of `world_size`. visit_batches must then
    // give only this process's part of every batch (data::shard_part of the batch one process
    // would see; DataLoaderOptions.shard/shards do it), an empty Example when the part is empty.
    int64_t rank = 0;
    int64_t world_size = 1;
};

// One application's training problem. The run loop (run.h) owns everything the applications
// share: seeding, the output directory, the optimizer and schedule, checkpoints with RNG state
// and history, --resume (also from the middle of an epoch), best weights, early stopping,
// divergence checks, metrics.csv, test.json and progress. A task supplies only what is its
// own. The constructor reads the task's config keys (and nothing expensive); prepare() loads
// the data and builds the model.
class Task {
public:
    virtual ~Task() = default;

    virtual void prepare(const TaskEnv& env) = 0;
    // One line on the data (for logs and the report), after prepare().
    virtual std::string data_description() const = 0;
    virtual nn::Module& model() = 0;

    // Training batches per epoch. visit_batches calls `fn(b, batch)` for batches b = first,
    // first + 1, ... of epoch `epoch` (1-based) in the order a fresh run would see them, so a
    // run resumed at batch `first` continues exactly; it stops early when `fn` returns false.
    virtual int64_t batches_per_epoch() const = 0;
    virtual void visit_batches(int64_t epoch, int64_t first,
                               const std::function<bool(int64_t, const data::Example&)>& fn) = 0;
    // The loss of one training batch (model in train mode, graph recorded). The loop sums
    // loss x batch rows into train_loss; a task adds sums of its own to `sums` (e.g. "top1",
    // correct first choices), reported per example as "train_<name>".
    virtual Tensor training_loss(const data::Example& batch, Metrics& sums) = 0;
    // Columns that lead each epoch's row (e.g. training positions seen so far).
    virtual Metrics epoch_columns(int64_t epoch) const { return {}; }

    // Validation metrics after an epoch (model in eval mode, no graph); must include the
    // selection metric and should include "val_loss".
    virtual Metrics validate() = 0;
    virtual Selection selection() const { return {}; }
    // The best weights on the held-out test set; empty when the task has none.
    virtual Metrics test() { return {}; }

    // The tensors that model.init_weights loads into model() (after prepare()): the file's own
    // by default; a task may map them first (the Go task widens a narrower net's weights).
    virtual NamedTensors init_state(const io::SafetensorsFile& file) { return file.tensors; }
    // Metadata stored in model.safetensors (e.g. the network's shape).
    virtual std::map<std::string, std::string> model_metadata() const { return {{"format", "pt"}}; }
    // Files made once at the start of a fresh run (e.g. split.json) and at the end with the best
    // weights loaded (e.g. predictions.csv); dir is the run directory.
    virtual void write_inputs(const std::string& dir) {}
    virtual void finish(const std::string& dir) {}
    // Plots of the history besides the loss curves (curves.svg), e.g. accuracy.svg.
    virtual void write_plots(const std::string& dir, const std::vector<Metrics>& history) {}
    // The x axis of the loss curves: epochs by default, or a column of the history.
    struct PlotAxis {
        std::string column = "epoch", label = "epoch";
        bool counts = false;  // Large counts: shown in thousands or millions (app::count_axis).
    };
    virtual PlotAxis plot_axis() const { return {}; }
};

// Task::visit_batches for a task whose batches come from a DataLoader: batches `first`, ... of
// epoch `epoch` (the loader's order depends only on its seed and the epoch), until `fn` says stop.
void visit_loader_batches(const data::DataLoader& loader, int64_t epoch, int64_t first,
                          const std::function<bool(int64_t, const data::Example&)>& fn);

using TaskFactory = std::function<std::unique_ptr<Task>(const Config&)>;

// task.kind -> factory. The kaya binary fills the global one from its table of applications
// (apps/cli/applications.cpp); tests may register their own kinds.
class TaskRegistry {
public:
    void add(const std::string& kind, TaskFactory factory, std::string description = "");
    bool contains(const std::string& kind) const;
    // ValueError listing the known kinds when `kind` is not one of them.
    std::unique_ptr<Task> make(const std::string& kind, const Config& cfg) const;
    std::vector<std::string> kinds() const;

private:
    std::map<std::string, std::pair<TaskFactory, std::string>> factories_;
};

TaskRegistry& task_registry();

}  // namespace kaya::app
