// SPDX-License-Identifier: MIT
#include "kaya/nn/activation.h"

#include <sstream>

#include "kaya/ops/activation.h"
#include "kaya/ops/binary.h"
#include "kaya/ops/factory.h"
#include "kaya/ops/random.h"
#include "kaya/ops/reduce.h"
#include "kaya/ops/unary.h"
#include "kaya/ops/view.h"

namespace kaya::nn {

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor HardSigmoid::forward(const Tensor& x) { return hardsigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }
Tensor GELU::forward(const Tensor& x) { return gelu(x, tanh_); }
Tensor SiLU::forward(const Tensor& x) { return silu(x); }
Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim_); }
Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, dim_); }
Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_, end_); }

std::string Flatten::extra_repr() const {
    return "start_dim=" + std::to_string(start_) + ", end_dim=" + std::to_string(end_);
}

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
    KAYA_CHECK(p >= 0.0 && p <= 1.0, ValueError, "dropout: probability must be in [0, 1], got ", p);
    if (!training || p == 0.0) return x;
    if (p == 1.0) return mul(x, 0.0);
    Tensor keep = bernoulli(full(x.shape(), 1.0 - p, x.dtype()), gen);
    return mul(x, div(keep, 1.0 - p));
}

Dropout::Dropout(double p, Generator* gen) : p_(p), gen_(gen) {
    KAYA_CHECK(p >= 0.0 && p <= 1.0, ValueError, "Dropout: probability must be in [0, 1], got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training(), gen_); }

std::string Dropout::extra_repr() const {
    std::ostringstream os;
    os << "p=" << p_ << ", inplace=False";
    return os.str();
}

Tensor dropout2d(const Tensor& x, double p, bool training, Generator* gen) {
    KAYA_CHECK(p >= 0.0 && p <= 1.0, ValueError, "dropout2d: probability must be in [0, 1], got ", p);
    KAYA_CHECK(x.dim() == 3 || x.dim() == 4, ShapeError,
               "dropout2d: expected input (N, C, H, W) or (C, H, W), got ", describe(x));
    if (!training || p == 0.0) return x;
    if (p == 1.0) return mul(x, 0.0);
    // One draw per channel, broadcast over the plane.
    Shape mask = x.shape();
    mask[mask.size() - 1] = mask[mask.size() - 2] = 1;
    Tensor keep = bernoulli(full(mask, 1.0 - p, x.dtype()), gen);
    return mul(x, div(keep, 1.0 - p));
}

Dropout2d::Dropout2d(double p, Generator* gen) : p_(p), gen_(gen) {
    KAYA_CHECK(p >= 0.0 && p <= 1.0, ValueError, "Dropout2d: probability must be in [0, 1], got ", p);
}

Tensor Dropout2d::forward(const Tensor& x) { return dropout2d(x, p_, is_training(), gen_); }

std::string Dropout2d::extra_repr() const {
    std::ostringstream os;
    os << "p=" << p_ << ", inplace=False";
    return os.str();
}

}  // namespace kaya::nn
