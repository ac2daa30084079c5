// SPDX-License-Identifier: MIT
#include "kaya/ops/activation.h"

#include <cmath>
#include <numbers>

#include "kaya/ops/binary.h"
#include "kaya/ops/compare.h"
#include "kaya/ops/convert.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/internal.h"
#include "kaya/ops/pointwise.h"
#include "kaya/ops/unary.h"

namespace kaya {

using detail::Domain;
using detail::unary;
using detail::with_grad;

Tensor relu(const Tensor& x) {
    Tensor out = unary<Domain::Numeric>(
        "relu", x, [](auto v) { return v > decltype(v)(0) ? v : decltype(v)(0); });
    return with_grad("ReluBackward", out, x,
                     [](const Tensor& g, const Tensor& x) { return detail::relu_backward(g, x); });
}

Tensor detail::relu_backward(const Tensor& grad, const Tensor& x) {
    detail::check_inputs("relu_backward", {&grad, &x});
    Tensor xv = detach(x);
    if (autograd::needs_grad({&grad}) || grad.dtype() != xv.dtype() || grad.shape() != xv.shape()) {
        // where() instead of grad * mask: one pass, and still linear (differentiable) in grad.
        return where(gt(xv, 0), grad, zeros({}, grad.dtype()));
    }
    // No graph wanted: the mask and the select in one pass over x and grad.
    Tensor dx = Tensor::empty(grad.shape(), grad.dtype());
    auto loop = detail::make_loop(dx, {&xv, &grad});
    visit_dtype(grad.dtype(), [&]<class T>() {
        kernels::map_binary(loop, dx.data<T>(), xv.data<T>(), grad.data<T>(),
                            [](T v, T d) { return v > T(0) ? d : T(0); });
    });
    return dx;
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
