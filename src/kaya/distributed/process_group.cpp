// SPDX-License-Identifier: MIT
#include "kaya/distributed/process_group.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kaya/distributed/mpi_group.h"
#include "kaya/ops/ops.h"

namespace kaya::distributed {

void Work::wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [&] { return done_; });
}

bool Work::completed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_;
}

void Work::complete() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        done_ = true;
    }
    done_cv_.notify_all();
}

namespace {

void check_contiguous(const Tensor& t, const std::string& what) {
    KAYA_CHECK(t.defined() && t.is_contiguous(), ValueError, "distributed ", what,
               ": needs a defined contiguous tensor, got ", describe(t));
}

// One process: every collective is already complete (the sum over one process is the tensor).
class SingleProcessGroup : public ProcessGroup {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::string backend() const override { return "single"; }
    std::shared_ptr<Work> allreduce_sum(const Tensor& t, std::string what) override {
        check_contiguous(t, what);
        KAYA_CHECK(is_floating(t.dtype()), DTypeError, "distributed allreduce (", what,
                   "): needs float32 or float64, got ", describe(t));
        return done(std::move(what));
    }
    std::shared_ptr<Work> broadcast(const Tensor& t, int root, std::string what) override {
        check_contiguous(t, what);
        KAYA_CHECK(root == 0, ValueError, "distributed broadcast (", what, "): root ", root,
                   " is not a process of a group of 1");
        return done(std::move(what));
    }
    void set_timeout(double) override {}
    [[noreturn]] void abort(const std::string& why, int exit_code) override {
        std::fprintf(stderr, "kaya: %s\n", why.c_str());
        std::fflush(stderr);
        std::_Exit(exit_code);
    }

private:
    static std::shared_ptr<Work> done(std::string what) {
        auto w = std::make_shared<Work>(std::move(what));
        w->complete();
        return w;
    }
};

int env_int(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return 0;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    return *end == '\0' && n > 0 && n < (1L << 30) ? static_cast<int>(n) : 0;
}

}  // namespace

std::string ProcessGroup::broadcast_string(const std::string& s, int root, const std::string& what) {
    Tensor n = from_vector<int64_t>({static_cast<int64_t>(s.size())}, {1});
    broadcast(n, root, what + " (length)")->wait();
    const int64_t len = n.item<int64_t>();
    KAYA_CHECK(len >= 0 && len < (int64_t{1} << 40), Error, "distributed ", what,
               ": received a length of ", len, " (internal error)");
    // int64 words carry the bytes (the tensor dtypes have no uint8).
    const int64_t words = (len + 7) / 8;
    Tensor buf = zeros({std::max<int64_t>(words, 1)}, DType::Int64);
    if (rank() == root && len > 0) std::memcpy(buf.raw_data(), s.data(), static_cast<size_t>(len));
    broadcast(buf, root, what)->wait();
    return std::string(static_cast<const char*>(buf.raw_data()), static_cast<size_t>(len));
}

std::vector<double> ProcessGroup::allreduce_sum(std::vector<double> v, const std::string& what) {
    if (v.empty()) return v;
    Tensor t = from_vector<double>(v, {static_cast<int64_t>(v.size())});
    allreduce_sum(t, what)->wait();
    return to_vector<double>(t);
}

void ProcessGroup::barrier(const std::string& what) { allreduce_sum(std::vector<double>{1.0}, what); }

std::unique_ptr<ProcessGroup> single_process_group() { return std::make_unique<SingleProcessGroup>(); }

int launcher_world_size() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_NTASKS"}) {
        if (const int n = env_int(name); n > 0) return n;
    }
    return 1;
}

ProcessGroup& world() {
    static std::unique_ptr<ProcessGroup> group = [] {
        const int n = launcher_world_size();
        const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") ||
                              std::getenv("PMIX_RANK");
        if (launched && built_with_mpi()) return make_mpi_group();
        KAYA_CHECK(n == 1, Error, "launched as ", n,
                   " processes, but this kaya was built without MPI: each would train alone on "
                   "all the data. Install libopenmpi-dev (scripts/setup.sh does) and rebuild");
        return single_process_group();
    }();
    return *group;
}

void broadcast_tensors(ProcessGroup& group, const std::vector<Tensor>& tensors, int root) {
    std::vector<std::shared_ptr<Work>> pending;
    for (size_t i = 0; i < tensors.size(); ++i) {
        pending.push_back(group.broadcast(tensors[i], root, "broadcast of tensor " + std::to_string(i)));
    }
    for (auto& w : pending) w->wait();
}

}  // namespace kaya::distributed
