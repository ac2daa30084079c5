// SPDX-License-Identifier: MIT
#include "kaya/ops/unary.h"

#include <cmath>

#include "kaya/kernels/simd/exp.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

enum class Domain { Float, Numeric };

// Validates x, picks the output dtype and runs f elementwise. Float-domain functions compute
// integer inputs in float32.
template <Domain domain, class F>
Tensor unary(const char* op, const Tensor& x, F f) {
    constexpr bool kFloatOnly = domain == Domain::Float;
    detail::check_inputs(op, {&x});
    DType dt = x.dtype();
    if (domain == Domain::Float && !is_floating(dt)) dt = kDefaultDType;
    KAYA_CHECK(dt != DType::Bool, DTypeError, op, ": not supported for bool tensors, got ",
               describe(x));
    Tensor cx = detail::cast(x, dt);
    Tensor out = Tensor::empty(x.shape(), dt);
    auto loop = detail::make_loop(out, {&cx});
    auto run = [&]<class T>() { kernels::map_unary(loop, out.data<T>(), cx.data<T>(), f); };
    // Float-domain formulas are only instantiated for float and double.
    if constexpr (kFloatOnly) {
        visit_floating(dt, op, run);
    } else {
        visit_numeric(dt, op, run);
    }
    return out;
}


// Records a one-input rule: grad_x = rule(g, x) for x that requires grad.
template <class Rule>
Tensor with_grad(const char* name, Tensor out, const Tensor& x, Rule rule) {
    if (needs_grad({&x})) {
        record(name, out, {x}, [x, rule](const Tensor& g) { return std::vector<Tensor>{rule(g, x)}; },
               {x});
    }
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
    Tensor out;
    if (x.dtype() == DType::Float32 && x.is_contiguous() && kernels::simd::avx2_available()) {
        detail::check_inputs("exp", {&x});
        out = Tensor::empty(x.shape(), DType::Float32);
        float* o = out.data<float>();
        const float* in = x.data<float>();
        // exp costs ~10x a memory pass, so threads pay off from a smaller size.
        parallel_for(x.numel(), kParallelGrain / 4, [&](int64_t b, int64_t e) {
            kernels::simd::exp_forward_avx2(o + b, in + b, e - b);
        });
    } else {
        out = unary<Domain::Float>("exp", x, [](auto v) { return std::exp(v); });
    }
    return with_grad("ExpBackward", out, x, [](const Tensor& g, const Tensor& x) {
        return mul(g, exp(x));
    });
}

Tensor log(const Tensor& x) {
    Tensor out = unary<Domain::Float>("log", x, [](auto v) { return std::log(v); });
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
        return mul(g, sign(detach(x)));
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
    Tensor out = unary<Domain::Float>("tanh", x, [](auto v) { return std::tanh(v); });
    return with_grad("TanhBackward", out, x, [](const Tensor& g, const Tensor& x) {
        Tensor t = tanh(x);
        return mul(g, rsub(mul(t, t), 1));
    });
}

Tensor sigmoid(const Tensor& x) {
    Tensor out = unary<Domain::Float>("sigmoid", x, [](auto v) {
        using T = decltype(v);
        // exp of a non-positive number only, so neither branch overflows.
        if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
        T e = std::exp(v);
        return e / (T(1) + e);
    });
    return with_grad("SigmoidBackward", out, x, [](const Tensor& g, const Tensor& x) {
        Tensor s = sigmoid(x);
        return mul(g, mul(s, rsub(s, 1)));
    });
}

Tensor relu(const Tensor& x) {
    Tensor out = unary<Domain::Numeric>("relu", x, [](auto v) {
        return v > decltype(v)(0) ? v : decltype(v)(0);
    });
    return with_grad("ReluBackward", out, x, [](const Tensor& g, const Tensor& x) {
        // where() instead of g * mask: one pass, and still linear (differentiable) in g.
        return where(gt(detach(x), 0), g, zeros({}, g.dtype()));
    });
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
