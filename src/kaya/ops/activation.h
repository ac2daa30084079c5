// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// Activation functions beyond the elementary ones in unary.h. Composites of differentiable
// ops, so they have first and higher derivatives. Each matches the torch function named.

// Gauss error function (torch.erf); gradient 2/sqrt(pi) exp(-x^2).
Tensor erf(const Tensor& x);
// log(1 + x), accurate for small x (torch.log1p).
Tensor log1p(const Tensor& x);
// x * Phi(x) with Phi the standard normal CDF (F.gelu); `tanh_approximation` gives
// F.gelu(approximate='tanh').
Tensor gelu(const Tensor& x, bool tanh_approximation = false);
// x * sigmoid(x) (F.silu).
Tensor silu(const Tensor& x);
// clamp(x / 6 + 1/2, 0, 1) (F.hardsigmoid).
Tensor hardsigmoid(const Tensor& x);
// log(1 + exp(x)) without overflow (F.softplus with beta 1).
Tensor softplus(const Tensor& x);
// log(sigmoid(x)) without underflow (F.logsigmoid).
Tensor logsigmoid(const Tensor& x);

}  // namespace kaya
