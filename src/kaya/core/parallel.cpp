// SPDX-License-Identifier: MIT
#include "kaya/core/parallel.h"

#include <omp.h>

#include <cstdlib>
#include <exception>
#include <mutex>

namespace kaya {

namespace {
int initial_threads() {
    if (const char* env = std::getenv("KAYA_NUM_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) {
            // OpenBLAS's OpenMP build sizes its own regions by OpenMP's setting: without this,
            // KAYA_NUM_THREADS=1 still ran matrix products on every core.
            omp_set_num_threads(n);
            return n;
        }
    }
    return omp_get_max_threads();
}
int& thread_setting() {
    static int n = initial_threads();
    return n;
}
// Read at start-up, on the main thread, whose OpenMP setting OpenBLAS then follows.
[[maybe_unused]] const int g_threads_at_start = thread_setting();
}  // namespace

int num_threads() { return thread_setting(); }
void set_num_threads(int n) {
    thread_setting() = std::max(1, n);
    omp_set_num_threads(thread_setting());
}
bool in_parallel_region() { return omp_in_parallel() != 0; }

namespace detail {

// Exceptions must not escape an OpenMP region (that terminates the program), so the first one
// is captured and rethrown on the calling thread.
void parallel_run(int64_t num_chunks, void (*fn)(void*, int64_t), void* ctx) {
    std::exception_ptr error;
    std::mutex mu;
#pragma omp parallel for schedule(static) num_threads(num_threads())
    for (int64_t c = 0; c < num_chunks; ++c) {
        try {
            fn(ctx, c);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mu);
            if (!error) error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace detail
}  // namespace kaya
