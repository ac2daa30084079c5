// SPDX-License-Identifier: MIT
#include "kaya/distributed/mpi_group.h"

#ifdef KAYA_WITH_MPI

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <deque>
#include <functional>
#include <thread>

namespace kaya::distributed {

bool built_with_mpi() { return true; }

namespace {

using Clock = std::chrono::steady_clock;

class MpiGroup : public ProcessGroup {
public:
    MpiGroup() {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
        // MPI calls come from the communication thread, and MPI_Abort from any thread.
        KAYA_CHECK(provided >= MPI_THREAD_SERIALIZED, Error,
                   "this MPI library does not support calls from several threads "
                   "(MPI_Init_thread gave level ", provided, ")");
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
        worker_ = std::thread([this] { loop(); });
    }

    ~MpiGroup() override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        worker_.join();
        MPI_Finalize();
    }

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    std::string backend() const override { return "mpi"; }

    std::shared_ptr<Work> allreduce_sum(const Tensor& t, std::string what) override {
        KAYA_CHECK(t.defined() && t.is_contiguous(), ValueError, "distributed allreduce (", what,
                   "): needs a defined contiguous tensor, got ", describe(t));
        KAYA_CHECK(is_floating(t.dtype()), DTypeError, "distributed allreduce (", what,
                   "): needs float32 or float64, got ", describe(t));
        const MPI_Datatype type = t.dtype() == DType::Float32 ? MPI_FLOAT : MPI_DOUBLE;
        const size_t item = dtype_size(t.dtype());
        return submit(std::move(what), [this, t, type, item](const std::string& w) {
            auto* p = static_cast<char*>(t.raw_data());
            for (int64_t done = 0, n = t.numel(); done < n;) {
                const int count = static_cast<int>(std::min<int64_t>(n - done, INT_MAX / 2));
                MPI_Request req;
                MPI_Iallreduce(MPI_IN_PLACE, p + done * static_cast<int64_t>(item), count, type,
                               MPI_SUM, MPI_COMM_WORLD, &req);
                wait_request(req, w);
                done += count;
            }
            t.bump_version();
        });
    }

    std::shared_ptr<Work> broadcast(const Tensor& t, int root, std::string what) override {
        KAYA_CHECK(t.defined() && t.is_contiguous(), ValueError, "distributed broadcast (", what,
                   "): needs a defined contiguous tensor, got ", describe(t));
        KAYA_CHECK(root >= 0 && root < size_, ValueError, "distributed broadcast (", what,
                   "): root ", root, " is not a process of a group of ", size_);
        return submit(std::move(what), [this, t, root](const std::string& w) {
            auto* p = static_cast<char*>(t.raw_data());
            const int64_t bytes = t.numel() * static_cast<int64_t>(dtype_size(t.dtype()));
            for (int64_t done = 0; done < bytes;) {
                const int count = static_cast<int>(std::min<int64_t>(bytes - done, INT_MAX / 2));
                MPI_Request req;
                MPI_Ibcast(p + done, count, MPI_BYTE, root, MPI_COMM_WORLD, &req);
                wait_request(req, w);
                done += count;
            }
            t.bump_version();
        });
    }

    void set_timeout(double seconds) override { timeout_.store(seconds); }

    [[noreturn]] void abort(const std::string& why, int exit_code) override {
        std::fprintf(stderr, "kaya (process %d of %d): %s\n", rank_, size_, why.c_str());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, exit_code);
        std::_Exit(exit_code);
    }

private:
    using Body = std::function<void(const std::string&)>;
    struct Op {
        std::shared_ptr<Work> work;
        Body body;
    };

    std::shared_ptr<Work> submit(std::string what, Body body) {
        auto work = std::make_shared<Work>(std::move(what));
        {
            std::lock_guard<std::mutex> lock(mutex_);
            queue_.push_back({work, std::move(body)});
        }
        cv_.notify_one();
        return work;
    }

    void loop() {
        for (;;) {
            Op op;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
                if (queue_.empty()) return;
                op = std::move(queue_.front());
                queue_.pop_front();
            }
            op.body(op.work->what());
            op.body = nullptr;  // Releases the tensor before the waiter wakes.
            op.work->complete();
        }
    }

    // Polls a request: yields first (a collective between processes of one machine completes in
    // microseconds), then sleeps a little longer each time, so a process waiting for a slower
    // one does not take the CPU from it. Past the timeout the whole job ends.
    void wait_request(MPI_Request& req, const std::string& what) {
        const auto t0 = Clock::now();
        for (int polls = 0;; ++polls) {
            int flag = 0;
            MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
            if (flag) return;
            if (polls < 200) {
                std::this_thread::yield();
            } else {
                std::this_thread::sleep_for(std::chrono::microseconds(std::min(1000, 5 * (polls - 199))));
            }
            const double waited = std::chrono::duration<double>(Clock::now() - t0).count();
            if (waited > timeout_.load()) {
                char buf[160];
                std::snprintf(buf, sizeof buf, "no answer from the other processes for %.0f s in ",
                              waited);
                abort(buf + what +
                          "; one of them hangs or is stopped. Ending the job (the last complete "
                          "checkpoint is intact: resume with --resume)",
                      1);
            }
        }
    }

    int rank_ = 0, size_ = 1;
    std::atomic<double> timeout_{1800};
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Op> queue_;
    bool stop_ = false;
    std::thread worker_;
};

}  // namespace

std::unique_ptr<ProcessGroup> make_mpi_group() { return std::make_unique<MpiGroup>(); }

}  // namespace kaya::distributed

#else  // No MPI in this build.

namespace kaya::distributed {

bool built_with_mpi() { return false; }

std::unique_ptr<ProcessGroup> make_mpi_group() {
    throw Error("this kaya was built without MPI (install libopenmpi-dev and rebuild)");
}

}  // namespace kaya::distributed

#endif
