// SPDX-License-Identifier: MIT
#include "kaya/core/parallel.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kaya {

// Kaya's own thread pool. A parallel region publishes a job of numbered chunks; the calling
// thread and the workers take chunks from one counter until none is left, and the caller then
// waits only for chunks that a worker has already taken. A worker that the scheduler has put
// aside (on a busy machine) therefore never holds up a region it has not joined: the caller
// does its share. Idle workers spin briefly (consecutive regions of a training step are a few
// microseconds apart) and then sleep on a futex, so they take no cycles from the thread doing
// the work. OpenMP's regions, which this replaces, end in a barrier that waits for every thread
// of the team, started or not, and spin for milliseconds before sleeping.

namespace {

// Idle workers poll this long for the next region before sleeping; a region's caller polls as
// long for workers' chunks to finish. Measured with KAYA_SPIN_US on train_bench (medians of 3):
// 0-5 us is 10-20% slower idle (the next region finds the worker asleep), 100-500 us is up to
// 40% slower next to one busy process (the spinning worker takes the working thread's cycles);
// 50 us is within 5% of the best of both.
int64_t spin_ns() {
    static const int64_t ns = [] {
        const char* env = std::getenv("KAYA_SPIN_US");
        int64_t us = env ? std::atoll(env) : 50;
        return std::max<int64_t>(us, 0) * 1000;
    }();
    return ns;
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

void futex_wait(std::atomic<uint32_t>* word, uint32_t expected) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void futex_wake_all(std::atomic<uint32_t>* word) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

// Polls `done()` for spin_ns(): a couple of microseconds with the CPU's pause instruction, then
// yielding the core between polls, so that on a busy machine another runnable thread (the one
// doing the work, or another program) gets the core while this one waits. True when it came
// true.
template <class Done>
bool spin_until(Done&& done) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto pause_until = start + std::chrono::microseconds(2);
    const auto limit = start + std::chrono::nanoseconds(spin_ns());
    for (;;) {
        for (int i = 0; i < 32; ++i) {
            if (done()) return true;
            cpu_relax();
        }
        const auto now = clock::now();
        if (now >= limit) return done();
        if (now >= pause_until) std::this_thread::yield();
    }
}

thread_local bool t_in_region = false;

// One parallel region. Shared between the caller and the workers that joined it, so a worker
// that wakes late still finds valid counters; fn and ctx (on the caller's stack) are only
// touched after a chunk was taken, which cannot happen once the caller has returned.
//
// The chunks are cut into one contiguous range per thread, as a static schedule would: each
// thread writes its own part of the output (no cache lines shared at the seams), and with
// enough chunks its part stays in its own cache. A thread that finishes its range takes the
// next chunks of the others', one at a time from the front, so the range of a worker that has
// not started (put aside by the scheduler on a busy machine) is done by whoever is running.
struct Job {
    struct alignas(64) Range {
        std::atomic<int64_t> next{0};
        int64_t end = 0;
    };

    Job(void (*f)(void*, int64_t), void* c, int64_t num_chunks, int num_threads)
        : fn(f), ctx(c), chunks(num_chunks), threads(num_threads), ranges(new Range[num_threads]) {
        for (int r = 0; r < threads; ++r) {
            ranges[r].next.store(num_chunks * r / threads, std::memory_order_relaxed);
            ranges[r].end = num_chunks * (r + 1) / threads;
        }
    }

    void (*fn)(void*, int64_t);
    void* ctx;
    const int64_t chunks;
    const int threads;
    std::unique_ptr<Range[]> ranges;
    std::atomic<int> slots{1};  // the caller has range 0; workers take the others as they come
    std::atomic<int64_t> finished{0};
    std::atomic<uint32_t> all_done{0};
    std::atomic<uint32_t> caller_sleeping{0};
    std::mutex error_mu;
    std::exception_ptr error;

    // Runs chunks of range `slot`, then of the ranges after it, until none is left; the thread
    // finishing the last chunk signals the caller. Exceptions must not escape a worker: the
    // first one is kept and rethrown by the caller.
    void work(int slot) {
        int64_t mine = 0;
        for (int k = 0; k < threads; ++k) {
            Range& r = ranges[(slot + k) % threads];
            for (int64_t c; (c = r.next.fetch_add(1, std::memory_order_relaxed)) < r.end; ++mine) {
                try {
                    fn(ctx, c);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mu);
                    if (!error) error = std::current_exception();
                }
            }
        }
        if (mine > 0 && finished.fetch_add(mine, std::memory_order_acq_rel) + mine == chunks) {
            all_done.store(1);
            if (caller_sleeping.load()) futex_wake_all(&all_done);
        }
    }

    void join() {
        const int slot = slots.fetch_add(1);
        work(slot < threads ? slot : 0);
    }

    void wait_all_done() {
        if (spin_until([&] { return all_done.load(std::memory_order_acquire) != 0; })) return;
        caller_sleeping.store(1);
        while (all_done.load() == 0) futex_wait(&all_done, 0);
    }
};

class Pool {
public:
    explicit Pool(int workers) {
        const uint32_t start = epoch_.load();
        for (int i = 0; i < workers; ++i) threads_.emplace_back([this, start] { worker_main(start); });
    }
    ~Pool() {
        stop_.store(true);
        epoch_.fetch_add(1);
        futex_wake_all(&epoch_);
        for (auto& t : threads_) t.join();
    }

    // Runs the region with the workers' help; false (nothing run) when another thread's region
    // holds the pool, a worker is in the middle of picking up a job, or the machine was found
    // busy (below).
    bool run(void (*fn)(void*, int64_t), void* ctx, int64_t chunks) {
        std::unique_lock<std::mutex> region(region_mu_, std::try_to_lock);
        if (!region.owns_lock()) return false;
        using clock = std::chrono::steady_clock;
        const auto start = clock::now();
        if (start < serial_until_) return false;
        auto job = std::make_shared<Job>(fn, ctx, chunks, static_cast<int>(threads_.size()) + 1);
        {
            std::unique_lock<std::mutex> lock(job_mu_, std::try_to_lock);
            if (!lock.owns_lock()) return false;
            current_ = job;
        }
        epoch_.fetch_add(1);
        if (sleepers_.load() > 0) futex_wake_all(&epoch_);
        job->work(0);
        const auto worked = clock::now();
        job->wait_all_done();
        {
            std::lock_guard<std::mutex> lock(job_mu_);
            current_.reset();
        }
        note_wait(start, worked, clock::now());
        if (job->error) std::rethrow_exception(job->error);
        return true;
    }

private:
    // On a busy machine the scheduler can put a worker aside in the middle of a chunk it took,
    // and the caller then waits out the other program's time slice (milliseconds) for one
    // chunk. Idle, the caller's wait is at most about one chunk, shorter than its own share of
    // the region. A wait longer than both kMinStall and the caller's own work counts as a
    // stall: the next regions run on the caller alone (parallel_run's serial path, the same
    // chunks in order, so results do not change) for a back-off period, after which a region
    // on all threads probes again. The period doubles (to kMaxBackoff) when the probe stalls
    // again within one period, and is kMinBackoff otherwise. Small steps (a few hundred
    // microseconds), whose regions are short next to a time slice, keep their speed this way
    // next to busy processes; long regions hardly stall, as their chunks are long too.
    static constexpr auto kMinStall = std::chrono::microseconds(200);
    static constexpr auto kMinBackoff = std::chrono::milliseconds(10);
    static constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);

    void note_wait(std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point worked,
                   std::chrono::steady_clock::time_point end) {
        static const bool enabled = [] {
            const char* env = std::getenv("KAYA_STALL_BACKOFF");  // 0: measure without it.
            return !env || std::atoi(env) != 0;
        }();
        const auto wait = end - worked;
        if (!enabled || wait < kMinStall || wait < worked - start) return;
        // A stall soon after the last serial period: the load is still there, so wait longer
        // before the next probe. A stall after a calm spell (or a single hiccup of a virtual
        // machine) starts from the shortest back-off again.
        backoff_ = end - serial_until_ < backoff_ ? std::min<std::chrono::steady_clock::duration>(2 * backoff_, kMaxBackoff)
                                                  : std::chrono::steady_clock::duration(kMinBackoff);
        serial_until_ = end + backoff_;
    }

    // `seen` starts at the epoch the pool was created with: a region (or the stop signal) that
    // comes before this thread first runs is not missed.
    void worker_main(uint32_t seen) {
        t_in_region = true;  // a region inside a chunk runs on the thread that reached it
        for (;;) {
            if (!spin_until([&] { return epoch_.load(std::memory_order_acquire) != seen; })) {
                sleepers_.fetch_add(1);
                while (epoch_.load() == seen) futex_wait(&epoch_, seen);
                sleepers_.fetch_sub(1);
            }
            seen = epoch_.load();
            if (stop_.load()) return;
            std::shared_ptr<Job> job;
            {
                std::lock_guard<std::mutex> lock(job_mu_);
                job = current_;
            }
            if (job) job->join();
        }
    }

    std::mutex region_mu_;  // one region at a time; a second caller runs its region alone
    // Guarded by region_mu_: regions run serially until serial_until_ (a stall was seen).
    std::chrono::steady_clock::time_point serial_until_{};
    std::chrono::steady_clock::duration backoff_ = kMinBackoff;
    std::mutex job_mu_;     // guards current_
    std::shared_ptr<Job> current_;
    std::atomic<uint32_t> epoch_{0};  // bumped for every region; workers sleep on it
    std::atomic<int> sleepers_{0};
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

int initial_threads() {
    if (const char* env = std::getenv("KAYA_NUM_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) return n;
    }
    if (const char* env = std::getenv("OMP_NUM_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) return n;
    }
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int& thread_setting() {
    static int n = initial_threads();
    return n;
}

// Created on the first region, replaced when the thread count changes. Never destroyed at exit:
// a region may still be running on another thread while static destructors run.
std::mutex g_pool_mu;
Pool* g_pool = nullptr;

Pool* pool() {
    std::lock_guard<std::mutex> lock(g_pool_mu);
    if (!g_pool && num_threads() > 1) g_pool = new Pool(num_threads() - 1);
    return g_pool;
}

}  // namespace

int num_threads() { return thread_setting(); }

void set_num_threads(int n) {
    std::lock_guard<std::mutex> lock(g_pool_mu);
    n = std::max(1, n);
    if (n == thread_setting()) return;
    thread_setting() = n;
    delete g_pool;
    g_pool = nullptr;
}

bool in_parallel_region() { return t_in_region; }

SerialScope::SerialScope() : was_(t_in_region) { t_in_region = true; }
SerialScope::~SerialScope() { t_in_region = was_; }

namespace detail {

void parallel_run(int64_t num_chunks, void (*fn)(void*, int64_t), void* ctx) {
    t_in_region = true;
    struct Reset {
        ~Reset() { t_in_region = false; }
    } reset;
    if (Pool* p = pool(); p && p->run(fn, ctx, num_chunks)) return;
    for (int64_t c = 0; c < num_chunks; ++c) fn(ctx, c);
}

}  // namespace detail
}  // namespace kaya
