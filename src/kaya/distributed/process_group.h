// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "kaya/core/tensor.h"

namespace kaya::distributed {

// One collective operation handed to a process group: wait() blocks until it has completed on
// this process (torch.distributed's Work).
class Work {
public:
    explicit Work(std::string what) : what_(std::move(what)) {}
    void wait();
    bool completed() const;
    const std::string& what() const { return what_; }
    // For implementations: marks the operation done and wakes the waiters.
    void complete();

private:
    std::string what_;
    mutable std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
};

// The processes that train together (torch.distributed's ProcessGroup): rank and size, and the
// collectives data-parallel training needs. Operations run one after another in the order they
// are submitted, which every process must keep the same; they are asynchronous (a Work to wait
// on) so that communication overlaps computation. The backend is behind this interface: MPI
// when the process was launched by mpirun, a group of one otherwise; another (a GPU's) would be
// a third implementation.
class ProcessGroup {
public:
    virtual ~ProcessGroup() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual std::string backend() const = 0;  // "single" or "mpi".

    // Sums a contiguous float32 or float64 tensor over all processes, in place.
    virtual std::shared_ptr<Work> allreduce_sum(const Tensor& t, std::string what) = 0;
    // Overwrites a contiguous tensor of any dtype with root's copy.
    virtual std::shared_ptr<Work> broadcast(const Tensor& t, int root, std::string what) = 0;

    // A collective that waits longer than this (seconds) ends the whole job with a message
    // naming the operation: a process that hangs must not hang the others forever. (A process
    // that dies ends the job at once: mpirun stops the others.)
    virtual void set_timeout(double seconds) = 0;
    // Ends every process of the job at once (MPI_Abort), after printing `why`.
    [[noreturn]] virtual void abort(const std::string& why, int exit_code) = 0;

    // Marks that every process is about to throw the same error (a collective decision), so the
    // job can end normally instead of being aborted; see failing_together().
    void fail_together() { failing_together_ = true; }
    bool failing_together() const { return failing_together_; }

    // Blocking helpers built on broadcast and allreduce_sum.
    std::string broadcast_string(const std::string& s, int root, const std::string& what);
    // The sum over processes of each value.
    std::vector<double> allreduce_sum(std::vector<double> v, const std::string& what);
    void barrier(const std::string& what);

private:
    bool failing_together_ = false;
};

// The process-wide group, made on first use: MPI's world when the process was launched by
// mpirun (or srun) and Kaya was built with MPI, a group of one otherwise. Launched as several
// processes by a build without MPI, it throws: each would otherwise train alone on all the data.
ProcessGroup& world();
// A group of one process, whatever the environment (tests, tools).
std::unique_ptr<ProcessGroup> single_process_group();
// True when this build can talk MPI.
bool built_with_mpi();
// The world size the launcher announced in the environment (1 when not launched by one).
int launcher_world_size();

// Sends every tensor of `tensors` (parameters and buffers) from root to all processes, in order.
void broadcast_tensors(ProcessGroup& group, const std::vector<Tensor>& tensors, int root = 0);

}  // namespace kaya::distributed
