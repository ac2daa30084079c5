// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include "kaya/core/tensor.h"

namespace kaya {

// Elementwise functions, same shape out as in. Floating functions (exp, log, ...) turn integer
// and bool inputs into float32, as PyTorch does. Each mirrors the torch function of the same
// name; gradients are noted where they are not obvious.
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);    // Natural log; -inf at 0, NaN below.
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);  // 1 / sqrt(x).
Tensor abs(const Tensor& x);    // Gradient sign(x), 0 at 0 as in PyTorch.
Tensor sign(const Tensor& x);   // -1, 0 or 1; gradient 0.
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);  // 1 / (1 + exp(-x)), computed without overflow.
// Gauss error function (torch.erf); gradient 2/sqrt(pi) exp(-x^2).
Tensor erf(const Tensor& x);
// log(1 + x), accurate for small x (torch.log1p).
Tensor log1p(const Tensor& x);
// Clamps into [min, max] (either bound optional, torch.clamp); gradient 1 inside the closed
// interval and 0 outside. ValueError when neither bound is given.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);

}  // namespace kaya
