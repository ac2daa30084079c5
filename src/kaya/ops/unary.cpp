// SPDX-License-Identifier: MIT
#include "kaya/ops/unary.h"

#include <cmath>
#include <numbers>

#include "kaya/kernels/simd/exp.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/pointwise.h"

namespace kaya {

using detail::Domain;
using detail::unary;
using detail::with_grad;
using detail::with_grad_from_output;

namespace {

// A contiguous float32 x through a vectorised kernel (kernels/simd), its elements shared between
// the threads in chunks of `grain`; any other x through the scalar formula f.
template <class F>
Tensor float_kernel_or_unary(const char* op, const Tensor& x,
                             void (*kernel)(float*, const float*, int64_t, kernels::simd::Simd),
                             int64_t grain, F f) {
    if (x.dtype() != DType::Float32 || !x.is_contiguous()) return unary<Domain::Float>(op, x, f);
    detail::check_inputs(op, {&x});
    Tensor out = Tensor::empty(x.shape(), DType::Float32);
    float* o = out.data<float>();
    const float* in = x.data<float>();
    parallel_for(x.numel(), even_grain(x.numel(), grain),
                 [&, level = kernels::simd::simd_level()](int64_t b, int64_t e) {
                     kernel(o + b, in + b, e - b, level);
                 });
    return out;
}

// A mask of where cond holds, in g's dtype, for gradient rules.
Tensor as_factor(const Tensor& cond, const Tensor& g) { return to(cond, g.dtype()); }

}  // namespace

Tensor neg(const Tensor& x) {
    Tensor out = unary<Domain::Numeric>("neg", x, [](auto v) { return decltype(v)(-v); });
    return with_grad("NegBackward", out, x, [](const Tensor& g, const Tensor&) { return neg(g); });
}

Tensor exp(const Tensor& x) {
    // exp costs ~10x a memory pass, so threads pay off from a smaller size.
    Tensor out = float_kernel_or_unary("exp", x, kernels::simd::exp_forward, kParallelGrain / 4,
                                       [](auto v) { return std::exp(v); });
    return with_grad_from_output("ExpBackward", out, x, [](const Tensor& x) { return exp(x); },
                                 [](const Tensor& g, const Tensor& y) { return mul(g, y); });
}

Tensor log(const Tensor& x) {
    Tensor out = float_kernel_or_unary("log", x, kernels::simd::log_forward, kParallelGrain / 4,
                                       [](auto v) { return std::log(v); });
    return with_grad("LogBackward", out, x, [](const Tensor& g, const Tensor& x) {
        return div(g, x);
    });
}

Tensor sqrt(const Tensor& x) {
    Tensor out = unary<Domain::Float>("sqrt", x, [](auto v) { return std::sqrt(v); });
    return with_grad("SqrtBackward", out, x, [](const Tensor& g, const Tensor& x) {
        return div(g, mul(sqrt(x), 2));
    });
}

Tensor rsqrt(const Tensor& x) {
    Tensor out = unary<Domain::Float>("rsqrt", x, [](auto v) {
        return decltype(v)(1) / std::sqrt(v);
    });
    return with_grad("RsqrtBackward", out, x, [](const Tensor& g, const Tensor& x) {
        return mul(g, mul(pow(x, -1.5), -0.5));
    });
}

Tensor abs(const Tensor& x) {
    Tensor out = unary<Domain::Numeric>("abs", x, [](auto v) { return v < 0 ? decltype(v)(-v) : v; });
    return with_grad("AbsBackward", out, x, [](const Tensor& g, const Tensor& x) {
        // sign(x), not of a detached x: its own (zero) derivative keeps the result in the
        // graph, so a second derivative is 0, as PyTorch gives, instead of an error.
        return mul(g, sign(x));
    });
}

Tensor sign(const Tensor& x) {
    Tensor out = unary<Domain::Numeric>("sign", x, [](auto v) {
        using T = decltype(v);
        return T((v > T(0)) - (v < T(0)));
    });
    return with_grad("SignBackward", out, x, [](const Tensor& g, const Tensor&) {
        return zeros_like(g);
    });
}

Tensor sin(const Tensor& x) {
    Tensor out = unary<Domain::Float>("sin", x, [](auto v) { return std::sin(v); });
    return with_grad("SinBackward", out, x, [](const Tensor& g, const Tensor& x) {
        return mul(g, cos(x));
    });
}

Tensor cos(const Tensor& x) {
    Tensor out = unary<Domain::Float>("cos", x, [](auto v) { return std::cos(v); });
    return with_grad("CosBackward", out, x, [](const Tensor& g, const Tensor& x) {
        return mul(g, neg(sin(x)));
    });
}

Tensor tanh(const Tensor& x) {
    Tensor out = float_kernel_or_unary("tanh", x, kernels::simd::tanh_forward, kParallelGrain / 2,
                                       [](auto v) { return std::tanh(v); });
    return with_grad_from_output("TanhBackward", out, x, [](const Tensor& x) { return tanh(x); },
                                 [](const Tensor& g, const Tensor& t) { return mul(g, rsub(mul(t, t), 1)); });
}

Tensor sigmoid(const Tensor& x) {
    Tensor out = unary<Domain::Float>("sigmoid", x, [](auto v) {
        using T = decltype(v);
        // exp of a non-positive number only, so neither branch overflows.
        if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
        T e = std::exp(v);
        return e / (T(1) + e);
    });
    return with_grad_from_output("SigmoidBackward", out, x, [](const Tensor& x) { return sigmoid(x); },
                                 [](const Tensor& g, const Tensor& s) { return mul(g, mul(s, rsub(s, 1))); });
}

Tensor erf(const Tensor& x) {
    Tensor out = unary<Domain::Float>("erf", x, [](auto v) { return std::erf(v); });
    return with_grad("ErfBackward", out, x, [](const Tensor& g, const Tensor& x) {
        const double k = 2.0 / std::sqrt(std::numbers::pi);
        return mul(g, mul(exp(neg(mul(x, x))), k));
    });
}

Tensor log1p(const Tensor& x) {
    Tensor out = unary<Domain::Float>("log1p", x, [](auto v) { return std::log1p(v); });
    return with_grad("Log1pBackward", out, x,
                     [](const Tensor& g, const Tensor& x) { return div(g, add(x, 1.0)); });
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
    KAYA_CHECK(min || max, ValueError, "clamp: at least one of min and max must be given");
    const double lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
    Tensor out = unary<Domain::Numeric>("clamp", x, [lo, hi](auto v) {
        using T = decltype(v);
        if (v != v) return v;  // NaN stays NaN.
        double d = static_cast<double>(v);
        return d < lo ? static_cast<T>(lo) : d > hi ? static_cast<T>(hi) : v;
    });
    return with_grad("ClampBackward", out, x, [lo, hi](const Tensor& g, const Tensor& x) {
        Tensor xd = detach(x);
        return mul(g, as_factor(logical_and(ge(xd, lo), le(xd, hi)), g));
    });
}

}  // namespace kaya
