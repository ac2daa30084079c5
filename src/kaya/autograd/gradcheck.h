// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kaya/core/tensor.h"

namespace kaya::autograd {

// Tolerances of torch.autograd.gradcheck, which PyTorch designs for float64 inputs.
struct GradcheckOptions {
    double eps = 1e-6;   // Central-difference step.
    double atol = 1e-5;
    double rtol = 1e-3;
    // Outputs with at most this many elements get the full Jacobian (one backward per output
    // element); larger ones are checked through `num_vjp` random vector-Jacobian products.
    int64_t full_jacobian_limit = 200;
    int num_vjp = 4;
};

struct GradcheckResult {
    bool ok = true;
    std::string message;  // Worst mismatch: input, element, numerical vs analytical value.
    explicit operator bool() const { return ok; }
};

// A differentiable function of several tensors with one or more outputs.
using Function = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

// Compares the gradients computed by backward with central finite differences, for every
// input that requires grad (each must be float64: ValueError otherwise). Inputs are perturbed
// in place and restored; outputs must be float64. |analytic - numeric| <= atol + rtol *
// |numeric| must hold elementwise (torch.autograd.gradcheck).
GradcheckResult gradcheck(const Function& f, const std::vector<Tensor>& inputs,
                          GradcheckOptions options = {});

// Checks second derivatives: gradcheck of the function (inputs, v) -> grad(f(inputs), inputs,
// v, create_graph) for a fixed random v (torch.autograd.gradgradcheck).
GradcheckResult gradgradcheck(const Function& f, const std::vector<Tensor>& inputs,
                              GradcheckOptions options = {});

}  // namespace kaya::autograd
