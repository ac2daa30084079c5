// SPDX-License-Identifier: MIT
#include "kaya/ops/activation.h"

#include <cmath>
#include <numbers>

#include "kaya/ops/binary.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/unary.h"

namespace kaya {

using autograd::needs_grad;
using autograd::record;

namespace {

// Runs a float-domain scalar function (integer inputs compute in float32).
template <class F>
Tensor float_map(const char* op, const Tensor& x, F f) {
    detail::check_inputs(op, {&x});
    DType dt = is_floating(x.dtype()) ? x.dtype() : kDefaultDType;
    Tensor cx = detail::cast(x, dt);
    Tensor out = Tensor::empty(x.shape(), dt);
    auto loop = detail::make_loop(out, {&cx});
    visit_floating(dt, op, [&]<class T>() {
        kernels::map_unary(loop, out.data<T>(), cx.data<T>(), f);
    });
    return out;
}

}  // namespace

Tensor erf(const Tensor& x) {
    Tensor out = float_map("erf", x, [](auto v) { return std::erf(v); });
    if (needs_grad({&x})) {
        record("ErfBackward", out, {x}, [x](const Tensor& g) {
            const double k = 2.0 / std::sqrt(std::numbers::pi);
            return std::vector<Tensor>{mul(g, mul(exp(neg(mul(x, x))), k))};
        }, {x});
    }
    return out;
}

Tensor log1p(const Tensor& x) {
    Tensor out = float_map("log1p", x, [](auto v) { return std::log1p(v); });
    if (needs_grad({&x})) {
        record("Log1pBackward", out, {x}, [x](const Tensor& g) {
            return std::vector<Tensor>{div(g, add(x, 1.0))};
        }, {x});
    }
    return out;
}

Tensor gelu(const Tensor& x, bool tanh_approximation) {
    if (tanh_approximation) {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as PyTorch's approximate='tanh'.
        const double k = std::sqrt(2.0 / std::numbers::pi);
        Tensor inner = mul(add(x, mul(pow(x, 3), 0.044715)), k);
        return mul(mul(x, 0.5), add(tanh(inner), 1.0));
    }
    return mul(mul(x, 0.5), add(erf(mul(x, 1.0 / std::numbers::sqrt2)), 1.0));
}

Tensor silu(const Tensor& x) { return mul(x, sigmoid(x)); }

Tensor hardsigmoid(const Tensor& x) { return clamp(add(div(x, 6.0), 0.5), 0.0, 1.0); }

// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): the exponent is never positive.
Tensor softplus(const Tensor& x) { return add(relu(x), log1p(exp(neg(abs(x))))); }

Tensor logsigmoid(const Tensor& x) { return neg(softplus(neg(x))); }

}  // namespace kaya
