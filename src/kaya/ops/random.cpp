// SPDX-License-Identifier: MIT
#include "kaya/ops/random.h"

#include <cmath>
#include <numbers>

#include "kaya/core/parallel.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/internal.h"

namespace kaya {

namespace {

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

// Fills a new tensor with f(gen, first_counter, i), in parallel; draws_per_element counters
// are reserved per element so that any element can be computed independently.
template <class F>
Tensor fill_random(const char* op, const Shape& shape, DType dtype, Generator& g,
                   uint64_t draws_per_element, F f) {
    check_sizes(shape, op);
    Tensor t = Tensor::empty(shape, dtype);
    const int64_t n = t.numel();
    const uint64_t first = g.reserve(static_cast<uint64_t>(n) * draws_per_element);
    visit_floating(dtype, op, [&]<class T>() {
        T* p = t.data<T>();
        parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) p[i] = static_cast<T>(f(g, first, i));
        });
    });
    return t;
}

}  // namespace

Tensor uniform(const Shape& shape, double low, double high, DType dtype, Generator* gen) {
    KAYA_CHECK(low <= high, ValueError, "uniform: low ", low, " must not exceed high ", high);
    return fill_random("uniform", shape, dtype, pick(gen), 1,
                       [low, high](const Generator& g, uint64_t first, int64_t i) {
                           return low + (high - low) * g.uniform(first + i);
                       });
}

Tensor rand(const Shape& shape, DType dtype, Generator* gen) {
    return uniform(shape, 0.0, 1.0, dtype, gen);
}

Tensor normal(const Shape& shape, double mean, double std, DType dtype, Generator* gen) {
    KAYA_CHECK(std >= 0, ValueError, "normal: std must be non-negative, got ", std);
    // Box-Muller on two counters per element; 1 - u keeps the log argument in (0, 1].
    return fill_random("normal", shape, dtype, pick(gen), 2,
                       [mean, std](const Generator& g, uint64_t first, int64_t i) {
                           double u1 = 1.0 - g.uniform(first + 2 * i);
                           double u2 = g.uniform(first + 2 * i + 1);
                           return mean + std * std::sqrt(-2.0 * std::log(u1)) *
                                             std::cos(2.0 * std::numbers::pi * u2);
                       });
}

Tensor randn(const Shape& shape, DType dtype, Generator* gen) {
    return normal(shape, 0.0, 1.0, dtype, gen);
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
    detail::check_inputs("bernoulli", {&p});
    KAYA_CHECK(is_floating(p.dtype()), DTypeError, "bernoulli: p must be floating point, got ",
               describe(p));
    Tensor pd = contiguous(to(p, DType::Float64));
    const double* pp = pd.data<double>();
    const int64_t n = pd.numel();  // once: numel is a call, and the loop is the check's whole cost
    for (int64_t i = 0; i < n; ++i) {
        KAYA_CHECK(pp[i] >= 0.0 && pp[i] <= 1.0, ValueError,
                   "bernoulli: probabilities must be in [0, 1], got ", pp[i], " at flat index ", i);
    }
    return fill_random("bernoulli", p.shape(), p.dtype(), pick(gen), 1,
                       [pp](const Generator& g, uint64_t first, int64_t i) {
                           return g.uniform(first + i) < pp[i] ? 1.0 : 0.0;
                       });
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator* gen) {
    KAYA_CHECK(low < high, ValueError, "randint: expected low < high, got [", low, ", ", high, ")");
    check_sizes(shape, "randint");
    Generator& g = pick(gen);
    Tensor t = Tensor::empty(shape, DType::Int64);
    const int64_t n = t.numel();
    const uint64_t first = g.reserve(n);
    const auto range = static_cast<unsigned __int128>(static_cast<uint64_t>(high - low));
    int64_t* p = t.data<int64_t>();
    parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
            // Multiply-shift maps 64 random bits onto [0, range) with negligible bias.
            p[i] = low + static_cast<int64_t>((g.bits(first + i) * range) >> 64);
        }
    });
    return t;
}

Tensor randperm(int64_t n, Generator* gen) {
    KAYA_CHECK(n >= 0, ValueError, "randperm: n must be non-negative, got ", n);
    Generator& g = pick(gen);
    Tensor t = Tensor::empty({n}, DType::Int64);
    int64_t* p = t.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = i;
    const uint64_t first = g.reserve(n);
    // Fisher-Yates from the end; draw i picks a position in [0, i].
    for (int64_t i = n - 1; i > 0; --i) {
        auto span = static_cast<unsigned __int128>(i + 1);
        int64_t j = static_cast<int64_t>((g.bits(first + i) * span) >> 64);
        std::swap(p[i], p[j]);
    }
    return t;
}

}  // namespace kaya
