// SPDX-License-Identifier: MIT
#include "kaya/nn/norm.h"

#include <sstream>

#include "kaya/ops/factory.h"
#include "kaya/ops/norm.h"

namespace kaya::nn {

LayerNorm::LayerNorm(LayerNormOptions o) : options_(std::move(o)) {
    KAYA_CHECK(!options_.normalized_shape.empty(), ValueError,
               "LayerNorm: normalized_shape must have at least one dim");
    for (int64_t s : options_.normalized_shape) {
        KAYA_CHECK(s > 0, ValueError, "LayerNorm: normalized_shape must be positive, got ",
                   format_shape(options_.normalized_shape));
    }
    KAYA_CHECK(is_floating(options_.dtype), DTypeError, "LayerNorm: dtype must be floating, got ",
               dtype_name(options_.dtype));
    if (options_.elementwise_affine) {
        weight = register_parameter("weight", ones(options_.normalized_shape, options_.dtype));
        bias = register_parameter("bias", zeros(options_.normalized_shape, options_.dtype));
    }
}

Tensor LayerNorm::forward(const Tensor& x) {
    return layer_norm(x, options_.normalized_shape, weight, bias, options_.eps);
}

std::string LayerNorm::extra_repr() const {
    // PyTorch prints the shape as a tuple: (256,) or (3, 4).
    std::ostringstream os;
    os << "(";
    for (size_t i = 0; i < options_.normalized_shape.size(); ++i) {
        os << (i ? ", " : "") << options_.normalized_shape[i];
    }
    os << (options_.normalized_shape.size() == 1 ? ",)" : ")") << ", eps=" << options_.eps
       << ", elementwise_affine=" << (options_.elementwise_affine ? "True" : "False");
    return os.str();
}

}  // namespace kaya::nn
