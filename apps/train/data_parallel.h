// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/train/config.h"
#include "apps/train/task.h"
#include "kaya/distributed/process_group.h"
#include "kaya/distributed/reducer.h"

namespace kaya::app {

// The [distributed] keys: how gradients travel when several processes train together
// (`mpirun -np N kaya train CONFIG`). Read by every run, so a config is the same for any N.
struct ParallelSettings {
    double bucket_mb = 1.0;        // distributed.bucket_mb: largest all-reduce bucket.
    bool overlap = true;           // distributed.overlap: reduce buckets during backward.
    double timeout_minutes = 30;   // distributed.timeout_minutes: longest wait for the others.

    static ParallelSettings read(const Config& cfg);
};

// What the run loop does differently when it is one of several processes (data parallelism,
// as PyTorch's DistributedDataParallel): every process holds the whole model and trains on its
// own part of every global batch; gradients are averaged (GradientReducer) so the weights stay
// identical everywhere; process 0 alone validates, tests and writes files, and tells the others
// what they need to decide alike (validation rows, errors). Decisions that end or pause the
// loop (an interrupt, a checkpoint) travel with each step's gradients, so all processes take
// them at the same batch.
class DataParallel {
public:
    DataParallel(distributed::ProcessGroup& group, const ParallelSettings& settings);

    int rank() const { return group_.rank(); }
    int size() const { return group_.size(); }
    bool root() const { return group_.rank() == 0; }
    distributed::ProcessGroup& group() { return group_; }

    // Refuses, on every process alike, a batch size the processes cannot share equally and a
    // config or data that differ between processes.
    void check_batch_size(int64_t batch_size);
    void check_same(const std::string& text, const std::string& what);
    // Runs fn on process 0 only; an error there is thrown on every process.
    void on_root(const std::string& what, const std::function<void()>& fn);
    // Runs fn on every process; an error is taken as the same on all (a deterministic check
    // such as a checkpoint that does not fit), so the job ends normally.
    void together(const std::function<void()>& fn);
    // Process 0's file bytes on every process (a checkpoint need not be on a shared disk).
    std::string file_from_root(const std::string& path);

    // Gives every process process 0's parameters and buffers, and sets up the reducer.
    void attach(nn::Module& model);
    // Before a step: seeds the default generator for this process and step (dropout differs
    // between processes, and a resumed run draws the same numbers) and starts the reducer.
    void begin_step(uint64_t seed, int64_t step, int64_t examples);
    // After backward: averaged gradients in the parameters; `values` summed over processes.
    std::vector<double> end_step(const std::vector<double>& values);
    // Buffers (batch-norm statistics) from process 0, so that every process holds the same model.
    void sync_buffers(nn::Module& model);

    // Every process's `local` sums added together (on every process).
    Metrics sum(const Metrics& local);
    // Process 0's row on every process.
    Metrics from_root(const Metrics& row);

    // "2 processes (mpi), 1.6 MiB of gradients in 2 buckets a step, ..." for the end of a run.
    std::string report(double train_seconds) const;

private:
    distributed::ProcessGroup& group_;
    ParallelSettings settings_;
    std::unique_ptr<distributed::GradientReducer> reducer_;
};

// Metrics as text and back, exactly (%.17g), for sending between processes.
std::string encode_metrics(const Metrics& m);
Metrics decode_metrics(const std::string& s);

}  // namespace kaya::app
