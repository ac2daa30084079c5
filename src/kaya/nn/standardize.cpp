// SPDX-License-Identifier: MIT
#include "kaya/nn/standardize.h"

#include "kaya/ops/ops.h"

namespace kaya::nn {

Standardize::Standardize(const Tensor& m, const Tensor& s) {
    KAYA_CHECK(m.dim() == 1 && s.shape() == m.shape(), ShapeError,
               "Standardize: mean and std must be 1-D of one size, got ", describe(m), " and ", describe(s));
    mean = register_buffer("mean", clone(m));
    // A constant feature would divide by zero; it stays centred at 0 instead.
    std = register_buffer("std", where(eq(s, 0), ones_like(s), s));
}

std::shared_ptr<Standardize> Standardize::fit(const Tensor& x) {
    KAYA_CHECK(x.dim() == 2 && x.shape()[0] > 0, ShapeError, "Standardize::fit: expected (N, F) with N > 0, got ", describe(x));
    return std::make_shared<Standardize>(kaya::mean(x, {0}), kaya::std(x, {0}, 0));
}

Tensor Standardize::forward(const Tensor& x) {
    KAYA_CHECK(x.dim() >= 1 && x.shape()[x.dim() - 1] == mean.shape()[0], ShapeError,
               "Standardize: expected last dim ", mean.shape()[0], ", got ", describe(x));
    return div(sub(x, mean), std);
}

std::string Standardize::extra_repr() const { return "features=" + std::to_string(mean.shape()[0]); }

}  // namespace kaya::nn
