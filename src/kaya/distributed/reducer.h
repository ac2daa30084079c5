// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "kaya/distributed/process_group.h"

namespace kaya::distributed {

struct ReducerOptions {
    // Largest bucket, in MiB of gradients (PyTorch's DDP: bucket_cap_mb, 25 by default; Kaya's
    // models are smaller, so smaller buckets let the first ones go out early in backward).
    double bucket_mb = 1.0;
    // Start each bucket's all-reduce as soon as backward has produced all its gradients
    // (through post-accumulate-grad hooks). Off: everything is reduced after backward.
    bool overlap = true;
};

// Averages gradients over the processes of a group, as PyTorch's DistributedDataParallel does:
// parameters are packed in buckets in reverse order (the order backward finishes them), each
// bucket is one all-reduce, started while backward is still computing the rest. The average is
// weighted: each process gives a weight (its examples in the global batch) and every gradient
// becomes sum_p weight_p * grad_p / sum_p weight_p, which is the gradient of the global batch's
// mean loss when each process's loss is the mean over its own examples, also when the parts
// differ in size. One backward pass per step:
//   reducer.begin(examples_here); loss.backward(); extra = reducer.finish(extra_here);
class GradientReducer {
public:
    GradientReducer(ProcessGroup& group, std::vector<Tensor> params, ReducerOptions options = {});
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    // Starts a step; weight >= 0 (0: this process had no examples, its gradients count for
    // nothing).
    void begin(double weight);
    // Waits for every bucket and writes the averaged gradients into the parameters' .grad.
    // `extra` values are summed over the processes in the same round trip (e.g. loss sums and
    // flags) and returned. A parameter no process used keeps an undefined .grad.
    std::vector<double> finish(const std::vector<double>& extra = {});

    struct Stats {
        int64_t steps = 0;
        // Time in finish(): waiting for the last buckets (and for slower processes), copying back.
        double wait_seconds = 0;
        int64_t buckets = 0;
        int64_t bytes = 0;  // Gradient bytes reduced per step.
        int64_t early_launches = 0;  // Buckets started during backward (over all steps).
    };
    const Stats& stats() const { return stats_; }
    // Bucket b's parameters (indices into params), for tests and reports.
    std::vector<size_t> bucket_params(size_t b) const;

private:
    struct Slot {
        size_t bucket = 0;
        int64_t offset = 0;  // In elements, in the bucket's buffer.
        bool ready = false;  // Its gradient is in the buffer this step.
        bool used = false;   // It had a gradient this step.
        int64_t hook = 0;
    };
    struct Bucket {
        Tensor buffer;  // Flat, one dtype.
        std::vector<size_t> params;
        size_t pending = 0;
        std::shared_ptr<Work> work;
    };
    void on_gradient(size_t i);
    void copy_in(size_t i);
    void launch_ready();
    void launch(size_t b);

    ProcessGroup& group_;
    std::vector<Tensor> params_;
    ReducerOptions options_;
    std::vector<Slot> slots_;
    std::vector<Bucket> buckets_;
    size_t next_launch_ = 0;
    bool active_ = false;
    double weight_ = 1;
    Stats stats_;
};

}  // namespace kaya::distributed
