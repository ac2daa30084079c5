// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "kaya/autograd/engine.h"
#include "kaya/core/tensor.h"

// Derivatives of whole functions, built on the autograd engine's double backward
// (torch.autograd.functional): Jacobians, Hessian-vector products and full Hessians.
namespace kaya::curvature {

// The full Hessian is refused above this many parameters by default: 10,000 parameters make
// an 800 MB float64 matrix. Lanczos (lanczos.h) needs only Hessian-vector products.
inline constexpr int64_t kMaxFullHessian = 10000;

// Number of elements of all tensors together.
int64_t total_numel(const std::vector<Tensor>& tensors);
// The tensors' elements one after another as one 1-D tensor (no history; dtype of the first).
Tensor flatten_all(const std::vector<Tensor>& tensors);
// Views of consecutive pieces of the 1-D `flat`, shaped like `like` (inverse of flatten_all).
std::vector<Tensor> unflatten_like(const Tensor& flat, const std::vector<Tensor>& like);

// The Hessian of a scalar loss with respect to a list of parameters (leaves that require
// grad, all float32 or all float64), seen as one matrix over the parameters flattened in
// order. The constructor evaluates loss_fn() once and its gradient with create_graph; every
// product after that is one backward pass over that kept graph, as
// torch.autograd.functional.hvp does with double backward. The loss must depend on the
// parameters only through differentiable ops; at a ReLU kink the result is the Hessian of the
// active piece (the kink itself has no second derivative).
class HessianOperator {
public:
    HessianOperator(const std::function<Tensor()>& loss_fn, std::vector<Tensor> params);

    int64_t size() const { return size_; }
    DType dtype() const { return dtype_; }
    double loss() const { return loss_value_; }
    // The gradient at the point, flattened (no history).
    const Tensor& gradient() const { return gradient_; }
    double gradient_norm() const;

    // H v for a 1-D v of size() elements (cast to the parameters' dtype); 1-D, no history.
    Tensor apply(const Tensor& v) const;
    // The size() x size() matrix, one row per product with a unit vector; symmetric to
    // rounding. ValueError above max_size parameters, naming the memory it would take.
    Tensor matrix(int64_t max_size = kMaxFullHessian) const;

private:
    std::vector<Tensor> params_;
    std::vector<Tensor> grads_;       // The gradient with history (create_graph).
    std::vector<size_t> dependent_;   // Pieces of the gradient that depend on the parameters.
    std::shared_ptr<autograd::GradPlan> plan_;  // The second backward, prepared once.
    Tensor gradient_;
    double loss_value_ = 0;
    int64_t size_ = 0;
    DType dtype_ = kDefaultDType;
};

// One Hessian-vector product of loss_fn() at params (torch.autograd.functional.hvp).
Tensor hvp(const std::function<Tensor()>& loss_fn, const std::vector<Tensor>& params,
           const Tensor& v);
// The full Hessian of loss_fn() over params flattened (torch.autograd.functional.hessian).
Tensor hessian(const std::function<Tensor()>& loss_fn, const std::vector<Tensor>& params,
               int64_t max_size = kMaxFullHessian);

// The Jacobian of f at x, of shape f(x).shape + x.shape (torch.autograd.functional.jacobian):
// one reverse pass per output element. x must be float32 or float64; f must not change x.
Tensor jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x);
// The Hessian of a scalar function of one tensor, of shape x.shape + x.shape.
Tensor hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x,
               int64_t max_size = kMaxFullHessian);

}  // namespace kaya::curvature
