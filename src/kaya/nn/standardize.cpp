// SPDX-License-Identifier: MIT
#include "kaya/nn/standardize.h"

#include "kaya/ops/ops.h"

namespace kaya::nn {

Standardize::Standardize(const Tensor& m, const Tensor& s) {
    KAYA_CHECK(m.dim() >= 1 && s.shape() == m.shape(), ShapeError,
               "Standardize: mean and std must have one shape of at least one dim, got ", describe(m),
               " and ", describe(s));
    mean = register_buffer("mean", clone(m));
    // A constant feature would divide by zero; it stays centred at 0 instead.
    std = register_buffer("std", where(eq(s, 0), ones_like(s), s));
}

std::shared_ptr<Standardize> Standardize::fit(const Tensor& x) {
    KAYA_CHECK(x.dim() == 2 && x.shape()[0] > 0, ShapeError, "Standardize::fit: expected (N, F) with N > 0, got ", describe(x));
    return std::make_shared<Standardize>(kaya::mean(x, {0}), kaya::std(x, {0}, 0));
}

Tensor Standardize::forward(const Tensor& x) {
    bool fits = x.dim() >= mean.dim();
    for (int64_t d = 1; fits && d <= mean.dim(); ++d) {
        const int64_t m = mean.shape()[mean.dim() - d];
        fits = m == 1 || m == x.shape()[x.dim() - d];
    }
    KAYA_CHECK(fits, ShapeError, "Standardize: statistics of shape ", format_shape(mean.shape()),
               " do not fit the trailing dims of the input ", describe(x));
    return div(sub(x, mean), std);
}

std::string Standardize::extra_repr() const {
    return mean.dim() == 1 ? std::string("features=") + std::to_string(mean.shape()[0])
                          : std::string("shape=") + format_shape(mean.shape());
}

}  // namespace kaya::nn
