// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>

namespace kaya {

// Threads used by kernels: the calling thread plus num_threads() - 1 workers of Kaya's own pool
// (parallel.cpp). Defaults to KAYA_NUM_THREADS, else OMP_NUM_THREADS, else the core count.
// set_num_threads must not be called while a parallel region runs. BLAS calls always stay on
// the thread that makes them (kernels/blas/blas_setup.h): Kaya splits the products itself.
int num_threads();
void set_num_threads(int n);
// True while running inside a parallel region or on a pool worker (nested calls run serially).
bool in_parallel_region();

// While one is alive, parallel_for on this thread runs serially: for a kernel that knows its
// whole job is too small to share (waking a worker and moving data between cores' caches
// costs more than the second core saves).
class SerialScope {
public:
    SerialScope();
    ~SerialScope();
    SerialScope(const SerialScope&) = delete;
    SerialScope& operator=(const SerialScope&) = delete;

private:
    bool was_ = false;
};

// Work below this many elements runs on the calling thread: waking the pool costs ~2-5 us.
inline constexpr int64_t kParallelGrain = 32768;

// For work whose result does not depend on where chunks begin (elementwise maps, fills,
// optimiser updates): the grain that cuts n into as many chunks as `grain` does (fewer where
// rounding up merges some), all of one size, a multiple of `align` (whole vectors, so a vector
// kernel's scalar tail stays at n's end). The threads' shares come out even: 100,000 elements in
// chunks of 32,768 leave 65,536 to one thread of two and 34,464 to the other; in chunks of 25,008,
// 50,016 and 49,984. It depends on n and grain alone, never on the thread count.
inline int64_t even_grain(int64_t n, int64_t grain, int64_t align = 16) {
    grain = std::max<int64_t>(grain, 1);
    const int64_t chunks = std::max<int64_t>(1, (n + grain - 1) / grain);
    const int64_t even = (n + chunks - 1) / chunks;
    return std::max<int64_t>(1, (even + align - 1) / align * align);
}

namespace detail {
void parallel_run(int64_t num_chunks, void (*fn)(void*, int64_t), void* ctx);
}

// Calls f(begin, end) over [0, n) split into chunks of `grain` items (the last may be shorter).
// Each call covers whole consecutive chunks and runs on one thread; on one thread (or nested
// in another region) f gets [0, n) at once. A kernel whose result must not depend on the
// thread count loops over blocks of its own inside f, fixed by the sizes alone, and combines
// them in order (see kernels/ref/reduce.cpp).
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
    if (n <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    int64_t chunks = (n + grain - 1) / grain;
    if (chunks <= 1 || num_threads() <= 1 || in_parallel_region()) {
        f(int64_t{0}, n);
        return;
    }
    struct Ctx {
        F* f;
        int64_t n, grain;
    } ctx{&f, n, grain};
    detail::parallel_run(
        chunks,
        [](void* p, int64_t c) {
            auto* cx = static_cast<Ctx*>(p);
            int64_t b = c * cx->grain;
            (*cx->f)(b, std::min(cx->n, b + cx->grain));
        },
        &ctx);
}

}  // namespace kaya
