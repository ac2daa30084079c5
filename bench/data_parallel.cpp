// SPDX-License-Identifier: MIT
// Data-parallel training steps, measured: run alone (one process, KAYA_NUM_THREADS threads) or
// under `mpirun -np N` (N processes, each with its part of the same global batch and the
// gradient all-reduce of kaya/distributed). bench/data_parallel.py interleaves the set-ups and
// prints the ratios. Prints one JSON line (process 0):
//   data_parallel --model go6|go13|mlp --batch B [--steps S] [--overlap 0|1] [--reduce 0|1]
//                 [--bucket-mb X]
//   data_parallel --allreduce-mb X [--steps S]    (the all-reduce alone, for the cost model)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "apps/go/policy/policy.h"
#include "kaya/core/parallel.h"
#include "kaya/data/dataloader.h"
#include "kaya/distributed/process_group.h"
#include "kaya/distributed/reducer.h"
#include "kaya/nn/nn.h"
#include "kaya/ops/ops.h"
#include "kaya/optim/optim.h"

namespace {

using namespace kaya;
using Clock = std::chrono::steady_clock;

struct Args {
    std::string model = "mlp";
    int64_t batch = 128, steps = 40, warmup = 5;
    bool overlap = true;
    bool reduce = true;  // 0: each process trains on its part alone (the compute-only baseline).
    double bucket_mb = 1.0, allreduce_mb = 0;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--model") a.model = v;
        else if (k == "--batch") a.batch = std::atoll(v.c_str());
        else if (k == "--steps") a.steps = std::atoll(v.c_str());
        else if (k == "--warmup") a.warmup = std::atoll(v.c_str());
        else if (k == "--overlap") a.overlap = v != "0";
        else if (k == "--reduce") a.reduce = v != "0";
        else if (k == "--bucket-mb") a.bucket_mb = std::atof(v.c_str());
        else if (k == "--allreduce-mb") a.allreduce_mb = std::atof(v.c_str());
        else {
            std::fprintf(stderr, "data_parallel: unknown option %s\n", k.c_str());
            std::exit(2);
        }
    }
    return a;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// The model, its loss on a batch, and a batch of inputs of the right shape (random: the speed
// of a step does not depend on the values).
struct Problem {
    std::shared_ptr<nn::Module> net;
    Tensor x, y;
    std::unique_ptr<optim::Optimizer> opt;
};

Problem make(const Args& a, int64_t rows) {
    manual_seed(0);
    Problem p;
    if (a.model == "mlp") {
        p.net = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
            std::make_shared<nn::Linear>(784, 256), std::make_shared<nn::ReLU>(),
            std::make_shared<nn::Linear>(256, 128), std::make_shared<nn::ReLU>(),
            std::make_shared<nn::Linear>(128, 10)});
        p.x = rand({rows, 784});
        p.y = randint(0, 10, {rows});
        p.opt = std::make_unique<optim::Adam>(p.net->parameters(), optim::AdamOptions{.lr = 1e-3});
    } else {
        const bool big = a.model == "go13";
        p.net = std::make_shared<go::PolicyNet>(go::PolicyNetOptions{
            .board = 19, .filters = big ? 192 : 64, .layers = big ? 13 : 6});
        p.x = rand({rows, 48, 19, 19});
        p.y = randint(0, 361, {rows});
        p.opt = std::make_unique<optim::SGD>(p.net->parameters(), optim::SGDOptions{.lr = 0.003});
    }
    return p;
}

void run_steps(const Args& a, distributed::ProcessGroup& g) {
    const auto [b, e] = data::shard_part(a.batch, g.rank(), g.size());
    Problem p = make(a, e - b);
    std::unique_ptr<distributed::GradientReducer> reducer;
    if (g.size() > 1 && a.reduce)
        reducer = std::make_unique<distributed::GradientReducer>(
            g, p.net->parameters(), distributed::ReducerOptions{.bucket_mb = a.bucket_mb, .overlap = a.overlap});
    std::vector<double> step_ms, comm_ms;
    for (int64_t s = 0; s < a.warmup + a.steps; ++s) {
        if (g.size() > 1) g.barrier("step start");  // All start together: steps are comparable.
        const auto t0 = Clock::now();
        p.opt->zero_grad();
        if (reducer) reducer->begin(static_cast<double>(e - b));
        autograd::backward(nn::cross_entropy(p.net->forward(p.x), p.y));
        double wait = 0;
        if (reducer) {
            const double before = reducer->stats().wait_seconds;
            reducer->finish();
            wait = 1e3 * (reducer->stats().wait_seconds - before);
        }
        p.opt->step();
        if (s >= a.warmup) {
            step_ms.push_back(ms_since(t0));
            comm_ms.push_back(wait);
        }
    }
    // Process 0's medians; the slowest process sets the pace, so take the maximum over processes.
    std::vector<double> mine{median(step_ms), median(comm_ms)};
    std::vector<double> all(2 * static_cast<size_t>(g.size()), 0.0);
    for (size_t i = 0; i < 2; ++i) all[2 * static_cast<size_t>(g.rank()) + i] = mine[i];
    all = g.allreduce_sum(all, "results");
    double step = 0, comm = 0;
    for (int r = 0; r < g.size(); ++r) {
        step = std::max(step, all[2 * static_cast<size_t>(r)]);
        comm = std::max(comm, all[2 * static_cast<size_t>(r) + 1]);
    }
    if (g.rank() == 0) {
        const int64_t bytes = reducer ? reducer->stats().bytes : 0;
        std::printf("{\"model\": \"%s\", \"processes\": %d, \"threads\": %d, \"batch\": %lld, "
                    "\"overlap\": %s, \"reduce\": %s, \"gradient_bytes\": %lld, \"buckets\": %lld, "
                    "\"early_launches_per_step\": %.2f, \"step_ms\": %.4f, \"comm_wait_ms\": %.4f, "
                    "\"examples_per_s\": %.1f}\n",
                    a.model.c_str(), g.size(), num_threads(), static_cast<long long>(a.batch),
                    a.overlap ? "true" : "false", a.reduce ? "true" : "false",
                    static_cast<long long>(bytes),
                    static_cast<long long>(reducer ? reducer->stats().buckets : 0),
                    reducer ? static_cast<double>(reducer->stats().early_launches) /
                                  static_cast<double>(reducer->stats().steps)
                            : 0.0,
                    step, comm,
                    1e3 * static_cast<double>(a.batch) / step);
    }
}

void run_allreduce(const Args& a, distributed::ProcessGroup& g) {
    const auto n = static_cast<int64_t>(a.allreduce_mb * 1024 * 1024 / 4);
    Tensor t = ones({n});
    std::vector<double> ms;
    for (int64_t s = 0; s < a.warmup + a.steps; ++s) {
        g.barrier("start");
        const auto t0 = Clock::now();
        g.allreduce_sum(t, "gradients")->wait();
        if (s >= a.warmup) ms.push_back(ms_since(t0));
    }
    if (g.rank() == 0)
        std::printf("{\"allreduce_bytes\": %lld, \"processes\": %d, \"ms\": %.4f}\n",
                    static_cast<long long>(4 * n), g.size(), median(ms));
}

}  // namespace

int main(int argc, char** argv) {
    const Args a = parse(argc, argv);
    distributed::ProcessGroup& g = distributed::world();
    if (a.allreduce_mb > 0) {
        run_allreduce(a, g);
    } else {
        run_steps(a, g);
    }
    return 0;
}
