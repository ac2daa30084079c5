// SPDX-License-Identifier: MIT
#include "kaya/nn/norm.h"

#include <sstream>

#include "kaya/ops/factory.h"
#include "kaya/autograd/grad_mode.h"
#include "kaya/ops/inplace.h"
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

BatchNorm::BatchNorm(BatchNormOptions o, int spatial) : options_(o), spatial_(spatial) {
    KAYA_CHECK(o.num_features > 0, ValueError, "BatchNorm: num_features must be positive, got ",
               o.num_features);
    KAYA_CHECK(!o.momentum || (*o.momentum >= 0 && *o.momentum <= 1), ValueError,
               "BatchNorm: momentum must be in [0, 1], got ", o.momentum.value_or(0));
    KAYA_CHECK(is_floating(o.dtype), DTypeError, "BatchNorm: dtype must be floating, got ",
               dtype_name(o.dtype));
    if (o.affine) {
        weight = register_parameter("weight", ones({o.num_features}, o.dtype));
        bias = register_parameter("bias", zeros({o.num_features}, o.dtype));
    }
    if (o.track_running_stats) {
        running_mean = register_buffer("running_mean", zeros({o.num_features}, o.dtype));
        running_var = register_buffer("running_var", ones({o.num_features}, o.dtype));
        num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::Int64));
    }
}

Tensor BatchNorm::forward(const Tensor& x) {
    const int64_t C = options_.num_features;
    const bool fits = spatial_ == 1 ? (x.dim() == 2 || x.dim() == 3) : x.dim() == 4;
    KAYA_CHECK(fits && x.shape()[1] == C, ShapeError, type_name(), ": expected input ",
               spatial_ == 1 ? "(N, " + std::to_string(C) + ") or (N, " + std::to_string(C) + ", L)"
                             : "(N, " + std::to_string(C) + ", H, W)",
               ", got ", describe(x));
    const bool batch_stats = is_training() || !options_.track_running_stats;
    double momentum = options_.momentum.value_or(0.0);
    if (is_training() && options_.track_running_stats) {
        autograd::NoGradGuard no_grad;
        add_(num_batches_tracked, 1.0);
        // Without a momentum the running statistics are the plain average of all batches.
        if (!options_.momentum) momentum = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
    }
    // Untracked statistics leave the buffers undefined: batch statistics, nothing updated.
    return batch_norm(x, running_mean, running_var, weight, bias, batch_stats, momentum, options_.eps);
}

std::string BatchNorm::extra_repr() const {
    std::ostringstream os;
    os << options_.num_features << ", eps=" << options_.eps << ", momentum=";
    if (options_.momentum) {
        os << *options_.momentum;
    } else {
        os << "None";
    }
    os << ", affine=" << (options_.affine ? "True" : "False")
       << ", track_running_stats=" << (options_.track_running_stats ? "True" : "False");
    return os.str();
}

}  // namespace kaya::nn
