// SPDX-License-Identifier: MIT
// Kaya's thread pool: every chunk runs exactly once, errors reach the caller, nested and
// concurrent regions run on the calling thread, and a region never waits for a worker that is
// busy elsewhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kaya/core/parallel.h"

namespace kaya {
namespace {

struct ThreadCount {
    int saved = num_threads();
    explicit ThreadCount(int n) { set_num_threads(n); }
    ~ThreadCount() { set_num_threads(saved); }
};

TEST(Parallel, EveryIndexOnceForAnyThreadCount) {
    for (int threads : {1, 2, 3, 4}) {
        ThreadCount tc(threads);
        for (int64_t n : {1, 7, 100, 4097}) {
            for (int64_t grain : {1, 3, 64, 5000}) {
                std::vector<std::atomic<int>> hits(n);
                parallel_for(n, grain, [&](int64_t b, int64_t e) {
                    ASSERT_EQ(b % grain, 0) << "ranges are whole chunks";
                    ASSERT_TRUE(e == n || e % grain == 0);
                    for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
                });
                for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << threads << " threads, n " << n << " grain " << grain << " at " << i;
            }
        }
    }
}

TEST(Parallel, EvenGrainKeepsTheChunkCountAndEvensTheChunks) {
    // 100,000 in chunks of 32,768 is 4 chunks, the last 1,696 long; evened out, 4 of 25,008
    // (a multiple of 16), the last 24,976.
    EXPECT_EQ(even_grain(100000, 32768), 25008);
    EXPECT_EQ(even_grain(65536, 32768), 32768);
    EXPECT_EQ(even_grain(1000, 32768), 1008);  // one chunk, whatever its size
    EXPECT_EQ(even_grain(0, 32768), 1);
    EXPECT_EQ(even_grain(10, 4, 1), 4);  // 3 chunks: 4, 4, 2 with align 1
    for (int64_t n : {1, 17, 32769, 100000, 1 << 20}) {
        for (int64_t grain : {1, 16, 1000, 32768}) {
            const int64_t g = even_grain(n, grain);
            EXPECT_EQ(g % 16, 0) << n << " " << grain;
            // No more chunks than grain gives, none longer than grain (rounded up to 16).
            EXPECT_LE((n + g - 1) / g, std::max<int64_t>(1, (n + grain - 1) / grain))
                << n << " " << grain;
            EXPECT_LE(g, (grain + 15) / 16 * 16) << n << " " << grain;
        }
    }
}

TEST(Parallel, ErrorInAnyChunkReachesTheCaller) {
    ThreadCount tc(2);
    for (int64_t bad : {0, 1, 63}) {
        std::atomic<int> ran{0};
        EXPECT_THROW(parallel_for(64, 1,
                                  [&](int64_t b, int64_t) {
                                      ran.fetch_add(1);
                                      if (b == bad) throw std::runtime_error("chunk failed");
                                  }),
                     std::runtime_error);
        EXPECT_EQ(ran.load(), 64) << "the other chunks still ran";
    }
    // The pool is usable afterwards.
    std::atomic<int64_t> sum{0};
    parallel_for(1000, 1, [&](int64_t b, int64_t e) { sum.fetch_add(e - b); });
    EXPECT_EQ(sum.load(), 1000);
}

TEST(Parallel, NestedRegionRunsOnTheThreadThatReachedIt) {
    ThreadCount tc(2);
    EXPECT_FALSE(in_parallel_region());
    std::atomic<int> nested_chunks{0}, bad{0};
    parallel_for(8, 1, [&](int64_t, int64_t) {
        if (!in_parallel_region()) bad.fetch_add(1);
        const auto me = std::this_thread::get_id();
        parallel_for(4, 1, [&](int64_t b, int64_t e) {
            if (std::this_thread::get_id() != me) bad.fetch_add(1);
            nested_chunks.fetch_add(static_cast<int>(e - b));
        });
    });
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(nested_chunks.load(), 32);
    EXPECT_FALSE(in_parallel_region());
}

// Thread A's region holds the pool (its chunk waits for B); thread B's region must then run
// on B alone rather than wait for the pool. With a barrier-style pool this deadlocks, so the
// wait is bounded and reported as a failure.
TEST(Parallel, RegionDoesNotWaitForABusyPool) {
    ThreadCount tc(2);
    std::atomic<bool> b_done{false}, a_started{false};
    std::thread a([&] {
        parallel_for(2, 1, [&](int64_t c, int64_t) {
            if (c != 0) return;
            a_started = true;
            const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!b_done && std::chrono::steady_clock::now() < limit) std::this_thread::yield();
        });
    });
    while (!a_started) std::this_thread::yield();
    std::atomic<int64_t> sum{0};
    parallel_for(100, 1, [&](int64_t b, int64_t e) { sum.fetch_add(e - b); });
    b_done = true;
    a.join();
    EXPECT_EQ(sum.load(), 100);
}

TEST(Parallel, ConcurrentCallersEachGetTheirWholeRange) {
    ThreadCount tc(2);
    std::vector<std::thread> callers;
    std::vector<int64_t> sums(4);
    for (int t = 0; t < 4; ++t) {
        callers.emplace_back([&, t] {
            for (int rep = 0; rep < 200; ++rep) {
                std::atomic<int64_t> s{0};
                parallel_for(5000, 100, [&](int64_t b, int64_t e) {
                    for (int64_t i = b; i < e; ++i) s.fetch_add(i, std::memory_order_relaxed);
                });
                sums[t] += s.load();
            }
        });
    }
    for (auto& c : callers) c.join();
    for (int64_t s : sums) EXPECT_EQ(s, int64_t{200} * (5000 * 4999 / 2));
}

// Busy-waits (a chunk of real work, not a sleep that gives the core away).
void busy_for(std::chrono::microseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
    }
}

// How many of `chunks` chunks of `work` each ran on a thread other than the caller.
int chunks_elsewhere(int chunks, std::chrono::microseconds work) {
    const auto me = std::this_thread::get_id();
    std::atomic<int> elsewhere{0};
    parallel_for(chunks, 1, [&](int64_t, int64_t) {
        if (std::this_thread::get_id() != me) elsewhere.fetch_add(1);
        busy_for(work);
    });
    return elsewhere.load();
}

// Runs two-chunk regions until a worker takes the second chunk, which then sleeps 20 ms as a
// thread preempted by a busy program would, so that the caller waits for it. False when no
// worker ever took a chunk.
bool stall_a_region() {
    const auto me = std::this_thread::get_id();
    for (int attempt = 0; attempt < 200; ++attempt) {
        std::atomic<bool> slept{false};
        parallel_for(2, 1, [&](int64_t, int64_t) {
            if (std::this_thread::get_id() == me) {
                busy_for(std::chrono::microseconds(300));  // Time for the worker to take the other.
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            slept = true;
        });
        if (slept) return true;
    }
    return false;
}

// After a stalled region the next regions run on the caller alone, and after the back-off
// (10 ms) the workers help again. Timing on a loaded machine can delay the caller past the
// back-off, so the stall is tried up to three times; idle, the first try shows it.
TEST(Parallel, AStalledWorkerSendsTheNextRegionsToTheCaller) {
    ThreadCount fresh(1);  // A new pool, with no stall seen yet.
    set_num_threads(2);
    bool serial_after_stall = false;
    for (int trial = 0; trial < 3 && !serial_after_stall; ++trial) {
        ASSERT_TRUE(stall_a_region()) << "no worker ever took a chunk";
        // 3.2 ms of chunks: without the back-off the worker would take about half of them.
        serial_after_stall = chunks_elsewhere(64, std::chrono::microseconds(50)) == 0;
    }
    EXPECT_TRUE(serial_after_stall) << "the region right after a stall still used the workers";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int helped = 0;
    for (int attempt = 0; attempt < 50 && helped == 0; ++attempt)
        helped = chunks_elsewhere(64, std::chrono::microseconds(50));
    EXPECT_GT(helped, 0) << "after the back-off the workers help again";
}

TEST(Parallel, SerialScopeKeepsRegionsOnTheCallingThread) {
    ThreadCount tc(2);
    const auto me = std::this_thread::get_id();
    std::atomic<int> elsewhere{0}, calls{0};
    {
        SerialScope serial;
        EXPECT_TRUE(in_parallel_region());
        parallel_for(1000, 1, [&](int64_t b, int64_t e) {
            calls.fetch_add(1);
            if (std::this_thread::get_id() != me) elsewhere.fetch_add(1);
            EXPECT_EQ(b, 0);
            EXPECT_EQ(e, 1000);
        });
    }
    EXPECT_EQ(calls.load(), 1);
    EXPECT_EQ(elsewhere.load(), 0);
    EXPECT_FALSE(in_parallel_region()) << "the scope restores the previous state";
    // After the scope, regions are shared again: with 2 threads and 64 chunks of real work,
    // more than one call happens.
    std::atomic<int> after{0};
    parallel_for(64, 1, [&](int64_t, int64_t) { after.fetch_add(1); });
    EXPECT_EQ(after.load(), 64);
}

TEST(Parallel, ChangingTheThreadCountRepeatedlyNeverHangs) {
    int saved = num_threads();
    for (int rep = 0; rep < 200; ++rep) {
        set_num_threads(1 + rep % 3);
        std::atomic<int64_t> sum{0};
        parallel_for(64, 1, [&](int64_t b, int64_t e) { sum.fetch_add(e - b); });
        ASSERT_EQ(sum.load(), 64);
    }
    set_num_threads(saved);
}

}  // namespace
}  // namespace kaya
