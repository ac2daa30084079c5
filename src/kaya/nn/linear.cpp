// SPDX-License-Identifier: MIT
#include "kaya/nn/linear.h"

#include <cmath>

#include "kaya/nn/init.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/linalg.h"
#include "kaya/ops/view.h"

namespace kaya::nn {

Linear::Linear(LinearOptions o) : options_(o) {
    KAYA_CHECK(o.in > 0 && o.out > 0, ValueError, "Linear: in and out must be positive, got in=",
               o.in, ", out=", o.out);
    KAYA_CHECK(is_floating(o.dtype), DTypeError, "Linear: dtype must be floating, got ",
               dtype_name(o.dtype));
    weight = register_parameter("weight", empty({o.out, o.in}, o.dtype));
    init::kaiming_uniform_(weight, std::sqrt(5.0), false, "leaky_relu", o.gen);
    if (o.bias) {
        bias = register_parameter("bias", empty({o.out}, o.dtype));
        double b = 1.0 / std::sqrt(static_cast<double>(o.in));
        init::uniform_(bias, -b, b, o.gen);
    }
}

Tensor Linear::forward(const Tensor& x) {
    KAYA_CHECK(x.dim() >= 1 && x.shape()[x.dim() - 1] == options_.in, ShapeError,
               "Linear: expected input with last dimension ", options_.in, " (in_features), got ",
               describe(x));
    return linear(x, weight, bias);
}

std::string Linear::extra_repr() const {
    return "in_features=" + std::to_string(options_.in) + ", out_features=" +
           std::to_string(options_.out) + ", bias=" + (options_.bias ? "True" : "False");
}

}  // namespace kaya::nn
