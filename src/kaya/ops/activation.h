// SPDX-License-Identifier: MIT
#pragma once

#include "kaya/core/tensor.h"

namespace kaya {

// Activation functions (torch.nn.functional). relu has its own kernel; the others are
// composites of differentiable ops (sigmoid, tanh and erf live with the elementary functions in
// unary.h), so all have first and higher derivatives. Each matches the torch function named.

// max(x, 0) (F.relu); gradient 1 where x > 0, else 0.
Tensor relu(const Tensor& x);
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
